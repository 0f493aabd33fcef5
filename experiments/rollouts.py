"""Shipping the winner: after a won conclusion, the winning arm is rolled out to everyone in the
experiment's scope (touchpoints and segments; the exposure cap no longer applies), and a rollout
can be reverted. The assignment API then answers the rolled-out arm with reason `rolled_out`
(experiments.live.assignment), or control again once reverted.

One rule (`rollout_refusal`) says who may and when; the page, the API and the promotion review's
hook (registered by the reviews app in its AppConfig.ready: this app imports none of it) all call
`roll_out` and `revert`, which ask it. Each move is written on the timeline. Rolled-out answers are
not enrolments: they are never counted for the sample-ratio test.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from experiments import errors
from experiments.access import may_roll_out
from experiments.live.assignment import ROLLOUT_STATUSES, clear_caches
from experiments.models import Experiment, ExperimentEvent, Outcome, Rollout

# The timeline's actions.
ROLLED_OUT, REVERTED, STANDARD_ATTACHED = "rolled_out", "rollout_reverted", "rollout_standard"
EVENT_ACTIONS = frozenset({ROLLED_OUT, REVERTED, STANDARD_ATTACHED})
# Where a rollout may be made, and where one in force is served: ROLLOUT_STATUSES (concluded or
# promoted), defined with the assignment rules.


def in_force(experiment: Experiment) -> Rollout | None:
    return (
        Rollout.objects.filter(experiment=experiment, reverted_at__isnull=True)
        .select_related("variant", "rolled_out_by")
        .first()
    )


def treatments(experiment: Experiment) -> list:
    """The arms that can be rolled out: every arm but control."""
    return [variant for variant in experiment.variants.all() if not variant.is_control]


def _record_allows_won(experiment: Experiment) -> bool:
    from experiments.verdicts import record_allows_won  # verdicts imports the lifecycle

    return record_allows_won(Experiment.objects.filter(pk=experiment.pk)).exists()


def rollout_refusal(experiment: Experiment, actor, *, revert: bool = False) -> errors.DomainError | None:
    """The one rule: why `actor` may not roll out (or, with `revert`, revert) the experiment's
    winning arm now, or None when they may. `actor` None is Pagar acting on the promotion review's
    decision. Owners, co-authors and administrators may; only a won experiment (concluded as won,
    or promoted), whose checks' record allows the win, is rolled out; one rollout at a time."""
    if actor is not None and not may_roll_out(actor, experiment):
        return errors.NotPermitted(
            _("Only the experiment's owner, its co-authors and administrators may roll out or revert its winning arm.")
        )
    current = Rollout.objects.filter(experiment=experiment, reverted_at__isnull=True).first()
    if revert:
        if current is None:
            return errors.IllegalMove(_("Nothing of this experiment is rolled out: there is nothing to revert."))
        return None
    if experiment.status not in ROLLOUT_STATUSES or experiment.outcome != Outcome.WON:
        return errors.IllegalMove(
            _(
                "Only a won experiment can be rolled out: it must be concluded as won (or promoted to a standard). "
                "This one is %(status)s."
            )
            % {"status": _describe(experiment)}
        )
    if not _record_allows_won(experiment):
        return errors.IllegalMove(
            _(
                "Only a won experiment can be rolled out, and the checks' record forbids a win here: a check stopped "
                "it for harm or invalid data and no override to won was agreed."
            )
        )
    if current is not None:
        return errors.Conflict(
            _("Arm '%(arm)s' is rolled out already; revert it first to roll out another.")
            % {"arm": current.variant.key}
        )
    return None


def _describe(experiment: Experiment) -> str:
    status = experiment.get_status_display().lower()
    if experiment.outcome:
        return _("%(status)s as %(outcome)s") % {"status": status, "outcome": experiment.get_outcome_display().lower()}
    return status


def _touch(experiment: Experiment, now) -> None:
    """Move `updated_at`: every process's assignment cache (keyed on it) reloads on its next call;
    bump the version SDKs see (experiments.live.sdk_config), so they fetch the rollout or revert."""
    Experiment.objects.filter(pk=experiment.pk).update(updated_at=now, config_version=experiment.config_version + 1)
    experiment.updated_at = now
    experiment.config_version += 1


def _record(experiment: Experiment, action: str, actor, reason: str, when) -> ExperimentEvent:
    return ExperimentEvent.objects.create(
        experiment=experiment,
        action=action,
        from_status=experiment.status,
        to_status=experiment.status,
        outcome=experiment.outcome,
        actor=actor,
        reason=reason,
        created_at=when,
    )


