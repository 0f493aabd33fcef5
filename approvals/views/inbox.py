"""“Waiting for me”: every request this person can decide, with the evidence under each decision."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from approvals.views.evidence import evidence_for
from approvals.access import may_export_all
from approvals.views.waiting import waiting_for


@login_required
def inbox(request):
    items = [evidence_for(r) for r in waiting_for(request.user)]
    for item in items:
        item.can_decide = item.can_comment = True  # waiting for them: they hold a slot
    from cadence.duties.queries import waiting_for as responses_waiting_for  # the response items they must close

    context = {
        "items": items,
        "may_export_all": may_export_all(request.user),
        "responses": responses_waiting_for(request.user),
    }
    return render(request, "approvals/inbox.html", context)
