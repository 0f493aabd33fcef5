"""From a stored experiment (or a form/API payload) to the calculator, with the right units."""

import math

import pytest
from scipy.stats import norm

from experiments.models import Metric
from experiments.planning import PlanningError, plan_for_experiment, plan_from_rows
from experiments.stats.planning import MetricPlanInput, plan_experiment


def test_plan_for_experiment_reads_metrics_variants_and_traffic(draft):
    # The factory proposal: FCR 70% +2 points (success); complaint rate 3% and escalation rate 8%
    # with margins 0.5 and 1 point (guardrails); 50/50; 5000 a day at 20% exposure; 28 days.
    draft.expected_daily_traffic = 5000
    plan = plan_for_experiment(draft)

    expected = plan_experiment(
        [
            MetricPlanInput("First-contact resolution", "binary", "success", 2, baseline_rate=70),
            MetricPlanInput("Complaint rate", "binary", "guardrail", 0.5, baseline_rate=3),
            MetricPlanInput("Escalation rate", "binary", "guardrail", 1.0, baseline_rate=8),
        ],
        weights={"control": 50, "short": 50},
        control="control",
        daily_traffic=5000,
        exposure_pct=20,
        planned_days=28,
        looks=28,  # checked once a day over the 28 planned days
        harm_alpha=0.01,
    )
    assert plan.looks == 28
    assert plan.units_per_arm == expected.units_per_arm
    assert plan.daily_units == pytest.approx(1000)
    assert plan.planned_days == 28
    assert plan.days_needed == math.ceil(plan.total_units / 1000)
    assert sorted((m.name, m.role) for m in plan.metrics) == [
        ("Complaint rate", "guardrail"),
        ("Escalation rate", "guardrail"),
        ("First-contact resolution", "success"),
    ]


def test_guardrail_margin_in_points_gives_the_textbook_size(draft):
    plan = plan_for_experiment(draft)
    complaint = next(m for m in plan.metrics if m.name == "Complaint rate")
    # Two guardrails, so beta 0.2 less the two harm tests' 0.01 each is split three ways: each test
    # at power 1 - 0.18/3; margin 0.5 points on a 3% rate; then x R for 28 daily looks.
    z_total = norm.ppf(0.95) + norm.ppf(1 - 0.18 / 3)
    fixed = z_total**2 * 2 * 0.03 * 0.97 / 0.005**2
    assert 1.03 < complaint.inflation < 1.08
    assert complaint.control_units == math.ceil(fixed * complaint.inflation)


def test_allocation_weights_come_from_the_variants(draft):
    draft.variants.filter(key="short").update(weight=100)
    plan = plan_for_experiment(draft)
    assert plan.units_per_arm["short"] == 2 * plan.units_per_arm["control"]


def test_relative_effects_pass_through(draft):
    draft.metrics.filter(metric__key="fcr").update(effect_unit="relative", minimum_detectable_effect=10)  # 7 points
    fcr = next(m for m in plan_for_experiment(draft).metrics if m.role == "success")
    assert fcr.absolute_effect == pytest.approx(7)


def test_low_traffic_warns_that_the_plan_is_too_short(draft):
    draft.expected_daily_traffic = 50
    plan = plan_for_experiment(draft)
    assert plan.days_needed > 28
    assert len(plan.warnings) == 1 and "planned 28 days are too short" in plan.warnings[0]


def test_an_experiment_without_metrics_cannot_be_planned(draft):
    draft.metrics.all().delete()
    with pytest.raises(PlanningError) as caught:
        plan_for_experiment(draft)
    assert caught.value.field == "metrics"


def test_an_experiment_without_a_control_cannot_be_planned(draft):
    draft.variants.filter(is_control=True).delete()
    with pytest.raises(PlanningError) as caught:
        plan_for_experiment(draft)
    assert caught.value.field == "variants"


# --- form/API payloads ---------------------------------------------------------------------


@pytest.fixture
def payload(db):
    return {
        "metric_rows": [
            {
                "metric": Metric.objects.get(key="csat"),
                "role": "success",
                "effect_unit": "absolute",
                "minimum_detectable_effect": 0.1,
                "baseline_mean": 4.1,
                "baseline_sd": 1.1,
            },
            {
                "metric": Metric.objects.get(key="complaint-rate"),
                "role": "guardrail",
                "non_inferiority_margin": 0.5,
                "baseline_rate": 3.0,
            },
        ],
        "variant_rows": [
            {"key": "control", "weight": 50, "is_control": True},
            {"key": "new", "weight": "50", "is_control": False},
        ],
        "alpha": "0.05",
        "power": 0.8,
        "daily_traffic": 2000,
        "exposure_pct": "25",
        "planned_days": 30,
    }


def test_payload_values_as_form_strings_are_planned(payload):
    plan = plan_from_rows(**payload)
    assert plan.daily_units == pytest.approx(500)
    assert set(plan.units_per_arm) == {"control", "new"}
    assert plan.metrics[0].alpha == pytest.approx(0.05)


def test_payload_without_traffic_has_no_duration(payload):
    payload["daily_traffic"] = None
    assert plan_from_rows(**payload).days_needed is None


@pytest.mark.parametrize(
    "key, value, field",
    [
        ("alpha", None, "alpha"),
        ("alpha", "five percent", "alpha"),
        ("power", "", "power"),
        ("power", "nan", "power"),
        ("exposure_pct", None, "exposure_cap_pct"),
        ("daily_traffic", "lots", "expected_daily_traffic"),
        ("daily_traffic", -10, "expected_daily_traffic"),
    ],
)
def test_bad_payload_values_name_the_field(payload, key, value, field):
    payload[key] = value
    with pytest.raises(PlanningError) as caught:
        plan_from_rows(**payload)
    assert caught.value.field == field


@pytest.mark.parametrize(
    "variant_rows",
    [
        [{"key": "a", "weight": 50, "is_control": False}, {"key": "b", "weight": 50, "is_control": False}],
        [{"key": "a", "weight": 50, "is_control": True}, {"key": "b", "weight": 50, "is_control": True}],
        [{"key": "a", "weight": 50, "is_control": True}, {"key": "b", "weight": None, "is_control": False}],
        [{"key": "a", "weight": 50, "is_control": True}, {"key": "b", "weight": 0, "is_control": False}],
        [{"key": "a", "weight": 50, "is_control": True}],
    ],
    ids=["no-control", "two-controls", "missing-weight", "zero-weight", "no-treatment"],
)
def test_bad_variants_name_the_field(payload, variant_rows):
    payload["variant_rows"] = variant_rows
    with pytest.raises(PlanningError) as caught:
        plan_from_rows(**payload)
    assert caught.value.field == "variants"
