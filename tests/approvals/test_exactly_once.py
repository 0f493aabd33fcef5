"""Exactly-once notices: each notice, email and webhook call is claimed once per person and event
(a unique key) before it is sent, however often the code that tells it runs."""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from approvals.models import Notification
from approvals.notifications import notify, notify_about
from approvals.reminders import send_reminders
from experiments.live import monitoring
from experiments.models import Check, Status
from experiments.stats.inputs import StatsInputError
from mailing import outbox
from mailing.models import Outbox
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 3, 10, 6, 5, tzinfo=dt.UTC)


@pytest.fixture
def running(proposer, approver, signal_owner):
    return make_experiment(proposer, approver, status=Status.RUNNING)


def check_failed_mails():
    return [m for m in mail.outbox if m.subject.startswith("[Pagar] The daily check could not decide")]


def test_the_same_erroring_look_delivered_three_times_gives_one_check_one_notice_one_email(
    running, signal_owner, django_capture_on_commit_callbacks
):
    errors = [StatsInputError("metrics[fcr].short.successes", f"cannot exceed the units (try {n})") for n in (1, 2, 3)]
    with time_machine.travel(TODAY, tick=False):
        look_date = timezone.localdate()
        for error in errors:  # the task redelivered (acks_late), then re-run by an operator
            with (
                mock.patch.object(monitoring, "build_look", side_effect=error),
                django_capture_on_commit_callbacks(execute=True),
            ):
                monitoring.run_check(running.pk, look_date)

    check = Check.objects.get(experiment=running)
    assert check.action == Check.Action.ERROR
    assert check.result["message"] == "cannot exceed the units (try 1)"  # the first error stands, shown
    assert check.result["tries"] == 3
    assert check.result["last_error"]["message"] == "cannot exceed the units (try 3)"
    notices = Notification.objects.filter(experiment=running, kind=Notification.Kind.CHECK_FAILED)
    assert list(notices.values_list("user__username", "dedupe_key")) == [
        ("sam_signal", f"check_failed:{running.pk}:{look_date.isoformat()}")
    ]
    assert [m.to for m in check_failed_mails()] == [[signal_owner.email]]
    running.refresh_from_db()
    assert running.status == Status.RUNNING


def test_the_error_of_a_later_look_is_recorded_and_told_again(running, signal_owner):
    """Once per look date: a new day's different failure is news (the same failure is not, as before)."""
    with time_machine.travel(TODAY, tick=False):
        first = timezone.localdate()
        with mock.patch.object(monitoring, "build_look", side_effect=StatsInputError("metrics[fcr]", "bad sums")):
            monitoring.run_check(running.pk, first)
    with time_machine.travel(TODAY + dt.timedelta(days=1), tick=False):
        second = timezone.localdate()
        with mock.patch.object(monitoring, "build_look", side_effect=StatsInputError("metrics[nps]", "no data")):
            monitoring.run_check(running.pk, second)
    assert list(Check.objects.filter(experiment=running).values_list("look_date", flat=True)) == [first, second]
    assert Notification.objects.filter(kind=Notification.Kind.CHECK_FAILED).count() == 2


@override_settings(WEBHOOK_URL="http://hooks.example.test/pagar")
def test_a_keyed_notice_told_twice_is_one_notice_one_email_one_call(
    running, proposer, co_author, django_capture_on_commit_callbacks
):
    running.co_authors.add(co_author)
    with mock.patch("mailing.webhook.post_signed", return_value=200) as post:
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                notify("stopped", running, [proposer, co_author], "Stopped.", key=f"stop:{running.pk}:7")
    assert Notification.objects.filter(kind="stopped").count() == 2  # one each
    assert sorted(m.to[0] for m in mail.outbox) == [co_author.email, proposer.email]
    assert Outbox.objects.filter(kind="webhook").count() == 1
    assert set(Outbox.objects.values_list("status", flat=True)) == {"sent"}
    post.assert_called_once()


def test_a_new_recipient_under_the_same_key_is_told_the_others_are_not(running, proposer, co_author):
    notify("stopped", running, [proposer], "Stopped.", key="stop:1:1")
    notify("stopped", running, [proposer, co_author], "Stopped.", key="stop:1:1")
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["colin_coauthor", "priya_proposer"]
    assert Outbox.objects.count() == 2


def test_a_notice_without_a_key_is_refused(running, proposer):
    """Every event names itself, so a retry can never tell anyone twice."""
    with pytest.raises(TypeError):
        notify("stopped", running, [proposer], "Stopped.")
    with pytest.raises(ValueError):
        notify_about("standard", [proposer], "A standard.", "/standards/", key="")
    assert not Notification.objects.exists() and not Outbox.objects.exists()


def test_a_keyed_notice_about_a_meeting_once(proposer):
    for _ in range(3):
        notify_about("meeting_reminder", [proposer], "Soon.", "/calendar/", key="meeting:uid-1:2026-03-10")
    assert Notification.objects.count() == 1 and Outbox.objects.count() == 1


def test_the_decision_notice_is_keyed_by_its_request(pending, approver):
    from approvals.services import decide

    decide(pending, approver, "approve")
    [request] = pending.approval_requests.all()
    keys = set(Notification.objects.filter(kind="approved").values_list("dedupe_key", flat=True))
    assert keys == {f"approved:request:{request.pk}"}
    assert set(Notification.objects.filter(kind="submitted").values_list("dedupe_key", flat=True)) == {
        f"submitted:request:{request.pk}"
    }


def test_reminders_run_by_two_beats_remind_once(pending, approver):
    later = timezone.now() + dt.timedelta(days=14)
    with time_machine.travel(later, tick=False):
        first = send_reminders()
        second = send_reminders()
        outbox.deliver_pending()
    assert first["reminders"] == 1 and second == {"reminders": 0, "escalations": 0}
    assert Notification.objects.filter(kind="reminder").count() == 1
    assert len([m for m in mail.outbox if "has waited" in m.subject]) == 1
