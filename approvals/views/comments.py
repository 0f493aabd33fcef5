"""The discussion on one request: its authors and approvers write here (approvals.services.add_comment)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from approvals.services import add_comment
from approvals.views.decide import back_to
from experiments import access, lifecycle
from experiments.views.transition import report_refusal


@require_POST
@login_required
def comment_on_request(request, key, pk):
    experiment = access.get_experiment_for(request.user, key)
    approval_request = get_object_or_404(experiment.approval_requests, pk=pk)
    approval_request.experiment = experiment
    try:
        add_comment(approval_request, request.user, request.POST.get("body", ""))
    except lifecycle.TransitionError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, "Comment added.")
    return redirect(back_to(request, experiment.get_absolute_url()) + f"#thread-{approval_request.pk}")
