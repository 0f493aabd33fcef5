"""The one rule for lessons: which endings require one, whether one is missing, and recording it.

A person who stops an experiment, or concludes it as lost or invalid (or concludes one that was
stopped), writes what we learned; lifecycle.make_move asks `check` before the move and calls
`record` in the move's transaction, so page, API, tasks and commands all obey it. A check (the
scheduler, no person) cannot type a lesson: the move is made and the lesson is then *missing*
(`lesson_missing`, `missing_q`), shown on the experiment and flagged on the review agenda until
an author adds it (`may_record_lesson`, `record`)."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from experiments import errors
from experiments.models import LESSON_MAX_CHARS, Experiment, ExperimentEvent, Lesson, Outcome, Status

# The moves that end an experiment and ask for a lesson (optional for a win, inconclusive).
ASKING_ACTIONS = frozenset({"stop", "conclude"})
REQUIRED_OUTCOMES = frozenset({Outcome.LOST, Outcome.INVALID})
# Once here an experiment has ended (or paused by a stop): its lesson may be written or edited.
ENDED_STATUSES = frozenset({Status.STOPPED, Status.CONCLUDED, Status.PROMOTED, Status.ARCHIVED})


def required_for(action: str, outcome: str, from_status: str) -> bool:
    """A stop, a lost or invalid conclusion, and concluding what was stopped other than as won need a
    lesson; a win may have one."""
    if action == "stop":
        return True
    if action != "conclude" or outcome == Outcome.WON:
        return False
    return outcome in REQUIRED_OUTCOMES or from_status == Status.STOPPED


def _clean(text) -> str:
    return (text or "").strip()


def _validate(learned: str, differently: str) -> None:
    for field, text in (("lesson", learned), ("lesson_differently", differently)):
        if len(text) > LESSON_MAX_CHARS:
            raise errors.Invalid(
                _("A lesson is at most %(n)d characters.") % {"n": LESSON_MAX_CHARS},
                [{"field": field, "message": _("Shorten it to %(n)d characters.") % {"n": LESSON_MAX_CHARS}}],
            )
    if differently and not learned:
        raise errors.Invalid(
            _("Write what we learned as well as what we would do differently."),
            [{"field": "lesson", "message": _("Say what we learned.")}],
        )


def check(experiment: Experiment, action: str, actor, *, outcome: str, learned: str, differently: str) -> None:
    """Refuse the move when its lesson is required from this person and not given, or too long."""
    learned, differently = _clean(learned), _clean(differently)
    if action not in ASKING_ACTIONS:
        if learned or differently:
            raise errors.Invalid(
                _("Only stopping or concluding an experiment takes a lesson."),
                [{"field": "lesson", "message": _("Leave empty for this action.")}],
            )
        return
    _validate(learned, differently)
    if actor is None or learned or has_lesson(experiment):
        return  # the scheduler cannot write one: the owner is asked afterwards (lesson_missing)
    if required_for(action, outcome, experiment.status):
        raise errors.Invalid(
            _(
                "Write the lesson: what we learned (and what we would do differently). A stopped, lost or invalid "
                "experiment is not ended without one."
            ),
            [{"field": "lesson", "message": _("Say what we learned from this experiment.")}],
        )


def has_lesson(experiment: Experiment) -> bool:
    return Lesson.objects.filter(experiment=experiment).exists()


def record(experiment: Experiment, actor, *, learned: str, differently: str = "") -> Lesson | None:
    """Write or replace the experiment's lesson (nothing when `learned` is empty)."""
    learned, differently = _clean(learned), _clean(differently)
    if not learned:
        return None
    now = timezone.now()
    lesson, _created = Lesson.objects.update_or_create(
        experiment=experiment,
        defaults={"learned": learned, "differently": differently, "recorded_by": actor, "updated_at": now},
        create_defaults={
            "learned": learned,
            "differently": differently,
            "recorded_by": actor,
            "recorded_at": now,
            "updated_at": now,
        },
    )
    return lesson


def needs_lesson_q() -> Q:
    """Experiments whose ending requires a lesson (the same cases as `required_for`): stopped, lost or
    invalid, or concluded other than as won after a stop."""
    was_stopped = ExperimentEvent.objects.filter(experiment=OuterRef("pk"), action="stop")
    return (
        Q(status=Status.STOPPED)
        | Q(outcome__in=REQUIRED_OUTCOMES)
        | (~Q(outcome__in=["", Outcome.WON]) & Exists(was_stopped))
    )


def missing_q() -> Q:
    return needs_lesson_q() & Q(lesson__isnull=True)


def lesson_missing(experiment: Experiment) -> bool:
    return experiment.status in ENDED_STATUSES and Experiment.objects.filter(missing_q(), pk=experiment.pk).exists()


def update(experiment: Experiment, actor, *, learned: str, differently: str = "") -> Lesson:
    """An author writes or corrects the lesson after the ending (the page and the API call this)."""
    from experiments import access

    if not access.may_record_lesson(actor, experiment):
        if experiment.status in ENDED_STATUSES or not (actor.is_superuser or actor.pk in experiment.authors()):
            raise errors.NotPermitted(_("Only the experiment's owner and co-authors may write its lesson."))
        raise errors.IllegalMove(_("A lesson is written once the experiment is stopped or concluded."))
    _validate(_clean(learned), _clean(differently))
    if not _clean(learned):
        message = _("Say what we learned from this experiment.")
        raise errors.Invalid(_("Write what we learned."), [{"field": "lesson", "message": message}])
    return record(experiment, actor, learned=learned, differently=differently)


def state(experiment: Experiment, user) -> dict:
    """What the page and the API show of the lesson, and whether this person may write it."""
    from experiments import access

    lesson = Lesson.objects.filter(experiment=experiment).select_related("recorded_by").first()
    return {
        "learned": lesson.learned if lesson else "",
        "differently": lesson.differently if lesson else "",
        "recorded_by": lesson.recorded_by.get_username() if lesson and lesson.recorded_by else None,
        "updated_at": lesson.updated_at if lesson else None,
        "missing": lesson_missing(experiment),
        "may_edit": access.may_record_lesson(user, experiment),
    }
