"""Always-valid normal-mixture sequential test (mSPRT) and confidence sequence.

For an estimate with variance v (that is V/n for equal arms of n units) and a normal mixing
distribution of variance tau2 on the effect, the mixture likelihood ratio against H0: effect = null is

    Lambda = sqrt(v / (v + tau2)) * exp(tau2 (estimate - null)^2 / (2 v (v + tau2)))

and rejecting when Lambda >= 1/alpha keeps the error at most alpha however often one looks
(Ville's inequality). The matching confidence sequence is
estimate +/- sqrt(v (v + tau2) / tau2 * ln((v + tau2) / (v alpha^2))).

Used where no maximum sample size is planned, e.g. open-ended harm monitoring. It is wider than
group sequential boundaries (about 1.55x a fixed interval at its tightest point), so a planned
experiment uses ``boundaries`` instead.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from .inputs import StatsInputError


@lru_cache(maxsize=64)
def tightest_mixing_ratio(alpha: float) -> float:
    """c such that tau2 = c v* makes the test tightest when the estimate's variance is v*:
    c = -2 ln alpha + ln(-2 ln alpha + 1) (7.94 at alpha = 0.05)."""
    k = -2 * math.log(alpha)
    return k + math.log(k + 1)


def mixing_variance(alpha: float, reference_variance: float) -> float:
    """tau2 tuned to be tightest when the estimate's variance is ``reference_variance``."""
    return tightest_mixing_ratio(alpha) * reference_variance


@dataclass(frozen=True)
class MixtureResult:
    likelihood_ratio: float
    p_value: float  # 1 / Lambda, capped at 1: always valid when the running minimum is kept
    rejects: bool
    z: float
    z_threshold: float  # |z| needed to reject at this look
    interval: tuple[float, float]  # confidence sequence at level 1 - alpha


def _check(estimate: float, variance: float, tau2: float, alpha: float):
    if not math.isfinite(estimate):
        raise StatsInputError("estimate", "must be a finite number")
    if not (math.isfinite(variance) and variance > 0):
        raise StatsInputError("variance", "must be a positive number")
    if not (math.isfinite(tau2) and tau2 > 0):
        raise StatsInputError("tau2", "the mixing variance must be a positive number")
    if not 0 < alpha < 1:
        raise StatsInputError("alpha", "must be between 0 and 1")


def z_threshold(variance: float, tau2: float, alpha: float) -> float:
    """|z| at which Lambda = 1/alpha: z^2 = (1 + r)/r ln((1 + r)/alpha^2), r = tau2 / variance."""
    r = tau2 / variance
    return math.sqrt((1 + r) / r * math.log((1 + r) / (alpha * alpha)))


def confidence_sequence(estimate: float, variance: float, tau2: float, alpha: float) -> tuple[float, float]:
    _check(estimate, variance, tau2, alpha)
    half = z_threshold(variance, tau2, alpha) * math.sqrt(variance)
    return estimate - half, estimate + half


def mixture_test(estimate: float, variance: float, tau2: float, alpha: float, null: float = 0.0) -> MixtureResult:
    """The mSPRT of H0: effect = ``null`` at the current look."""
    _check(estimate, variance, tau2, alpha)
    z = (estimate - null) / math.sqrt(variance)
    log_lr = 0.5 * math.log(variance / (variance + tau2)) + tau2 * (estimate - null) ** 2 / (
        2 * variance * (variance + tau2)
    )
    threshold = z_threshold(variance, tau2, alpha)
    p_value = 1.0 if log_lr <= 0 else math.exp(-log_lr)
    half = threshold * math.sqrt(variance)  # confidence_sequence, without checking and solving again
    return MixtureResult(
        likelihood_ratio=math.exp(min(log_lr, 700.0)),
        p_value=min(1.0, p_value),
        rejects=abs(z) >= threshold,
        z=z,
        z_threshold=threshold,
        interval=(estimate - half, estimate + half),
    )
