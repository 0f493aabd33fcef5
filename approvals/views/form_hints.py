"""What the proposal form shows from approvals: the approvals an edit would withdraw, and each
touchpoint's charter owner as the suggested approver."""

from approvals.models import ApprovalRequest, Decision, TouchpointCharter
from experiments.models import Status


def approvals_given(experiment) -> int:
    """Approvals an edit now would withdraw (pending: given so far; approved: the approval)."""
    if experiment.status not in (Status.PENDING_APPROVAL, Status.APPROVED):
        return 0
    decisions = Decision.objects.filter(
        request__experiment=experiment, verdict=Decision.Verdict.APPROVE, request__kind=ApprovalRequest.Kind.PROPOSAL
    )
    if experiment.status == Status.PENDING_APPROVAL:
        decisions = decisions.filter(request__status=ApprovalRequest.State.OPEN)
    else:
        decisions = decisions.filter(request__status=ApprovalRequest.State.APPROVED)
    return decisions.count()


def touchpoint_owners(form) -> dict:
    """Touchpoint -> its charter owner, for the form to suggest as approver: only owners the
    approver list offers, so never the proposer themselves."""
    offered = set(form.fields["approver"].queryset.values_list("pk", flat=True))
    return {
        str(c.touchpoint_id): {
            "owner": str(c.owner_id),
            "name": c.owner.get_full_name() or c.owner.get_username(),
            "touchpoint": c.touchpoint.name,
        }
        for c in TouchpointCharter.objects.select_related("owner", "touchpoint").filter(owner__is_active=True)
        if c.owner_id in offered
    }


def changes_requested(experiment):
    """The approver's request the owner is answering (shown at the top of the form), or None."""
    if experiment.status != Status.CHANGES_REQUESTED:
        return None
    return (
        Decision.objects.filter(request__experiment=experiment, verdict=Decision.Verdict.REQUEST_CHANGES)
        .select_related("approver")
        .order_by("-created_at", "-pk")
        .first()
    )


def form_hints(experiment, form) -> dict:
    return {
        "approvals_given": approvals_given(experiment),
        "touchpoint_owners": touchpoint_owners(form),
        "changes_requested": changes_requested(experiment),
    }
