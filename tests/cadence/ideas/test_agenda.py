"""The agenda before each slot, with frozen time: what is on it, what is not, and that building
and sending it again changes nothing."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from icalendar import Calendar

from approvals.models import Notification
from cadence.ideas.agenda import build_agenda, meeting_at, prepare_next_meeting
from cadence.ideas.models import IdeaStatus, SlotMeeting
from cadence.ideas.scoring import rate
from tests.cadence.ideas.builders import make_idea

pytestmark = pytest.mark.django_db
UTC = dt.UTC
# The series meets on Wednesdays at 10:00 Amsterdam (09:00 UTC in winter).
LAST_SLOT = dt.datetime(2025, 2, 26, 9, 0, tzinfo=UTC)
NEXT_SLOT = dt.datetime(2025, 3, 5, 9, 0, tzinfo=UTC)


def agenda_of(meeting):
    return {item.idea.title: item.reason for item in meeting.agenda.select_related("idea")}


@pytest.fixture
def backlog(series, proposer, approver):
    """Ideas from before the last slot (decided or still open) and from since."""
    ideas = {}
    with time_machine.travel(dt.datetime(2025, 2, 20, 12, tzinfo=UTC), tick=False):
        for title, status, extra in [
            ("Old open, rated high", IdeaStatus.NEW, {}),
            ("Old open, rated low", IdeaStatus.NEW, {}),
            ("Old declined", IdeaStatus.DECLINED, {"decline_reason": "Out of scope"}),
            ("Old proposed", IdeaStatus.PROPOSED, {}),
            ("Parked, due on the slot day", IdeaStatus.PARKED, {"parked_until": dt.date(2025, 3, 5)}),
            ("Parked until April", IdeaStatus.PARKED, {"parked_until": dt.date(2025, 4, 1)}),
        ]:
            ideas[title] = make_idea(proposer, title, status=status, **extra)
        rate(ideas["Old open, rated high"], approver, {"impact": 9, "confidence": 8, "ease": 9})
        rate(ideas["Old open, rated low"], approver, {"impact": 2, "confidence": 2, "ease": 3})
    last = meeting_at(series, LAST_SLOT)
    with time_machine.travel(dt.datetime(2025, 2, 25, 9, tzinfo=UTC), tick=False):
        build_agenda(last)
    with time_machine.travel(dt.datetime(2025, 3, 1, 12, tzinfo=UTC), tick=False):
        ideas["New since the last slot"] = make_idea(approver, "New since the last slot", touchpoint="chat")
        ideas["New and already declined"] = make_idea(
            approver, "New and already declined", status=IdeaStatus.DECLINED, decline_reason="Duplicate"
        )
    return ideas


def test_agenda_holds_new_ideas_top_scored_and_due_parked_ones(series, backlog):
    series.top_count = 1
    series.save()
    with time_machine.travel(dt.datetime(2025, 3, 4, 9, tzinfo=UTC), tick=False):
        meeting = prepare_next_meeting(series.pk)
    assert meeting.starts_at == NEXT_SLOT
    assert meeting.ends_at == NEXT_SLOT + dt.timedelta(minutes=series.duration_minutes)
    assert agenda_of(meeting) == {
        "New since the last slot": "new",
        "Parked, due on the slot day": "parked_due",
        "Old open, rated high": "top",  # top_count 1: the low-rated one waits
    }
    # New ideas first, then parked ones that are due, then the top scored.
    assert [i.idea.title for i in meeting.agenda.all()][0] == "New since the last slot"


def test_the_last_slot_had_every_open_idea_as_new(series, backlog):
    last = SlotMeeting.objects.get(starts_at=LAST_SLOT)
    assert agenda_of(last) == {
        "Old open, rated high": "new",
        "Old open, rated low": "new",
        # Parked until 5 March was not yet due on 26 February.
    }


def test_building_twice_is_idempotent_and_adds_only_what_is_new(series, backlog, approver):
    with time_machine.travel(dt.datetime(2025, 3, 4, 9, tzinfo=UTC), tick=False):
        meeting = prepare_next_meeting(series.pk)
        first = list(meeting.agenda.values_list("idea_id", "reason", "position"))
        build_agenda(meeting)
        prepare_next_meeting(series.pk)
        assert list(meeting.agenda.values_list("idea_id", "reason", "position")) == first
        assert SlotMeeting.objects.filter(series=series, starts_at=NEXT_SLOT).count() == 1
    with time_machine.travel(dt.datetime(2025, 3, 4, 15, tzinfo=UTC), tick=False):
        late = make_idea(approver, "Submitted after the agenda went out")
        build_agenda(meeting)
    assert meeting.agenda.filter(idea=late, reason="new").count() == 1
    assert meeting.agenda.count() == len(first) + 1


def test_agenda_is_sent_once_with_a_parseable_invitation(
    series, backlog, facilitator, proposer, approver, django_capture_on_commit_callbacks, eager_celery
):
    with time_machine.travel(dt.datetime(2025, 3, 4, 9, tzinfo=UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            meeting = prepare_next_meeting(series.pk)
        with django_capture_on_commit_callbacks(execute=True):
            prepare_next_meeting(series.pk)  # beat firing twice, or a retry
    notices = Notification.objects.filter(kind="slot_agenda")
    assert sorted(notices.values_list("user__username", flat=True)) == sorted(
        [facilitator.username, proposer.username, approver.username]
    )
    assert set(notices.values_list("url", flat=True)) == {meeting.get_absolute_url()}
    # One message per participant (a refused address drops no one else), each the same agenda.
    assert sorted(m.to for m in mail.outbox) == sorted([[facilitator.email], [proposer.email], [approver.email]])
    email = mail.outbox[0]
    assert "New since the last slot" in email.body
    ((name, content, mimetype),) = email.attachments
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    calendar = Calendar.from_ical(content)
    assert str(calendar["method"]) == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == NEXT_SLOT
    assert event.decoded("dtend") == NEXT_SLOT + dt.timedelta(minutes=45)
    assert str(event["organizer"]) == f"mailto:{facilitator.email}"
    attendees = event["attendee"] if isinstance(event["attendee"], list) else [event["attendee"]]
    assert sorted(str(a) for a in attendees) == sorted([f"mailto:{proposer.email}", f"mailto:{approver.email}"])
    assert "Old open, rated high" in str(event["description"])


def test_an_inactive_series_sends_nothing(series, backlog):
    series.active = False
    series.save()
    with time_machine.travel(dt.datetime(2025, 3, 4, 9, tzinfo=UTC), tick=False):
        assert prepare_next_meeting(series.pk) is None
    assert not SlotMeeting.objects.filter(starts_at=NEXT_SLOT).exists()
