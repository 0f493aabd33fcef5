"""Which open approval requests wait for a given person: the inbox, its nav count and the API.

Mirrors approvals.services.people_who_can_decide from the other side: a request waits for you when
one of its still-unfilled slots accepts you, you are not an author, and you have not voted on it.
"""

from django.db.models import Prefetch, Q

from approvals import slots as slot_rules
from approvals.models import ApprovalRequest, Decision, RequestComment, TouchpointCharter

OPEN = ApprovalRequest.State.OPEN


def _candidates(user):
    """Open requests on others' experiments that this user has not voted on (one query; the
    excluded co-authors and votes are anti-joins, so no row repeats and no DISTINCT is needed)."""
    return (
        ApprovalRequest.objects.filter(status=OPEN)
        .exclude(Q(experiment__owner=user) | Q(experiment__co_authors=user))
        .exclude(decisions__approver=user)
    )


def _accepts(user, slot, escalated: bool, experiment_id: int, backup_of: set[int]) -> bool:
    # slots.qualifies without a request never queries; the escalation rule (a touchpoint's backup may
    # stand in for the named approver) is answered from one query over all rows instead of one per row.
    if slot["kind"] == slot_rules.Req.NAMED_APPROVER and escalated and experiment_id in backup_of:
        return True
    return slot_rules.qualifies(user, slot)


def waiting_ids(user) -> list[int]:
    """Ids of the requests waiting for `user`, oldest first. A few small queries, for the nav badge."""
    if not user.is_authenticated or not user.is_active:
        return []
    # Plain tuples, not model instances: on every page (the nav badge), over every open request.
    rows = list(
        _candidates(user)
        .order_by("opened_at", "pk")
        .values_list("pk", "required_slots", "escalated_at", "experiment_id", "opened_at")
    )
    backup_of = set()
    if any(escalated_at for _pk, _slots, escalated_at, _exp, _opened in rows):
        backup_of = set(TouchpointCharter.objects.filter(backup=user).values_list("touchpoint__experiments", flat=True))
    acceptable = {
        pk: {s["key"] for s in slots if _accepts(user, s, escalated_at is not None, experiment_id, backup_of)}
        for pk, slots, escalated_at, experiment_id, _opened in rows
    }
    acceptable = {pk: keys for pk, keys in acceptable.items() if keys}
    if not acceptable:
        return []
    filled: dict[int, set[str]] = {}
    # The candidates again as a subquery, not their ids as parameters: Django resolves each of a
    # thousand `__in` parameters one by one (100 ms at 1,250 waiting requests).
    approvals = Decision.objects.filter(request__in=_candidates(user).values("pk"), verdict=Decision.Verdict.APPROVE)
    for request_id, slot in approvals.values_list("request_id", "slot"):
        filled.setdefault(request_id, set()).add(slot)
    return [row[0] for row in rows if row[0] in acceptable and acceptable[row[0]] - filled.get(row[0], set())]


def waiting_ids_of_request(request) -> list[int]:
    """`waiting_ids` of the signed-in person, worked out once per request (the inbox and the nav's
    count both need it)."""
    if not hasattr(request, "_pagar_waiting_ids"):
        request._pagar_waiting_ids = waiting_ids(request.user)
    return request._pagar_waiting_ids


def waiting_for(user, ids: list[int] | None = None):
    """The requests waiting for `user`, oldest first, with what the inbox shows preloaded."""
    ids = waiting_ids(user) if ids is None else ids
    return (
        ApprovalRequest.objects.filter(pk__in=ids)
        .select_related("experiment__owner", "experiment__approver", "snapshot", "base_snapshot", "opened_by")
        .prefetch_related(
            "experiment__touchpoints",
            "experiment__segments",
            "experiment__sensitive_categories",
            "experiment__metrics__metric",
            "experiment__variants",
            decisions_prefetch(),
            comments_prefetch(),
        )
        .order_by("opened_at", "pk")
    )


def decisions_prefetch() -> Prefetch:
    return Prefetch(
        "decisions", queryset=Decision.objects.select_related("approver", "snapshot", "request__experiment")
    )


def comments_prefetch() -> Prefetch:
    return Prefetch("comments", queryset=RequestComment.objects.select_related("author"))
