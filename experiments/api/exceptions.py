"""The one DRF exception handler: a DomainError becomes {"detail", "problems"} with its status."""

from rest_framework.response import Response
from rest_framework.views import exception_handler

from experiments.errors import DomainError


def handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status_code)
    return exception_handler(exc, context)
