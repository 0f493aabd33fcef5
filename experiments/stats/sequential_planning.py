"""Sample size for the whole decision rule when it is checked at several looks.

A group sequential test needs a little more data than a fixed-horizon test to keep the same power,
because early boundaries are higher: the maximum sample size is the fixed one times the inflation
factor R (K = 5 equally spaced O'Brien-Fleming looks: 1.029; 14 daily Lan-DeMets O'Brien-Fleming
looks: 1.059 at two-sided 0.05). ``plan_sequential`` applies the rule's levels (alpha/S for success
metrics, alpha for each guardrail), its power split (each test at 1 - beta/(G+1), or 1 - beta/G
with no success metric) and R for the planned looks, and turns units into days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

from scipy.optimize import brentq
from scipy.special import ndtri
from statsmodels.stats.power import normal_sample_size_one_tail

from .reader import gettext as _
from .boundaries import boundary_state, crossing_probabilities
from .inputs import StatsInputError
from .spending import spending_function
from .verdicts import MetricRole

# R only needs 3 decimals; a coarser lattice keeps the form's calculator quick.
_PLANNING_STEP = 0.01


def _check_level(name: str, value, low: float, high: float, *, low_inclusive: bool = False):
    above_low = (lambda v: v >= low) if low_inclusive else (lambda v: v > low)
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or not (above_low(value) and value < high)
    ):
        raise StatsInputError(name, f"must be a number between {low:g} and {high:g}")


def boundary_inflation(
    fractions, upper, lower=None, *, alpha: float, power: float = 0.8, step: float = _PLANNING_STEP
) -> float:
    """R for given z boundaries (e.g. classical Pocock or O'Brien-Fleming constants): the squared
    ratio of the drift giving ``power`` of crossing ``upper`` to the fixed-horizon drift
    z_{1-alpha} + z_{power} (``alpha`` one-sided)."""
    fixed_drift = float(ndtri(1 - alpha) + ndtri(power))

    def shortfall(drift):
        ups, _ = crossing_probabilities(fractions, upper, lower, drift=drift, step=step)
        return ups.sum() - power

    return (brentq(shortfall, fixed_drift, 2 * fixed_drift, xtol=1e-6) / fixed_drift) ** 2


@lru_cache(maxsize=256)
def _inflation(looks: int, alpha: float, power: float, spending: str) -> float:
    if looks == 1:
        return 1.0
    fractions = [(k + 1) / looks for k in range(looks)]
    bounds = boundary_state(fractions, alpha, spending, _PLANNING_STEP).boundaries
    return boundary_inflation(fractions, bounds, alpha=alpha, power=power)


def inflation_factor(looks: int, alpha: float = 0.05, power: float = 0.8, spending: str = "obrien_fleming") -> float:
    """R: max sample size of a one-sided alpha-spending test with ``looks`` equally spaced looks
    (the last at the maximum) over the fixed-horizon size, for the same one-sided alpha and power."""
    if isinstance(looks, bool) or not isinstance(looks, int) or looks < 1:
        raise StatsInputError("looks", "must be a whole number of looks, at least 1")
    if looks > 400:
        raise StatsInputError("looks", "plan at most 400 looks")
    _check_level("alpha", alpha, 0, 0.5)
    _check_level("power", power, 0.5, 1, low_inclusive=True)  # 0.5: the form's lowest power
    spending_function(spending)
    return _inflation(looks, round(float(alpha), 12), round(float(power), 12), spending)


def per_test_power(power: float, success_count: int, guardrail_count: int) -> float:
    """Power each test is planned at so that the whole rule keeps ``power``."""
    beta = 1 - power
    if success_count:
        return 1 - beta / (guardrail_count + 1)
    return 1 - beta / max(guardrail_count, 1)


@dataclass(frozen=True)
class MetricRequirement:
    """A metric to plan for: ``effect`` is the MDE (success) or the margin (guardrail) and ``sd``
    the per-unit standard deviation, both in the same units (rates: percentage points)."""

    name: str
    role: str  # a MetricRole value: "success" | "guardrail"
    effect: float
    sd: float


@dataclass(frozen=True)
class SequentialMetricPlan:
    name: str
    role: str
    alpha: float
    power: float
    inflation: float
    fixed_control_units: int  # control units a single fixed-horizon look would need
    control_units: int  # with the sequential inflation
    total_units: int


@dataclass(frozen=True)
class SequentialPlan:
    metrics: list[SequentialMetricPlan]
    units_per_arm: dict
    total_units: int
    looks: int
    daily_units: float | None
    days_needed: int | None
    warnings: list[str] = field(default_factory=list)

    @property
    def deciding_metric(self) -> SequentialMetricPlan | None:
        return max(self.metrics, key=lambda m: m.total_units, default=None)


def days_needed(total_units: int, daily_units: float | None) -> int | None:
    if not daily_units or daily_units <= 0:
        return None
    return math.ceil(total_units / daily_units)


def inflate_units(units_per_arm: dict, inflation: float) -> dict:
    """Fixed-horizon units per arm scaled by R (rounded up)."""
    return {arm: math.ceil(units * inflation) for arm, units in units_per_arm.items()}


def plan_sequential(
    metrics: list[MetricRequirement],
    *,
    weights: dict,
    control: str,
    alpha: float = 0.05,
    power: float = 0.8,
    looks: int = 1,
    spending: str = "obrien_fleming",
    daily_traffic: float | None = None,
    exposure_pct: float = 100.0,
    harm_alpha: float | None = 0.01,
) -> SequentialPlan:
    """Units per arm (and days) for every metric's test to reach its share of the power when the
    experiment is checked at ``looks`` equally spaced looks.

    ``harm_alpha`` is the level of the deterioration tests the rule also runs: a guardrail that
    truly does not move still trips its harm test with probability up to ``harm_alpha``, which
    would stop a winning experiment. That risk (G x harm_alpha, a union bound) is taken out of
    beta before beta is split over the G + 1 tests, so the whole rule keeps ``power``.
    Pass None to plan without it (the plain spotify-confidence split)."""
    _check_level("alpha", alpha, 0, 0.5)
    _check_level("power", power, 0.5, 1, low_inclusive=True)  # 0.5: the form's lowest power
    if not isinstance(weights, dict) or len(weights) < 2 or control not in weights:
        raise StatsInputError("weights", "need a control and at least one treatment arm")
    for arm, w in weights.items():
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(w) or w <= 0:
            raise StatsInputError(f"weights.{arm}", "must be a positive number")
    if not metrics:
        raise StatsInputError("metrics", "add at least one metric to plan")
    for m in metrics:
        if m.role not in tuple(MetricRole):
            raise StatsInputError(f"metrics[{m.name}].role", "must be success or guardrail")
        for name in ("effect", "sd"):
            value = getattr(m, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
                raise StatsInputError(f"metrics[{m.name}].{name}", "must be a positive number")
    if daily_traffic is not None and (
        not isinstance(daily_traffic, (int, float)) or not math.isfinite(daily_traffic) or daily_traffic <= 0
    ):
        raise StatsInputError("daily_traffic", "must be a positive number")
    if not isinstance(exposure_pct, (int, float)) or not math.isfinite(exposure_pct) or not 0 < exposure_pct <= 100:
        raise StatsInputError("exposure_pct", "must be a percentage above 0 and at most 100")

    if harm_alpha is not None:
        _check_level("harm_alpha", harm_alpha, 0, 0.5)
    success_count = sum(1 for m in metrics if m.role == MetricRole.SUCCESS)
    guardrail_count = len(metrics) - success_count
    beta = 1 - power
    harm_reserve = guardrail_count * harm_alpha if harm_alpha else 0.0
    warnings = []
    if harm_reserve > beta / 2:
        harm_reserve = beta / 2
        warnings.append(
            _(
                "The deterioration tests could stop a good treatment more often than the power allows; planned with "
                "half of beta reserved for them."
            )
        )
    test_power = per_test_power(1 - (beta - harm_reserve), success_count, guardrail_count)
    w_control = weights[control]
    total_weight = sum(weights.values())
    plans = []
    for m in metrics:
        test_alpha = alpha / success_count if m.role == MetricRole.SUCCESS else alpha
        r = inflation_factor(looks, test_alpha, test_power, spending)
        d = m.effect / m.sd
        fixed = 0
        for arm, w in weights.items():
            if arm == control:
                continue
            ratio = w / w_control
            fixed = max(
                fixed, float(normal_sample_size_one_tail(d, test_power, test_alpha, std_null=math.sqrt(1 + 1 / ratio)))
            )
        control_units = math.ceil(fixed * r)
        plans.append(
            SequentialMetricPlan(
                m.name,
                m.role,
                test_alpha,
                test_power,
                r,
                math.ceil(fixed),
                control_units,
                math.ceil(control_units * total_weight / w_control),
            )
        )
    deciding = max(plans, key=lambda p: p.total_units)
    units_per_arm = {arm: math.ceil(deciding.control_units * w / w_control) for arm, w in weights.items()}
    total = sum(units_per_arm.values())
    daily_units = daily_traffic * exposure_pct / 100 if daily_traffic else None
    return SequentialPlan(plans, units_per_arm, total, looks, daily_units, days_needed(total, daily_units), warnings)
