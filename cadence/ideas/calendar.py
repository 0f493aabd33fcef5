"""The weekly ideas slot as calendar events: every occurrence of the series a user facilitates
or attends (every active series for a superuser), whether its meeting row exists yet or not."""

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _

from cadence.calendar_events import CalendarEvent
from cadence.ideas import scheduling
from cadence.ideas.models import SlotMeeting, SlotSeries
from cadence.ideas.notices import meeting_event, meeting_uid


def calendar_events(user, since: dt.datetime, until: dt.datetime) -> list[CalendarEvent]:
    if not user.is_authenticated:
        return []
    series_qs = SlotSeries.objects.select_related("facilitator").prefetch_related("attendees")
    if not user.is_superuser:
        series_qs = series_qs.filter(Q(facilitator=user) | Q(attendees=user)).distinct()
    events = []
    for series in series_qs:
        meetings = {
            m.starts_at: m
            for m in SlotMeeting.objects.filter(
                series=series, starts_at__gte=since, starts_at__lt=until
            ).select_related("series__facilitator")
        }
        for meeting in meetings.values():
            events.append(meeting_event(meeting, description=_description(meeting)))
        if not series.active:
            continue
        for start in scheduling.occurrences_between(series, since, until):
            if any(start == s for s in meetings):
                continue
            events.append(
                CalendarEvent(
                    uid=meeting_uid(series.pk, start),
                    summary=_("Ideas slot: %(name)s") % {"name": series.name},
                    start=start,
                    end=start + dt.timedelta(minutes=series.duration_minutes),
                    description=_("The agenda is sent before the slot."),
                    location=series.location,
                    organizer_email=series.facilitator.email,
                    attendee_emails=tuple(sorted({u.email for u in series.attendees.all() if u.email})),
                )
            )
    return sorted(events, key=lambda e: (e.start, e.uid))


def _description(meeting: SlotMeeting) -> str:
    from cadence.ideas.notices import agenda_text, minutes_text

    return minutes_text(meeting) if meeting.is_closed else agenda_text(meeting)
