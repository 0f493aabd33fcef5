"""Counts that disagree are an error (issue 13): data claiming more units than Pagar assigned is
recorded as a data error naming both numbers, told to the signal owners once; the information
fraction comes from the data the tests use."""

import datetime as dt

import pytest

from approvals.models import Notification
from experiments.live.monitoring import build_look, run_check
from experiments.models import Check, Status
from tests.experiments.live.test_monitoring import D0, on
from tests.experiments.live.test_monitoring_data import BASE_RATES, METRICS, assign, quiet, started, write_day  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quiet")]

TRIPLED = {("escalation-rate", "short"): 0.24}  # escalations from 8 % to 24 %


@pytest.fixture
def experiment(proposer, approver, signal_owner):
    return started(proposer, approver, on=D0, days=28)


def figures(experiment, day, units, rates=None, arms=("control", "short")):
    """Daily figures of `units` per arm for every metric (no assignment counts written)."""
    rates = rates or {}
    for metric in METRICS:
        for arm in arms:
            write_day(experiment, day, arm, metric, units, round(units * rates.get((metric, arm), BASE_RATES[metric])))


def failures(experiment):
    return Notification.objects.filter(experiment=experiment, kind=Notification.Kind.CHECK_FAILED)


@pytest.mark.approvals  # the signal owners are told through the approvals app's notices
def test_figures_for_6000_units_per_arm_when_99_were_assigned_are_a_data_error_not_a_silent_continue(experiment):
    day = D0 + dt.timedelta(days=1)
    assign(experiment, day, control=99, short=99)
    figures(experiment, day, 6000, TRIPLED)  # a harm the check stops on when the counts agree (below)
    look_date = D0 + dt.timedelta(days=2)
    with on(look_date):
        check = run_check(experiment.pk, look_date)

    assert check.action == Check.Action.ERROR
    assert "control: 6,000 units in the data, 99 assigned; short: 6,000 units in the data, 99 assigned" in (
        check.sentence
    )
    assert "3 Mar 2026" in check.sentence and "resend" in check.sentence
    assert check.result["field"] == "units"
    assert check.result["counts"] == {
        "day": day.isoformat(),
        "arms": {"control": {"in_data": 6000, "assigned": 99}, "short": {"in_data": 6000, "assigned": 99}},
        "over": ["control", "short"],
    }
    experiment.refresh_from_db()
    assert experiment.status == Status.RUNNING  # neither stopped on data it cannot trust nor silently continued
    assert list(failures(experiment).values_list("user__username", flat=True)) == ["sam_signal"]
    assert check.sentence in failures(experiment).get().message

    with on(look_date):
        assert run_check(experiment.pk, look_date).pk == check.pk  # the same look again: no second notice
    next_day = look_date + dt.timedelta(days=1)
    with on(next_day):
        assert run_check(experiment.pk, next_day).pk == check.pk  # the same disagreement: recorded and told once
    assert failures(experiment).count() == 1
    assert Check.objects.filter(experiment=experiment).count() == 1


def test_data_within_the_tolerance_of_the_assigned_units_are_checked(experiment):
    day = D0 + dt.timedelta(days=1)
    assign(experiment, day, control=3000, short=3000)
    figures(experiment, day, 3100, TRIPLED)  # 3.3 % more than assigned: within the 5 % default
    with on(day):
        check = run_check(experiment.pk, day)

    assert check.action == "stop" and check.outcome == "lost"  # the tripled escalation rate stops it
    assert not failures(experiment).exists()


def test_a_tolerance_of_zero_allows_no_unit_beyond_the_assigned(experiment, settings):
    settings.DATA_UNITS_TOLERANCE_PERCENT = 0
    day = D0 + dt.timedelta(days=1)
    assign(experiment, day, control=3000, short=3000)
    figures(experiment, day, 3001, arms=("short",))
    figures(experiment, day, 3000, arms=("control",))
    with on(day):
        check = run_check(experiment.pk, day)

    assert check.action == Check.Action.ERROR
    assert "more than 0% over" in check.sentence
    assert check.result["counts"]["over"] == ["short"]


def test_the_days_are_compared_one_by_one(experiment):
    # In total the data hold no more units than were assigned, but on 3 Mar they claimed 3,000 per
    # arm when 100 had been assigned: figures dated before their units were assigned.
    assign(experiment, D0 + dt.timedelta(days=1), control=100, short=100)
    assign(experiment, D0 + dt.timedelta(days=2), control=2900, short=2900)
    figures(experiment, D0 + dt.timedelta(days=1), 3000)
    look_date = D0 + dt.timedelta(days=2)
    with on(look_date):
        check = run_check(experiment.pk, look_date)

    assert check.action == Check.Action.ERROR
    assert "up to 3 Mar 2026" in check.sentence
    assert "control: 3,000 units in the data, 100 assigned" in check.sentence


def test_an_experiment_not_assigned_through_pagar_is_judged_on_its_data(experiment):
    day = D0 + dt.timedelta(days=1)
    figures(experiment, day, 6000, TRIPLED)  # no assignment counts: assigned elsewhere
    with on(day):
        check = run_check(experiment.pk, day)

    assert (check.action, check.outcome) == ("stop", "lost")
    assert check.units == {"control": 6000, "short": 6000}
    assert not failures(experiment).exists()


def test_the_information_fraction_comes_from_the_units_in_the_data(experiment):
    day = D0 + dt.timedelta(days=1)
    assign(experiment, day, control=4000, short=4000)
    figures(experiment, day, 2000)  # half the assigned units have outcomes so far
    with on(day):
        check = run_check(experiment.pk, day)

    planned = build_look(experiment, day).design.planned_units
    assert check.action == "continue"
    assert check.units == {"control": 4000, "short": 4000}  # the sample-ratio check reads the assigned units
    assert check.information_fraction == pytest.approx(4000 / planned)  # the tests' 2 x 2,000 units, not 8,000
