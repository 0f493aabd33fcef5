"""Sample size and duration for an experiment's whole decision rule.

Every metric gets its own one-sided test (see the decision rule in
shared statistics reference): success metrics for superiority at alpha/S, guardrails for
non-inferiority at alpha each. Power is split so that the *whole rule* keeps the requested
power: each test is planned at 1 - beta/(G+1) (1 - beta/G with no success metric).
The per-arm size of one test is the normal-approximation size NormalIndPower solves for, taken in
closed form from statsmodels' normal_sample_size_one_tail: NormalIndPower.solve_power's root
finder starts at 10 units and returns NaN whenever fewer are needed (large effects).

This module turns metric baselines into effects and standard deviations; the sizing itself is
``sequential_planning.plan_sequential``, which also inflates for the daily looks (``looks``) and
reserves power for the harm tests (``harm_alpha``). With the defaults (one look, no reserve) the
plan is the plain fixed-horizon one.
"""

from __future__ import annotations


import math
from dataclasses import dataclass, field

from .reader import gettext as _
from .reader import grouped
from .inputs import StatsInputError
from .sequential_planning import MetricRequirement, plan_sequential
from .verdicts import MetricRole


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
    role: str  # a MetricRole value: "success" | "guardrail"
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
    inflation: float = 1.0  # sequential inflation R for the planned looks


@dataclass(frozen=True)
class Plan:
    metrics: list[MetricPlan]
    units_per_arm: dict[str, int]
    total_units: int
    daily_units: float  # units entering per day after the exposure cap
    days_needed: int | None
    planned_days: int | None
    warnings: list[str] = field(default_factory=list)
    looks: int = 1  # planned checks (daily looks over the planned duration)
    # CUPED: the expected correlation of mean metrics with their pre-period values, and the units
    # the same plan needs without it (None when no correlation was given).
    expected_correlation: float = 0.0
    total_units_without_cuped: int | None = None

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
        v_treat = max(x * (1 - x) for x in q) if m.role == MetricRole.SUCCESS else p * (1 - p)
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
    looks: int = 1,
    harm_alpha: float | None = None,
    expected_correlation: float = 0.0,
) -> Plan:
    """Units per arm and days needed for every metric's test to reach its power, checked at
    ``looks`` equally spaced looks, with ``harm_alpha`` of power kept for each harm test.

    ``expected_correlation`` (rho, 0 <= rho < 1): the correlation expected between each mean
    metric and its units' pre-period values. With CUPED the variance of a mean metric's estimate
    is Var x (1 - rho^2) (Deng, Xu, Kohavi & Walker 2013), so its standardized effect grows by
    1 / sqrt(1 - rho^2) and the units it needs shrink to n x (1 - rho^2). Rate and NPS metrics
    are unchanged (the engine adjusts mean metrics only)."""
    if expected_correlation is None or not math.isfinite(expected_correlation) or not 0 <= expected_correlation < 1:
        raise PlanningError("expected_correlation", "must be a number from 0 up to (not including) 1")
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

    if isinstance(looks, bool) or not isinstance(looks, int) or looks < 1:
        raise PlanningError("looks", "must be a whole number of looks, at least 1")

    effects = [_absolute_effect_and_sd(m) for m in metrics]
    if expected_correlation:
        shrink = math.sqrt(1 - expected_correlation**2)
        effects = [
            (absolute, d / shrink if m.kind == "mean" else d) for m, (absolute, d) in zip(metrics, effects, strict=True)
        ]
    requirements = [
        MetricRequirement(m.name, m.role, absolute, absolute / d)
        for m, (absolute, d) in zip(metrics, effects, strict=False)
    ]
    try:
        sequential = plan_sequential(
            requirements,
            weights={k: float(w) for k, w in weights.items()},
            control=control,
            alpha=alpha,
            power=power,
            looks=looks,
            daily_traffic=daily_traffic,
            exposure_pct=float(exposure_pct),
            harm_alpha=harm_alpha,
        )
    except StatsInputError as exc:
        raise PlanningError(exc.field, exc.message) from None
    plans = [
        MetricPlan(p.name, p.role, p.alpha, p.power, absolute, d, p.control_units, p.total_units, p.inflation)
        for p, (absolute, d) in zip(sequential.metrics, effects, strict=False)
    ]
    deciding = max(plans, key=lambda p: p.total_units)
    units_per_arm = sequential.units_per_arm
    total_units = sequential.total_units
    daily_units = sequential.daily_units or 0.0
    days_needed = sequential.days_needed
    warnings = list(sequential.warnings)
    if days_needed is not None and planned_days is not None and days_needed > planned_days:
        words = {
            "planned": planned_days,
            "daily": grouped(round(daily_units)),
            "needed": days_needed,
            "total": grouped(total_units),
            "metric": deciding.name,
        }
        warnings.append(
            _(
                "The planned %(planned)s days are too short: at %(daily)s units a day the experiment "
                "needs %(needed)s days to reach %(total)s units and detect the effect on %(metric)s."
            )
            % words
        )
    without = None
    if expected_correlation:
        without = plan_experiment(
            metrics,
            weights=weights,
            control=control,
            alpha=alpha,
            power=power,
            daily_traffic=daily_traffic,
            exposure_pct=exposure_pct,
            planned_days=planned_days,
            looks=looks,
            harm_alpha=harm_alpha,
        ).total_units
    return Plan(
        plans,
        units_per_arm,
        total_units,
        daily_units,
        days_needed,
        planned_days,
        warnings,
        looks,
        float(expected_correlation),
        without,
    )
