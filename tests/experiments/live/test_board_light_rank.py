"""The running board's light has two forms: presentation.light (Python, words for the rows shown)
and board.with_light_rank (SQL, the ranking of every row). They must agree on every case: each
status the board shows, each kind of newest check, and each state of the data, boundaries
included."""

import datetime as dt
import itertools

import pytest

from experiments.live.board import with_light_rank
from experiments.live.presentation import (
    LIGHT_RANK,
    STALE_AFTER,
    freshness_of,
    freshness_by_experiment,
    latest_checks,
    light,
)
from experiments.models import Check, DailyStat, Experiment, Status
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
FRESH = NOW - dt.timedelta(hours=20)
STALE = NOW - STALE_AFTER - dt.timedelta(seconds=1)
AT_THE_LIMIT = NOW - STALE_AFTER  # not stale yet: stale is strictly older than STALE_AFTER

# (last_observed_at, updated_at) of the experiment's data rows; None: no row at all.
DATA = {
    "no data": None,
    "observed fresh": (FRESH, FRESH),
    "observed stale": (STALE, STALE),
    "observed at the limit": (AT_THE_LIMIT, NOW),
    "observed stale, received fresh": (STALE, FRESH),  # the observation time decides
    "received only, fresh": (None, FRESH),
    "received only, stale": (None, STALE),
}
LATEST = [None, Check.Action.CONTINUE, Check.Action.ERROR, Check.Action.STOP, Check.Action.CONCLUDE]
STATUSES = [Status.RUNNING, Status.STOPPED]


def _add_check(experiment, action):
    Check.objects.create(
        experiment=experiment,
        look_date=NOW.date() - dt.timedelta(days=1),
        look=1,
        action=action,
        outcome="lost" if action == Check.Action.STOP else "",
        sentence=f"A {action} check.",
        created_at=NOW - dt.timedelta(days=1),
    )


def _add_data(experiment, data):
    if data is None:
        return
    observed, received = data
    variant = experiment.variants.first()
    metric = experiment.metrics.first().metric
    DailyStat.objects.create(
        experiment=experiment,
        variant=variant,
        metric=metric,
        day=NOW.date() - dt.timedelta(days=3),
        n=100,
        last_observed_at=observed,
        updated_at=received,
    )
    # An older row as well: the newest one is what counts.
    DailyStat.objects.create(
        experiment=experiment,
        variant=variant,
        metric=metric,
        day=NOW.date() - dt.timedelta(days=30),
        n=100,
        last_observed_at=observed and observed - dt.timedelta(days=30),
        updated_at=received - dt.timedelta(days=30),
    )


def test_the_sql_rank_and_the_python_light_agree_on_every_case(proposer, approver):
    cases = {}
    for status, action, data in itertools.product(STATUSES, LATEST, DATA):
        experiment = make_experiment(proposer, approver, status=status)
        if action:
            _add_check(experiment, action)
        _add_data(experiment, DATA[data])
        cases[experiment.pk] = (status, action, data)

    ranked = with_light_rank(Experiment.objects.filter(pk__in=cases), now=NOW)
    sql = dict(ranked.values_list("pk", "light_rank"))
    latest = latest_checks(cases)
    fresh = freshness_by_experiment(cases)
    disagreements = []
    for experiment in Experiment.objects.filter(pk__in=cases):
        watched = freshness_of(experiment, fresh.get(experiment.pk, (None, None)), now=NOW)
        python = light(experiment, latest.get(experiment.pk), watched)
        if LIGHT_RANK[python.colour] != sql[experiment.pk]:
            disagreements.append((cases[experiment.pk], python.colour, sql[experiment.pk]))
    assert len(cases) == len(STATUSES) * len(LATEST) * len(DATA)
    assert disagreements == []
    # Every colour is reached, so the comparison is not vacuous.
    assert set(sql.values()) == set(LIGHT_RANK.values())


def test_the_rank_follows_the_clock(proposer, approver):
    """The same rows go amber when their data ages past STALE_AFTER, with nothing written."""
    experiment = make_experiment(proposer, approver, status=Status.RUNNING)
    _add_check(experiment, Check.Action.CONTINUE)
    _add_data(experiment, DATA["observed fresh"])
    one = Experiment.objects.filter(pk=experiment.pk)
    assert with_light_rank(one, now=NOW).get().light_rank == LIGHT_RANK["green"]
    later = FRESH + STALE_AFTER + dt.timedelta(minutes=1)
    assert with_light_rank(one, now=later).get().light_rank == LIGHT_RANK["amber"]
