"""Segments and CUPED's pre-period values in the data path: accepted and refused per endpoint and
CSV, kept per segment beside whole-population sums that do not change, the breakdown endpoint, and
the checks' CUPED estimate when every unit came with its pre-period value."""

import datetime as dt
import random
from statistics import NormalDist

import pytest
from django.db.models import Sum

from experiments.live.look_inputs import build_look
from experiments.stats.effects import compare
from experiments.stats.inputs import as_arm
from experiments.models import DailyAggregate, DailyStat, Observation, SegmentDailyStat
from tests.experiments.live.test_ingestion_scenario import (
    api_client,
    figure,
    outcome,
    running_experiment,
    send,
    stored_counts,
    units_in,
)

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 6)


def whole_population(metric):
    return {
        arm: (row["n"], row["total"], row["total_sq"])
        for arm, row in (
            (r["variant__key"], r)
            for r in DailyStat.objects.filter(metric__key=metric)
            .values("variant__key")
            .annotate(n=Sum("n"), total=Sum("total"), total_sq=Sum("total_sq"))
        )
    }


def outcome_rows(experiment, segments):
    """csat rows for 6 units per arm, the i-th unit with segments[i % len(segments)]."""
    rows = []
    for arm in ("control", "short"):
        for i, unit in enumerate(units_in(experiment, arm, 6)):
            rows.append(outcome(experiment, arm, "csat", 1 + i % 5, unit=unit, segment=segments[i % len(segments)]))
    return rows


# --- segments on per-unit outcomes ------------------------------------------------------------


@pytest.mark.parametrize("as_csv", [False, True])
def test_outcomes_with_a_segment_are_kept_per_segment_and_the_whole_population_is_unchanged(
    frozen, proposer, approver, as_csv
):
    experiment = running_experiment(proposer, approver)
    rows = outcome_rows(experiment, ["seniors", "business", None])
    response = send(
        api_client(proposer),
        "/api/outcomes/",
        rows,
        as_csv=as_csv,
        columns=["experiment", "unit", "arm", "metric", "value", "time", "segment"] if as_csv else None,
    )
    assert response.status_code == 201, response.json()
    assert Observation.objects.filter(segment__key="seniors").count() == 4
    assert Observation.objects.filter(segment__isnull=True).count() == 4
    # The whole population counts every row, with a segment or without, exactly as before.
    values = {arm: [float(r["value"]) for r in rows if r["arm"] == arm] for arm in ("control", "short")}
    assert whole_population("csat") == {
        arm: (len(v), pytest.approx(sum(v)), pytest.approx(sum(x * x for x in v))) for arm, v in values.items()
    }
    seniors = SegmentDailyStat.objects.get(segment__key="seniors", variant__key="control", metric__key="csat")
    assert (seniors.day, seniors.n, seniors.total) == (DAY, 2, 1 + 4)
    assert SegmentDailyStat.objects.filter(segment__key="business").aggregate(n=Sum("n"))["n"] == 4


