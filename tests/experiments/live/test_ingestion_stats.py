"""DailyStat holds exactly the sums of the rows received, per experiment, arm, metric and local day."""

import datetime as dt
import random
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from experiments.models import DailyStat, Observation
from tests.experiments.live.test_ingestion_scenario import (
    api_client,
    figure,
    outcome,
    running_experiment,
    send,
    units_in,
)

VALUES = {"fcr": [0, 1], "complaint-rate": [0, 1], "csat": [1, 2, 3, 4, 5, 3.5], "nps": list(range(11))}


def random_rows(experiment, rng, count, units):
    rows = []
    start = dt.datetime(2026, 3, 5, 0, 0, tzinfo=dt.UTC)
    seen = set()
    while len(rows) < count:
        arm = rng.choice(["control", "short"])
        metric = rng.choice(list(VALUES))
        unit = rng.choice(units[arm])
        when = start + dt.timedelta(seconds=rng.randrange(0, 5 * 86400 + 12 * 3600))
        if (metric, unit, when) in seen:
            continue
        seen.add((metric, unit, when))
        rows.append(outcome(experiment, arm, metric, rng.choice(VALUES[metric]), time=when.isoformat(), unit=unit))
    return rows


def expected_cells(rows, zone):
    cells = defaultdict(lambda: [0, 0.0, 0.0, 0, 0, None])
    for row in rows:
        when = dt.datetime.fromisoformat(row["time"])
        cell = cells[(row["arm"], row["metric"], when.astimezone(zone).date())]
        value = float(row["value"])
        cell[0] += 1
        cell[1] += value
        cell[2] += value * value
        if row["metric"] == "nps":
            cell[3] += value >= 9
            cell[4] += value <= 6
        cell[5] = max(cell[5], when) if cell[5] else when
    return cells


def stored_cells():
    return {
        (s.variant.key, s.metric.key, s.day): [s.n, s.total, s.total_sq, s.promoters, s.detractors, s.last_observed_at]
        for s in DailyStat.objects.select_related("variant", "metric")
    }


def assert_same(stored, expected):
    assert set(stored) == set(expected)
    for key, (n, total, total_sq, promoters, detractors, last) in expected.items():
        got = stored[key]
        assert got[0] == n and got[3:5] == [promoters, detractors], key
        assert got[1] == pytest.approx(total) and got[2] == pytest.approx(total_sq), key
        assert got[5] == last, key


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Asia/Tokyo"])
def test_daily_sums_equal_a_direct_computation_from_the_rows(frozen, proposer, approver, zone):
    with override_settings(TIME_ZONE=zone):
        experiment = running_experiment(proposer, approver, started=dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC))
        rng = random.Random(7)
        units = {arm: units_in(experiment, arm, 40) for arm in ("control", "short")}
        rows = random_rows(experiment, rng, 600, units)
        client = api_client(proposer)
        # Two batches, so the second adds into cells the first created.
        assert send(client, "/api/outcomes/", rows[:350]).status_code == 201
        assert send(client, "/api/outcomes/", rows[350:], as_csv=True).status_code == 201

    expected = expected_cells(rows, ZoneInfo(zone))
    assert_same(stored_cells(), expected)
    # ... and equal the sums of the stored raw rows, the audit trail.
    raw = [
        {"arm": o.variant.key, "metric": o.metric.key, "value": o.value, "time": o.observed_at.isoformat()}
        for o in Observation.objects.select_related("variant", "metric")
    ]
    assert_same(stored_cells(), expected_cells(raw, ZoneInfo(zone)))


def test_nps_counts_promoters_and_detractors_at_their_thresholds(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    units = units_in(experiment, "control", 11)
    rows = [
        outcome(experiment, "control", "nps", score, unit=unit) for score, unit in zip(range(11), units, strict=False)
    ]
    assert send(api_client(proposer), "/api/outcomes/", rows).status_code == 201
    stat = DailyStat.objects.get()
    assert (stat.n, stat.promoters, stat.detractors, stat.total, stat.total_sq) == (11, 2, 7, 55, 385)


def test_last_observed_at_keeps_the_latest_time_whatever_the_order_of_batches(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    client = api_client(proposer)
    late, early = "2026-03-06T20:00:00Z", "2026-03-06T08:00:00Z"
    assert send(client, "/api/outcomes/", [outcome(experiment, time=late)]).status_code == 201
    assert send(client, "/api/outcomes/", [outcome(experiment, "short", time=early)]).status_code == 201
    assert send(client, "/api/outcomes/", [outcome(experiment, time=early)]).status_code == 201
    control = DailyStat.objects.get(variant__key="control")
    assert control.n == 2
    assert control.last_observed_at == dt.datetime(2026, 3, 6, 20, tzinfo=dt.UTC)
    assert control.updated_at == frozen


def test_daily_figures_add_into_the_same_statistics(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    client = api_client(proposer)
    assert (
        send(
            client, "/api/outcomes/", [outcome(experiment, "control", "fcr", 1, time="2026-03-06T10:00:00Z")]
        ).status_code
        == 201
    )
    figures = [
        figure(experiment, "control", "fcr", day="2026-03-07", n=400, successes=290),
        figure(experiment, "short", "csat", day="2026-03-07", n=4, sum=14, sum_sq=52),
    ]
    assert send(client, "/api/daily-figures/", figures).status_code == 201
    assert sorted(DailyStat.objects.values_list("variant__key", "metric__key", "day", "n", "total", "total_sq")) == [
        ("control", "fcr", dt.date(2026, 3, 6), 1, 1.0, 1.0),
        ("control", "fcr", dt.date(2026, 3, 7), 400, 290.0, 290.0),
        ("short", "csat", dt.date(2026, 3, 7), 4, 14.0, 52.0),
    ]
