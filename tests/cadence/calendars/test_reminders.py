"""Meeting reminders: each attendee once per meeting, MEETING_REMINDER_HOURS before it starts."""

import datetime as dt
import zoneinfo
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from accounts import preferences

from approvals.models import Notification
from cadence.calendars.models import MeetingReminder
from cadence.calendars.reminders import send_meeting_reminders
from cadence.schedule import PERIODIC_TASKS, ensure_periodic_tasks
from tests.cadence.calendars.conftest import FAKE
from tests.cadence.calendars.fake_provider import JAKARTA

pytestmark = pytest.mark.django_db

SLOT = dt.datetime(2026, 3, 3, 10, 0, tzinfo=JAKARTA)  # 03:00 UTC
REMINDER = Notification.Kind.MEETING_REMINDER


def reminders_to(user):
    return list(Notification.objects.filter(user=user, kind=REMINDER).order_by("pk"))


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return send_meeting_reminders()


def test_an_attendee_is_reminded_once_inside_the_window_and_not_before(meetings, proposer, approver, outsider):
    meetings.schedule(
        "ideas-slot-meeting-7@pagar",
        SLOT,
        [proposer, approver],
        url="https://pagar.example/slots/7/",
        location="Room Merapi",
    )

    assert sweep_at(SLOT - dt.timedelta(hours=24, minutes=1)) == 0  # a minute too early
    assert reminders_to(proposer) == []

    assert sweep_at(SLOT - dt.timedelta(hours=23, minutes=50)) == 2
    (note,) = reminders_to(proposer)
    assert note.url == "https://pagar.example/slots/7/"
    assert "Weekly ideas slot" in note.message and "Room Merapi" in note.message
    assert len(reminders_to(approver)) == 1
    assert reminders_to(outsider) == []  # not an attendee

    assert sweep_at(SLOT - dt.timedelta(hours=23, minutes=35)) == 0  # the next beat
    assert sweep_at(SLOT - dt.timedelta(minutes=5)) == 0
    assert len(reminders_to(proposer)) == 1 and len(reminders_to(approver)) == 1


def test_the_message_gives_the_local_time(meetings, proposer, settings):
    settings.TIME_ZONE = "Asia/Jakarta"
    meetings.schedule("ideas-slot-meeting-7@pagar", SLOT, [proposer])
    sweep_at(SLOT - dt.timedelta(hours=2))
    (note,) = reminders_to(proposer)
    local = SLOT.astimezone(zoneinfo.ZoneInfo("Asia/Jakarta"))
    assert local.hour == 10  # 10:00 in Jakarta, written in the locale's date-time format
    assert f"{date_format(local, 'DATETIME_FORMAT')} (Asia/Jakarta)" in note.message


def test_each_attendee_reads_the_reminder_in_their_language_and_time_zone(meetings, proposer, approver):
    preferences.save(proposer, language="id", time_zone="Asia/Jakarta")
    meetings.schedule("ideas-slot-meeting-7@pagar", SLOT, [proposer, approver], location="Room Merapi")
    sweep_at(SLOT - dt.timedelta(hours=2))
    (indonesian,) = reminders_to(proposer)
    (english,) = reminders_to(approver)
    with translation.override("id"):
        local = date_format(SLOT.astimezone(zoneinfo.ZoneInfo("Asia/Jakarta")), "DATETIME_FORMAT")
        reminder = gettext("Reminder: “%(meeting)s” starts %(when)s — %(where)s.").split("“")[0]
    assert indonesian.message.startswith(reminder) and f"{local} (Asia/Jakarta)" in indonesian.message
    assert english.message.startswith("Reminder: ") and not indonesian.message.startswith("Reminder: ")


def test_a_meeting_already_started_gets_no_reminder(meetings, proposer):
    meetings.schedule("ideas-slot-meeting-7@pagar", SLOT, [proposer])
    assert sweep_at(SLOT + dt.timedelta(minutes=1)) == 0
    assert reminders_to(proposer) == []


def test_a_missed_beat_still_reminds_before_the_meeting(meetings, proposer):
    meetings.schedule("ideas-slot-meeting-7@pagar", SLOT, [proposer])
    assert sweep_at(SLOT - dt.timedelta(hours=3)) == 1  # beat was down all day


def test_the_window_follows_the_setting(meetings, proposer):
    meetings.schedule("ideas-slot-meeting-7@pagar", SLOT, [proposer])
    with override_settings(MEETING_REMINDER_HOURS=2):
        assert sweep_at(SLOT - dt.timedelta(hours=3)) == 0
        assert sweep_at(SLOT - dt.timedelta(hours=1, minutes=55)) == 1


