"""Beats overlapping, or a retry running beside the first try: every reminder still goes once.

Needs real concurrent transactions, so it runs on PostgreSQL (CI runs the suite there too)."""

import datetime as dt
from unittest import mock

import pytest
import time_machine

from approvals.models import Notification
from cadence.calendars.models import MeetingReminder
from cadence.calendars.reminders import send_meeting_reminders
from tests.cadence.calendars.fake_provider import JAKARTA
from tests.concurrency import POSTGRES_ONLY, at_once
from tests.factories import make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    POSTGRES_ONLY,
]

SLOT = dt.datetime(2026, 3, 3, 10, 0, tzinfo=JAKARTA)


@pytest.fixture(autouse=True)
def no_sending():
    with mock.patch("mailing.outbox.nudge"):
        yield


def test_four_sweeps_at_once_remind_each_attendee_once(meetings):
    attendees = [make_user(f"attendee_{i}") for i in range(25)]
    meetings.schedule("ideas-slot-meeting-7@pagar", SLOT, attendees)
    meetings.schedule(
        "review-meeting-2@pagar", SLOT + dt.timedelta(hours=3), attendees[:10], summary="Monthly promotion review"
    )

    with time_machine.travel(SLOT - dt.timedelta(hours=1), tick=False):
        results = at_once(*[send_meeting_reminders] * 4)

    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 35
    assert Notification.objects.filter(kind=Notification.Kind.MEETING_REMINDER).count() == 35
    assert MeetingReminder.objects.count() == 35
    for user in attendees[:10]:
        assert Notification.objects.filter(user=user, kind=Notification.Kind.MEETING_REMINDER).count() == 2
