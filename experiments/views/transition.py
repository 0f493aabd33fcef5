"""The action buttons on the detail page post here. lifecycle.transition decides (approvers'
moves are handed to the approvals app, which records the vote first); a refusal is shown by the
page handler (experiments.middleware)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from experiments import access, lifecycle
from experiments.middleware import report_refusal


@require_POST
@login_required
def experiment_transition(request, key):
    experiment = access.get_experiment_for(request.user, key)
    try:
        lifecycle.transition(
            experiment,
            request.POST.get("action", ""),
            request.user,
            reason=request.POST.get("reason", ""),
            outcome=request.POST.get("outcome", ""),
            lesson=request.POST.get("lesson", ""),
            lesson_differently=request.POST.get("lesson_differently", ""),
        )
    except lifecycle.TransitionError as exc:
        report_refusal(request, exc)
    else:
        experiment.refresh_from_db()
        messages.success(
            request,
            _("“%(title)s” is now %(status)s.")
            % {"title": experiment.title, "status": experiment.get_status_display().lower()},
        )
    return redirect(experiment)
