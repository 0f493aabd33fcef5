"""Effect estimates and their variances, oriented so that positive always means better.

``compare(control, treatment)`` takes two ``ArmSummary`` objects (from ``arm.summary()``) and
returns an ``Effect``: the absolute difference of means (percentage points for rates, NPS points
for NPS) or the relative difference in % of control (delta method), with the variance of that
estimate. Lower-is-better metrics are flipped. With covariate sums on both arms the means are
CUPED-adjusted first (theta pooled across arms).

``welch_test`` and ``two_proportion_z_test`` are the plain fixed-horizon tests (matching scipy and
statsmodels); the sequential tests use the z statistic ``Effect.z``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from scipy import stats as scipy_stats

from .frozen import made
from .inputs import ArmSummary, BinaryArm
from .phrases import phrase, worded


class NotEnoughData(Exception):
    """The numbers are valid but cannot support a test yet; ``said`` says why (a phrase, worded
    when read), ``reason`` in the active language's plain words."""

    def __init__(self, said: dict):
        super().__init__(said["t"])
        self.said = said

    @property
    def reason(self) -> str:
        return worded(self.said)


@dataclass(frozen=True)
class Effect:
    estimate: float  # oriented: positive = better
    variance: float  # variance of the estimate
    relative: bool  # True: % of the control mean; False: metric units
    control_mean: float
    treatment_mean: float
    n_control: int
    n_treatment: int
    flipped: bool = False  # True for lower-is-better metrics
    cuped_theta: float | None = None

    @property
    def se(self) -> float:
        return math.sqrt(self.variance)

    def z(self, null: float = 0.0) -> float:
        """z statistic of H0: effect = ``null`` (oriented units)."""
        return (self.estimate - null) / self.se

    def raw(self, value: float) -> float:
        """An oriented value back in the metric's own direction (a rise stays a rise)."""
        return -value if self.flipped else value


@dataclass(frozen=True)
class CupedAdjustment:
    control: ArmSummary  # adjusted: mean shifted, variance the residual variance
    treatment: ArmSummary
    theta: float
    theta_variance: float  # the estimated theta's own uncertainty, s^2 / Sxx
    grand_mean_x: float


def cuped_adjust(control: ArmSummary, treatment: ArmSummary) -> CupedAdjustment:
    """CUPED: Y - theta (X - mean X) with theta = pooled Cov(X, Y) / pooled Var(X).

    Both arms are shifted by the same theta, so the difference of adjusted means is
    (Y_t - Y_c) - theta (X_t - X_c) and each arm's variance becomes Var(Y) - 2 theta Cov + theta^2 Var(X).
    Theta is estimated from the same data, which costs one degree of freedom (the residual variances
    are scaled by (N - 2) / (N - 3)) and adds theta's own variance times the arms' covariate
    imbalance (``compare``): the regression-adjusted estimate's exact variance, as for Y ~ arm + X.
    Without both, the A/A false-win rate creeps above alpha (bench/cuped.py measures it).
    """
    arms = (control, treatment)
    sxx = sum((a.n - 1) * a.variance_x for a in arms)
    sxy = sum((a.n - 1) * a.covariance_xy for a in arms)
    n_total = control.n + treatment.n
    grand_x = (control.n * control.mean_x + treatment.n * treatment.mean_x) / n_total
    if sxx <= 0 or n_total <= 3:
        return CupedAdjustment(control, treatment, 0.0, 0.0, grand_x)
    theta = sxy / sxx
    one_df_less = (n_total - 2) / (n_total - 3)

    def residual_variance(a: ArmSummary) -> float:
        return max(a.variance - 2 * theta * a.covariance_xy + theta * theta * a.variance_x, 0.0) * one_df_less

    def adjusted(a: ArmSummary) -> ArmSummary:
        return replace(a, mean=a.mean - theta * (a.mean_x - grand_x), variance=residual_variance(a))

    pooled = sum((a.n - 1) * residual_variance(a) for a in arms) / (n_total - 2)
    return CupedAdjustment(adjusted(control), adjusted(treatment), theta, pooled / sxx, grand_x)


