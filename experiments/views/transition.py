"""The action buttons on the detail page post here; lifecycle.transition decides, and approvers'
decisions go through approvals.services.decide (which records the vote and then makes the move)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from approvals.services import DECISION_ACTIONS, decide
from experiments import access, lifecycle


@require_POST
@login_required
def experiment_transition(request, key):
    experiment = access.get_experiment_for(request.user, key)
    action = request.POST.get("action", "")
    try:
        if action in DECISION_ACTIONS:
            decide(experiment, request.user, action, request.POST.get("reason", ""))
            experiment.refresh_from_db()
        else:
            lifecycle.transition(
                experiment,
                action,
                request.user,
                reason=request.POST.get("reason", ""),
                outcome=request.POST.get("outcome", ""),
            )
    except lifecycle.TransitionError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, f"“{experiment.title}” is now {experiment.get_status_display().lower()}.")
    return redirect(experiment)


def report_refusal(request, exc: lifecycle.TransitionError):
    messages.error(request, exc.message)
    for problem in exc.problems:
        messages.error(request, problem["message"])
