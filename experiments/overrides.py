"""Overrides of a check's verdict: who may file and answer them, and the three moves (request,
agree, decline). The page and the API both call these; each move is written on the timeline.

The rule they relax is experiments.verdicts: after a check stopped an experiment for harm or
invalid data, it is concluded as lost or invalid unless an override to another outcome was
agreed by a standards keeper who is neither the requester nor an author (two people, two roles).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from experiments.access import may_answer_override, may_file_override
from experiments.lifecycle import IllegalMove, NotPermitted, TransitionConflict, TransitionError
from experiments.models import Experiment, ExperimentEvent, Outcome, Override, Status
from experiments.verdicts import ALLOWED_AFTER_STOP, binding_stop

# Where an override still means something: stopped, or already concluded (old data, concluded
# against the record before this rule existed, can be set right by an agreed override).
OVERRIDABLE_STATUSES = frozenset({Status.STOPPED, Status.COMPLETED, Status.CONCLUDED})
# The outcomes worth an override: lost and invalid are allowed anyway.
OVERRIDE_OUTCOMES = [value for value in Outcome.values if value not in ALLOWED_AFTER_STOP]

REQUESTED, AGREED, DECLINED = "override_requested", "override_agreed", "override_declined"
EVENT_ACTIONS = frozenset({REQUESTED, AGREED, DECLINED})


def open_override(experiment: Experiment) -> Override | None:
    return experiment.overrides.filter(status=Override.Status.REQUESTED).select_related("requested_by").first()


# --- the moves ----------------------------------------------------------------------------------


def _refuse_blank(field: str, text: str, message: str):
    if not (text or "").strip():
        raise TransitionError(message, [{"field": field, "message": message}])


def _record(override: Override, action: str, actor, reason: str, when) -> ExperimentEvent:
    experiment = override.experiment
    return ExperimentEvent.objects.create(
        experiment=experiment,
        action=action,
        from_status=experiment.status,
        to_status=experiment.status,
        outcome=override.outcome,
        actor=actor,
        reason=reason,
        created_at=when,
    )


def request_override(experiment: Experiment, actor, *, outcome: str, reason: str) -> Override:
    """File an override of the check that stopped `experiment`. Raises a TransitionError."""
    reason = (reason or "").strip()
    _refuse_blank("reason", reason, _("An override needs a reason: say why the check's verdict is wrong."))
    if outcome not in OVERRIDE_OUTCOMES:
        message = _("Choose the outcome you want instead: one of %(choices)s (lost and invalid need no override).") % {
            "choices": ", ".join(OVERRIDE_OUTCOMES)
        }
        raise TransitionError(message, [{"field": "outcome", "message": message}])
    with transaction.atomic():
        current = Experiment.objects.select_for_update().get(pk=experiment.pk)
        if not may_file_override(actor, current):
            raise NotPermitted(_("Only the experiment's authors and signal owners may file an override."))
        stop = binding_stop(current)
        if stop is None or current.status not in OVERRIDABLE_STATUSES:
            raise IllegalMove(
                _("No check stopped this experiment for harm or invalid data: there is nothing to override.")
            )
        if open_override(current) is not None:
            raise TransitionConflict(_("An override of this experiment is already waiting for a standards keeper."))
        now = timezone.now()
        try:
            with transaction.atomic():
                override = Override.objects.create(
                    experiment=current,
                    disputed_check=stop,
                    outcome=outcome,
                    reason=reason,
                    requested_by=actor,
                    requested_at=now,
                )
        except IntegrityError:  # filed by someone else at the same moment
            raise TransitionConflict(
                _("An override of this experiment is already waiting for a standards keeper.")
            ) from None
        _record(override, REQUESTED, actor, reason, now)
    return override


def _answer(override: Override, actor, status: str, reason: str) -> Override:
    with transaction.atomic():
        current = Override.objects.select_for_update().select_related("experiment").get(pk=override.pk)
        if not may_answer_override(actor, current):
            raise NotPermitted(
                _("Only a standards keeper who is neither the requester nor an author may answer this override.")
            )
        if current.status != Override.Status.REQUESTED:
            raise TransitionConflict(
                _("This override was already answered: %(status)s.") % {"status": current.get_status_display().lower()}
            )
        now = timezone.now()
        current.status, current.answered_by, current.answered_at, current.answer_reason = status, actor, now, reason
        current.save(update_fields=["status", "answered_by", "answered_at", "answer_reason"])
        _record(current, AGREED if status == Override.Status.AGREED else DECLINED, actor, reason, now)
    return current


def agree_override(override: Override, actor, *, reason: str = "") -> Override:
    """A standards keeper agrees: the requested outcome may now be concluded."""
    return _answer(override, actor, Override.Status.AGREED, (reason or "").strip())


def decline_override(override: Override, actor, *, reason: str) -> Override:
    """A standards keeper declines, saying why: the check's verdict stands."""
    reason = (reason or "").strip()
    _refuse_blank("reason", reason, _("Declining an override needs a reason."))
    return _answer(override, actor, Override.Status.DECLINED, reason)
