"""Bad payloads get 400 naming the field, and nothing is written."""

import json

import pytest

from experiments.models import Experiment, ExperimentEvent, ExperimentMetric, Variant
from tests.experiments.api.conftest import proposal
from tests.factories import refusal_fields

LIST = "/api/experiments/"


def assert_nothing_written():
    assert not Experiment.objects.exists()
    assert not Variant.objects.exists()
    assert not ExperimentMetric.objects.exists()
    assert not ExperimentEvent.objects.exists()


def with_metric(index, **changes):
    metrics = [dict(row) for row in proposal()["metrics"]]
    metrics[index].update(changes)
    return {"metrics": metrics}


TWO_CONTROLS = [
    {"key": "control", "name": "A", "is_control": True, "weight": 50},
    {"key": "other", "name": "B", "is_control": True, "weight": 50},
]
DUPLICATE_KEYS = [
    {"key": "control", "name": "A", "is_control": True, "weight": 50},
    {"key": "short", "name": "B", "weight": 25},
    {"key": "short", "name": "C", "weight": 25},
]

# (overrides, path to the error: field, or (list field, row index, row field))
BAD_PAYLOADS = {
    "alpha NaN string": ({"alpha": "NaN"}, "alpha"),
    "power inf string": ({"power": "inf"}, "power"),
    "exposure Infinity string": ({"exposure_cap_pct": "Infinity"}, "exposure_cap_pct"),
    "baseline Infinity string": (with_metric(0, baseline_rate="Infinity"), ("metrics", 0, "baseline_rate")),
    "effect -inf string": (
        with_metric(0, minimum_detectable_effect="-inf"),
        ("metrics", 0, "minimum_detectable_effect"),
    ),
    "end before start": ({"planned_start": "2031-03-10", "planned_end": "2031-03-01"}, "planned_end"),
    "runtime longer than plan": ({"planned_start": "2031-03-01", "planned_end": "2031-03-05"}, "min_runtime_days"),
    "two controls": ({"variants": TWO_CONTROLS}, "variants"),
    "duplicate variant keys": ({"variants": DUPLICATE_KEYS}, "variants"),
    "no variants": ({"variants": []}, "variants"),
    "variants missing": ({"variants": None}, "variants"),
    "guardrail without margin": (with_metric(1, non_inferiority_margin=None), ("metrics", 1, "non_inferiority_margin")),
    "success with margin": (with_metric(0, non_inferiority_margin=1), ("metrics", 0, "non_inferiority_margin")),
    "binary baseline 150": (with_metric(0, baseline_rate=150), ("metrics", 0, "baseline_rate")),
    "effect leaves 0-100%": (with_metric(0, minimum_detectable_effect=40), ("metrics", 0, "minimum_detectable_effect")),
    "unknown metric key": (with_metric(2, metric="happiness"), ("metrics", 2, "metric")),
    "metric listed twice": (with_metric(2, metric="complaint-rate"), "metrics"),
    "exposure 0": ({"exposure_cap_pct": 0}, "exposure_cap_pct"),
    "exposure 150": ({"exposure_cap_pct": 150}, "exposure_cap_pct"),
    "alpha out of range": ({"alpha": 0.5}, "alpha"),
    "approver is the owner": ({"approver": "priya_proposer"}, "approver"),
    "approver is a co-author": ({"approver": "colin_coauthor", "co_authors": ["colin_coauthor"]}, "approver"),
    "approver without the role": ({"approver": "nora_norole"}, "approver"),
    "unknown approver": ({"approver": "nobody"}, "approver"),
    "unknown touchpoint": ({"touchpoints": ["moon"]}, "touchpoints"),
    "no touchpoint": ({"touchpoints": []}, "touchpoints"),
    "bad key": ({"key": "has spaces"}, "key"),
    "key of a page address": ({"key": "new"}, "key"),
    "no metrics": ({"metrics": []}, "metrics"),
    "metrics missing": ({"metrics": None}, "metrics"),
}


@pytest.mark.parametrize("overrides, where", BAD_PAYLOADS.values(), ids=BAD_PAYLOADS.keys())
def test_bad_payload_names_the_field_and_writes_nothing(
    api_as, proposer, co_author, approver, outsider, overrides, where
):
    body = proposal(**overrides)
    body = {name: value for name, value in body.items() if value is not None or name not in ("variants", "metrics")}
    response = api_as(proposer).post(LIST, body, format="json")
    assert response.status_code == 400, response.json()
    fields = refusal_fields(response)
    if isinstance(where, tuple):
        field, index, row_field = where
        rows = {name for name in fields if name and name.startswith(f"{field}.")}
        assert rows == {f"{field}.{index}.{row_field}"}, "only the bad row carries errors"
    else:
        assert where in fields, response.json()
    assert_nothing_written()


def test_nested_row_error_shape(api_as, proposer, approver):
    response = api_as(proposer).post(LIST, proposal(**with_metric(1, baseline_rate=150)), format="json")
    assert response.json()["problems"] == [
        {"field": "metrics.1.baseline_rate", "message": "Must be a percentage strictly between 0 and 100."}
    ]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_json_literals_are_refused(api_as, proposer, approver, literal):
    raw = json.dumps(proposal()).replace('"alpha": 0.05', f'"alpha": {literal}')
    assert literal in raw
    response = api_as(proposer).post(LIST, raw, content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert_nothing_written()


def test_numbers_too_large_for_a_float_are_refused(api_as, proposer, approver):
    # Python's json reads 1e999 as infinity; the field must still refuse it.
    raw = json.dumps(proposal(**with_metric(0, baseline_rate=70))).replace(
        '"baseline_rate": 70', '"baseline_rate": 1e999'
    )
    response = api_as(proposer).post(LIST, raw, content_type="application/json")
    assert response.status_code == 400
    assert refusal_fields(response) == {"metrics.0.baseline_rate"}
    assert_nothing_written()


def test_bad_update_leaves_the_draft_as_it_was(api_as, draft, proposer):
    before = sorted(draft.metrics.values_list("metric__key", "baseline_rate"))
    bad = with_metric(0, baseline_rate=150)
    response = api_as(proposer).patch(f"/api/experiments/{draft.key}/", {"title": "New", **bad}, format="json")
    assert response.status_code == 400
    draft.refresh_from_db()
    assert draft.title != "New"
    assert sorted(draft.metrics.values_list("metric__key", "baseline_rate")) == before


def test_update_checks_approver_against_new_co_authors(api_as, draft, proposer, approver):
    response = api_as(proposer).patch(
        f"/api/experiments/{draft.key}/", {"co_authors": [approver.username]}, format="json"
    )
    assert response.status_code == 400
    assert "approver" in refusal_fields(response)
    assert not draft.co_authors.exists()


def test_update_checks_dates_against_stored_values(api_as, draft, proposer):
    earlier = draft.planned_start.replace(day=1).isoformat() if draft.planned_start.day > 1 else "2000-01-01"
    response = api_as(proposer).patch(f"/api/experiments/{draft.key}/", {"planned_end": earlier}, format="json")
    assert response.status_code == 400
    assert "planned_end" in refusal_fields(response)


def test_update_cannot_empty_the_metrics(api_as, draft, proposer):
    response = api_as(proposer).patch(f"/api/experiments/{draft.key}/", {"metrics": []}, format="json")
    assert response.status_code == 400
    assert response.json()["problems"] == [
        {"field": "metrics", "message": "Add at least one metric: the success metric that decides the experiment."}
    ]
    assert draft.metrics.count() == 3
