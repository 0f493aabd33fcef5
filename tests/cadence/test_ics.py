"""The .ics builder, read back with the icalendar parser."""

import datetime as dt
import zoneinfo

from icalendar import Calendar

from cadence.calendar_events import CalendarEvent
from cadence.ics import calendar_bytes

ZONE = zoneinfo.ZoneInfo("Asia/Jakarta")


def test_events_round_trip_through_a_calendar_parser():
    start = dt.datetime(2026, 12, 1, 10, 0, tzinfo=ZONE)
    event = CalendarEvent(
        uid="ideas-slot-meeting-1@pagar",
        summary="Weekly ideas slot",
        start=start,
        end=start + dt.timedelta(hours=1),
        description="Agenda: 3 new ideas",
        url="https://pagar.example/slots/1/",
        organizer_email="fa@example.test",
        attendee_emails=("a@example.test", "b@example.test"),
        sequence=2,
    )
    parsed = Calendar.from_ical(calendar_bytes([event], name="Pagar — Priya", method="REQUEST"))
    assert str(parsed["method"]) == "REQUEST"
    (vevent,) = parsed.walk("VEVENT")
    assert str(vevent["uid"]) == "ideas-slot-meeting-1@pagar"
    assert vevent.decoded("dtstart") == start and vevent.decoded("dtend") == start + dt.timedelta(hours=1)
    assert str(vevent["summary"]) == "Weekly ideas slot" and str(vevent["url"]) == "https://pagar.example/slots/1/"
    assert sorted(str(a) for a in vevent.get("attendee")) == ["mailto:a@example.test", "mailto:b@example.test"]
    assert int(vevent["sequence"]) == 2 and str(vevent["status"]) == "CONFIRMED"


def test_a_cancelled_meeting_says_so():
    start = dt.datetime(2026, 12, 1, 10, 0, tzinfo=ZONE)
    body = calendar_bytes([CalendarEvent(uid="x@pagar", summary="Review", start=start, end=start, cancelled=True)])
    (vevent,) = Calendar.from_ical(body).walk("VEVENT")
    assert str(vevent["status"]) == "CANCELLED"
