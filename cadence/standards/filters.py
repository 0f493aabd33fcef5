"""Catalogue filters, shared by the page and the API: status, touchpoint, and a search of the statement."""

import django_filters

from cadence.standards.models import Standard
from experiments.models import Touchpoint


class StandardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="statement", lookup_expr="icontains", label="Search")
    status = django_filters.ChoiceFilter(choices=Standard.Status.choices, empty_label="Any status")
    touchpoint = django_filters.ModelChoiceFilter(
        field_name="touchpoints",
        queryset=Touchpoint.objects.order_by("name"),
        to_field_name="key",
        empty_label="Any touchpoint",
    )

    class Meta:
        model = Standard
        fields = ["q", "status", "touchpoint"]

    @property
    def qs(self):
        return super().qs.distinct()
