"""The board's votes and the chair's decisions. Each decision does its work in the same
transaction: promote creates the standard, records the decision and then promotes the experiment
(the lifecycle's promote move is the system's alone, guarded by `promotion_guard`: it needs that
decision), rerun makes a draft copy for its owner, keep/revise/retire change the standard (with a
new version). When votes and decisions are allowed is in access.py."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cadence.reviews import access
from cadence.reviews.models import EXPERIMENT_DECISIONS, STANDARD_DECISIONS, AgendaItem, Decision, Vote
from cadence.reviews.rerun import copy_as_draft
from cadence.standards import services as standards
from cadence.standards.models import default_rereview
from experiments import lessons, lifecycle, roles, rollouts
from experiments.errors import DomainError, Invalid
from experiments.models import LESSON_MAX_CHARS, ExperimentEvent

# The review's decisions on a won experiment that do not promote it: each may keep a lesson.
LESSON_DECISIONS = (Decision.Kind.RERUN, Decision.Kind.DECLINE)


class ReviewRefusal(DomainError):
    """A refused vote or decision (the one domain error type); `field` names the input at fault."""

    def __init__(self, message: str, field: str = "", status_code: int = 400):
        super().__init__(message, field=field, status_code=status_code)


def tally(item: AgendaItem) -> dict:
    counts = dict.fromkeys(Vote.Choice.values, 0)
    for vote in item.votes.all():  # .all(): a page's prefetched votes, not one query per item
        counts[vote.choice] += 1
    return counts


def _fresh_meeting_state(item: AgendaItem):
    """The meeting may have been sent or opened since `item` was read: ask the rules about now."""
    item.meeting.refresh_from_db(fields=["agenda_sent_at", "opened_early_at", "opened_early_by"])


def cast_vote(item: AgendaItem, user, choice: str, comment: str = "") -> Vote:
    _fresh_meeting_state(item)
    refusal = access.vote_refusal(user, item)
    if refusal:
        raise ReviewRefusal(refusal, status_code=refusal.status_code)
    if choice not in Vote.Choice.values:
        raise ReviewRefusal(
            _("Choose one of: %(choices)s.") % {"choices": ", ".join(Vote.Choice.values)}, field="choice"
        )
    try:
        with transaction.atomic():
            return Vote.objects.create(
                item=item, voter=user, choice=choice, comment=(comment or "").strip(), created_at=timezone.now()
            )
    except IntegrityError:  # two submits at once: the unique constraint keeps one
        raise ReviewRefusal(
            _("You have already voted on this item; a vote is recorded once."), status_code=409
        ) from None


def decide(
    item: AgendaItem,
    user,
    kind: str,
    *,
    note: str = "",
    statement: str = "",
    keeper=None,
    rereview: dt.date | None = None,
    lesson: str = "",
) -> Decision:
    _fresh_meeting_state(item)
    refusal = access.decide_refusal(user, item)
    if refusal:
        raise ReviewRefusal(refusal, status_code=refusal.status_code)
    allowed = EXPERIMENT_DECISIONS if item.kind == AgendaItem.Kind.EXPERIMENT else STANDARD_DECISIONS
    if kind not in allowed:
        raise ReviewRefusal(
            _("For this item choose one of: %(choices)s.") % {"choices": ", ".join(allowed)}, field="decision"
        )
    statement = (statement or "").strip()
    if kind in (Decision.Kind.PROMOTE, Decision.Kind.REVISE) and not statement:
        raise ReviewRefusal(_("Write the standard's statement: the practice people should follow."), field="statement")
    if kind == Decision.Kind.PROMOTE and (keeper is None or not roles.has_role(keeper, roles.STANDARDS_KEEPER)):
        raise ReviewRefusal(_("Choose the standards keeper who will own the standard."), field="keeper")
    lesson = (lesson or "").strip()
    if lesson and kind not in LESSON_DECISIONS:
        raise ReviewRefusal(
            _("A lesson goes with declining or rerunning an experiment; leave it empty."), field="lesson"
        )
    if len(lesson) > LESSON_MAX_CHARS:
        raise ReviewRefusal(_("A lesson is at most %(n)d characters.") % {"n": LESSON_MAX_CHARS}, field="lesson")
    if rereview is not None and rereview <= timezone.localdate():
        raise ReviewRefusal(_("The re-review date must be in the future."), field="rereview_date")
    url = item.meeting.get_absolute_url()
    with transaction.atomic():
        locked = AgendaItem.objects.select_for_update().get(pk=item.pk)
        if locked.decided:
            raise ReviewRefusal(
                _("This item is decided already; decisions are final and kept as they are."), status_code=409
            )
        made = {}
        if kind == Decision.Kind.PROMOTE:
            made["standard"] = standards.create_from_experiment(
                item.experiment, statement=statement, owner=keeper, actor=user, rereview=rereview, source_url=url
            )
        elif kind == Decision.Kind.RERUN:
            made["rerun"] = copy_as_draft(item.experiment, user)
        elif kind == Decision.Kind.KEEP:
            made["standard"] = standards.keep(
                item.standard,
                rereview=rereview or default_rereview(timezone.localdate()),
                actor=user,
                note=note,
                source_url=url,
            )
        elif kind == Decision.Kind.REVISE:
            made["standard"] = standards.revise(
                item.standard, statement=statement, actor=user, rereview=rereview, note=note, source_url=url
            )
        elif kind == Decision.Kind.RETIRE:
            made["standard"] = standards.retire(item.standard, actor=user, note=note, source_url=url)
        if lesson:  # declining or rerunning a win: what it taught us, kept as its lesson (optional)
            lessons.record(item.experiment, user, learned=lesson)
        decision = Decision.objects.create(
            item=locked,
            kind=kind,
            decided_by=user,
            note=(note or "").strip(),
            tally=tally(locked),
            created_at=timezone.now(),
            **made,
        )
        if kind == Decision.Kind.PROMOTE:
            _promote(decision, item, user)
        _tell(decision, item)
    return decision


def _promote(decision: Decision, item: AgendaItem, user) -> ExperimentEvent:
    """Pagar carries out the board's decision (the system's move); a refusal undoes the whole decision."""
    who = user.get_full_name() or user.get_username()
    try:
        return lifecycle.transition(
            item.experiment,
            "promote",
            None,
            reason=_("Promoted to standard %(code)s by the review of %(date)s (decided by %(who)s).")
            % {
                "code": decision.standard.code,
                "date": formats.date_format(timezone.localtime(item.meeting.starts_at), "DATE_FORMAT"),
                "who": who,
            },
        )
    except lifecycle.TransitionError as exc:
        raise ReviewRefusal(exc.message, status_code=exc.status_code) from exc


def promotion_guard(experiment, actor, outcome):
    """Lifecycle guard on "promote" (registered in ReviewsConfig.ready): only a recorded promote
    decision of the review, with its standard, lets an experiment be promoted."""
    decided = Decision.objects.filter(item__experiment=experiment, kind=Decision.Kind.PROMOTE, standard__isnull=False)
    if not decided.exists():
        raise lifecycle.NotPermitted(lifecycle.SYSTEM_ONLY_MESSAGES["promote"])


def rollout_on_promote(experiment, action, actor, event):
    """After-move hook (registered in ReviewsConfig.ready): the review's promote decision ships the
    winner. In the promote move's transaction, Pagar rolls the winning arm out to everyone in scope
    (experiments.rollouts, the same rule as the owner's button), or names the new standard on the
    rollout already in force. An experiment with several treatment arms waits for its owner to name
    the winning one."""
    if action != "promote":
        return
    decision = (
        Decision.objects.filter(item__experiment=experiment, kind=Decision.Kind.PROMOTE, standard__isnull=False)
        .select_related("standard")
        .order_by("-created_at", "-pk")
        .first()
    )
    if decision is None:
        return
    try:
        rollouts.roll_out_promoted(experiment, decision.standard.code)
    except Invalid:  # several treatment arms: which one won is the owner's to say
        return


def _tell(decision: Decision, item: AgendaItem):
    from approvals.notifications import Kind, experiment_edit_url, tell

    if decision.rerun is not None:
        rerun = decision.rerun
        tell(
            "rerun_assigned",
            [rerun.owner],
            key=f"review-decision:{decision.pk}",
            url=experiment_edit_url(rerun),
            kind=Kind.REVIEW_MINUTES,
            experiment=rerun,
            context={"original_title": item.experiment.title, "original_key": item.experiment.key},
        )
    elif decision.standard is not None:
        standard = decision.standard
        tell(
            "standard",
            [standard.owner],
            key=f"review-decision:{decision.pk}",
            url=standard.get_absolute_url(),
            kind=Kind.STANDARD,
            context={"code": standard.code, "what": decision.get_kind_display().lower(), "details": standard.statement},
        )