def test_inactive_users_are_not_reminded_nor_asked_about(meetings, proposer, approver):
    meetings.schedule("ideas-slot-meeting-7@pagar", SLOT, [proposer, approver])
    approver.is_active = False
    approver.save(update_fields=["is_active"])
    assert sweep_at(SLOT - dt.timedelta(hours=1)) == 1
    assert reminders_to(approver) == [] and approver.pk not in meetings.CALLS
    assert len(reminders_to(proposer)) == 1


def test_a_cancelled_meeting_gets_no_reminder(meetings, proposer):
    meetings.schedule("ideas-slot-meeting-7@pagar", SLOT, [proposer], cancelled=True)
    assert sweep_at(SLOT - dt.timedelta(hours=1)) == 0


def test_a_meeting_moved_later_is_reminded_again_at_its_new_time(meetings, proposer):
    meetings.schedule("ideas-slot-meeting-7@pagar", SLOT, [proposer])
    assert sweep_at(SLOT - dt.timedelta(hours=1)) == 1
    meetings.SCHEDULED.clear()
    meetings.schedule("ideas-slot-meeting-7@pagar", SLOT + dt.timedelta(days=1), [proposer], sequence=1)
    assert sweep_at(SLOT - dt.timedelta(minutes=30)) == 0
    assert sweep_at(SLOT + dt.timedelta(hours=23)) == 1
    assert MeetingReminder.objects.filter(user=proposer, event_uid="ideas-slot-meeting-7@pagar").count() == 2


def test_two_meetings_the_same_day_are_two_reminders(meetings, proposer):
    meetings.schedule("ideas-slot-meeting-7@pagar", SLOT, [proposer])
    meetings.schedule(
        "review-meeting-2@pagar", SLOT + dt.timedelta(hours=4), [proposer], summary="Monthly promotion review"
    )
    assert sweep_at(SLOT - dt.timedelta(hours=1)) == 2
    assert sorted(n.message.split("”")[0] for n in reminders_to(proposer)) == [
        "Reminder: “Monthly promotion review",
        "Reminder: “Weekly ideas slot",
    ]


def test_the_email_goes_out_after_commit(meetings, proposer, django_capture_on_commit_callbacks):
    meetings.schedule("ideas-slot-meeting-7@pagar", SLOT, [proposer])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sweep_at(SLOT - dt.timedelta(hours=1))
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [[proposer.email]]
    assert mail.outbox[0].subject.startswith("[Pagar] Reminder: “Weekly ideas slot” starts")


def test_one_users_failing_provider_does_not_stop_the_others(meetings, proposer, approver):
    meetings.schedule("ideas-slot-meeting-7@pagar", SLOT, [proposer, approver])
    original = meetings.calendar_events

    def fails_for_the_proposer(user, since, until):
        if user.pk == proposer.pk:
            raise RuntimeError("provider down")
        return original(user, since, until)

    with (
        mock.patch.object(meetings, "calendar_events", fails_for_the_proposer),
        override_settings(CALENDAR_PROVIDERS=[FAKE]),
    ):
        assert sweep_at(SLOT - dt.timedelta(hours=1)) == 1
    assert reminders_to(proposer) == [] and len(reminders_to(approver)) == 1
    assert sweep_at(SLOT - dt.timedelta(minutes=45)) == 1  # the proposer's, once the provider is back


def test_the_sweep_is_a_declared_periodic_task_every_quarter_hour():
    from celery import current_app
    from django_celery_beat.models import PeriodicTask

    import cadence.calendars.tasks  # noqa: F401 (registers the task, as the worker's autodiscovery does)

    (spec,) = [s for s in PERIODIC_TASKS if s.task == "calendars.send_meeting_reminders"]
    ensure_periodic_tasks()
    task = PeriodicTask.objects.get(name=spec.name)
    assert task.interval.every == 15 * 60 and task.enabled
    assert "calendars.send_meeting_reminders" in current_app.tasks


def test_the_task_runs_the_sweep(meetings, proposer):
    from cadence.calendars.tasks import send_meeting_reminders as task

    meetings.schedule("ideas-slot-meeting-7@pagar", SLOT, [proposer])
    with time_machine.travel(SLOT - dt.timedelta(hours=1), tick=False):
        task.apply()
        task.apply()  # a retried task
    assert len(reminders_to(proposer)) == 1
