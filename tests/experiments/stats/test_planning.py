"""The sample-size and duration calculator, checked against textbook formulas and statsmodels.

Pure numbers: no database. Closed forms are written out here independently of the code under test.
"""

import math
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm
from statsmodels.stats.power import NormalIndPower

from experiments.stats import sequential_planning
from experiments.stats.planning import MetricPlanInput, PlanningError, plan_experiment

EQUAL_ARMS = {"control": 50, "treatment": 50}


def z(p):
    return norm.ppf(p)


def closed_form_mean_n(alpha, power, sd, delta, ratio=1.0):
    """Control-arm units for a one-sided two-sample z-test; treatment has ratio x control units."""
    return (z(1 - alpha) + z(power)) ** 2 * sd**2 * (1 + 1 / ratio) / delta**2


def closed_form_binary_n(alpha, power, p_control, p_treatment):
    """Per-arm units, equal arms, unpooled variance: (z_a + z_b)^2 (p1 q1 + p2 q2) / (p2 - p1)^2."""
    variance = p_control * (1 - p_control) + p_treatment * (1 - p_treatment)
    return (z(1 - alpha) + z(power)) ** 2 * variance / (p_treatment - p_control) ** 2


def csat(role="success", effect=0.1, sd=1.1, **kw):
    return MetricPlanInput(
        name=kw.pop("name", "CSAT"), kind="mean", role=role, effect=effect, baseline_mean=4.1, baseline_sd=sd, **kw
    )


def complaint_rate(margin=0.5, rate=3.0, name="Complaint rate"):
    return MetricPlanInput(name=name, kind="binary", role="guardrail", effect=margin, baseline_rate=rate)


def plan(metrics, **kw):
    kw.setdefault("weights", EQUAL_ARMS)
    kw.setdefault("control", "control")
    return plan_experiment(metrics, **kw)


@pytest.fixture
def raw_units():
    """The unrounded control-arm sizes the planner computes, in call order."""
    seen = []
    original = sequential_planning.normal_sample_size_one_tail

    def record(*args, **kwargs):
        value = original(*args, **kwargs)
        seen.append(float(value))
        return value

    with mock.patch.object(sequential_planning, "normal_sample_size_one_tail", side_effect=record):
        yield seen


# --- one metric against the closed forms and statsmodels ------------------------------------


@pytest.mark.parametrize(
    "alpha, power, sd, effect",
    [(0.05, 0.8, 1.1, 0.1), (0.01, 0.9, 12.0, 1.5), (0.1, 0.95, 0.8, 0.02), (0.05, 0.5, 3.0, 0.4)],
)
def test_mean_metric_needs_the_closed_form_units_per_arm(raw_units, alpha, power, sd, effect):
    result = plan([csat(effect=effect, sd=sd)], alpha=alpha, power=power)

    expected = closed_form_mean_n(alpha, power, sd, effect)
    statsmodels_n = NormalIndPower().solve_power(
        effect_size=effect / sd, alpha=alpha, power=power, ratio=1, alternative="larger"
    )
    assert raw_units[0] == pytest.approx(statsmodels_n, rel=1e-6)
    assert raw_units[0] == pytest.approx(expected, rel=1e-9)
    assert abs(result.units_per_arm["control"] - expected) < 1
    assert result.units_per_arm == {"control": math.ceil(raw_units[0]), "treatment": math.ceil(raw_units[0])}
    metric = result.metrics[0]
    assert (metric.alpha, metric.power) == (alpha, power)
    assert metric.absolute_effect == effect
    assert metric.standardized_effect == pytest.approx(effect / sd)


def test_relative_effect_on_a_mean_is_a_share_of_the_baseline_mean():
    absolute = plan([csat(effect=0.41)])
    relative = plan([csat(effect=10, effect_unit="relative")])  # 10% of 4.1
    assert relative.metrics[0].absolute_effect == pytest.approx(0.41)
    assert relative.units_per_arm == absolute.units_per_arm


def test_large_effect_needs_few_units_instead_of_failing():
    # An effect of three standard deviations needs under ten units per arm: statsmodels'
    # solve_power gives NaN there, and the planner used to crash on it.
    result = plan([csat(effect=30, sd=10)])
    expected = closed_form_mean_n(0.05, 0.8, 10, 30)
    assert result.units_per_arm == {"control": math.ceil(expected), "treatment": math.ceil(expected)}


