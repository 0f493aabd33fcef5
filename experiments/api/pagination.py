from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class CappedPagination(PageNumberPagination):
    """Pages of 25, up to 100 with ?page_size= (more is taken as 100); ?page= and ?page_size= whole
    numbers from 1 (else a 400 refusal); a page past the end is a 404."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    @staticmethod
    def _whole_number(request, name):
        raw = request.query_params.get(name)
        if raw is None:
            return None
        try:
            number = int(raw)
        except ValueError:
            number = 0
        if number < 1:
            raise ValidationError({name: [_("Must be a whole number from 1.")]})
        return number

    def get_page_number(self, request, paginator):
        if request.query_params.get(self.page_query_param) in self.last_page_strings:
            return "last"
        return self._whole_number(request, self.page_query_param) or 1

    def get_page_size(self, request):
        size = self._whole_number(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] in (self.page_query_param, self.page_size_query_param):
                parameter["schema"]["minimum"] = 1
        return parameters
