"""calendar_events: the slots a user facilitates or attends, as calendar events."""

import datetime as dt

import pytest
import time_machine

from cadence.ideas.agenda import next_meeting
from cadence.ideas.calendar import calendar_events

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def test_attendees_and_facilitator_see_the_slots_others_do_not(series, facilitator, proposer, outsider, admin_user):
    since, until = dt.datetime(2025, 3, 1, tzinfo=UTC), dt.datetime(2025, 3, 22, tzinfo=UTC)
    with time_machine.travel(dt.datetime(2025, 3, 4, 9, tzinfo=UTC), tick=False):
        meeting = next_meeting(series)
    for person in (facilitator, proposer, admin_user):
        events = calendar_events(person, since, until)
        assert [e.start.astimezone(UTC) for e in events] == [
            dt.datetime(2025, 3, 5, 9, tzinfo=UTC),
            dt.datetime(2025, 3, 12, 9, tzinfo=UTC),
            dt.datetime(2025, 3, 19, 9, tzinfo=UTC),
        ]
    assert calendar_events(outsider, since, until) == []
    first = calendar_events(proposer, since, until)[0]
    assert first.url == meeting.get_absolute_url()  # the meeting that exists links its page
    assert first.organizer_email == facilitator.email and proposer.email in first.attendee_emails
    # The same occurrence has the same uid whether its meeting row exists or not.
    with time_machine.travel(dt.datetime(2025, 3, 11, 9, tzinfo=UTC), tick=False):
        before = {e.start: e.uid for e in calendar_events(proposer, since, until)}
        next_meeting(series)
        after = {e.start: e.uid for e in calendar_events(proposer, since, until)}
    assert before == after
