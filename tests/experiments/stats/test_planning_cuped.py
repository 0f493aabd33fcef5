"""The planner with CUPED: mean metrics need n x (1 - rho^2) units; rates are unchanged."""

import pytest

from experiments.stats.planning import MetricPlanInput, PlanningError, plan_experiment

ARMS = {"weights": {"control": 50, "treatment": 50}, "control": "control"}
CSAT = MetricPlanInput(name="CSAT", kind="mean", role="success", effect=0.02, baseline_mean=4.1, baseline_sd=1.1)
RATE = MetricPlanInput(name="Complaint rate", kind="binary", role="guardrail", effect=0.5, baseline_rate=3.0)


@pytest.mark.parametrize("rho", [0.3, 0.5, 0.8])
def test_a_mean_metric_needs_n_times_one_minus_rho_squared(rho):
    without = plan_experiment([CSAT], **ARMS)
    with_cuped = plan_experiment([CSAT], expected_correlation=rho, **ARMS)
    assert with_cuped.total_units_without_cuped == without.total_units
    assert with_cuped.total_units == pytest.approx(without.total_units * (1 - rho**2), rel=1e-3)
    assert with_cuped.expected_correlation == rho


def test_rates_are_not_adjusted():
    assert (
        plan_experiment([RATE], expected_correlation=0.5, **ARMS).total_units
        == plan_experiment([RATE], **ARMS).total_units
    )


def test_no_correlation_plans_as_before():
    plan = plan_experiment([CSAT], **ARMS)
    assert plan.expected_correlation == 0 and plan.total_units_without_cuped is None


@pytest.mark.parametrize("rho", [-0.1, 1.0, float("nan")])
def test_an_impossible_correlation_is_refused(rho):
    with pytest.raises(PlanningError) as error:
        plan_experiment([CSAT], expected_correlation=rho, **ARMS)
    assert error.value.field == "expected_correlation"
