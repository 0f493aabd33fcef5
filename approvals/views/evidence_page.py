"""The evidence in full under one request (plan, safeguards, standards, overlaps): what the inbox
card's "evidence in full" loads when it is opened, and a page of its own without JavaScript. Anyone
who may see the experiment may read it, as on the experiment's page."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from approvals.views.evidence import evidence_for
from approvals.views.waiting import preloaded_for_cards
from experiments import access


@login_required
def request_evidence(request, key, pk):
    experiment = access.get_experiment_for(request.user, key)
    # The inbox's preloading for a page of one: the same queries whatever the request.
    found = preloaded_for_cards([pk]).filter(experiment=experiment).first()
    if found is None:
        raise Http404("No such request on this experiment.")
    item = evidence_for(found, viewer=request.user)
    if request.GET.get("part"):
        # The part alone, without the page's context processors (the nav's counts, the footer's
        # light): the card that fetches it already shows them.
        return HttpResponse(render_to_string("approvals/_evidence_full.html", {"item": item}))
    return render(request, "approvals/evidence.html", {"item": item, "experiment": experiment})