def compare(
    control: ArmSummary,
    treatment: ArmSummary,
    *,
    relative: bool = False,
    lower_is_better: bool = False,
    cuped: bool = True,
) -> Effect:
    """The treatment-minus-control effect; raises NotEnoughData when it cannot be estimated."""
    for arm, empty, single in (
        (control, phrase("the control arm has no units yet"), phrase("the control arm needs at least 2 units")),
        (treatment, phrase("the treatment arm has no units yet"), phrase("the treatment arm needs at least 2 units")),
    ):
        if arm.n == 0:
            raise NotEnoughData(empty)
        if not math.isfinite(arm.variance):
            raise NotEnoughData(single)
    theta = None
    # d(estimate)/d(theta) times theta's variance: zero without CUPED.
    theta_term = 0.0
    if cuped and control.variance_x is not None and treatment.variance_x is not None:
        cuped_fit = cuped_adjust(control, treatment)
        offset_c = control.mean_x - cuped_fit.grand_mean_x
        offset_t = treatment.mean_x - cuped_fit.grand_mean_x
        control, treatment, theta = cuped_fit.control, cuped_fit.treatment, cuped_fit.theta
    v_c, v_t = control.variance / control.n, treatment.variance / treatment.n
    if relative:
        if control.mean == 0:
            raise NotEnoughData(phrase("the control mean is 0, so a relative change is undefined"))
        ratio = treatment.mean / control.mean
        estimate = 100 * (ratio - 1)
        if theta is not None:
            theta_term = cuped_fit.theta_variance * ((ratio * offset_c - offset_t) / control.mean) ** 2
        # delta method for mean_t / mean_c
        variance = 10_000 * ((v_t + ratio * ratio * v_c) / (control.mean * control.mean) + theta_term)
    else:
        estimate = treatment.mean - control.mean
        if theta is not None:
            theta_term = cuped_fit.theta_variance * (offset_t - offset_c) ** 2
        variance = v_t + v_c + theta_term
    if not variance > 0:
        raise NotEnoughData(phrase("every unit so far has the same value, so the variance is 0"))
    sign = -1.0 if lower_is_better else 1.0
    fields = {
        "estimate": sign * estimate,
        "variance": variance,
        "relative": relative,
        "control_mean": control.mean,
        "treatment_mean": treatment.mean,
        "n_control": control.n,
        "n_treatment": treatment.n,
        "flipped": lower_is_better,
        "cuped_theta": theta,
    }
    return made(Effect, fields)  # Effect(**fields), made on every metric of every look


@dataclass(frozen=True)
class WelchResult:
    difference: float  # treatment - control
    t: float
    df: float
    p_value: float  # two-sided
    interval: tuple[float, float]


def welch_test(control: ArmSummary, treatment: ArmSummary, alpha: float = 0.05) -> WelchResult:
    """Fixed-horizon Welch t test of treatment - control (unequal variances), two-sided."""
    v_c, v_t = control.variance / control.n, treatment.variance / treatment.n
    se = math.sqrt(v_c + v_t)
    difference = treatment.mean - control.mean
    df = (v_c + v_t) ** 2 / (v_c**2 / (control.n - 1) + v_t**2 / (treatment.n - 1))
    t = difference / se
    p = 2 * scipy_stats.t.sf(abs(t), df)
    half = scipy_stats.t.ppf(1 - alpha / 2, df) * se
    return WelchResult(difference, t, df, float(p), (difference - half, difference + half))


def two_proportion_z_test(control: BinaryArm, treatment: BinaryArm) -> tuple[float, float]:
    """Unpooled (Wald) z test of p_t - p_c, two-sided: (z, p)."""
    p_c, p_t = control.successes / control.n, treatment.successes / treatment.n
    se = math.sqrt(p_c * (1 - p_c) / control.n + p_t * (1 - p_t) / treatment.n)
    z = (p_t - p_c) / se
    return z, float(2 * scipy_stats.norm.sf(abs(z)))


def mean_and_variance(n, total, total_sq):
    """Vectorised mean and sample variance from sums (numpy arrays welcome; the simulations use it)."""
    n = np.asarray(n, dtype=float)
    mean = np.asarray(total) / n
    variance = np.maximum(np.asarray(total_sq) - n * mean * mean, 0.0) / (n - 1)
    return mean, variance


def rate_mean_and_variance(n, successes):
    """Vectorised BinaryArm.summary(): the rate in percent and the per-unit variance in points^2."""
    p = np.asarray(successes) / np.asarray(n, dtype=float)
    return 100 * p, 10_000 * p * (1 - p)


def difference_z(n_c, mean_c, var_c, n_t, mean_t, var_t, null=0.0):
    """Vectorised z of (mean_t - mean_c - null) with the unpooled standard error."""
    return (np.asarray(mean_t) - np.asarray(mean_c) - null) / np.sqrt(np.asarray(var_c) / n_c + np.asarray(var_t) / n_t)
