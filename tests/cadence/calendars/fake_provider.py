"""A meeting kind for the calendar tests: meetings the test schedules, attended by named users.

Tests point CALENDAR_PROVIDERS here (see conftest.py `meetings`), so the calendars app is tested
without the ideas and reviews apps."""

import datetime as dt
import zoneinfo

from cadence.calendar_events import CalendarEvent

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
SCHEDULED: list[tuple[CalendarEvent, set[int]]] = []
CALLS: list[int] = []  # user pks asked about, so a test can see who the sweep looked at


def calendar_events(user, since: dt.datetime, until: dt.datetime) -> list[CalendarEvent]:
    CALLS.append(user.pk)
    return [
        event
        for event, attendees in SCHEDULED
        if (user.pk in attendees or user.is_superuser) and since <= event.start < until
    ]


def schedule(uid, start, attendees, *, hours=1, summary="Weekly ideas slot", **fields) -> CalendarEvent:
    event = CalendarEvent(uid=uid, summary=summary, start=start, end=start + dt.timedelta(hours=hours), **fields)
    SCHEDULED.append((event, {user.pk for user in attendees}))
    return event


def broken_calendar_events(user, since, until):
    raise RuntimeError("the review app is down")