@pytest.mark.parametrize("effect, effect_unit", [(2, "absolute"), (20, "relative")])
def test_binary_success_metric_uses_the_unpooled_variance_formula(raw_units, effect, effect_unit):
    # 10% baseline, +2 points (or +20% of 10%) -> 12%.
    metric = MetricPlanInput("Conversion rate", "binary", "success", effect, effect_unit, baseline_rate=10)
    result = plan([metric])

    expected = closed_form_binary_n(0.05, 0.8, 0.10, 0.12)
    assert raw_units[0] == pytest.approx(expected, rel=1e-9)
    assert result.units_per_arm == {"control": math.ceil(expected), "treatment": math.ceil(expected)}
    assert result.metrics[0].absolute_effect == pytest.approx(2)  # percentage points
    pooled_sd = math.sqrt((0.10 * 0.90 + 0.12 * 0.88) / 2)
    statsmodels_n = NormalIndPower().solve_power(
        effect_size=0.02 / pooled_sd, alpha=0.05, power=0.8, ratio=1, alternative="larger"
    )
    assert raw_units[0] == pytest.approx(statsmodels_n, rel=1e-6)


def test_binary_guardrail_is_planned_at_the_baseline_variance_on_both_arms():
    # Non-inferiority: under the alternative the treatment is as good as control.
    result = plan([complaint_rate(margin=0.5, rate=3.0)])
    expected = (z(0.95) + z(0.8)) ** 2 * 2 * 0.03 * 0.97 / 0.005**2
    assert result.units_per_arm["control"] == math.ceil(expected)


# --- several metrics: Bonferroni over success metrics, power split over guardrails ----------


def test_bonferroni_over_success_metrics_and_full_alpha_for_guardrails(raw_units):
    metrics = [
        csat(name="CSAT"),
        csat(name="Customer effort", effect=0.15, sd=1.4),
        complaint_rate(),
    ]
    result = plan(metrics, alpha=0.05, power=0.8)

    by_name = {m.name: m for m in result.metrics}
    assert by_name["CSAT"].alpha == pytest.approx(0.025)
    assert by_name["Customer effort"].alpha == pytest.approx(0.025)
    assert by_name["Complaint rate"].alpha == pytest.approx(0.05)
    # One guardrail: every test is planned at 1 - 0.2 / 2.
    assert [m.power for m in result.metrics] == [pytest.approx(0.9)] * 3
    assert raw_units[0] == pytest.approx(closed_form_mean_n(0.025, 0.9, 1.1, 0.1), rel=1e-9)
    assert raw_units[1] == pytest.approx(closed_form_mean_n(0.025, 0.9, 1.4, 0.15), rel=1e-9)
    # The arm sizes are those of the metric that needs the most units.
    assert result.deciding_metric.name == max(result.metrics, key=lambda m: m.total_units).name
    assert result.units_per_arm["control"] == max(m.control_units for m in result.metrics)


def test_power_split_keeps_the_whole_rule_at_the_reference_81_6_percent():
    guardrails = [complaint_rate(name=f"Guardrail {i}") for i in range(5)]
    result = plan([csat(), *guardrails], power=0.8)

    per_test = 1 - 0.2 / 6
    assert [m.power for m in result.metrics] == [pytest.approx(per_test)] * 6
    decision_power = math.prod(m.power for m in result.metrics)
    assert decision_power == pytest.approx(0.816, abs=0.0005)


@pytest.mark.parametrize("guardrail_count, inflation", [(1, 1.39), (3, 1.75), (5, 1.96)])
def test_power_split_inflates_the_success_metric_as_the_reference_says(guardrail_count, inflation):
    # Small effect so the ratio is not blurred by rounding up to whole units.
    alone = plan([csat(effect=0.01)])
    guarded = plan([csat(effect=0.01), *[complaint_rate(name=f"G{i}") for i in range(guardrail_count)]])
    ratio = guarded.metrics[0].control_units / alone.metrics[0].control_units
    assert ratio == pytest.approx(inflation, abs=0.01)


def test_guardrails_only_split_power_over_the_guardrails():
    result = plan([complaint_rate(name="A"), complaint_rate(name="B")], power=0.8)
    assert [m.power for m in result.metrics] == [pytest.approx(0.9)] * 2
    assert [m.alpha for m in result.metrics] == [0.05, 0.05]


