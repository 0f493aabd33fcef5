"""/search/: one box over experiments, standards, ideas and meeting minutes (cadence.search.engine)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from cadence.search.engine import search
from cadence.search.forms import KIND_LABELS, SearchForm


@login_required
def search_page(request):
    form = SearchForm(request.GET or None)
    hits = search(request.user, form.cleaned_data["q"], form.filters()) if form.is_valid() else []
    return render(
        request,
        "search/search.html",
        {"form": form, "hits": hits, "searched": form.is_bound, "kind_labels": KIND_LABELS},
    )
