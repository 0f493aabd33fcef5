"""Batches at the same moment: sums add up, one key is one batch, identical rows are stored once.

Needs real row locks and concurrent transactions, so it runs on PostgreSQL (CI runs the suite
there too); SQLite serialises every write transaction.
"""

import json

import pytest

from experiments.live.idempotency import body_sha256
from experiments.live.ingestion import ingest_daily_figures, ingest_outcomes
from experiments.models import DailyAggregate, DailyStat, IngestBatch, Observation
from tests.concurrency import POSTGRES_ONLY, at_once
from tests.experiments.live.test_ingestion_scenario import figure, outcome, running_experiment, units_in  # noqa: F401

pytestmark = [
    pytest.mark.django_db(transaction=True),
    POSTGRES_ONLY,
]


def sha(rows):
    return body_sha256(json.dumps(rows).encode())


@pytest.fixture
def experiment(seeded_catalogues, frozen, proposer, approver):
    return running_experiment(proposer, approver)


def test_concurrent_batches_on_the_same_cells_add_up(experiment, proposer):
    # 8 batches, each 50 units per arm on the same two metrics and days: every cell is shared, and
    # none exists yet, so they are also created at the same moment.
    units = {arm: units_in(experiment, arm, 400) for arm in ("control", "short")}
    batches = []
    for b in range(8):
        rows = []
        for arm in ("control", "short"):
            for i, unit in enumerate(units[arm][b * 50 : (b + 1) * 50]):
                rows.append(outcome(experiment, arm, "fcr", i % 2, time=f"2026-03-0{6 + i % 2}T10:00:00Z", unit=unit))
                rows.append(
                    outcome(experiment, arm, "csat", 1 + i % 5, time=f"2026-03-0{6 + i % 2}T11:00:00Z", unit=unit)
                )
        batches.append(rows)
    results = at_once(
        *[
            lambda rows=rows, b=b: ingest_outcomes(proposer, rows, f"batch-{b}", sha(rows))
            for b, rows in enumerate(batches)
        ]
    )
    assert [r.status for r in results] == [201] * 8, results

    everything = [row for rows in batches for row in rows]
    assert Observation.objects.count() == len(everything) == 1600
    for stat in DailyStat.objects.select_related("variant", "metric"):
        mine = [
            r
            for r in everything
            if (r["arm"], r["metric"], r["time"][:10]) == (stat.variant.key, stat.metric.key, stat.day.isoformat())
        ]
        assert stat.n == len(mine)
        assert stat.total == sum(r["value"] for r in mine)
        assert stat.total_sq == sum(r["value"] ** 2 for r in mine)
    assert DailyStat.objects.count() == 8  # 2 arms x 2 metrics x 2 days


def test_the_same_daily_figures_under_two_keys_are_stored_once(experiment, proposer):
    rows = [figure(experiment, arm, "fcr", day="2026-03-06", n=100, successes=40) for arm in ("control", "short")]
    other = [dict(row, n=120, successes=41) for row in rows]
    results = at_once(
        lambda: ingest_daily_figures(proposer, rows, "figures-a", sha(rows)),
        lambda: ingest_daily_figures(proposer, other, "figures-b", sha(other)),
    )
    assert sorted(r.status for r in results) == [201, 400], results
    refused = next(r for r in results if r.status == 400)
    assert "Already recorded" in refused.payload["errors"][0]["message"]
    assert DailyAggregate.objects.count() == DailyStat.objects.count() == 2
    accepted_n = 100 if results[0].status == 201 else 120
    assert list(DailyStat.objects.values_list("n", flat=True)) == [accepted_n, accepted_n]


def test_two_batches_giving_other_segments_of_one_cell_at_once_store_one(experiment, proposer):
    """A cell's figures come in one batch: two batches at the same moment with different segments
    of the same cells would pass each other's checks and add up; one is refused instead."""
    rows_a = [
        figure(experiment, arm, "fcr", day="2026-03-06", n=100, successes=40, segment="seniors")
        for arm in ("control", "short")
    ]
    rows_b = [dict(row, n=50, successes=20, segment="business") for row in rows_a]
    results = at_once(
        lambda: ingest_daily_figures(proposer, rows_a, "seniors-batch", sha(rows_a)),
        lambda: ingest_daily_figures(proposer, rows_b, "business-batch", sha(rows_b)),
    )
    assert sorted(r.status for r in results) == [201, 400], results
    refused = next(r for r in results if r.status == 400)
    assert "Already recorded" in refused.payload["errors"][0]["message"]
    accepted_n = 100 if results[0].status == 201 else 50
    assert list(DailyStat.objects.values_list("n", flat=True)) == [accepted_n, accepted_n]
    assert DailyAggregate.objects.values("batch").distinct().count() == 1


@pytest.mark.parametrize("same_body", [True, False], ids=["same body", "other body"])
def test_two_requests_racing_with_one_key_leave_one_batch(experiment, proposer, same_body):
    rows_a = [outcome(experiment, "control", unit=u) for u in units_in(experiment, "control", 200)]
    rows_b = rows_a if same_body else [outcome(experiment, "short", unit=u) for u in units_in(experiment, "short", 200)]
    results = at_once(
        lambda: ingest_outcomes(proposer, rows_a, "one-key", sha(rows_a)),
        lambda: ingest_outcomes(proposer, rows_b, "one-key", sha(rows_b)),
    )
    assert IngestBatch.objects.filter(idempotency_key="one-key").count() == 1
    assert Observation.objects.count() == 200
    assert sum(DailyStat.objects.values_list("n", flat=True)) == 200
    statuses = sorted((r.status, r.replayed) for r in results)
    if same_body:
        assert statuses in ([(201, False), (201, True)], [(201, False), (409, False)]), results
        winner = next(r for r in results if not r.replayed and r.status == 201)
        assert all(r.payload == winner.payload for r in results if r.status == 201)
    else:
        assert statuses in ([(201, False), (422, False)], [(201, False), (409, False)]), results


def test_identical_rows_under_two_keys_are_stored_once(experiment, proposer):
    rows = [outcome(experiment, "control", unit=u) for u in units_in(experiment, "control", 300)]
    results = at_once(
        lambda: ingest_outcomes(proposer, rows, "key-a", sha(rows)),
        lambda: ingest_outcomes(proposer, rows, "key-b", sha(rows)),
    )
    assert sorted(r.status for r in results) == [201, 400], results
    refused = next(r for r in results if r.status == 400)
    assert refused.payload["error_count"] == 300
    assert "Already recorded" in refused.payload["errors"][0]["message"]
    assert Observation.objects.count() == 300
    assert DailyStat.objects.get().n == 300
