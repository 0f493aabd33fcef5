"""Builders shared by the monitoring tests (this module holds no tests of its own).

`started(...)` starts an experiment through the lifecycle on a given day (a real "start" event);
`write_day(...)` and `assign(...)` put a day's sufficient statistics and assignment counts in, in
the shape ingestion and the assignment buffer write them.
"""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.utils import timezone

from experiments.lifecycle import transition
from experiments.models import AssignmentCount, DailyStat, Experiment, Metric, Status, Variant
from tests.factories import make_experiment

# Units assigned per arm per day in the examples, and the experiment's metrics (tests/factories).
METRICS = ("fcr", "complaint-rate", "escalation-rate")
BASE_RATES = {"fcr": 0.70, "complaint-rate": 0.03, "escalation-rate": 0.08}


@pytest.fixture
def quiet():
    """Notifications and outbox rows are written, but nothing is sent."""
    with mock.patch("mailing.outbox.nudge") as queue:
        yield queue


def at_noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def started(owner, approver, *, on: dt.date, days: int = 28, **fields) -> Experiment:
    """An approved experiment started by the scheduler on `on` (its planned start), `days` long."""
    experiment = make_experiment(
        owner,
        approver,
        status=Status.APPROVED,
        planned_start=on,
        planned_end=on + dt.timedelta(days=days - 1),
        **fields,
    )
    with time_machine.travel(at_noon(on), tick=False), mock.patch("mailing.outbox.nudge"):
        transition(experiment, "start", None)
    experiment.refresh_from_db()
    return experiment


def variant(experiment, key) -> Variant:
    return experiment.variants.get(key=key)


def write_day(
    experiment,
    day: dt.date,
    arm: str,
    metric: str,
    n: int,
    total: float,
    total_sq: float | None = None,
    promoters: int = 0,
    detractors: int = 0,
    last_observed_at: dt.datetime | None = None,
) -> DailyStat:
    """One day's sums for one arm and metric (a binary metric's total is its successes)."""
    return DailyStat.objects.create(
        experiment=experiment,
        variant=variant(experiment, arm),
        metric=Metric.objects.get(key=metric),
        day=day,
        n=n,
        total=total,
        total_sq=total if total_sq is None else total_sq,
        promoters=promoters,
        detractors=detractors,
        last_observed_at=last_observed_at or at_noon(day),
        updated_at=last_observed_at or at_noon(day),
    )


def assign(experiment, day: dt.date, **counts) -> None:
    for arm, count in counts.items():
        AssignmentCount.objects.create(experiment=experiment, variant=variant(experiment, arm), day=day, count=count)


def write_rates(experiment, day: dt.date, units: int, rates: dict, *, arms=("control", "short")) -> None:
    """`units` per arm assigned on `day`, and each binary metric at its rate: rates maps
    (metric, arm) to a rate, missing pairs take BASE_RATES."""
    assign(experiment, day, **dict.fromkeys(arms, units))
    for metric in METRICS:
        for arm in arms:
            rate = rates.get((metric, arm), BASE_RATES[metric])
            write_day(experiment, day, arm, metric, units, round(units * rate))
