"""The sweep catches up: it runs every few minutes (MONITORING_SWEEP_SECONDS), takes each look once
it is due by the database (`next_check_at` and the slot), and a check taken late says so and why. Frozen clocks."""

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from experiments.live.monitoring import due_looks, latest_due_date, run_check, sweep
from experiments.models import Check, Experiment, Status
from experiments.tasks import check_experiment
from tests.experiments.live.test_monitoring_data import quiet, started  # noqa: F401
from tests.experiments.live.test_monitoring_sweep import approved, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quiet")]

TODAY = dt.date(2026, 3, 10)
TOMORROW = TODAY + dt.timedelta(days=1)


def checked_today(owner, approver) -> Experiment:
    """Running since three days ago, today's look taken on time at the slot."""
    experiment = started(owner, approver, on=TODAY - dt.timedelta(days=3))
    with time_machine.travel(at(TODAY, 6, 0, 30), tick=False):
        Experiment.objects.filter(pk=experiment.pk).update(next_check_at=at(TODAY, 6, 0, 0))
        experiment.refresh_from_db()
        check = run_check(experiment.pk, TODAY)
    assert (check.late, check.late_reason, check.skipped_dates) == (False, "", [])
    assert check.due_at == at(TODAY, 6, 0, 0)
    experiment.refresh_from_db()
    return experiment


def take(experiment, day, when):
    with time_machine.travel(when, tick=False):
        return run_check(experiment.pk, day)


def test_a_look_missed_at_the_slot_is_taken_by_the_next_sweep_that_day_and_marked_late(proposer, approver, queued):
    experiment = checked_today(proposer, approver)
    # tomorrow's slot passes with no sweep (broker down); nothing is due before it
    assert queued(at(TOMORROW, 5, 45))[1] == []
    report, calls = queued(at(TOMORROW, 9, 15))
    assert calls == [(experiment.pk, "2026-03-11")]
    assert report["look_date"] == "2026-03-11"

    check = take(experiment, TOMORROW, at(TOMORROW, 9, 15, 20))
    assert check.look_date == TOMORROW and check.action == Check.Action.CONTINUE
    assert check.late is True
    assert check.due_at == at(TOMORROW, 6, 0, 0)
    assert check.skipped_dates == []
    assert check.late_reason == "taken at 09:15, 3 h 15 min after the 06:00 slot of 11 Mar 2026"


def test_a_look_taken_within_the_grace_is_not_late(proposer, approver, queued):
    experiment = checked_today(proposer, approver)
    assert queued(at(TOMORROW, 6, 10))[1] == [(experiment.pk, "2026-03-11")]
    check = take(experiment, TOMORROW, at(TOMORROW, 6, 14))
    assert (check.late, check.late_reason) == (False, "")


@override_settings(MONITORING_GRACE_MINUTES=5)
def test_the_grace_is_a_setting(proposer, approver):
    experiment = checked_today(proposer, approver)
    check = take(experiment, TOMORROW, at(TOMORROW, 6, 10))
    assert check.late is True and check.late_reason.startswith("taken at 06:10, 10 min after the 06:00 slot")


def test_a_day_missed_altogether_is_caught_up_once_with_the_skipped_dates(proposer, approver, queued):
    experiment = checked_today(proposer, approver)
    day_after = TODAY + dt.timedelta(days=2)
    # no sweep ran at all on the 11th; the first sweep of the 12th takes the 12th's look only
    report, calls = queued(at(day_after, 0, 15))
    assert calls == [(experiment.pk, "2026-03-11")]  # before the 12th's slot, the 11th's look is the due one
    report, calls = queued(at(day_after, 6, 15))
    assert calls == [(experiment.pk, "2026-03-12")]

    check = take(experiment, day_after, at(day_after, 6, 16))
    assert check.late is True
    assert check.skipped_dates == ["2026-03-11"]
    assert check.late_reason == "taken at 06:16, 16 min after the 06:00 slot of 12 Mar 2026; missed: 11 Mar"
    # the skipped look is not taken afterwards: looks go in order
    assert take(experiment, TOMORROW, at(day_after, 6, 17)) is None
    assert list(Check.objects.filter(experiment=experiment).values_list("look_date", flat=True)) == [TODAY, day_after]


