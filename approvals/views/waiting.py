"""Which open approval requests wait for a given person: the inbox, its nav count and the API.

Mirrors approvals.services.people_who_can_decide from the other side: a request waits for you when
one of its still-unfilled slots accepts you, you are not an author, and you have not voted on it.
`waiting_requests` is that rule, one query the database answers (counted for the nav on every
page, paged for the inbox and the API); whom a slot accepts is approvals.slots.qualifies, here as
its SQL twin approvals.slots.OpenSlot.
"""

from django.db import connection
from django.db.models import Prefetch, Q

from approvals import slots as slot_rules
from approvals.models import ApprovalRequest, Decision, RequestComment
from experiments import roles
from experiments.models import Experiment

OPEN = ApprovalRequest.State.OPEN


def waiting_requests(user):
    """The open requests waiting for `user`, oldest first: on others' experiments, not voted on by
    them, with an unfilled slot that accepts them (by role, by name, or, once escalated, as a
    backup of one of the experiment's touchpoints standing in for the named approver). The
    excluded co-authors and votes are anti-joins, so no row repeats and no DISTINCT is needed."""
    if not user.is_authenticated or not user.is_active:
        return ApprovalRequest.objects.none()
    backup_on = Experiment.touchpoints.through.objects.filter(touchpoint__charter__backup=user).values("experiment_id")
    held = roles.role_names(user)
    accepts = Q(slot_rules.OpenSlot(roles=held, user_id=user.pk)) | Q(
        Q(escalated_at__isnull=False, experiment__in=backup_on),
        slot_rules.OpenSlot(kind=slot_rules.Req.NAMED_APPROVER),
    )
    requests = ApprovalRequest.objects.filter(status=OPEN)
    if connection.vendor == "postgresql":
        # Indexed first: only the open requests that could wait for them are looked into.
        requests = requests.filter(slot_rules.might_wait(roles=held, user_id=user.pk))
    return (
        requests.exclude(Q(experiment__owner=user) | Q(experiment__co_authors=user))
        .exclude(decisions__approver=user)
        .filter(accepts)
        .order_by("opened_at", "pk")
    )


def waiting_ids(user) -> list[int]:
    """Ids of the requests waiting for `user`, oldest first."""
    return list(waiting_requests(user).values_list("pk", flat=True))


def waiting_count_of_request(request) -> int:
    """How many requests wait for the signed-in person, counted once per request (the inbox's
    pages and the nav's count both need it)."""
    if not hasattr(request, "_pagar_waiting_count"):
        request._pagar_waiting_count = waiting_requests(request.user).count()
    return request._pagar_waiting_count


def waiting_for(user):
    """The requests waiting for `user`, oldest first, with what the inbox shows preloaded."""
    return preloaded_for_cards(waiting_ids(user))


def preloaded_for_cards(ids: list[int]):
    """The requests `ids`, oldest first, with what an inbox card shows preloaded. No waiting rule
    here: the caller has chosen the ids (a page of the waiting ones, or one request to read)."""
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
