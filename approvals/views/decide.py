"""The decision buttons (inbox and detail page) post here; approvals.services.decide records the vote."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from approvals.models import ApprovalRequest, Decision
from approvals.services import decide
from experiments import access, lifecycle
from experiments.views.transition import report_refusal

DONE = {
    Decision.Verdict.APPROVE: "You approved",
    Decision.Verdict.REJECT: "You rejected",
    Decision.Verdict.REQUEST_CHANGES: "You requested changes on",
}

State = ApprovalRequest.State
AFTERWARDS = {
    State.OPEN: " It still waits for other approvals.",
    State.APPROVED: " It is now approved.",
    State.REJECTED: " It is now rejected.",
    State.CHANGES_REQUESTED: " It goes back to the owner for changes.",
}


def back_to(request, fallback):
    """Where the form came from (inbox or detail page), if it is one of ours."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@require_POST
@login_required
def decide_request(request, key, pk):
    experiment = access.get_experiment_for(request.user, key)
    approval_request = get_object_or_404(experiment.approval_requests, pk=pk)
    verdict = request.POST.get("verdict", "")
    try:
        decide(approval_request, request.user, verdict, request.POST.get("comment", ""))
    except lifecycle.TransitionError as exc:
        report_refusal(request, exc)
    else:
        approval_request.refresh_from_db()
        what = approval_request.get_kind_display().lower()
        outcome = AFTERWARDS.get(approval_request.status, "")
        messages.success(request, f"{DONE[verdict]} the {what} for “{experiment.title}”.{outcome}")
    return redirect(back_to(request, experiment.get_absolute_url()))
