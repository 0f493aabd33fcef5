"""A user's .ics feed: the secret address, and what a calendar app gets from it."""

import datetime as dt
from dataclasses import replace

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cadence.calendar_events import CalendarEvent
from cadence.calendars.models import CalendarFeed, new_feed_token
from cadence.calendars.providers import events_for
from cadence.ics import calendar_bytes

# What a subscribed calendar shows: recent meetings (their minutes are linked) and half a year ahead.
FEED_DAYS_BACK = 30
FEED_DAYS_AHEAD = 180
UPCOMING_DAYS = 60  # the "My calendar" page and the API list the next meetings in this window
UPCOMING_LIMIT = 10


def feed_for(user) -> CalendarFeed:
    """The user's feed, created on first use (two first visits at once get the same one)."""
    try:
        feed, _ = CalendarFeed.objects.get_or_create(user=user)
    except IntegrityError:
        feed = CalendarFeed.objects.get(user=user)
    return feed


def regenerate(user) -> CalendarFeed:
    """A new token; the old address stops working at once."""
    with transaction.atomic():
        feed = feed_for(user)
        feed.token = new_feed_token()
        feed.regenerated_at = timezone.now()
        feed.save(update_fields=["token", "regenerated_at"])
    return feed


def feed_user(token: str):
    """The active user whose feed has this token, or None."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
    return feed.user if feed else None


def feed_path(feed: CalendarFeed) -> str:
    return reverse("calendar-feed", kwargs={"token": feed.token})


def feed_urls(request, feed: CalendarFeed) -> dict:
    """The https address (Google, Outlook) and the webcal:// one Apple Calendar opens directly."""
    url = request.build_absolute_uri(feed_path(feed))
    return {"feed_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


def feed_ics(user, now: dt.datetime | None = None, base_url: str = "") -> bytes:
    """`base_url` (scheme and host) makes the meetings' links absolute: a calendar app has no
    page to resolve "/reviews/1/" against."""
    now = now or timezone.now()
    events = events_for(user, now - dt.timedelta(days=FEED_DAYS_BACK), now + dt.timedelta(days=FEED_DAYS_AHEAD))
    if base_url:
        events = [replace(e, url=base_url + e.url) if e.url.startswith("/") else e for e in events]
    return calendar_bytes(events, name=f"Pagar — {user}")


def upcoming(user, now: dt.datetime | None = None) -> list[CalendarEvent]:
    """The next meetings not yet over, soonest first."""
    now = now or timezone.now()
    events = events_for(user, now, now + dt.timedelta(days=UPCOMING_DAYS))
    return [event for event in events if event.end > now][:UPCOMING_LIMIT]
