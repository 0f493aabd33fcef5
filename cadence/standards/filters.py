"""Catalogue filters, shared by the page and the API: status, touchpoint, and a search of the statement."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from cadence.form_style import PagarFormStyle
from cadence.standards.models import Standard
from experiments.models import Touchpoint


class StandardFilterForm(PagarFormStyle, forms.Form):
    pass


class StandardFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="statement", lookup_expr="icontains", label=_("Search"))
    status = django_filters.ChoiceFilter(
        choices=Standard.Status.choices, label=_("Status"), empty_label=_("Any status")
    )
    touchpoint = django_filters.ModelChoiceFilter(
        field_name="touchpoints",
        queryset=Touchpoint.objects.order_by("name"),
        to_field_name="key",
        label=_("Touchpoint"),
        empty_label=_("Any touchpoint"),
    )

    class Meta:
        model = Standard
        form = StandardFilterForm
        fields = ["q", "status", "touchpoint"]

    @property
    def qs(self):
        return super().qs.distinct()