def _choose_arm(experiment: Experiment, variant: str):
    arms = treatments(experiment)
    if not arms:
        raise errors.IllegalMove(_("This experiment has no treatment arm to roll out."))
    if variant:
        for arm in arms:
            if arm.key == variant:
                return arm
        message = _("'%(variant)s' is not a treatment arm of this experiment; choose one of %(arms)s.") % {
            "variant": variant,
            "arms": ", ".join(arm.key for arm in arms),
        }
        raise errors.Invalid(message, field="variant")
    if len(arms) == 1:
        return arms[0]
    message = _("This experiment has several treatment arms: name the winning one (one of %(arms)s).") % {
        "arms": ", ".join(arm.key for arm in arms)
    }
    raise errors.Invalid(message, field="variant")


def roll_out(experiment: Experiment, actor, *, variant: str = "", reason: str = "", standard: str = "") -> Rollout:
    """Serve the winning arm (`variant`, or the only treatment) to everyone in scope from now on.
    Raises the rule's DomainError when refused; writes the rollout on the timeline."""
    reason = (reason or "").strip()
    with transaction.atomic():
        current = Experiment.objects.select_for_update().get(pk=experiment.pk)
        refusal = rollout_refusal(current, actor)
        if refusal is not None:
            raise refusal
        arm = _choose_arm(current, (variant or "").strip())
        now = timezone.now()
        try:
            with transaction.atomic():
                rollout = Rollout.objects.create(
                    experiment=current,
                    variant=arm,
                    standard=standard,
                    reason=reason,
                    rolled_out_by=actor,
                    rolled_out_at=now,
                )
        except IntegrityError:  # rolled out by someone else at the same moment
            raise errors.Conflict(_("Someone else rolled this experiment out at the same moment; reload.")) from None
        text = reason or _("Arm '%(arm)s' (%(name)s) now served to everyone in scope.") % {
            "arm": arm.key,
            "name": arm.name,
        }
        _record(current, ROLLED_OUT, actor, text, now)
        _touch(current, now)
        transaction.on_commit(clear_caches)
    experiment.updated_at = now
    experiment.config_version = current.config_version
    return rollout


def revert(experiment: Experiment, actor, *, reason: str = "") -> Rollout:
    """Stop serving the rolled-out arm: everyone gets control again. Recorded on the timeline."""
    reason = (reason or "").strip()
    with transaction.atomic():
        current = Experiment.objects.select_for_update().get(pk=experiment.pk)
        refusal = rollout_refusal(current, actor, revert=True)
        if refusal is not None:
            raise refusal
        rollout = Rollout.objects.select_for_update().get(experiment=current, reverted_at__isnull=True)
        now = timezone.now()
        rollout.reverted_by, rollout.reverted_at, rollout.revert_reason = actor, now, reason
        rollout.save(update_fields=["reverted_by", "reverted_at", "revert_reason"])
        text = reason or _("Rollout of arm '%(arm)s' reverted: everyone gets control again.") % {
            "arm": rollout.variant.key
        }
        _record(current, REVERTED, actor, text, now)
        _touch(current, now)
        transaction.on_commit(clear_caches)
    experiment.updated_at = now
    experiment.config_version = current.config_version
    return rollout


def roll_out_promoted(experiment: Experiment, standard: str, *, reason: str = "") -> Rollout:
    """The promotion review decided to promote (called by the reviews app's hook, as Pagar, in the
    decision's transaction): roll the winning arm out, or name the standard on the rollout in force."""
    with transaction.atomic():
        current = Experiment.objects.select_for_update().get(pk=experiment.pk)
        rollout = Rollout.objects.filter(experiment=current, reverted_at__isnull=True).first()
        if rollout is None:
            return roll_out(current, None, reason=reason, standard=standard)
        now = timezone.now()
        Rollout.objects.filter(pk=rollout.pk).update(standard=standard)
        rollout.standard = standard
        _record(
            current,
            STANDARD_ATTACHED,
            None,
            reason or _("The rollout in force now carries standard %(standard)s.") % {"standard": standard},
            now,
        )
        _touch(current, now)
        transaction.on_commit(clear_caches)
    return rollout


def state_for(experiment: Experiment, user) -> dict:
    """The rollout panel's facts (page and API): what customers in scope get now, and what `user` may do."""
    rollout = in_force(experiment)
    control = next((v for v in experiment.variants.all() if v.is_control), None)
    refusal = rollout_refusal(experiment, user)
    return {
        "serving": rollout.variant.key if rollout else (control.key if control else ""),
        "rollout": rollout,
        "may_roll_out": refusal is None,
        "may_revert": rollout is not None and rollout_refusal(experiment, user, revert=True) is None,
        "refusal": "" if refusal is None else refusal.message,
        "history": list(experiment.rollouts.select_related("variant", "rolled_out_by", "reverted_by")),
    }
