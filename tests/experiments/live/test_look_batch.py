"""The sweep's chunks: many looks' data read in a few queries, each look still taken once, and
exactly the decisions of taking the looks one by one."""

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from experiments.live import look_batch, monitoring
from experiments.live.monitoring import run_check, run_checks
from experiments.models import Check, Experiment
from experiments.tasks import check_experiments
from tests.experiments.live.test_monitoring import on
from tests.experiments.live.test_monitoring_data import quiet, started, write_rates  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quiet")]

D0 = dt.date(2026, 3, 2)
RATES = {("fcr", "short"): 0.71, ("complaint-rate", "short"): 0.031}


def running(proposer, approver, count: int, days: int = 3):
    experiments = [started(proposer, approver, on=D0, days=28) for _ in range(count)]
    for index, experiment in enumerate(experiments):
        for n in range(days):
            write_rates(experiment, D0 + dt.timedelta(days=n), 180 + 10 * index + n, RATES)
    return experiments


def queries(fn) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def test_a_chunk_reads_its_experiments_data_in_the_same_few_queries_however_many(proposer, approver):
    experiments = running(proposer, approver, 6)
    ids = [e.pk for e in experiments]
    few = queries(lambda: look_batch.prefetch(ids[:2], D0 + dt.timedelta(days=2)))
    many = queries(lambda: look_batch.prefetch(ids, D0 + dt.timedelta(days=2)))
    assert few == many <= 8


def test_a_chunk_of_looks_decides_exactly_as_the_looks_taken_one_by_one(proposer, approver):
    twins = [started(proposer, approver, on=D0, days=28) for _ in range(4)]  # the same data each
    for n in range(3):
        day = D0 + dt.timedelta(days=n)
        for experiment in twins:
            write_rates(experiment, day, 200 + 15 * n, RATES)
        with on(day, 23, 0):
            run_checks([twins[0].pk, twins[1].pk], day)  # a chunk
            run_check(twins[2].pk, day)  # one by one
            run_check(twins[3].pk, day)
    looks = [list(Check.objects.filter(experiment=e).order_by("look_date")) for e in twins]
    assert [len(checks) for checks in looks] == [3, 3, 3, 3]
    for chunked, single in zip(looks[0] + looks[1], looks[2] + looks[3], strict=True):
        assert (chunked.result, chunked.sentence, chunked.units) == (single.result, single.sentence, single.units)
        assert (chunked.due_at, chunked.late, chunked.skipped_dates) == (
            single.due_at,
            single.late,
            single.skipped_dates,
        )


def test_per_look_queries_do_not_grow_with_the_chunk(proposer, approver):
    experiments = running(proposer, approver, 6)
    ids = [e.pk for e in experiments]
    day = D0 + dt.timedelta(days=2)
    with on(day, 23, 0):
        two = queries(lambda: run_checks(ids[:2], day))
        four = queries(lambda: run_checks(ids[2:], day))
    per_look = (four - two) / 2
    assert per_look <= 13  # claim, earlier looks, write: nothing read per look that a chunk reads once


def test_the_sweep_queues_the_due_ids_in_chunks(proposer, approver, django_capture_on_commit_callbacks):
    experiments = running(proposer, approver, 5, days=1)
    Experiment.objects.update(next_check_at=None)  # all due
    with (
        on(D0 + dt.timedelta(days=1), 6, 30),
        mock.patch.object(monitoring, "CHECKS_PER_TASK", 2),
        mock.patch("experiments.tasks.check_experiments.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = monitoring.sweep()
    ids, day = sorted(e.pk for e in experiments), report["look_date"]
    assert [call.args for call in delay.call_args_list] == [(ids[0:2], day), (ids[2:4], day), (ids[4:], day)]


def test_one_failing_look_does_not_keep_the_chunk_from_the_others(proposer, approver):
    experiments = running(proposer, approver, 3, days=1)
    ids = [e.pk for e in experiments]
    real = monitoring._look_and_act

    def fails_for_the_first(experiment, *args):
        if experiment.pk == ids[0]:
            raise RuntimeError("boom")
        return real(experiment, *args)

    with (
        on(D0, 23, 0),
        mock.patch.object(monitoring, "_look_and_act", side_effect=fails_for_the_first),
        pytest.raises(RuntimeError),
    ):
        check_experiments(ids, D0.isoformat())
    assert set(Check.objects.filter(look_date=D0).values_list("experiment_id", flat=True)) == set(ids[1:])
    with on(D0, 23, 30):
        check_experiments(ids, D0.isoformat())  # redelivered: the rest is taken, nothing twice
    assert Check.objects.filter(look_date=D0).count() == 3
