"""One source per cell: per-unit outcomes or daily figures for an experiment, arm, metric and day,
never both; a metric's plan may declare which. The API and the upload page share the rule."""

import datetime as dt
import json

import pytest

from experiments.live import cell_sources
from experiments.live.idempotency import body_sha256
from experiments.live.ingestion import ingest_daily_figures, ingest_outcomes
from experiments.models import CellSource, DailyStat, ExperimentMetric, IngestBatch
from tests.concurrency import POSTGRES_ONLY, at_once
from tests.experiments.live.test_ingestion_scenario import (
    api_client,
    figure,
    outcome,
    running_experiment,
    send,
    stored_counts,
    to_csv,
    units_in,
)
from tests.experiments.live.test_upload_page import page_text, upload
from tests.experiments.web import https_client


def sha(rows):
    return body_sha256(json.dumps(rows).encode())


def declare(experiment, metric_key, source):
    ExperimentMetric.objects.filter(experiment=experiment, metric__key=metric_key).update(data_source=source)


@pytest.fixture
def experiment(seeded_catalogues, frozen, proposer, approver):
    return running_experiment(proposer, approver)


def cells():
    return sorted(CellSource.objects.values_list("variant__key", "metric__key", "day", "kind"))


def test_each_batch_claims_its_cells_for_its_kind(experiment, proposer):
    rows = [outcome(experiment, "control"), outcome(experiment, "short", "csat", 4)]
    assert ingest_outcomes(proposer, rows, "outcomes-1", sha(rows)).status == 201
    figures = [figure(experiment, "control", "fcr", day="2026-03-07", n=10, successes=4)]
    assert ingest_daily_figures(proposer, figures, "figures-1", sha(figures)).status == 201
    day6, day7 = (dt.date(2026, 3, d) for d in (6, 7))
    assert cells() == [
        ("control", "fcr", day6, "outcomes"),
        ("control", "fcr", day7, "daily"),
        ("short", "csat", day6, "outcomes"),
    ]


def test_a_cell_held_by_the_other_kind_refuses_the_whole_batch_naming_the_metric(experiment, proposer):
    """Held by a claim alone (a batch of the other kind committed at the same moment): the claim decides."""
    rows = [outcome(experiment, "control"), outcome(experiment, "short")]
    day = dt.date(2026, 3, 6)
    control = experiment.variants.get(key="control")
    fcr = experiment.metrics.get(metric__key="fcr").metric
    CellSource.objects.create(experiment=experiment, variant=control, metric=fcr, day=day, kind="daily")

    answer = ingest_outcomes(proposer, rows, "outcomes-1", sha(rows))
    assert answer.status == 400
    assert answer.payload["errors"] == [
        {
            "row": 1,
            "field": "metric",
            "message": "Metric fcr of experiment chat-greeting takes daily figures for arm control on 06 Mar 2026 "
            "(they came first); per-unit outcomes were refused: one kind of data per experiment, arm, metric and "
            "day.",
        }
    ]
    assert stored_counts() == (0, 0, 0)
    assert CellSource.objects.count() == 1  # the short arm's claim went back with the refusal
    assert IngestBatch.objects.get().status_code == 400  # recorded: a retry gets the same answer


def test_outcomes_then_figures_for_a_cell_the_figures_are_refused(experiment, proposer):
    rows = [outcome(experiment, "control")]
    assert ingest_outcomes(proposer, rows, "outcomes-1", sha(rows)).status == 201
    figures = [figure(experiment, "control", "fcr", n=10, successes=4)]
    answer = ingest_daily_figures(proposer, figures, "figures-1", sha(figures))
    assert answer.status == 400
    assert "Per-unit outcomes were already sent" in answer.payload["errors"][0]["message"]
    assert DailyStat.objects.get().n == 1


def test_a_metric_declared_for_daily_figures_refuses_outcomes(experiment, proposer):
    declare(experiment, "fcr", "daily")
    rows = [outcome(experiment, "control"), outcome(experiment, "short", "csat", 4)]
    answer = ingest_outcomes(proposer, rows, "outcomes-1", sha(rows))
    assert answer.status == 400
    assert answer.payload["errors"] == [
        {
            "row": 1,
            "field": "metric",
            "message": "Metric fcr of experiment chat-greeting takes daily figures; per-unit outcomes were refused.",
        }
    ]
    assert stored_counts() == (0, 0, 0) and CellSource.objects.count() == 0
    figures = [figure(experiment, "control", "fcr", n=10, successes=4)]
    assert ingest_daily_figures(proposer, figures, "figures-1", sha(figures)).status == 201


