"""InputCleaningMiddleware: every request is size-checked before any byte of its body is read, and
its path values, query string, form fields and JSON body are held to experiments.inputs.cleaning
before a view (or the CSRF check, which reads forms) sees them.

A view that reads its own, larger body (data in) declares it with `@reads_own_body(SETTING)`: it
gets that setting's limit, its body is left unread here, and it applies the same rule itself.
"""

import json

from django.conf import settings
from django.http import JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

from experiments.errors import DomainError, Invalid
from experiments.inputs import cleaning
from experiments.inputs.uploads import BoundedUploadHandler

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
JSON_TYPES = ("application/json",)
# A multipart form carries a few short fields besides the file.
FORM_OVERHEAD_BYTES = 64 * 1024


def reads_own_body(limit_setting: str, *, multipart: bool = False):
    """Mark a view (function or class) as reading its own body, up to settings.<limit_setting>."""

    def mark(view):
        view.body_limit_setting = limit_setting
        view.body_is_multipart_upload = multipart
        return view

    return mark


def _marks(view_func):
    owner = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None) or view_func
    setting = getattr(owner, "body_limit_setting", None) or getattr(view_func, "body_limit_setting", None)
    multipart = getattr(owner, "body_is_multipart_upload", False) or getattr(
        view_func, "body_is_multipart_upload", False
    )
    return setting, multipart


def body_limit(view_func) -> tuple[int, int, bool]:
    """(bytes a request to this view may send, bytes one uploaded file may have, whether the view
    reads its body itself)."""
    setting, multipart = _marks(view_func)
    if setting is None:
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE, settings.DATA_UPLOAD_MAX_MEMORY_SIZE, False
    limit = getattr(settings, setting)
    if multipart:
        return limit + FORM_OVERHEAD_BYTES, limit, False
    return limit, limit, True


def refusal_response(request, error: DomainError):
    """The refusal as the API (JSON, as experiments.api.exceptions) or a page (as experiments.middleware)."""
    if request.path.startswith("/api/"):
        return JsonResponse(error.as_dict(), status=error.status_code)
    return render(request, "refused.html", {"refusal": error}, status=error.status_code)


class InputCleaningMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            self._check(request, view_func, view_kwargs)
        except DomainError as error:
            return refusal_response(request, error)
        return None

    def _check(self, request, view_func, view_kwargs):
        limit, file_limit, reads_own = body_limit(view_func)
        length = _content_length(request)
        if length > limit:
            raise cleaning.TooLarge(
                _("The body is %(length)s bytes; the most this address takes is %(limit)s.")
                % {"length": f"{length:,}", "limit": f"{limit:,}"},
                field="body",
            )
        cleaning.refuse_problems(cleaning.problems_in({str(k): v for k, v in view_kwargs.items()}))
        cleaning.refuse_problems(_query_problems(request.GET))
        if reads_own:
            return
        content_type = request.content_type or ""
        if request.method == "POST" and content_type in FORM_TYPES:
            # Files stream to a temporary file, refused past the limit while they are read.
            request.upload_handlers = [BoundedUploadHandler(request, file_limit)]
            try:
                form = request.POST
            except MultiPartParserError as error:  # e.g. multipart/form-data without a boundary
                raise Invalid(_("The form body cannot be read: %(error)s") % {"error": error}, field="body") from None
            cleaning.refuse_problems(_query_problems(form))
            refused = getattr(request, "upload_refused", None)
            if refused and not _marks(view_func)[1]:  # an upload page says it in its own words
                raise cleaning.TooLarge(
                    _("The file is larger than %(limit)s bytes, the most this form takes.")
                    % {"limit": f"{refused[1]:,}"},
                    field=refused[0],
                )
        elif length and content_type == "application/x-www-form-urlencoded":
            # PUT and PATCH forms (the API's form parser): Django fills request.POST for POST only.
            cleaning.refuse_problems(_query_problems(QueryDict(request.body)))
        elif length and content_type in JSON_TYPES:
            self._check_json(request.body)

    def _check_json(self, body: bytes):
        if not cleaning.check_json_depth(body):
            return  # not JSON: the parser answers why
        try:
            document = json.loads(body)
        except ValueError:
            return
        cleaning.refuse_problems(cleaning.problems_in(document))


def _content_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


def _query_problems(query) -> list[dict]:
    problems = []
    for name, values in query.lists():
        problems.extend(cleaning.problems_in({name: values[0] if len(values) == 1 else values}))
    return problems
