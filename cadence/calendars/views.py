"""The .ics feed (token in the address, no sign-in) and the "My calendar" page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django.utils.translation import gettext as _

from cadence.calendars import feeds


@require_GET
def feed(request, token):
    user = feeds.feed_user(token)
    if user is None:
        raise Http404(_("No calendar feed at this address."))
    base_url = request.build_absolute_uri("/").rstrip("/")
    response = HttpResponse(feeds.feed_ics(user, base_url=base_url), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="pagar.ics"'
    response["Cache-Control"] = "private, no-store"  # the address is a secret; keep it out of shared caches
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
def my_calendar(request):
    feed = feeds.feed_for(request.user)
    return render(
        request,
        "calendars/my_calendar.html",
        {
            **feeds.feed_urls(request, feed),
            "events": feeds.upcoming(request.user),
            "upcoming_days": feeds.UPCOMING_DAYS,
            "feed": feed,
        },
    )


@login_required
@require_POST
def regenerate(request):
    feeds.regenerate(request.user)
    messages.success(
        request, _("New calendar address made. The old one no longer works: subscribe again with the new one.")
    )
    return redirect("calendar-page")