def test_a_metric_declared_for_outcomes_refuses_figures_through_the_api_too(experiment, proposer):
    declare(experiment, "fcr", "units")
    response = send(api_client(proposer), "/api/daily-figures/", [figure(experiment, "control", "fcr", successes=4)])
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "metric"
    assert response.json()["errors"][0]["message"] == (
        "Metric fcr of experiment chat-greeting takes per-unit outcomes; daily figures were refused."
    )


def test_the_upload_page_keeps_the_same_rule(experiment, proposer):
    declare(experiment, "fcr", "units")
    csv_text = to_csv(
        [figure(experiment, "control", "fcr", successes=4)], columns=["arm", "metric", "day", "n", "successes"]
    )
    response = upload(https_client(proposer), experiment, csv_text, kind="daily", name="daily.csv")
    assert response.status_code == 400
    assert "takes per-unit outcomes; daily figures were refused." in page_text(response.content.decode())
    assert stored_counts() == (0, 0, 0)


def test_claiming_is_all_or_nothing(experiment):
    day = dt.date(2026, 3, 6)
    control, short = (experiment.variants.get(key=k).pk for k in ("control", "short"))
    fcr = experiment.metrics.get(metric__key="fcr").metric_id
    assert cell_sources.claim("daily", [(experiment.pk, control, fcr, day)]) == {}
    both = [(experiment.pk, control, fcr, day), (experiment.pk, short, fcr, day)]
    assert cell_sources.claim("outcomes", both) == {(experiment.pk, control, fcr, day): "daily"}
    assert CellSource.objects.count() == 1
    assert cell_sources.claim("daily", both) == {}  # the same kind again: claimed, no conflict
    assert CellSource.objects.count() == 2


def test_the_plan_declares_the_source_through_the_api(experiment, proposer):
    from experiments.api.serializers.rows import MetricRowSerializer

    row = MetricRowSerializer(experiment.metrics.get(metric__key="fcr")).data
    assert row["data_source"] == ""
    serializer = MetricRowSerializer(data={**row, "data_source": "daily"})
    assert serializer.is_valid(), serializer.errors
    assert not MetricRowSerializer(data={**row, "data_source": "both"}).is_valid()


@pytest.mark.django_db(transaction=True)
@POSTGRES_ONLY
def test_outcomes_and_figures_for_one_cell_at_once_one_is_accepted_the_other_refused(
    seeded_catalogues, frozen, proposer, approver
):
    experiment = running_experiment(proposer, approver)
    for attempt in range(5):  # both orders of arrival get their chance
        day = f"2026-03-0{5 + attempt}"
        outcomes = [
            outcome(experiment, "control", time=f"{day}T10:00:00Z", unit=unit)
            for unit in units_in(experiment, "control", 50)
        ]
        figures = [figure(experiment, "control", "fcr", day=day, n=40, successes=10)]
        results = at_once(
            lambda outcomes=outcomes, a=attempt: ingest_outcomes(proposer, outcomes, f"o-{a}", sha(outcomes)),
            lambda figures=figures, a=attempt: ingest_daily_figures(proposer, figures, f"f-{a}", sha(figures)),
        )
        assert sorted(r.status for r in results) == [201, 400], results
        refused = next(r for r in results if r.status == 400)
        assert {e["field"] for e in refused.payload["errors"]} == {"metric"}, refused.payload
        message = refused.payload["errors"][0]["message"]
        assert ("were refused" in message) or ("already sent" in message), message
        stat = DailyStat.objects.get(variant__key="control", metric__key="fcr", day=day)
        assert stat.n == (50 if results[0].status == 201 else 40)
        assert CellSource.objects.get(variant__key="control", metric__key="fcr", day=day).kind == (
            "outcomes" if results[0].status == 201 else "daily"
        )
