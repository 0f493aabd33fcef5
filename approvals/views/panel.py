"""The approvals part of an experiment's page: who is still needed, the decisions and their
comments, an amendment's diff, and the decision forms for whoever may decide."""

from approvals.models import ApprovalRequest, Decision, RequestComment
from approvals.access import can_decide, may_amend, may_discuss, may_request_restart
from approvals.views.evidence import evidence_for


def approval_panel(experiment, user) -> dict:
    open_requests = []
    for request in experiment.approval_requests.filter(status=ApprovalRequest.State.OPEN).select_related(
        "snapshot", "base_snapshot", "opened_by"
    ):
        request.experiment = experiment
        item = evidence_for(request, with_plan=False)
        item.can_decide = can_decide(user, request)
        item.can_comment = may_discuss(user, request)
        open_requests.append(item)
    decisions = list(
        Decision.objects.filter(request__experiment=experiment)
        .select_related("approver", "request", "snapshot")
        .order_by("created_at", "pk")
    )
    comments = list(
        RequestComment.objects.filter(request__experiment=experiment)
        .select_related("author", "request")
        .order_by("created_at", "pk")
    )
    # One thread, oldest first: decisions and comments as they happened.
    thread = sorted(decisions + comments, key=lambda entry: (entry.created_at, entry.pk))
    open_kinds = {item.request.kind for item in open_requests}
    return {
        "open_requests": open_requests,
        "decisions": decisions,
        "thread": thread,
        "decides_here": any(item.can_decide for item in open_requests),
        "can_amend": may_amend(user, experiment),
        "can_request_restart": may_request_restart(user, experiment) and ApprovalRequest.Kind.RESTART not in open_kinds,
    }