# --- allocation ----------------------------------------------------------------------------


def test_unequal_allocation_sizes_each_arm_by_its_weight(raw_units):
    result = plan([csat()], weights={"control": 1, "treatment": 2})

    expected_control = closed_form_mean_n(0.05, 0.8, 1.1, 0.1, ratio=2)
    statsmodels_n = NormalIndPower().solve_power(
        effect_size=0.1 / 1.1, alpha=0.05, power=0.8, ratio=2, alternative="larger"
    )
    assert raw_units[0] == pytest.approx(statsmodels_n, rel=1e-6)
    assert raw_units[0] == pytest.approx(expected_control, rel=1e-9)
    control = math.ceil(expected_control)
    assert result.units_per_arm == {"control": control, "treatment": 2 * control}
    assert result.total_units == 3 * control
    # Same total effort split 1:2 costs more than an even split.
    assert result.total_units > plan([csat()]).total_units


def test_multiple_treatments_each_get_enough_units_against_control():
    even = plan([csat()])
    three_arms = plan([csat()], weights={"control": 50, "short": 50, "friendly": 50})
    n = even.units_per_arm["control"]
    assert three_arms.units_per_arm == {"control": n, "short": n, "friendly": n}
    assert three_arms.total_units == 3 * n


def test_the_smallest_treatment_decides_the_control_size():
    result = plan([csat()], weights={"control": 2, "small": 1, "large": 2})
    control = math.ceil(closed_form_mean_n(0.05, 0.8, 1.1, 0.1, ratio=0.5))
    assert result.units_per_arm == {"control": control, "small": math.ceil(control / 2), "large": control}


# --- duration ------------------------------------------------------------------------------


def test_days_needed_is_total_units_over_exposed_daily_traffic():
    result = plan([csat()], daily_traffic=1000, exposure_pct=20, planned_days=365)
    assert result.daily_units == pytest.approx(200)
    assert result.days_needed == math.ceil(result.total_units / 200)
    assert result.fits
    assert result.warnings == []


def test_too_short_warning_appears_exactly_when_more_days_are_needed():
    needed = plan([csat()], daily_traffic=1000, exposure_pct=20).days_needed

    enough = plan([csat()], daily_traffic=1000, exposure_pct=20, planned_days=needed)
    assert enough.warnings == [] and enough.fits

    short = plan([csat()], daily_traffic=1000, exposure_pct=20, planned_days=needed - 1)
    assert not short.fits
    assert len(short.warnings) == 1
    assert f"planned {needed - 1} days are too short" in short.warnings[0]
    assert f"needs {needed} days" in short.warnings[0]
    assert "CSAT" in short.warnings[0]


def test_without_traffic_there_is_no_duration_and_no_warning():
    result = plan([csat()], planned_days=1)
    assert result.days_needed is None
    assert result.warnings == []
    assert not result.fits


# --- bad input -----------------------------------------------------------------------------

NAN, INF = float("nan"), float("inf")


