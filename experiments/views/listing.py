"""All experiments the user may see, filtered and paginated."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from experiments import access
from experiments.filters import ExperimentFilter
from experiments.live.presentation import list_results
from experiments.models import Status

PAGE_SIZE = 20


class ExperimentListFilter(ExperimentFilter):
    """The shared filters, with status as checkboxes for the web page."""

    status = django_filters.MultipleChoiceFilter(choices=Status.choices, widget=forms.CheckboxSelectMultiple)
    outcome = django_filters.MultipleChoiceFilter(
        choices=ExperimentFilter.base_filters["outcome"].extra["choices"],
        method="by_outcome",
        label=_("Outcome"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.label_suffix = ""
        self.form.fields["owner"].empty_label = _("Anyone")
        self.form.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        self.form.fields["touchpoint"].empty_label = _("Any touchpoint")
        self.form.fields["q"].widget.attrs["placeholder"] = _("Key, title, hypothesis or team")


@login_required
def experiment_list(request):
    queryset = (
        access.visible_experiments(request.user).select_related("owner", "lesson").prefetch_related("touchpoints")
    )
    experiment_filter = ExperimentListFilter(request.GET or None, queryset=queryset)
    page = Paginator(experiment_filter.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # Each row's result and health light, for this page only (two queries).
    results = list_results(page.object_list)
    for experiment in page.object_list:
        experiment.list_result = results[experiment.pk]
    return render(
        request,
        "experiments/list.html",
        {
            "filter": experiment_filter,
            "page": page,
            "filtered": any(request.GET.get(name) for name in experiment_filter.form.fields),
        },
    )
