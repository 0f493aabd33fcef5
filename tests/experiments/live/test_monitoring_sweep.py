"""The sweep: the database says what is due; beat only wakes it. Frozen clocks, real database."""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from approvals.models import Notification
from experiments.live.monitoring import next_slot_after, run_check, sweep
from experiments.models import Check, Experiment, Status
from tests.experiments.live.test_monitoring_data import quiet, started  # noqa: F401
from tests.factories import make_experiment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quiet")]

TODAY = dt.date(2026, 3, 10)


def at(day: dt.date, hour: int = 6, minute: int = 0, second: int = 2):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute, second)))


def approved(owner, approver, start, days=14, **fields):
    return make_experiment(
        owner,
        approver,
        status=Status.APPROVED,
        planned_start=start,
        planned_end=start + dt.timedelta(days=days - 1),
        **fields,
    )


def running_with_next_check(owner, approver, next_check_at):
    experiment = started(owner, approver, on=TODAY - dt.timedelta(days=5))
    Experiment.objects.filter(pk=experiment.pk).update(next_check_at=next_check_at)
    return experiment


@pytest.mark.approvals
def test_the_sweep_starts_what_is_due_and_queues_only_the_due_checks(
    proposer, co_author, approver, signal_owner, queued
):
    starts_today = approved(proposer, approver, TODAY, key="starts-today")
    starts_today.co_authors.add(co_author)
    started_late = approved(proposer, approver, TODAY - dt.timedelta(days=2), key="started-late")
    starts_tomorrow = approved(proposer, approver, TODAY + dt.timedelta(days=1), key="starts-tomorrow")
    already_over = approved(proposer, approver, TODAY - dt.timedelta(days=20), days=10, key="already-over")
    draft = make_experiment(proposer, approver, planned_start=TODAY, key="still-a-draft")
    due_today = running_with_next_check(proposer, approver, at(TODAY, 6, 0, 0))
    never_checked = running_with_next_check(proposer, approver, None)
    checked_today = running_with_next_check(proposer, approver, at(TODAY + dt.timedelta(days=1), 6, 0, 0))

    report, calls = queued(at(TODAY))

    assert sorted(report["started"]) == ["started-late", "starts-today"]
    statuses = dict(Experiment.objects.values_list("key", "status"))
    assert statuses["starts-today"] == statuses["started-late"] == Status.RUNNING
    assert statuses[starts_tomorrow.key] == statuses[already_over.key] == Status.APPROVED
    assert statuses[draft.key] == Status.DRAFT
    start = starts_today.events.get(action="start")
    assert start.actor is None
    notes = Notification.objects.filter(kind=Notification.Kind.STARTED, experiment=starts_today)
    assert sorted(notes.values_list("user__username", flat=True)) == [
        "alex_approver",
        "colin_coauthor",
        "priya_proposer",
        "sam_signal",
    ]
    assert (
        f"“{starts_today.title}” (starts-today) started on 10 Mar 2026. The daily checks watch it from now on."
        in notes.first().message
    )
    late_note = Notification.objects.filter(kind=Notification.Kind.STARTED, experiment=started_late).first()
    assert "started on 10 Mar 2026 (planned start 8 Mar 2026)." in late_note.message

    # just started (never checked), due today, never checked: one task each, with today's date
    expected = sorted(e.pk for e in (starts_today, started_late, due_today, never_checked))
    assert sorted(pk for pk, _ in calls) == expected
    assert {look for _, look in calls} == {"2026-03-10"}
    assert checked_today.pk not in [pk for pk, _ in calls]


def test_nothing_is_queued_before_the_transaction_commits(proposer, approver, django_capture_on_commit_callbacks):
    running_with_next_check(proposer, approver, None)
    with (
        time_machine.travel(at(TODAY), tick=False),
        mock.patch("experiments.tasks.check_experiment.delay") as delay,
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        sweep()
        assert delay.call_count == 0
    assert len(callbacks) == 1


def test_a_missed_day_is_caught_up_once_by_the_next_sweep(proposer, approver, queued):
    experiment = started(proposer, approver, on=TODAY - dt.timedelta(days=3))
    with time_machine.travel(at(TODAY, 6, 1), tick=False):
        run_check(experiment.pk, TODAY)
    experiment.refresh_from_db()
    assert experiment.next_check_at == at(TODAY + dt.timedelta(days=1), 6, 0, 0)

    # the slot did not run the next day (beat down); the day after, the sweep finds it due once
    report, calls = queued(at(TODAY + dt.timedelta(days=2), 6, 0, 5))
    assert calls == [(experiment.pk, "2026-03-12")]
    with time_machine.travel(at(TODAY + dt.timedelta(days=2), 6, 1), tick=False):
        run_check(experiment.pk, TODAY + dt.timedelta(days=2))
    assert list(Check.objects.values_list("look_date", flat=True)) == [TODAY, TODAY + dt.timedelta(days=2)]
    experiment.refresh_from_db()
    assert experiment.next_check_at == at(TODAY + dt.timedelta(days=3), 6, 0, 0)

    # a second sweep the same day finds nothing due
    assert queued(at(TODAY + dt.timedelta(days=2), 18, 0))[1] == []


def move_slot(hour: int, minute: int = 0, zone: str = "UTC"):
    task = PeriodicTask.objects.get(name="Daily monitoring")
    task.crontab = CrontabSchedule.objects.create(minute=str(minute), hour=str(hour), timezone=zone)
    task.save()


def test_a_slot_moved_earlier_in_the_admin_still_takes_todays_look(proposer, approver, queued):
    experiment = running_with_next_check(proposer, approver, at(TODAY, 6, 0, 0))
    # the slot now runs at 05:00: before the stored 06:00, but on the look's day
    move_slot(5)
    assert queued(at(TODAY, 5, 0))[1] == [(experiment.pk, "2026-03-10")]
    assert queued(at(TODAY - dt.timedelta(days=1), 23, 59))[1] == []


def test_the_next_slot_follows_the_time_set_in_the_admin(db):
    assert next_slot_after(TODAY) == at(TODAY + dt.timedelta(days=1), 6, 0, 0)
    task = PeriodicTask.objects.get(name="Daily monitoring")
    task.crontab = CrontabSchedule.objects.create(minute="30", hour="7", timezone="Europe/Amsterdam")
    task.save()
    expected = dt.datetime(2026, 3, 11, 7, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))  # CET in March
    assert next_slot_after(TODAY) == expected


@override_settings(TIME_ZONE="Europe/Amsterdam")
def test_today_is_the_local_date(proposer, approver, queued):
    """At 23:30 UTC on 9 March it is already 10 March in Amsterdam, past a 00:15 slot there: the
    look is the 10th's."""
    move_slot(0, 15, "Europe/Amsterdam")
    experiment = approved(proposer, approver, TODAY)
    report, calls = queued(dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.UTC))
    assert report["started"] == [experiment.key]
    assert calls == [(experiment.pk, "2026-03-10")]


@pytest.mark.approvals
def test_two_sweeps_start_an_experiment_once(proposer, approver, queued):
    experiment = approved(proposer, approver, TODAY)
    queued(at(TODAY))
    report, _ = queued(at(TODAY, 6, 10))
    assert report["started"] == []
    assert experiment.events.filter(action="start").count() == 1
    assert (
        Notification.objects.filter(kind="started", experiment=experiment, user__username="priya_proposer").count() == 1
    )
