"""The one page handler for refusals: a DomainError raised by a page view is shown to the person.

A form post goes back where it came from with the refusal and each problem as messages; anything
else renders the refusal page with the error's status.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from experiments.errors import DomainError


def report_refusal(request, exc: DomainError):
    """The refusal and each of its problems as messages on the next page."""
    messages.error(request, exc.message)
    for problem in exc.problems:
        if problem["message"] != exc.message:
            messages.error(request, problem["message"])


class RefusalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if not isinstance(exc, DomainError) or request.path.startswith("/api/"):
            return None  # the API has its own handler (experiments.api.exceptions)
        back = request.POST.get("next") or request.META.get("HTTP_REFERER", "")
        if (
            request.method == "POST"
            and back
            and url_has_allowed_host_and_scheme(
                back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
        ):
            report_refusal(request, exc)
            return redirect(back)
        return render(request, "refused.html", {"refusal": exc}, status=exc.status_code)
