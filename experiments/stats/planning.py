"""Sample size and duration for an experiment's whole decision rule.

Every metric gets its own one-sided test (see the decision rule in
shared statistics reference): success metrics for superiority at alpha/S, guardrails for
non-inferiority at alpha each. Power is split so that the *whole rule* keeps the requested
power: each test is planned at 1 - beta/(G+1) (1 - beta/G with no success metric).
The per-arm size of one test is the normal-approximation size NormalIndPower solves for, taken in
closed form from statsmodels' normal_sample_size_one_tail: NormalIndPower.solve_power's root
finder starts at 10 units and returns NaN whenever fewer are needed (large effects).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from statsmodels.stats.power import normal_sample_size_one_tail


class PlanningError(ValueError):
    """Inputs that cannot be planned; `field` names the offending input."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class MetricPlanInput:
    name: str
    kind: str  # "binary" | "mean" | "nps"
    role: str  # "success" | "guardrail"
    effect: float  # MDE (success) or margin (guardrail), positive
    effect_unit: str = "absolute"  # "absolute" (points / metric units) or "relative" (% of baseline)
    baseline_rate: float | None = None  # binary: percent
    baseline_mean: float | None = None
    baseline_sd: float | None = None


@dataclass(frozen=True)
class MetricPlan:
    name: str
    role: str
    alpha: float  # one-sided level of this metric's test
    power: float  # power asked of this metric's test
    absolute_effect: float  # in metric units (rate metrics: percentage points)
    standardized_effect: float
    control_units: int  # units the control arm needs for this metric
    total_units: int  # units across all arms for this metric


@dataclass(frozen=True)
class Plan:
    metrics: list[MetricPlan]
    units_per_arm: dict[str, int]
    total_units: int
    daily_units: float  # units entering per day after the exposure cap
    days_needed: int | None
    planned_days: int | None
    warnings: list[str] = field(default_factory=list)

    @property
    def fits(self) -> bool:
        return self.days_needed is not None and self.planned_days is not None and self.days_needed <= self.planned_days

    @property
    def deciding_metric(self) -> MetricPlan | None:
        return max(self.metrics, key=lambda m: m.total_units, default=None)


def _check_probability(name: str, value: float, low: float, high: float, *, low_inclusive: bool = False):
    if value is None or not math.isfinite(value):
        raise PlanningError(name, f"must be a number between {low:g} and {high:g}")
    above_low = value >= low if low_inclusive else value > low
    if not (above_low and value < high):
        raise PlanningError(name, f"must be a number between {low:g} and {high:g}")


def _control_units_needed(d: float, alpha: float, power: float, ratio: float) -> float:
    """Control-arm units for a one-sided z-test of standardized effect d, treatment = ratio x control.

    Same answer as NormalIndPower().solve_power(effect_size=d, alpha=alpha, power=power,
    ratio=ratio, alternative="larger"): the variance of the difference is (1 + 1/ratio) / n.
    """
    return float(normal_sample_size_one_tail(d, power, alpha, std_null=math.sqrt(1 + 1 / ratio)))


def _absolute_effect_and_sd(m: MetricPlanInput) -> tuple[float, float]:
    """The effect in metric units and the per-unit standard deviation under the plan."""
    if m.effect is None or not math.isfinite(m.effect) or m.effect <= 0:
        raise PlanningError("effect", f"{m.name}: the effect to detect must be a positive number")
    if m.kind == "binary":
        if m.baseline_rate is None or not math.isfinite(m.baseline_rate) or not 0 < m.baseline_rate < 100:
            raise PlanningError("baseline_rate", f"{m.name}: the baseline rate must be a percentage between 0 and 100")
        p = m.baseline_rate / 100
        points = m.effect if m.effect_unit == "absolute" else m.baseline_rate * m.effect / 100
        delta = points / 100
        # Variance of each arm: the baseline for control, the moved rate for treatment
        # (towards 0.5 is the conservative side, so use whichever is larger).
        q = min(max(p + delta, 1e-9), 1 - 1e-9), min(max(p - delta, 1e-9), 1 - 1e-9)
        v_treat = max(x * (1 - x) for x in q) if m.role == "success" else p * (1 - p)
        sd = math.sqrt((p * (1 - p) + v_treat) / 2)
        return points, delta / sd
    if m.baseline_sd is None or not math.isfinite(m.baseline_sd) or m.baseline_sd <= 0:
        raise PlanningError("baseline_sd", f"{m.name}: the standard deviation must be a positive number")
    if m.effect_unit == "relative":
        if m.baseline_mean is None or not math.isfinite(m.baseline_mean) or m.baseline_mean == 0:
            raise PlanningError("baseline_mean", f"{m.name}: a relative effect needs a non-zero baseline mean")
        absolute = abs(m.baseline_mean) * m.effect / 100
    else:
        absolute = m.effect
    return absolute, absolute / m.baseline_sd


