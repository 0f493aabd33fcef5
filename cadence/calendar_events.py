"""What a meeting looks like to a calendar: the ideas slot and the promotion review both give
their occurrences as CalendarEvent, and cadence.ics turns them into .ics files and feeds."""

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CalendarEvent:
    uid: str  # stable across updates, e.g. "ideas-slot-meeting-12@pagar"; a calendar app updates by it
    summary: str
    start: dt.datetime  # aware
    end: dt.datetime  # aware
    description: str = ""
    url: str = ""  # absolute when known; the page of the meeting
    location: str = ""
    organizer_email: str = ""
    attendee_emails: tuple[str, ...] = field(default_factory=tuple)
    sequence: int = 0  # raise when the meeting changes, so calendars take the update
    cancelled: bool = False
