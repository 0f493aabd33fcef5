"""A running experiment to send data for, the helpers the ingestion tests share, and the happy path.

The experiment started on 5 March 2026 (its start event) and runs to 31 March; the tests' clock
stands at 10 March 12:00 UTC. Its metrics: fcr (binary, success), complaint-rate and
escalation-rate (binary guardrails), csat (mean, 1-5) and nps (0-10).
"""

import csv
import datetime as dt
import io
import uuid

from rest_framework.test import APIClient

from experiments.live.hashing import arm_for, is_exposed
from experiments.models import (
    DailyAggregate,
    DailyStat,
    Experiment,
    ExperimentEvent,
    ExperimentMetric,
    IngestBatch,
    Metric,
    Observation,
)
from tests.factories import make_experiment, make_service_key

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
STARTED = dt.datetime(2026, 3, 5, 9, 30, tzinfo=dt.UTC)
PLANNED_START, PLANNED_END = dt.date(2026, 3, 5), dt.date(2026, 3, 31)


def running_experiment(
    owner,
    approver=None,
    *,
    key="chat-greeting",
    cap=100,
    status="running",
    started=STARTED,
    planned_start=PLANNED_START,
    planned_end=PLANNED_END,
):
    """A running experiment with a start event at `started` (None: no start event)."""
    experiment = make_experiment(
        owner,
        approver,
        key=key,
        status="approved",
        exposure_cap_pct=cap,
        planned_start=planned_start,
        planned_end=planned_end,
    )
    ExperimentMetric.objects.create(
        experiment=experiment,
        metric=Metric.objects.get(key="csat"),
        role="guardrail",
        non_inferiority_margin=0.1,
        baseline_mean=4.1,
        baseline_sd=0.9,
    )
    ExperimentMetric.objects.create(
        experiment=experiment,
        metric=Metric.objects.get(key="nps"),
        role="guardrail",
        non_inferiority_margin=3,
        baseline_mean=30,
        baseline_sd=60,
    )
    if started is not None:
        ExperimentEvent.objects.create(
            experiment=experiment,
            action="start",
            from_status="approved",
            to_status="running",
            actor=owner,
            created_at=started,
        )
    Experiment.objects.filter(pk=experiment.pk).update(status=status)
    experiment.refresh_from_db()
    return experiment


def unit_in(experiment, arm, start=0, exposed=True):
    """The first unit id (u<i>, i >= start) the hashing assigns to `arm` (exposed), or leaves out."""
    weights = [(v.key, v.weight) for v in experiment.variants.all()]
    for i in range(start, start + 100_000):
        unit = f"u{i}"
        inside = is_exposed(experiment.key, experiment.exposure_cap_pct, unit)
        if not exposed and not inside:
            return unit
        if exposed and inside and arm_for(experiment.key, weights, unit) == arm:
            return unit
    raise AssertionError("no such unit")


def units_in(experiment, arm, count):
    found, start = [], 0
    while len(found) < count:
        unit = unit_in(experiment, arm, start)
        found.append(unit)
        start = int(unit[1:]) + 1
    return found


def outcome(experiment, arm="control", metric="fcr", value=1, time="2026-03-06T10:00:00Z", unit=None, **extra):
    row = {
        "experiment": experiment.key,
        "unit": unit or unit_in(experiment, arm),
        "arm": arm,
        "metric": metric,
        "value": value,
        "time": time,
    }
    row.update(extra)
    return {k: v for k, v in row.items() if v is not None}


def figure(experiment, arm="control", metric="fcr", day="2026-03-06", n=100, **sums):
    row = {"experiment": experiment.key, "arm": arm, "metric": metric, "day": day, "n": n}
    row.update(sums)
    return row


def api_client(user, experiments=None):
    """A service's client: a key made by `user` that may send data for `experiments` (default:
    every experiment there is now), so each row is still checked against what `user` may do."""
    _, secret = make_service_key(user, experiments, actions=("send_data",))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Key {secret}")
    return client


def send(client, path, rows, *, key=None, as_csv=False, columns=None):
    """POST rows to /api/outcomes/ or /api/daily-figures/ as JSON or CSV, with an Idempotency-Key."""
    headers = {"HTTP_IDEMPOTENCY_KEY": key or uuid.uuid4().hex}
    if as_csv:
        body = to_csv(rows, columns)
        return client.generic("POST", path, body, content_type="text/csv", secure=True, **headers)
    import json

    return client.generic(
        "POST", path, json.dumps({"rows": rows}), content_type="application/json", secure=True, **headers
    )


def to_csv(rows, columns=None) -> str:
    columns = columns or list(dict.fromkeys(name for row in rows for name in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in columns})
    return out.getvalue()


def stored_counts():
    return (Observation.objects.count(), DailyStat.objects.count(), DailyAggregate.objects.count())


# --- the happy path ----------------------------------------------------------------------------


def test_a_valid_batch_is_written_and_summarised_per_arm(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    rows = [
        outcome(experiment, "control", "fcr", 1, unit=unit_in(experiment, "control")),
        outcome(experiment, "short", "fcr", 0, unit=unit_in(experiment, "short")),
        outcome(experiment, "short", "csat", 4, unit=unit_in(experiment, "short")),
    ]
    response = send(api_client(proposer), "/api/outcomes/", rows)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["rows_written"] == 3
    assert body["experiments"] == {"chat-greeting": {"rows": 3, "arms": {"control": 1, "short": 2}}}
    assert Observation.objects.count() == 3
    batch = IngestBatch.objects.get()
    assert (batch.accepted, batch.status_code, batch.row_count, batch.kind, batch.created_by) == (
        True,
        201,
        3,
        "outcomes",
        proposer,
    )
    assert set(Observation.objects.values_list("batch_id", flat=True)) == {batch.pk}
    fcr_short = DailyStat.objects.get(variant__key="short", metric__key="fcr", day=dt.date(2026, 3, 6))
    assert (fcr_short.n, fcr_short.total) == (1, 0)


def test_a_batch_of_daily_figures_is_written(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    rows = [
        figure(experiment, "control", "fcr", n=812, successes=571),
        figure(experiment, "short", "csat", n=240, sum=1002, sum_sq=4380),
        figure(experiment, "short", "nps", n=120, sum=900, sum_sq=7400, promoters=50, detractors=20),
    ]
    response = send(api_client(proposer), "/api/daily-figures/", rows)
    assert response.status_code == 201, response.json()
    assert response.json()["experiments"]["chat-greeting"]["arms"] == {"control": 1, "short": 2}
    assert DailyAggregate.objects.count() == 3
    nps = DailyStat.objects.get(metric__key="nps")
    assert (nps.n, nps.total, nps.total_sq, nps.promoters, nps.detractors) == (120, 900, 7400, 50, 20)
    # Figures cover the whole day: fresh to its end.
    assert nps.last_observed_at == dt.datetime(2026, 3, 7, tzinfo=dt.UTC)