def binary(rate, effect=1.0):
    return MetricPlanInput("Conversion rate", "binary", "success", effect, baseline_rate=rate)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"alpha": NAN}, "alpha"),
        ({"alpha": INF}, "alpha"),
        ({"alpha": 0}, "alpha"),
        ({"alpha": -0.05}, "alpha"),
        ({"alpha": 0.5}, "alpha"),
        ({"alpha": None}, "alpha"),
        ({"power": NAN}, "power"),
        ({"power": 1.0}, "power"),
        ({"power": 0.49}, "power"),
        ({"power": -INF}, "power"),
        ({"metrics": [csat(effect=NAN)]}, "effect"),
        ({"metrics": [csat(effect=INF)]}, "effect"),
        ({"metrics": [csat(effect=-0.1)]}, "effect"),
        ({"metrics": [csat(effect=0)]}, "effect"),
        ({"metrics": [csat(sd=0)]}, "baseline_sd"),
        ({"metrics": [csat(sd=-1)]}, "baseline_sd"),
        ({"metrics": [csat(sd=NAN)]}, "baseline_sd"),
        ({"metrics": [csat(sd=INF)]}, "baseline_sd"),
        ({"metrics": [MetricPlanInput("CSAT", "mean", "success", 0.1)]}, "baseline_sd"),
        (
            {"metrics": [MetricPlanInput("CSAT", "mean", "success", 5, "relative", baseline_mean=0, baseline_sd=1)]},
            "baseline_mean",
        ),
        ({"metrics": [MetricPlanInput("CSAT", "mean", "success", 5, "relative", baseline_sd=1)]}, "baseline_mean"),
        ({"metrics": [binary(0)]}, "baseline_rate"),
        ({"metrics": [binary(100)]}, "baseline_rate"),
        ({"metrics": [binary(-3)]}, "baseline_rate"),
        ({"metrics": [binary(NAN)]}, "baseline_rate"),
        ({"metrics": [binary(None)]}, "baseline_rate"),
        ({"metrics": []}, "metrics"),
        ({"control": "missing"}, "variants"),
        ({"weights": {"control": 50}}, "variants"),
        ({"weights": {"control": 50, "treatment": 0}}, "variants"),
        ({"weights": {"control": -1, "treatment": 50}}, "variants"),
        ({"weights": {"control": 50, "treatment": NAN}}, "variants"),
        ({"weights": {"control": 50, "treatment": INF}}, "variants"),
        ({"daily_traffic": 0}, "expected_daily_traffic"),
        ({"daily_traffic": -100}, "expected_daily_traffic"),
        ({"daily_traffic": NAN}, "expected_daily_traffic"),
        ({"daily_traffic": INF}, "expected_daily_traffic"),
        ({"exposure_pct": 0}, "exposure_cap_pct"),
        ({"exposure_pct": 100.5}, "exposure_cap_pct"),
        ({"exposure_pct": NAN}, "exposure_cap_pct"),
    ],
)
def test_bad_input_raises_planning_error_naming_the_field(kwargs, field):
    metrics = kwargs.pop("metrics", [csat()])
    with pytest.raises(PlanningError) as caught:
        plan(metrics, **kwargs)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert caught.value.message


def test_metric_errors_name_the_metric():
    with pytest.raises(PlanningError, match="Customer effort"):
        plan([csat(), csat(name="Customer effort", sd=0)])


# --- properties ----------------------------------------------------------------------------

PROPERTY_SETTINGS = settings(max_examples=60, deadline=None)
alphas = st.floats(0.001, 0.2)
powers = st.floats(0.5, 0.99)
sds = st.floats(0.1, 100)
rates = st.floats(1, 60)


def mean_units(effect, sd, alpha=0.05, power=0.8, guardrails=1):
    metrics = [csat(effect=effect, sd=sd)] + [
        csat(name=f"G{i}", role="guardrail", effect=sd / 4, sd=sd) for i in range(guardrails)
    ]
    return plan(metrics, alpha=alpha, power=power).total_units


@PROPERTY_SETTINGS
@given(sd=sds, small=st.floats(0.01, 1), factor=st.floats(1, 50), alpha=alphas, power=powers)
def test_a_larger_mean_effect_never_needs_more_units(sd, small, factor, alpha, power):
    effect = small * sd
    assert mean_units(effect * factor, sd, alpha, power, guardrails=0) <= mean_units(
        effect, sd, alpha, power, guardrails=0
    )


@PROPERTY_SETTINGS
@given(rate=rates, small=st.floats(0.05, 5), extra=st.floats(0, 30), alpha=alphas, power=powers)
def test_a_larger_rate_effect_never_needs_more_units(rate, small, extra, alpha, power):
    def units(points):
        return plan([binary(rate, points)], alpha=alpha, power=power).total_units

    assert units(small + extra) <= units(small)


@PROPERTY_SETTINGS
@given(sd=sds, effect=st.floats(0.01, 2), low=powers, step=st.floats(0, 0.3), alpha=alphas)
def test_higher_power_never_needs_fewer_units(sd, effect, low, step, alpha):
    high = min(low + step, 0.99)
    assert mean_units(effect * sd, sd, alpha, high) >= mean_units(effect * sd, sd, alpha, low)


@PROPERTY_SETTINGS
@given(sd=sds, effect=st.floats(0.01, 2), high=alphas, shrink=st.floats(0.01, 1), power=powers)
def test_smaller_alpha_never_needs_fewer_units(sd, effect, high, shrink, power):
    low = high * shrink
    assert mean_units(effect * sd, sd, low, power) >= mean_units(effect * sd, sd, high, power)
