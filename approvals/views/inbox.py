"""“Waiting for me”: every request this person can decide, with the evidence under each decision.
Paginated: the evidence (plan, overlaps) is gathered for one page of requests, however many wait."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from approvals.access import may_export_all
from approvals.views.evidence import evidence_for
from approvals.views.waiting import waiting_for, waiting_ids_of_request

PAGE_SIZE = 20


@login_required
def inbox(request):
    page = Paginator(waiting_for(request.user, waiting_ids_of_request(request)), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    items = [evidence_for(r) for r in page.object_list]
    for item in items:
        item.can_decide = item.can_comment = True  # waiting for them: they hold a slot
    from cadence.duties.queries import waiting_for as responses_waiting_for  # the response items they must close

    context = {
        "items": items,
        "page": page,
        "may_export_all": may_export_all(request.user),
        "responses": responses_waiting_for(request.user),
    }
    return render(request, "approvals/inbox.html", context)
