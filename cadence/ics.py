"""RFC 5545 calendars (.ics) from CalendarEvent, with the icalendar library: one invitation
attached to an agenda email, or a whole feed a calendar app subscribes to."""

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from cadence.calendar_events import CalendarEvent

PRODID = "-//Pagar//guardrailed experiments//EN"


def calendar_bytes(events: list[CalendarEvent], *, name: str = "Pagar", method: str = "") -> bytes:
    """A VCALENDAR with one VEVENT per event. `method` "REQUEST" makes it an invitation."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    if method:
        calendar.add("method", method)
    stamp = timezone.now()
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.start)
        event.add("dtend", item.end)
        event.add("summary", item.summary)
        event.add("sequence", item.sequence)
        event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
        if item.description:
            event.add("description", item.description)
        if item.url:
            event.add("url", item.url)
        if item.location:
            event.add("location", item.location)
        if item.organizer_email:
            event["organizer"] = vCalAddress(f"mailto:{item.organizer_email}")
        for email in item.attendee_emails:
            attendee = vCalAddress(f"mailto:{email}")
            attendee.params["role"] = vText("REQ-PARTICIPANT")
            event.add("attendee", attendee, encode=0)
        calendar.add_component(event)
    return calendar.to_ical()
