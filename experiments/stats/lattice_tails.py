"""Upper normal tails of a sub-density on a uniform lattice, a few microseconds per point.

A group sequential look prices a z by T(c) = sum_j m_j Phi((j h - c) / sd): the probability of no
earlier crossing and a next score >= c, from the lattice masses m_j of the continuation density
(``boundaries._Grid``). Summed directly it costs one normal tail per node within 8.5 SD of c,
~3,400 of them at look 28 of 28 daily looks, on every p-value and every step of a boundary search.

Here c = k h + e sd with k the nearest lattice index (|e| <= h / (2 sd)), so each node's
Phi(d h / sd - e) (d = j - k) is a Taylor series in e whose coefficients depend on d only:
sum_n (-e)^n Phi^(n)(d h / sd) / n!, with Phi^(n) = (-1)^(n-1) He_(n-1) phi (Hermite polynomials).
The coefficients for the window |d| <= D form one matrix per (h, sd), made once; then

    T(c) = sum_n e^n (K_n . m[k-D .. k+D]) + the mass above the window,

one matrix-vector product of the window, whatever c is. Enough terms are kept that the truncation
is below 1e-16 of each node's own term (its tail, however small), the double-precision rounding of
the direct sum: both give the same p-values to ~1e-15 (tests/experiments/stats/test_lattice_tails.py).
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy.special import ndtr

# Nodes further than this many SD below c add less than 1e-17 of their mass (they are left out,
# as the direct sum leaves them out); nodes further above count with their whole mass.
WINDOW_SDS = 8.5
# Truncation target of the Taylor series, relative to each node's own term (bound below): below
# double-precision rounding, and 8 terms at the default lattice step.
_TRUNCATION = 1e-16
_MAX_TERMS = 60


def _terms(half_step: float) -> int:
    """Terms n = 0..N-1 such that (|e| (|a| + 2))^N / N! <= 1e-16 for |e| <= half_step and the
    window's |a| <= 8.5: a bound on the remainder relative to the node's own term (|Phi^(N)(a)| is
    about |a|^(N-1) phi(a), and phi(a) <= (|a| + 1) Phi(a) below c, so it holds for tiny tails too)."""
    x = half_step * (WINDOW_SDS + 2.0)
    term, n = 1.0, 0
    while term > _TRUNCATION and n < _MAX_TERMS:
        n += 1
        term *= x / n
    return max(n, 2)


@functools.lru_cache(maxsize=128)
def _kernel(h: float, sd: float) -> tuple[int, np.ndarray]:
    """(D, K): K[n, d + D] = (-1)^n Phi^(n)(d h / sd) / n! for |d| <= D, so that
    sum_d m_(k+d) Phi(d h / sd - e) = sum_n e^n (K[n] . m[k-D .. k+D])."""
    reach = int(math.ceil(WINDOW_SDS * sd / h)) + 1
    a = np.arange(-reach, reach + 1) * (h / sd)
    terms = _terms(h / (2 * sd))
    kernel = np.empty((terms, len(a)))
    kernel[0] = ndtr(a)
    density = np.exp(-0.5 * a * a) / math.sqrt(2 * math.pi)
    # Phi^(n) = (-1)^(n-1) He_(n-1) phi; with the (-1)^n of e's sign: K_n = -He_(n-1) phi / n!
    he_previous, he = np.zeros_like(a), np.ones_like(a)  # He_(-1) := 0, He_0 = 1
    factorial = 1.0
    for n in range(1, terms):
        factorial *= n
        kernel[n] = -he * density / factorial
        he_previous, he = he, a * he - (n - 1) * he_previous
    kernel.setflags(write=False)
    return reach, kernel


class LatticeTails:
    """T(c) for the lattice part of one sub-density (masses ``mass`` at (j0 + i) h), next-score SD ``sd``."""

    __slots__ = ("h", "j0", "sd", "count", "reach", "kernel", "padded", "above", "total")

    def __init__(self, h: float, j0: int, mass: np.ndarray, sd: float):
        self.h, self.j0, self.sd, self.count = h, j0, sd, len(mass)
        self.reach, self.kernel = _kernel(h, sd)
        width = 2 * self.reach + 1
        # `width` zeros either side, so every window that touches the lattice is one slice
        self.padded = np.concatenate([np.zeros(width), mass, np.zeros(width)])
        # above[p] = the mass at padded positions >= p
        self.above = np.concatenate([np.cumsum(self.padded[::-1])[::-1], [0.0]]).tolist()
        self.total = self.above[0]

    def upper(self, c: float) -> float:
        """sum_j m_j Phi((j h - c) / sd) over the lattice (nodes > 8.5 SD below c left out)."""
        if not self.count:
            return 0.0
        k = round(c / self.h)
        i0 = k - self.j0  # the anchor's position in `mass`
        reach = self.reach
        width = 2 * reach + 1
        if i0 + reach < 0:  # every node is more than the window above c
            return self.total
        if i0 - reach >= self.count:  # every node is more than the window below c
            return 0.0
        start = i0 - reach + width  # the window's first position in `padded`
        coefficients = (self.kernel @ self.padded[start : start + width]).tolist()
        e = (c - k * self.h) / self.sd
        value = 0.0
        for coefficient in reversed(coefficients):
            value = value * e + coefficient
        return value + self.above[start + width]
