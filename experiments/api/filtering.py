"""The API's filters: the shared FilterSets (the list pages use the same ones), held to the schema.

A page's filter form sends a choice left on "any" as an empty value, and django-filter then does not
filter. The API documents a choice filter as an enum, so there an empty value is refused like any
other value not among the choices (400), instead of being taken as "any".
"""

from django.utils.translation import gettext as _
from django_filters import ChoiceFilter, MultipleChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError


class ApiFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            blank = {
                name: [_("Choose one of the listed values; leave the parameter out for any.")]
                for name, field in filterset.filters.items()
                if isinstance(field, (ChoiceFilter, MultipleChoiceFilter)) and "" in request.query_params.getlist(name)
            }
            if blank:
                raise ValidationError(blank)
        return filterset
