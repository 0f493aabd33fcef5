"""The one DRF exception handler: every API error is a refusal of one shape.

    {"detail": "<for the person>", "code": "<machine word>", "problems": [{"field": ..., "message": ...}]}

A DomainError (experiments.errors) says it itself; DRF's own exceptions (validation, parse errors,
authentication, permission, not found, method, media type, throttling) are put into the same shape
here, nested field errors flattened to dotted names ("metrics.0.effect"). `RefusalSerializer`
documents it, and experiments.api.schema_hooks adds it to every operation's error responses.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import set_rollback

from experiments.errors import DomainError

NON_FIELD = "non_field_errors"


def problems_of(detail, prefix: str = "") -> list[dict]:
    """DRF error detail (dict, list or string, nested any way) as flat {"field", "message"} rows."""
    if isinstance(detail, dict):
        problems = []
        for key, value in detail.items():
            name = "" if key == NON_FIELD else str(key)
            problems.extend(problems_of(value, f"{prefix}.{name}" if prefix and name else (name or prefix)))
        return problems
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [{"field": prefix or None, "message": str(item)} for item in detail]
        problems = []
        for index, item in enumerate(detail):
            if item:  # DRF puts {} for the rows of a list that were fine
                problems.extend(problems_of(item, f"{prefix}.{index}" if prefix else str(index)))
        return problems
    return [{"field": prefix or None, "message": str(detail)}]


def refusal(detail: str, code: str, problems=()) -> dict:
    """The body of every API error."""
    return {"detail": str(detail), "code": code, "problems": list(problems)}


def _code_of(exc: exceptions.APIException) -> str:
    codes = exc.get_codes()
    if isinstance(codes, str):
        return codes
    return exc.default_code


def body_for(exc: exceptions.APIException) -> dict:
    if isinstance(exc, exceptions.ValidationError):
        problems = problems_of(exc.detail)
        if len(problems) == 1:
            first = problems[0]
            detail = first["message"] if first["field"] is None else f"{first['field']}: {first['message']}"
        else:
            detail = _("The request has %(count)s problems; see problems.") % {"count": len(problems)}
        return refusal(detail, "invalid", problems)
    detail = exc.detail
    if isinstance(detail, (dict, list)):
        problems = problems_of(detail)
        return refusal(problems[0]["message"] if problems else exc.default_detail, exc.default_code, problems)
    return refusal(detail, _code_of(exc))


def handler(exc, context):
    if isinstance(exc, DomainError):
        set_rollback()
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django's 500
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()
    return Response(body_for(exc), status=exc.status_code, headers=headers)


@csrf_exempt  # a refusal changes nothing, and must not become the CSRF failure page
def not_found(request, *args, **kwargs):
    """Any address under /api/ that no route takes: a JSON 404 refusal, not the HTML page."""
    return JsonResponse(refusal(_("No API endpoint at this address."), "not_found"), status=404)
