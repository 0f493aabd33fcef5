"""Each daily look keeps its boundary states; the next look extends them and decides exactly as
recomputing every look from scratch would."""

import datetime as dt
import json
from unittest import mock

import pytest

from experiments.live.look_inputs import build_look
from experiments.live.monitoring import run_check
from experiments.models import KeptBoundaryState
from experiments.stats.boundaries import STATE_CACHE, BoundaryState
from tests.experiments.live.test_monitoring import on
from tests.experiments.live.test_monitoring_data import quiet, started, write_rates  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quiet")]

D0 = dt.date(2026, 3, 2)
# A little worse complaints in the treatment, better first-contact resolution: moving z, no decision.
RATES = {("fcr", "short"): 0.705, ("complaint-rate", "short"): 0.031}


def from_scratch(experiment, day):
    """The look of `day` recomputed with no kept state and an empty process cache, as JSON."""
    STATE_CACHE.clear()
    return json.loads(json.dumps(build_look(experiment, day).evaluate().as_dict()))


def test_28_daily_looks_from_kept_states_decide_exactly_as_recomputing_each_from_scratch(proposer, approver):
    experiment = started(proposer, approver, on=D0, days=28)
    for n in range(28):
        day = D0 + dt.timedelta(days=n)
        write_rates(experiment, day, 150 + 7 * (n % 5), RATES)
        STATE_CACHE.clear()  # the worker that takes the look is a fresh process: only the database remembers
        with on(day, 23, 0):
            check = run_check(experiment.pk, day)
        assert check.result == from_scratch(experiment, day), day
        kept = KeptBoundaryState.objects.filter(experiment=experiment)
        assert kept.count() == 2 and {row.looks for row in kept} == {check.look}  # success/guardrail level, harm
    assert check.final and check.look == 28


def test_a_look_extends_the_kept_states_instead_of_recomputing_the_earlier_looks(proposer, approver):
    experiment = started(proposer, approver, on=D0, days=28)
    for n in range(3):
        write_rates(experiment, D0 + dt.timedelta(days=n), 200, RATES)
        with on(D0 + dt.timedelta(days=n), 23, 0):
            run_check(experiment.pk, D0 + dt.timedelta(days=n))
    write_rates(experiment, D0 + dt.timedelta(days=3), 200, RATES)
    STATE_CACHE.clear()
    with (
        on(D0 + dt.timedelta(days=3), 23, 0),
        mock.patch.object(BoundaryState, "first", side_effect=AssertionError("recomputed from the first look")),
        mock.patch.object(BoundaryState, "extend", autospec=True, side_effect=BoundaryState.extend) as extend,
    ):
        check = run_check(experiment.pk, D0 + dt.timedelta(days=3))
    assert check.look == 4 and extend.call_count == 2  # one new look for each kept state


def test_a_changed_design_drops_the_kept_states_and_recomputes(proposer, approver):
    experiment = started(proposer, approver, on=D0, days=28)
    for n in range(2):
        write_rates(experiment, D0 + dt.timedelta(days=n), 200, RATES)
        with on(D0 + dt.timedelta(days=n), 23, 0):
            run_check(experiment.pk, D0 + dt.timedelta(days=n))
    before = set(KeptBoundaryState.objects.values_list("design_hash", flat=True))
    experiment.alpha = 0.02  # e.g. a corrected plan: every boundary depends on it
    experiment.save(update_fields=["alpha"])
    write_rates(experiment, D0 + dt.timedelta(days=2), 200, RATES)
    with on(D0 + dt.timedelta(days=2), 23, 0):
        check = run_check(experiment.pk, D0 + dt.timedelta(days=2))
    after = set(KeptBoundaryState.objects.values_list("design_hash", flat=True))
    assert len(after) == 2 and not before & after
    assert check.result == from_scratch(experiment, D0 + dt.timedelta(days=2))
