"""“Waiting for me”: every request this person can decide, with the evidence under each decision.
Paginated: the evidence (plan, overlaps, standards) is gathered for one page of requests at once,
however many wait; what this person decided lately is listed under it, with who and when."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from approvals.access import may_export_all
from approvals.models import Decision
from approvals.views.evidence import evidence_for_page
from approvals.views.waiting import preloaded_for_cards, waiting_count_of_request, waiting_requests

# Five cards a page: each carries its whole evidence (plan, overlaps, standards, the forms), so a
# page's cost is its cards'; an approver decides a few at a time, oldest first.
PAGE_SIZE = 5
RECENTLY_DECIDED = 5


def recently_decided(user) -> list[Decision]:
    """This person's latest decisions: the requests that just left their inbox, and how."""
    # The latest few first, then their requests: joining first would join every decision they made.
    latest = Decision.objects.filter(approver=user).order_by("-created_at", "-pk")[:RECENTLY_DECIDED]
    chosen = list(latest.values_list("pk", flat=True))
    return list(
        Decision.objects.filter(pk__in=chosen)
        .select_related("request__experiment", "approver")
        .order_by("-created_at", "-pk")
    )


@login_required
def inbox(request):
    # The ids come oldest first already: one page of them is loaded, not every waiting request,
    # and they are counted once for the pages and the nav's badge.
    paginator = Paginator(waiting_requests(request.user).values_list("pk", flat=True), PAGE_SIZE)
    paginator.count = waiting_count_of_request(request)
    page = paginator.get_page(request.GET.get("page"))
    items = evidence_for_page(preloaded_for_cards(list(page.object_list)), viewer=request.user)
    for item in items:
        item.can_decide = item.can_comment = True  # waiting for them: they hold a slot
    from cadence.duties.queries import waiting_for as responses_waiting_for  # the response items they must close

    context = {
        "items": items,
        "page": page,
        "may_export_all": may_export_all(request.user),
        "responses": responses_waiting_for(request.user),
        "recently_decided": recently_decided(request.user),
    }
    return render(request, "approvals/inbox.html", context)
