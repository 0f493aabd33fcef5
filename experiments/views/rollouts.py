"""The rollout panel of the experiment page (templates/experiments/live/_rollout.html) posts here;
experiments.rollouts decides and records. A refusal (403 not allowed, 409 not won) is a DomainError,
shown by the page handler (experiments.middleware)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from experiments import access, errors, rollouts
from experiments.models import Outcome


@require_POST
@login_required
def experiment_rollout(request, key):
    experiment = access.get_experiment_for(request.user, key)
    what = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    if what == "rollout":
        made = rollouts.roll_out(experiment, request.user, variant=request.POST.get("variant", ""), reason=reason)
        messages.success(
            request,
            _("Arm “%(arm)s” is rolled out: everyone in the experiment's scope now gets it.")
            % {"arm": made.variant.name},
        )
    elif what == "revert":
        rollouts.revert(experiment, request.user, reason=reason)
        messages.success(request, _("Rollout reverted: everyone gets the control arm again."))
    else:
        message = _("Choose rollout or revert.")
        raise errors.Invalid(message, field="action")
    return redirect(experiment)


def rollout_panel(experiment, user) -> dict | None:
    """What the page says customers now get, and the forms this user gets; None when there is nothing
    to say (not won, never rolled out)."""
    state = rollouts.state_for(experiment, user)
    won = experiment.status in rollouts.ROLLOUT_STATUSES and experiment.outcome == Outcome.WON
    if not won and not state["history"]:
        return None
    variants = list(experiment.variants.all())
    return {
        **state,
        "won": won,
        "control": next((v for v in variants if v.is_control), None),
        "treatments": [v for v in variants if not v.is_control],
        "touchpoints": [tp.name for tp in experiment.touchpoints.all()],
        "segments": [segment.name for segment in experiment.segments.all()],
        "may_act": access.may_roll_out(user, experiment),
    }
