"""Alpha-spending functions: how much of a test's one-sided alpha may be used by information fraction t.

Each takes the fraction t (0..1, capped) and the one-sided level alpha of the test and returns the
cumulative type I error allowed by then; every one returns exactly alpha at t = 1.
"""

from __future__ import annotations

import math

from scipy.special import ndtr, ndtri

from .inputs import StatsInputError


def obrien_fleming(t: float, alpha: float) -> float:
    """Lan-DeMets O'Brien-Fleming type: 2 - 2 Phi(z_{1-alpha/2} / sqrt(t)).

    Spends almost nothing early, so early looks need overwhelming evidence and the final
    boundary stays close to the fixed-horizon one.
    """
    if t <= 0:
        return 0.0
    if t >= 1:
        return alpha
    return float(2 * ndtr(-ndtri(1 - alpha / 2) / math.sqrt(t)))


def obrien_fleming_symmetric(t: float, alpha: float) -> float:
    """One side of a two-sided Lan-DeMets O'Brien-Fleming test at level 2 alpha: 1 - Phi(z_{1-alpha} / sqrt(t)).

    The classic textbook design ("two-sided 0.05") spends this on each side; its published
    power and inflation figures (14 looks: power 0.777, R 1.059) refer to it at alpha = 0.025.
    """
    if t <= 0:
        return 0.0
    if t >= 1:
        return alpha
    return float(ndtr(-ndtri(1 - alpha) / math.sqrt(t)))


def power_family(t: float, alpha: float, rho: float = 2.0) -> float:
    """alpha * t**rho (Kim-DeMets; rho = 2 is spotify-confidence's default)."""
    if t <= 0:
        return 0.0
    return alpha * min(t, 1.0) ** rho


def pocock_type(t: float, alpha: float) -> float:
    """Lan-DeMets Pocock type: alpha * ln(1 + (e - 1) t)."""
    if t <= 0:
        return 0.0
    return alpha * math.log(1 + (math.e - 1) * min(t, 1.0))


SPENDING_FUNCTIONS = {
    "obrien_fleming": obrien_fleming,
    "obrien_fleming_symmetric": obrien_fleming_symmetric,
    "power": power_family,
    "pocock": pocock_type,
}


def spending_function(name: str):
    try:
        return SPENDING_FUNCTIONS[name]
    except KeyError:
        choices = ", ".join(sorted(SPENDING_FUNCTIONS))
        raise StatsInputError("spending", f"unknown spending function {name!r}; choose one of {choices}") from None
