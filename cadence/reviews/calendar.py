"""The review's occurrences for calendars: meetings the user chairs or sits on (all for a superuser)."""

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _

from cadence.calendar_events import CalendarEvent
from cadence.reviews.models import ReviewMeeting, ReviewSeries
from cadence.reviews.occurrences import occurrences
from cadence.reviews.sending import meeting_event, meeting_uid


def calendar_events(user, since: dt.datetime, until: dt.datetime) -> list[CalendarEvent]:
    if not user.is_authenticated:
        return []
    series_list = ReviewSeries.objects.select_related("chair")
    if not user.is_superuser:
        series_list = series_list.filter(Q(chair=user) | Q(members=user)).distinct()
    events = {}
    # Meetings already scheduled keep their own time, even if the series' rule changed since.
    for meeting in ReviewMeeting.objects.filter(
        series__in=series_list, starts_at__gte=since, starts_at__lt=until
    ).select_related("series", "series__chair"):
        event = meeting_event(meeting)
        events[event.uid] = event
    for series in series_list.filter(active=True):
        emails = tuple(sorted({u.email for u in [series.chair, *series.members.all()] if u.email}))
        for start in occurrences(series, since, until):
            uid = meeting_uid(series, start)
            events.setdefault(
                uid,
                CalendarEvent(
                    uid=uid,
                    summary=series.name,
                    start=start,
                    end=start + dt.timedelta(minutes=series.duration_minutes),
                    location=series.location,
                    organizer_email=series.chair.email,
                    attendee_emails=emails,
                    description=_("Monthly promotion review (%(rule)s).") % {"rule": series.rule_label},
                ),
            )
    return sorted(events.values(), key=lambda e: (e.start, e.uid))
