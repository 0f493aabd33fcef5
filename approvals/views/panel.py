"""The approvals part of an experiment's page: who is still needed, the decisions and their
comments, an amendment's diff, the decision forms for whoever may decide, and who decided the
latest closed request and when."""

from approvals.access import can_decide, may_amend, may_discuss, may_request_restart
from approvals.models import ApprovalRequest, Decision, RequestComment
from approvals.views.evidence import evidence_for_page
from approvals.views.waiting import decisions_prefetch

State = ApprovalRequest.State
DECIDED = (State.APPROVED, State.REJECTED, State.CHANGES_REQUESTED)


def approval_panel(experiment, user) -> dict:
    requests = list(
        experiment.approval_requests.filter(status=ApprovalRequest.State.OPEN)
        .select_related("snapshot", "base_snapshot", "opened_by")
        .prefetch_related(decisions_prefetch())
    )
    for request in requests:
        request.experiment = experiment
    # The plan is asked only when someone here may decide: it carries the acknowledgement.
    deciders = [r for r in requests if can_decide(user, r)]
    open_requests = evidence_for_page(requests, viewer=user, with_plan=bool(deciders))
    for item in open_requests:
        item.can_decide = item.request in deciders
        item.can_comment = may_discuss(user, item.request)
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
    # Who decided the latest request that a decision closed, and when (shown once nothing is open).
    closed = [d.request for d in decisions if d.request.closed_at is not None and d.request.status in DECIDED]
    last_decided = max(closed, key=lambda r: (r.closed_at, r.pk), default=None)
    return {
        "open_requests": open_requests,
        "decisions": decisions,
        "thread": thread,
        "last_decided": None if open_requests or last_decided is None else last_decided,
        "last_decided_by": [d for d in decisions if last_decided is not None and d.request_id == last_decided.pk],
        "decides_here": any(item.can_decide for item in open_requests),
        "can_amend": may_amend(user, experiment),
        "can_request_restart": may_request_restart(user, experiment) and ApprovalRequest.Kind.RESTART not in open_kinds,
    }
