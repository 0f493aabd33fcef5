"""The experiment list filters, shared by the web list page and the API."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q

from experiments.models import Experiment, Status, Touchpoint


class ExperimentFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Status.choices)
    touchpoint = django_filters.ModelChoiceFilter(
        field_name="touchpoints", to_field_name="key", queryset=Touchpoint.objects.all(), label="Touchpoint"
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=get_user_model().objects.filter(owned_experiments__isnull=False).distinct().order_by("username"),
        to_field_name="username",
        label="Owner",
    )
    q = django_filters.CharFilter(method="search", label="Search")

    class Meta:
        model = Experiment
        fields = ["status", "touchpoint", "owner", "q"]

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
