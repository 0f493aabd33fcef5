"""What a locked-out person is told (django-axes calls lockout_response, settings.AXES_LOCKOUT_CALLABLE).

Every refused try during the lock-out starts the cool-off again (AXES_RESET_COOL_OFF_ON_FAILURE_
DURING_LOCKOUT), so "now + cool-off" is exactly when the next try will be heard.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from experiments.api.exceptions import refusal


def lockout_message(until) -> str:
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    return ngettext(
        "Too many failed log-ins for this account or from this address. Try again after %(time)s "
        "(in %(minutes)d minute); an admin can unlock it sooner.",
        "Too many failed log-ins for this account or from this address. Try again after %(time)s "
        "(in %(minutes)d minutes); an admin can unlock it sooner.",
        minutes,
    ) % {"time": time_format(timezone.localtime(until), "H:i"), "minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    until = timezone.now() + settings.AXES_COOLOFF_TIME
    message = lockout_message(until)
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        # The API's refusal (experiments.api.exceptions), with when the next try will be heard.
        body = {**refusal(message, "locked_out"), "retry_after": until.isoformat()}
        response = JsonResponse(body, status=429)
    else:
        response = render(
            request, "registration/locked_out.html", {"message": message, "title": _("Log-in paused")}, status=429
        )
    response["Retry-After"] = retry_after
    return response
