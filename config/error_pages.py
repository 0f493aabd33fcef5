"""Production's error pages while DEBUG is on (the demo).

With DEBUG, Django answers a missing page or a crash with its technical page; the demo shows
people the site's own 404 and 500 pages instead, through the same handlers production uses.
Off unless settings.PRODUCTION_ERROR_PAGES (the demo command turns it on). A 403 is the site's
own page with DEBUG as well, and refusals (experiments.errors.DomainError) have their middleware.
"""

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.urls import get_resolver
from django.utils.log import log_response

# Django answers these with a 4xx page under DEBUG too: left to it.
ANSWERED_BY_DJANGO = (PermissionDenied, BadRequest, SuspiciousOperation)


def _production_page(request, status: int, exception=None):
    handler = get_resolver().resolve_error_handler(status)
    return handler(request, exception) if status == 404 else handler(request)


class ProductionErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def _active() -> bool:
        return settings.DEBUG and settings.PRODUCTION_ERROR_PAGES

    def __call__(self, request):
        response = self.get_response(request)
        if self._active() and response.status_code == 404 and request.resolver_match is None:
            # No URL matched: Django's technical 404 (a view's 404 comes through process_exception).
            return _production_page(request, 404, Http404(request.path))
        return response

    def process_exception(self, request, exception):
        if not self._active() or isinstance(exception, ANSWERED_BY_DJANGO):
            return None
        if isinstance(exception, Http404):
            return _production_page(request, 404, exception)
        response = _production_page(request, 500)
        # Logged here, once, as Django logs a crash: this response answers it, so Django will not.
        log_response(
            "%s: %s", "Internal Server Error", request.path, response=response, request=request, exception=exception
        )
        return response
