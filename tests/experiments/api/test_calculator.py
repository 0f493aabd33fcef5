"""POST /api/calculator/: the form's live sample-size calculator."""

import datetime as dt

import pytest

from experiments.models import Metric
from experiments.planning import plan_from_rows
from tests.factories import refusal_fields

URL = "/api/calculator/"
REQUEST = {
    "alpha": 0.05,
    "power": 0.8,
    "expected_daily_traffic": 5000,
    "exposure_cap_pct": 20,
    "planned_start": "2026-12-01",
    "planned_end": "2026-12-28",
    "variants": [
        {"key": "control", "weight": 50, "is_control": True},
        {"key": "short", "weight": 50, "is_control": False},
    ],
    "metrics": [
        {
            "metric": "fcr",
            "role": "success",
            "effect_unit": "absolute",
            "minimum_detectable_effect": 2,
            "non_inferiority_margin": None,
            "baseline_rate": 70,
            "baseline_mean": None,
            "baseline_sd": None,
        },
        {
            "metric": "csat",
            "role": "guardrail",
            "effect_unit": "absolute",
            "minimum_detectable_effect": None,
            "non_inferiority_margin": 0.05,
            "baseline_rate": None,
            "baseline_mean": 4.1,
            "baseline_sd": 1.1,
        },
    ],
}


def calculate(client, **changes):
    return client.post(URL, {**REQUEST, **changes}, format="json")


def test_matches_plan_from_rows_for_the_same_input(api_as, proposer):
    response = calculate(api_as(proposer))
    assert response.status_code == 200, response.json()
    expected = plan_from_rows(
        metric_rows=[{**row, "metric": Metric.objects.get(key=row["metric"])} for row in REQUEST["metrics"]],
        variant_rows=REQUEST["variants"],
        alpha=0.05,
        power=0.8,
        daily_traffic=5000,
        exposure_pct=20,
        planned_days=28,
    )
    body = response.json()
    assert body["units_per_arm"] == expected.units_per_arm
    assert body["total_units"] == expected.total_units
    assert body["daily_units"] == pytest.approx(expected.daily_units) == 1000
    assert body["days_needed"] == expected.days_needed
    assert body["planned_days"] == 28
    assert body["looks"] == expected.looks == 28
    assert body["fits"] is expected.fits
    assert body["warnings"] == expected.warnings
    assert body["deciding_metric"] == expected.deciding_metric.name
    assert [(m["name"], m["role"], m["control_units"], m["total_units"]) for m in body["metrics"]] == [
        (m.name, m.role, m.control_units, m.total_units) for m in expected.metrics
    ]
    assert set(body["metrics"][0]) == {
        "name",
        "role",
        "alpha",
        "power",
        "absolute_effect",
        "standardized_effect",
        "control_units",
        "total_units",
        "inflation",
    }
    assert all(1 < m["inflation"] < 1.1 for m in body["metrics"])


def test_warns_when_the_planned_duration_is_too_short(api_as, proposer):
    start = dt.date(2026, 12, 1)
    response = calculate(api_as(proposer), planned_end=(start + dt.timedelta(days=6)).isoformat(), exposure_cap_pct=1)
    body = response.json()
    assert response.status_code == 200
    assert body["planned_days"] == 7
    assert body["days_needed"] > 7
    assert body["fits"] is False
    assert body["warnings"] and "The planned 7 days are too short" in body["warnings"][0]


def test_dates_are_optional(api_as, proposer):
    body = calculate(api_as(proposer), planned_start=None, planned_end=None).json()
    assert body["planned_days"] is None
    assert body["fits"] is False
    assert body["days_needed"] > 0


def test_row_errors_use_the_same_rules_as_the_form(api_as, proposer):
    bad = [dict(row) for row in REQUEST["metrics"]]
    bad[1]["non_inferiority_margin"] = None
    response = calculate(api_as(proposer), metrics=bad)
    assert response.status_code == 400
    assert response.json()["problems"] == [
        {
            "field": "metrics.1.non_inferiority_margin",
            "message": "A guardrail metric needs the non-inferiority margin (the largest harm you accept).",
        }
    ]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"alpha": "NaN"}, "alpha"),
        ({"power": "Infinity"}, "power"),
        ({"exposure_cap_pct": 0}, "exposure_cap_pct"),
        ({"expected_daily_traffic": 0}, "expected_daily_traffic"),
        ({"planned_end": "2026-11-01"}, "planned_end"),
        ({"variants": [{"key": "control", "weight": 50, "is_control": True}]}, "variants"),
        ({"metrics": []}, "metrics"),
    ],
)
def test_bad_inputs_name_the_field(api_as, proposer, changes, field):
    response = calculate(api_as(proposer), **changes)
    assert response.status_code == 400
    assert field in {name.split(".")[0] for name in refusal_fields(response) if name}


def test_session_callers_need_the_csrf_header(api_as, proposer, settings):
    client = api_as(proposer, enforce_csrf_checks=True)
    secret = "a" * 32  # a valid unmasked CSRF secret
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    without = client.post(URL, REQUEST, format="json")
    assert without.status_code == 403
    assert "CSRF" in without.json()["detail"]
    with_header = client.post(URL, REQUEST, format="json", HTTP_X_CSRFTOKEN=secret, HTTP_REFERER="https://testserver/")
    assert with_header.status_code == 200


def test_an_expected_correlation_shows_the_smaller_sample_with_cuped(api_as, proposer):
    only_csat = {"metrics": REQUEST["metrics"][1:]}
    plain = calculate(api_as(proposer), **only_csat).json()
    assert plain["expected_correlation"] == 0 and plain["total_units_without_cuped"] is None
    with_cuped = calculate(api_as(proposer), expected_correlation=0.5, **only_csat).json()
    assert with_cuped["total_units_without_cuped"] == plain["total_units"]
    assert with_cuped["total_units"] == pytest.approx(plain["total_units"] * 0.75, rel=1e-3)
    refused = calculate(api_as(proposer), expected_correlation=1.5)
    assert refused.status_code == 400 and "expected_correlation" in refusal_fields(refused)
