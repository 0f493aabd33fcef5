"""The series in the admin makes its beat task; the task builds and sends the agenda once, a few days before."""

import datetime as dt
import json

import pytest
import time_machine
from django.core import mail
from django_celery_beat.models import PeriodicTask
from icalendar import Calendar

from approvals.models import Notification
from cadence.reviews.calendar import calendar_events
from cadence.reviews.models import ReviewMeeting, ReviewSeries
from cadence.reviews.preparation import prepare_due_agendas
from tests.cadence.reviews.helpers import ended, make_series

pytestmark = pytest.mark.django_db


def test_saving_the_series_creates_then_updates_its_periodic_task(chair):
    series = make_series(chair)
    task = PeriodicTask.objects.get(name=series.periodic_task_name)
    assert task.task == "reviews.prepare_agendas" and json.loads(task.kwargs) == {"series_id": series.pk}
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("10", "0", "Europe/Amsterdam")
    series.time, series.active = dt.time(14, 30), False
    series.save()
    task = PeriodicTask.objects.get(name=series.periodic_task_name)
    assert (task.crontab.hour, task.crontab.minute, task.enabled) == ("14", "30", False)
    assert PeriodicTask.objects.filter(task="reviews.prepare_agendas").count() == 1


def test_agenda_is_built_and_sent_once_three_days_before(
    chair, board_member, proposer, approver, signal_owner, django_capture_on_commit_callbacks
):
    # The invitation goes through the outbox, delivered after commit (tests/conftest.py: _outbox_worker).
    series = make_series(chair, board_member)  # first Tuesday, 10:00 Amsterdam
    with time_machine.travel("2026-03-20 09:00Z", tick=False):
        ended(proposer, approver, signal_owner)
    with time_machine.travel("2026-04-01 09:00Z", tick=False):  # six days before 7 April
        assert prepare_due_agendas() == []
    meeting = ReviewMeeting.objects.get()
    assert meeting.agenda_sent_at is None and not meeting.items.exists()
    with time_machine.travel("2026-04-04 09:00Z", tick=False), django_capture_on_commit_callbacks(execute=True):
        assert prepare_due_agendas() == [meeting]
    with time_machine.travel("2026-04-05 09:00Z", tick=False), django_capture_on_commit_callbacks(execute=True):
        assert prepare_due_agendas() == []  # sent already
    meeting.refresh_from_db()
    assert meeting.items.count() == 1 and meeting.agenda_sent_at is not None
    notices = Notification.objects.filter(kind=Notification.Kind.REVIEW_AGENDA)
    assert {n.user for n in notices} == {chair, board_member}
    # One email per attendee, each on its own (a refused address drops no one else): the agenda
    # with the invitation attached, no second plain copy.
    assert sorted(m.to for m in mail.outbox) == sorted([[chair.email], [board_member.email]])
    invitations = [m for m in mail.outbox if m.subject.startswith("[Pagar] Agenda and invitation")]
    assert len(invitations) == 2
    name, content, mimetype = invitations[0].attachments[0]
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert name == "invite.ics" and mimetype.startswith("text/calendar")
    assert event.decoded("dtstart") == meeting.starts_at
    assert str(event["uid"]) == f"promotion-review-{series.pk}-20260407@pagar"


def test_calendar_events_for_members_and_superusers_only(chair, board_member, outsider, admin_user):
    series = make_series(chair, board_member)
    since, until = dt.datetime(2026, 4, 1, tzinfo=dt.UTC), dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    events = calendar_events(board_member, since, until)
    assert [e.start.date() for e in events] == [dt.date(2026, 4, 7), dt.date(2026, 5, 5), dt.date(2026, 6, 2)]
    assert events[0].end - events[0].start == dt.timedelta(minutes=90)
    assert board_member.email in events[0].attendee_emails
    assert calendar_events(outsider, since, until) == []
    assert len(calendar_events(admin_user, since, until)) == 3
    # A scheduled meeting and the rule give one event, not two.
    with time_machine.travel("2026-04-05 09:00Z", tick=False):
        prepare_due_agendas()
    assert len(calendar_events(board_member, since, until)) == 3
    assert series.meetings.count() == 1


def test_admin_sets_the_series_up_and_names_a_wrong_field(admin_user, chair, board_member):
    from tests.experiments.web import https_client

    client = https_client(admin_user)
    data = {
        "name": "Board review",
        "chair": chair.pk,
        "members": [chair.pk, board_member.pk],
        "active": "on",
        "day_of_month": "",
        "first_weekday": "",
        "time": "09:30",
        "timezone": "Mars/Olympus",
        "duration_minutes": "60",
        "agenda_days_before": "3",
        "location": "",
        "quorum": "2",
    }
    refused = client.post("/admin/reviews/reviewseries/add/", data)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "not a time zone name" in page and "either a day of the month or a first weekday" in page
    saved = client.post("/admin/reviews/reviewseries/add/", {**data, "timezone": "Asia/Jakarta", "day_of_month": "15"})
    assert saved.status_code == 302
    assert ReviewSeries.objects.get(name="Board review").quorum == 2
    task = PeriodicTask.objects.get(task="reviews.prepare_agendas")
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("9", "30", "Asia/Jakarta")
