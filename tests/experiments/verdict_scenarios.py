"""Experiments the daily checks stopped, built through the real lifecycle and the real engine."""

import datetime as dt

import time_machine

from experiments import lifecycle
from experiments.models import Status
from experiments.overrides import agree_override, request_override
from tests.experiments.live.checks_factory import guardrail_drift, record_looks
from tests.factories import make_experiment

START = dt.date(2026, 11, 10)
UTC = dt.UTC
STARTED_AT = dt.datetime(2026, 11, 10, 9, 0, tzinfo=UTC)


def harm_stopped(owner, approver, **fields):
    """Started at 09:00 on 10 Nov; the complaint rate drifts up in the treatment until a check stops it
    (on day 11: the drift is calibrated at 5,000 eligible units a day)."""
    fields.setdefault("expected_daily_traffic", 5000)
    experiment = make_experiment(
        owner,
        approver,
        status=Status.APPROVED,
        planned_start=START,
        planned_end=START + dt.timedelta(days=27),
        **fields,
    )
    with time_machine.travel(STARTED_AT, tick=False):
        lifecycle.transition(experiment, "start", None, reason="Planned start.")
    checks = record_looks(experiment, days=28, rates=guardrail_drift("complaint-rate", from_day=3, per_day=0.5))
    experiment.refresh_from_db()
    assert experiment.status == Status.STOPPED and (checks[-1].action, checks[-1].outcome) == ("stop", "lost")
    return experiment, checks[-1]


def agreed_override_to_won(experiment, requester, keeper, reason="The complaints came from an unrelated outage."):
    override = request_override(experiment, requester, outcome="won", reason=reason)
    return agree_override(override, keeper, reason="Checked the outage log: agreed.")
