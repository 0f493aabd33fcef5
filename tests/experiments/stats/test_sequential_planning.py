"""Sequential sample sizes: the reference's inflation factors, the power split and the days."""

import math

import pytest
from statsmodels.stats.power import NormalIndPower

from experiments.stats.boundaries import obrien_fleming_constant, pocock_constant
from experiments.stats.inputs import StatsInputError
from experiments.stats.sequential_planning import (
    MetricRequirement,
    boundary_inflation,
    inflate_units,
    inflation_factor,
    per_test_power,
    plan_sequential,
)

FIVE = [0.2, 0.4, 0.6, 0.8, 1.0]


def test_classical_five_look_inflation_factors():
    c = obrien_fleming_constant(5)
    obf = [c / math.sqrt(t) for t in FIVE]
    assert boundary_inflation(FIVE, obf, [-b for b in obf], alpha=0.025) == pytest.approx(1.029, abs=0.002)
    p = pocock_constant(5)
    assert boundary_inflation(FIVE, [p] * 5, [-p] * 5, alpha=0.025) == pytest.approx(1.228, abs=0.002)


def test_one_look_needs_no_inflation_and_more_looks_need_more():
    assert inflation_factor(1) == 1.0
    assert 1.0 < inflation_factor(5) < inflation_factor(14) < inflation_factor(28) < 1.1


def test_power_split_across_guardrails():
    assert per_test_power(0.8, 1, 5) == pytest.approx(1 - 0.2 / 6)
    assert per_test_power(0.8, 0, 4) == pytest.approx(1 - 0.2 / 4)
    assert per_test_power(0.8, 1, 5) ** 6 >= 0.8


def test_plan_is_the_fixed_size_times_R_for_the_deciding_metric():
    metrics = [
        MetricRequirement("conversion", "success", 1.0, 30.0),
        MetricRequirement("complaints", "guardrail", 0.5, 14.0),
    ] + [MetricRequirement(f"g{i}", "guardrail", 1.0, 10.0) for i in range(2)]
    plan = plan_sequential(
        metrics,
        weights={"control": 1, "treatment": 1},
        control="control",
        looks=14,
        daily_traffic=2000,
        exposure_pct=50,
    )
    power = 1 - (0.2 - 3 * 0.01) / 4  # 3 guardrails' harm tests reserve 0.03 of beta
    fixed = NormalIndPower().solve_power(effect_size=1 / 30, alpha=0.05, power=power, ratio=1, alternative="larger")
    conversion = plan.metrics[0]
    assert conversion.fixed_control_units == math.ceil(fixed)
    assert conversion.inflation == pytest.approx(inflation_factor(14, 0.05, power))
    assert conversion.control_units == math.ceil(fixed * conversion.inflation)
    assert plan.deciding_metric.name == "conversion"
    assert plan.units_per_arm == {"control": conversion.control_units, "treatment": conversion.control_units}
    assert plan.days_needed == math.ceil(plan.total_units / 1000)


def test_unequal_allocation_sizes_the_control_arm_for_the_smaller_treatment():
    metrics = [MetricRequirement("conversion", "success", 1.0, 10.0)]
    plan = plan_sequential(metrics, weights={"control": 2, "treatment": 1}, control="control", looks=1, harm_alpha=None)
    fixed = NormalIndPower().solve_power(effect_size=0.1, alpha=0.05, power=0.8, ratio=0.5, alternative="larger")
    assert plan.units_per_arm["control"] == math.ceil(fixed)
    assert plan.units_per_arm["treatment"] == math.ceil(math.ceil(fixed) / 2)


def test_many_guardrails_reserve_at_most_half_of_beta_for_harm_stops():
    metrics = [MetricRequirement("s", "success", 1.0, 10.0)] + [
        MetricRequirement(f"g{i}", "guardrail", 1.0, 10.0) for i in range(12)
    ]
    plan = plan_sequential(metrics, weights={"control": 1, "treatment": 1}, control="control")
    assert plan.metrics[0].power == pytest.approx(1 - 0.1 / 13)
    assert plan.warnings


def test_inflate_units_rounds_up():
    assert inflate_units({"control": 1000, "treatment": 500}, 1.0588) == {"control": 1059, "treatment": 530}


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"looks": 0}, "looks"),
        ({"alpha": 0}, "alpha"),
        ({"power": 1.2}, "power"),
        ({"spending": "linear"}, "spending"),
        ({"daily_traffic": -5}, "daily_traffic"),
        ({"exposure_pct": 0}, "exposure_pct"),
        ({"harm_alpha": 2}, "harm_alpha"),
        ({"weights": {"control": 1}}, "weights"),
        ({"metrics": [MetricRequirement("x", "success", 0, 1)]}, "metrics[x].effect"),
        ({"metrics": [MetricRequirement("x", "success", 1, math.nan)]}, "metrics[x].sd"),
        ({"metrics": []}, "metrics"),
    ],
)
def test_bad_planning_input(kwargs, field):
    args = {
        "metrics": [MetricRequirement("x", "success", 1.0, 2.0)],
        "weights": {"control": 1, "treatment": 1},
        "control": "control",
    }
    args.update(kwargs)
    metrics = args.pop("metrics")
    with pytest.raises(StatsInputError) as caught:
        plan_sequential(metrics, **args)
    assert caught.value.field == field