def test_the_same_rows_without_segments_give_the_same_daily_stats(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    send(api_client(proposer), "/api/outcomes/", outcome_rows(experiment, ["seniors", "business"]))
    with_segments = whole_population("csat")
    Observation.objects.all().delete()
    DailyStat.objects.all().delete()
    send(api_client(proposer), "/api/outcomes/", outcome_rows(experiment, [None]))
    assert whole_population("csat") == with_segments


@pytest.mark.parametrize("as_csv", [False, True])
def test_an_unknown_segment_is_refused_naming_the_field_and_nothing_is_written(frozen, proposer, approver, as_csv):
    experiment = running_experiment(proposer, approver)
    rows = [
        outcome(experiment, "control", "fcr", 1, segment="seniors"),
        outcome(experiment, "short", "fcr", 0, segment="martians"),
    ]
    response = send(
        api_client(proposer),
        "/api/outcomes/",
        rows,
        as_csv=as_csv,
        columns=["experiment", "unit", "arm", "metric", "value", "time", "segment"] if as_csv else None,
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert (error["row"], error["field"]) == (2, "segment")
    assert "martians" in error["message"] and "seniors" in error["message"]
    assert stored_counts() == (0, 0, 0)
    assert not SegmentDailyStat.objects.exists()


def test_a_replayed_batch_with_segments_adds_nothing(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    client = api_client(proposer)
    rows = outcome_rows(experiment, ["seniors"])
    assert send(client, "/api/outcomes/", rows, key="k-1").status_code == 201
    again = send(client, "/api/outcomes/", rows, key="k-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert SegmentDailyStat.objects.aggregate(n=Sum("n"))["n"] == 12
    assert DailyStat.objects.aggregate(n=Sum("n"))["n"] == 12


# --- segments on daily figures ----------------------------------------------------------------


def test_daily_figures_per_segment_add_up_to_the_whole_population(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    rows = [
        figure(experiment, "control", "fcr", n=100, successes=60, segment="seniors"),
        figure(experiment, "control", "fcr", n=50, successes=20, segment="business"),
        figure(experiment, "control", "fcr", n=10, successes=5),
    ]
    response = send(api_client(proposer), "/api/daily-figures/", rows)
    assert response.status_code == 201, response.json()
    stat = DailyStat.objects.get(variant__key="control", metric__key="fcr", day=DAY)
    assert (stat.n, stat.total) == (160, 85)
    assert DailyAggregate.objects.count() == 3
    assert sorted(SegmentDailyStat.objects.values_list("segment__key", "n")) == [("business", 50), ("seniors", 100)]


def test_daily_figures_refuse_an_unknown_segment_a_repeated_segment_and_a_cell_already_given(
    frozen, proposer, approver
):
    experiment = running_experiment(proposer, approver)
    client = api_client(proposer)
    unknown = send(client, "/api/daily-figures/", [figure(experiment, n=10, successes=5, segment="nobody")])
    assert unknown.status_code == 400
    assert [e["field"] for e in unknown.json()["errors"]] == ["segment"]
    twice = send(
        client,
        "/api/daily-figures/",
        [
            figure(experiment, n=10, successes=5, segment="seniors"),
            figure(experiment, n=12, successes=6, segment="seniors"),
        ],
    )
    assert twice.status_code == 400
    assert [(e["row"], e["field"]) for e in twice.json()["errors"]] == [(2, "day")]
    assert (
        send(client, "/api/daily-figures/", [figure(experiment, n=10, successes=5, segment="seniors")]).status_code
        == 201
    )
    # A cell's figures come in one batch: another segment for it later would count the day twice.
    later = send(client, "/api/daily-figures/", [figure(experiment, n=10, successes=5, segment="business")])
    assert later.status_code == 400
    assert "Already recorded" in later.json()["errors"][0]["message"]


def test_daily_figures_with_a_segment_in_csv(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    response = send(
        api_client(proposer),
        "/api/daily-figures/",
        [figure(experiment, n=10, successes=5, segment="seniors")],
        as_csv=True,
        columns=["experiment", "arm", "metric", "day", "n", "successes", "segment"],
    )
    assert response.status_code == 201, response.json()
    assert SegmentDailyStat.objects.get().segment.key == "seniors"


# --- CUPED's pre-period values ------------------------------------------------------------------


def test_pre_value_is_refused_for_a_metric_that_is_not_a_mean(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    response = send(api_client(proposer), "/api/outcomes/", [outcome(experiment, "control", "fcr", 1, pre_value=1)])
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["pre_value"]


def test_daily_pre_sums_come_together_and_must_fit(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    client = api_client(proposer)
    part = send(
        client, "/api/daily-figures/", [figure(experiment, "control", "csat", n=3, sum=9, sum_sq=29, pre_sum=8)]
    )
    assert part.status_code == 400
    assert sorted(e["field"] for e in part.json()["errors"]) == ["pre_cross", "pre_sum_sq"]
    # x = (2, 3, 3), y = (2, 3, 4): sum x = 8, sum x^2 = 22, sum xy = 25 fits; 40 is beyond |r| = 1.
    bad = {"sum": 9, "sum_sq": 29, "pre_sum": 8, "pre_sum_sq": 22, "pre_cross": 40}
    refused = send(client, "/api/daily-figures/", [figure(experiment, "control", "csat", n=3, **bad)])
    assert [e["field"] for e in refused.json()["errors"]] == ["pre_cross"]
    good = dict(bad, pre_cross=25)
    assert send(client, "/api/daily-figures/", [figure(experiment, "control", "csat", n=3, **good)]).status_code == 201
    stat = DailyStat.objects.get(metric__key="csat")
    assert (stat.pre_n, stat.pre_total, stat.pre_total_sq, stat.pre_cross) == (3, 8, 22, 25)


def correlated_csat_rows(experiment, rng, per_arm=80):
    rows = []
    for arm in ("control", "short"):
        for unit in units_in(experiment, arm, per_arm):
            pre = rng.randint(1, 5)
            value = pre if rng.random() < 0.75 else rng.randint(1, 5)
            rows.append(outcome(experiment, arm, "csat", value, unit=unit, pre_value=pre))
    return rows


def csat_result(experiment):
    look = build_look(experiment, DAY)
    return next(m for m in look.evaluate().metrics if m.metric == "csat")


def csat_interval_width(experiment, level=0.95):
    """The width of the engine's interval for the look's csat effect (the look's own repeated
    interval is still unbounded this early in the plan)."""
    look = build_look(experiment, DAY)
    arms = next(arms for spec, arms in look.metrics if spec.name == "csat")
    control, treatment = (as_arm("mean", arms[arm], arm).summary() for arm in ("control", "short"))
    return 2 * NormalDist().inv_cdf(1 - (1 - level) / 2) * compare(control, treatment).se


def test_a_check_uses_cuped_when_every_unit_came_with_its_pre_period_value(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    rows = correlated_csat_rows(experiment, random.Random(3))
    assert send(api_client(proposer), "/api/outcomes/", rows).status_code == 201
    stat = DailyStat.objects.filter(metric__key="csat").aggregate(n=Sum("n"), pre_n=Sum("pre_n"))
    assert stat["n"] == stat["pre_n"] == 160
    with_cuped = csat_result(experiment)
    assert with_cuped.cuped_theta is not None and with_cuped.cuped_theta > 0.5  # recorded in the check's result
    narrower = csat_interval_width(experiment)

    DailyStat.objects.update(pre_n=0)  # as if the units had come without their pre-period values
    without = csat_result(experiment)
    assert without.cuped_theta is None
    assert (with_cuped.z is None) == (without.z is None)
    assert narrower < 0.8 * csat_interval_width(experiment)


def test_cuped_is_not_used_when_only_some_units_have_a_pre_period_value(frozen, proposer, approver):
    experiment = running_experiment(proposer, approver)
    rows = correlated_csat_rows(experiment, random.Random(4))
    rows[0].pop("pre_value")
    assert send(api_client(proposer), "/api/outcomes/", rows).status_code == 201
    assert csat_result(experiment).cuped_theta is None


# --- the breakdown: API and page ----------------------------------------------------------------


def seniors_fcr(experiment):
    rows = []
    for arm, ones in (("control", 10), ("short", 25)):
        for i, unit in enumerate(units_in(experiment, arm, 40)):
            rows.append(outcome(experiment, arm, "fcr", int(i < ones), unit=unit, segment="seniors"))
    return rows


def test_the_segments_endpoint_gives_the_breakdown_labelled_exploration(frozen, proposer, approver, client):
    experiment = running_experiment(proposer, approver)
    assert send(api_client(proposer), "/api/outcomes/", seniors_fcr(experiment)).status_code == 201
    client.force_login(proposer)
    response = client.get(f"/api/experiments/{experiment.key}/segments/", secure=True)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["exploration"] is True and body["method"] == "holm" and "not used to stop" in body["note"]
    assert body["segments"] == [{"key": "seniors", "name": "Customers 65+"}]
    fcr = next(e for e in body["effects"] if e["metric"] == "fcr")
    assert (fcr["segment"], fcr["treatment"], fcr["n_control"], fcr["n_treatment"]) == ("seniors", "short", 40, 40)
    assert fcr["change"] == pytest.approx(37.5) and fcr["interval_low"] < 37.5 < fcr["interval_high"]
    assert fcr["adjusted_p_value"] >= fcr["p_value"]
    assert body["comparisons"] == 1  # the other metrics have no data in the segment


def test_the_segments_endpoint_refuses_an_experiment_one_may_not_see(frozen, proposer, approver, client):
    running_experiment(proposer, approver)
    client.force_login(proposer)
    response = client.get("/api/experiments/no-such-thing/segments/", secure=True)
    assert response.status_code == 404 and "detail" in response.json()


def test_the_experiment_page_shows_the_segment_breakdown(frozen, proposer, approver, client):
    experiment = running_experiment(proposer, approver)
    send(api_client(proposer), "/api/outcomes/", seniors_fcr(experiment))
    client.force_login(proposer)
    page = client.get(f"/experiments/{experiment.key}/", secure=True).content.decode()
    assert "Exploration: segments (not used to stop)" in page
    assert "Holm" in page and "Customers 65+" in page
    # Read as the results table reads numbers: rates in %, the change in points with its meaning.
    segments = page[page.index('id="segments"') :]
    assert "25%" in segments and "62.5%" in segments
    assert "+37.5 points: better" in segments
