"""The catalogue page and one standard's page. Signed-in users read; only the review changes a standard."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from cadence.standards.filters import StandardFilter
from cadence.standards.models import Standard
from experiments import access

PAGE_SIZE = 25


def catalogue_queryset():
    return Standard.objects.select_related("owner").prefetch_related(
        "touchpoints", "segments", "supporting_experiments"
    )


@login_required
def standard_list(request):
    standard_filter = StandardFilter(request.GET or None, queryset=catalogue_queryset())
    standard_filter.form.fields["q"].widget.attrs["placeholder"] = _("Words in the statement")
    standard_filter.form.fields["touchpoint"].label = _("Touchpoint")
    standard_filter.form.label_suffix = ""
    page = Paginator(standard_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "standards/list.html",
        {
            "filter": standard_filter,
            "page": page,
            "filtered": any(request.GET.get(name) for name in standard_filter.form.fields),
        },
    )


@login_required
def standard_detail(request, pk):
    try:
        standard = catalogue_queryset().get(pk=pk)
    except Standard.DoesNotExist:
        raise Http404(_("No such standard.")) from None
    visible = access.visible_experiments(request.user)
    return render(
        request,
        "standards/detail.html",
        {
            "standard": standard,
            "supporting": visible.filter(supported_standards=standard),
            "contradictions": standard.contradictions.select_related("experiment").filter(experiment__in=visible),
            "versions": standard.versions.select_related("owner", "actor").order_by("-created_at", "-pk"),
            "review_items": standard.review_items.select_related("meeting__series").order_by("-meeting__starts_at"),
            # The experiments that cite it: started from it, or re-testing it.
            "citations": standard.citations.select_related("experiment").filter(experiment__in=visible),
            "may_start_from": access.can_propose(request.user) and standard.in_force,
        },
    )