def test_many_missed_days_are_named_briefly(proposer, approver):
    experiment = checked_today(proposer, approver)
    later = TODAY + dt.timedelta(days=9)
    check = take(experiment, later, at(later, 8, 0))
    assert len(check.skipped_dates) == 8
    assert check.late_reason == (
        "taken at 08:00, 2 h 0 min after the 06:00 slot of 19 Mar 2026; "
        "missed: 11 Mar, 12 Mar, 13 Mar, 14 Mar, 15 Mar and 3 more days"
    )


def test_a_look_already_taken_is_not_queued_again(proposer, approver, queued):
    experiment = checked_today(proposer, approver)
    for hour, minute in ((6, 15), (6, 30), (12, 0), (23, 45)):
        assert queued(at(TODAY, hour, minute))[1] == [], (hour, minute)
    take(experiment, TOMORROW, at(TOMORROW, 6, 1))
    assert queued(at(TOMORROW, 6, 15))[1] == []


def test_every_sweep_queues_a_due_look_again_and_the_look_is_taken_once(proposer, approver, queued):
    """A task lost with a killed worker is queued again by the next sweep; both copies run: one check."""
    experiment = checked_today(proposer, approver)
    first = queued(at(TOMORROW, 6, 0, 2))[1]
    second = queued(at(TOMORROW, 6, 15))[1]
    assert first == second == [(experiment.pk, "2026-03-11")]
    with time_machine.travel(at(TOMORROW, 6, 16), tick=False):
        ids = {check_experiment(*args) for args in first + second}
    assert len(ids) == 1
    assert Check.objects.filter(experiment=experiment, look_date=TOMORROW).count() == 1


def test_before_the_slot_yesterdays_look_is_the_due_one_and_nothing_starts(proposer, approver, queued):
    starts_today = approved(proposer, approver, TODAY, key="starts-today")
    report, calls = queued(at(TODAY, 5, 30))
    assert report == {"started": [], "queued": [], "look_date": "2026-03-09"}
    assert Experiment.objects.get(pk=starts_today.pk).status == Status.APPROVED
    report, calls = queued(at(TODAY, 6, 15))
    assert report["started"] == ["starts-today"] and calls == [(starts_today.pk, "2026-03-10")]


def test_an_experiment_started_after_the_slot_is_due_from_its_start(proposer, approver):
    experiment = started(proposer, approver, on=TODAY)  # started at noon, after the 06:00 slot
    looks = due_looks(at(TODAY, 12, 10))
    assert [(e.pk, day, due) for e, day, due in looks] == [(experiment.pk, TODAY, at(TODAY, 12, 0, 0))]
    check = take(experiment, TODAY, at(TODAY, 12, 10))
    assert (check.late, check.due_at, check.skipped_dates) == (False, at(TODAY, 12, 0, 0), [])


def test_the_slot_counts_a_moment_early(db):
    """Beat may wake the slot a few seconds before the minute: that day's look is due already."""
    assert latest_due_date(at(TODAY, 5, 59, 30)) == TODAY
    assert latest_due_date(at(TODAY, 5, 50)) == TODAY - dt.timedelta(days=1)


def test_each_sweep_is_heard_by_the_apps_registered(db):
    from experiments.hooks import registry

    heard = []
    with registry.without(), time_machine.travel(at(TODAY, 6, 15), tick=False):
        registry.add("after_sweep", "tests", lambda now, report: heard.append((now, report)))
        sweep()
    assert heard == [(at(TODAY, 6, 15), {"started": [], "queued": [], "look_date": "2026-03-10"})]


def test_a_date_whose_look_was_taken_is_never_named_missed(proposer, approver):
    experiment = checked_today(proposer, approver)
    # next_check_at pointing too far back (edited by hand, say) does not make taken looks "missed"
    Experiment.objects.filter(pk=experiment.pk).update(next_check_at=at(TODAY - dt.timedelta(days=2), 6, 0, 0))
    experiment.refresh_from_db()
    check = take(experiment, TOMORROW + dt.timedelta(days=1), at(TOMORROW + dt.timedelta(days=1), 6, 5))
    assert check.skipped_dates == ["2026-03-11"]