def plan_experiment(
    metrics: list[MetricPlanInput],
    *,
    weights: dict[str, float],
    control: str,
    alpha: float = 0.05,
    power: float = 0.8,
    daily_traffic: float | None = None,
    exposure_pct: float = 100.0,
    planned_days: int | None = None,
) -> Plan:
    """Units per arm and days needed for every metric's test to reach its power."""
    _check_probability("alpha", alpha, 0, 0.5)
    # 0.5 is the lowest power the experiment form accepts, so it must plan too.
    _check_probability("power", power, 0.5, 1, low_inclusive=True)
    if control not in weights:
        raise PlanningError("variants", "the control arm must be one of the variants")
    if len(weights) < 2:
        raise PlanningError("variants", "needs a control and at least one treatment")
    for key, w in weights.items():
        if w is None or not math.isfinite(w) or w <= 0:
            raise PlanningError("variants", f"arm {key!r} needs a positive allocation weight")
    if not metrics:
        raise PlanningError("metrics", "add at least one metric to plan")
    if daily_traffic is not None and (not math.isfinite(daily_traffic) or daily_traffic <= 0):
        raise PlanningError("expected_daily_traffic", "must be a positive number")
    if not math.isfinite(exposure_pct) or not 0 < exposure_pct <= 100:
        raise PlanningError("exposure_cap_pct", "must be a percentage above 0 and at most 100")

    n_success = sum(1 for m in metrics if m.role == "success")
    n_guardrail = sum(1 for m in metrics if m.role == "guardrail")
    beta = 1 - power
    test_power = 1 - beta / (n_guardrail + 1) if n_success else 1 - beta / max(n_guardrail, 1)
    total_weight = sum(weights.values())
    w_control = weights[control]
    treatments = [k for k in weights if k != control]

    plans = []
    for m in metrics:
        test_alpha = alpha / n_success if m.role == "success" else alpha
        absolute, d = _absolute_effect_and_sd(m)
        control_units = 0
        for t in treatments:
            ratio = weights[t] / w_control
            control_units = max(control_units, math.ceil(_control_units_needed(d, test_alpha, test_power, ratio)))
        total = math.ceil(control_units * total_weight / w_control)
        plans.append(MetricPlan(m.name, m.role, test_alpha, test_power, absolute, d, control_units, total))

    deciding = max(plans, key=lambda p: p.total_units)
    units_per_arm = {k: math.ceil(deciding.control_units * w / w_control) for k, w in weights.items()}
    total_units = sum(units_per_arm.values())
    daily_units = (daily_traffic or 0) * exposure_pct / 100
    days_needed = math.ceil(total_units / daily_units) if daily_units > 0 else None
    warnings = []
    if days_needed is not None and planned_days is not None and days_needed > planned_days:
        warnings.append(
            f"The planned {planned_days} days are too short: at {daily_units:,.0f} units a day the experiment "
            f"needs {days_needed} days to reach {total_units:,} units and detect the effect on {deciding.name}."
        )
    return Plan(plans, units_per_arm, total_units, daily_units, days_needed, planned_days, warnings)
