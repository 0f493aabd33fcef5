"""The experiment list filters, shared by the web list page and the API."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from experiments.models import Experiment, Outcome, Status, Touchpoint

NO_OUTCOME = "none"  # the outcome filter's value for experiments not concluded yet


class ExperimentFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    touchpoint = django_filters.ModelChoiceFilter(
        field_name="touchpoints", to_field_name="key", queryset=Touchpoint.objects.all(), label=_("Touchpoint")
    )
    owner = django_filters.ModelChoiceFilter(
        # The people who own an experiment: asked per person (a few hundred) through the owner index,
        # not by joining every experiment and removing the repeats.
        queryset=get_user_model()
        .objects.filter(Exists(Experiment.objects.filter(owner=OuterRef("pk"))))
        .order_by("username"),
        to_field_name="username",
        label=_("Owner"),
    )
    outcome = django_filters.MultipleChoiceFilter(
        choices=[*Outcome.choices, (NO_OUTCOME, _("No outcome yet"))],
        method="by_outcome",
        label=_("Outcome"),
        help_text=_("The outcome recorded when it was concluded; none: not concluded yet. Repeat for several."),
    )
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Experiment
        fields = ["status", "touchpoint", "owner", "outcome", "q"]

    def by_outcome(self, queryset, name, values):
        if not values:
            return queryset
        wanted = Q(outcome__in=[v for v in values if v != NO_OUTCOME])
        if NO_OUTCOME in values:
            wanted |= Q(outcome="")
        return queryset.filter(wanted)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(key__icontains=value)
            | Q(title__icontains=value)
            | Q(hypothesis_change__icontains=value)
            | Q(hypothesis_effect__icontains=value)
            | Q(team__icontains=value)
        )
