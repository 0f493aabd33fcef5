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
is below 1e-15 of each node's own term within 6 SD of c (its tail, however small), the rounding of
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
# Truncation target of the Taylor series, relative to each node's own term (bound below): a few
# roundings of a double.
_TRUNCATION = 1e-15
_MAX_TERMS = 60
# The bound holds for the nodes within this many SD of c; the window's outer nodes (up to 8.5 SD)
# add under 1e-9 of their mass each, so their truncation (under 2e-15 of that) is below 1e-23.
_EXACT_SDS = 6.0


def _terms(half_step: float) -> int:
    """Terms n = 0..N-1 such that (|e| (|a| + 2))^N / N! <= 1e-15 for |e| <= half_step and |a| <= 6:
    a bound on the remainder relative to the node's own term (|Phi^(N)(a)| is about |a|^(N-1) phi(a),
    and phi(a) <= (|a| + 1) Phi(a) below c, so it holds for tiny tails too). 7 terms at the default
    lattice step."""
    x = half_step * (_EXACT_SDS + 2.0)
    term, n = 1.0, 0
    while term > _TRUNCATION and n < _MAX_TERMS:
        n += 1
        term *= x / n
    return max(n, 2)


@functools.lru_cache(maxsize=128)
def _kernel(h: float, sd: float, spacing: int = 1) -> tuple[int, np.ndarray]:
    """(D, K): K[n, d + D] = (-1)^n Phi^(n)(d h / sd) / n! for |d| <= D, so that
    sum_d m_(k+d) Phi(d h / sd - e) = sum_n e^n (K[n] . m[k-D .. k+D]), with enough terms for
    |e| <= spacing h / (2 sd) (anchors every ``spacing`` lattice steps)."""
    reach = int(math.ceil(WINDOW_SDS * sd / h)) + 1
    a = np.arange(-reach, reach + 1) * (h / sd)
    terms = _terms(spacing * h / (2 * sd))
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


# A sub-density that has priced this many points is tabulated: the series coefficients at anchors
# TABLE_SPACING_SDS apart (|e| <= 0.08, 15 terms), made at once (~450 window products at look 28
# of 28 daily looks, 5-25 ms), after which a point costs one polynomial in e instead of a window
# product. A state priced a few times (the daily look's metrics) never pays for a table; one read
# again and again (many segments, many readers of the same look, the benchmark) does, once.
TABULATE_AFTER = 32
TABLE_SPACING_SDS = 0.16


class LatticeTails:
    """T(c) = P(continued so far and S_next >= c), S_next = S + N(0, sd^2), for a sub-density with
    masses ``mass`` at the lattice nodes (j0 + i) h and ``extra_mass`` at ``extra_at`` (a few
    nodes off the lattice: the continuation region's exact ends), priced directly."""

    __slots__ = (
        "h",
        "j0",
        "sd",
        "count",
        "reach",
        "width",
        "kernel",
        "mass",
        "above",
        "total",
        "extra",
        "priced",
        "table",
    )

    def __init__(self, h: float, j0: int, mass: np.ndarray, sd: float, extra_at=(), extra_mass=()):
        self.h, self.j0, self.sd, self.count = h, j0, sd, len(mass)
        self.reach, self.kernel = _kernel(h, sd)
        self.width = self.kernel.shape[1]
        self.mass = np.ascontiguousarray(mass, dtype=float)
        # above[i] = the mass at positions >= i (an array: a list of ~10,000 floats per kept state
        # would weigh 30 times the table)
        self.above = np.concatenate([np.cumsum(self.mass[::-1])[::-1], [0.0]])
        self.total = float(self.above[0])
        scale = -1.0 / (sd * math.sqrt(2.0))
        self.extra = [(float(at), float(m), scale) for at, m in zip(extra_at, extra_mass, strict=True)]
        self.priced = 0
        self.table: _Table | None = None

    def upper(self, c: float) -> float:
        """T(c); of the lattice nodes, those more than 8.5 SD below c's anchor are left out."""
        value = 0.0
        for at, m, scale in self.extra:  # Phi(u) = erfc(-u / sqrt 2) / 2
            value += m * math.erfc((at - c) * scale)
        table = self.table
        if table is None:
            self.priced += 1
            if self.priced > TABULATE_AFTER and self.count:
                self.table = _Table(self, max(1, int(TABLE_SPACING_SDS * self.sd / self.h)))
            return self.lattice(c, 1) + value / 2
        return table.lattice(c) + value / 2

    def lattice(self, c: float, spacing: int) -> float:
        """The lattice part of T(c) by one window product about the nearest anchor (every ``spacing`` steps)."""
        k = round(c / (spacing * self.h)) * spacing
        kernel = self.kernel if spacing == 1 else _kernel(self.h, self.sd, spacing)[1]
        first = k - self.j0 - self.reach  # the window's first position in `mass` (may be outside it)
        end = first + self.width
        if end <= 0:  # every node is above the window
            return self.total
        if first >= self.count:  # every node is below the window
            return 0.0
        # only the part of the window the lattice covers: the density ends at the last boundary
        lo, hi = max(first, 0), min(end, self.count)
        coefficients = np.dot(kernel[:, lo - first : hi - first], self.mass[lo:hi]).tolist()
        return _series(coefficients, (c - k * self.h) / self.sd) + float(self.above[hi])


def _series(coefficients: list, e: float) -> float:
    value = 0.0
    for coefficient in reversed(coefficients):
        value = value * e + coefficient
    return value


class _Table:
    """The lattice part of T at anchors K = i * spacing (lattice indices): the series coefficients
    and the mass above each anchor's window, for every anchor whose window meets the lattice. The
    same sums as ``LatticeTails.lattice(c, spacing)``, made anchor by anchor
    (one matrix-vector product each: a matrix-matrix product would be fewer calls, but OpenBLAS
    then spreads it over threads, which on a busy machine costs ten times more)."""

    __slots__ = ("sd", "step", "first_anchor", "coefficients", "above", "before")

    def __init__(self, tails: LatticeTails, spacing: int):
        self.sd, self.step = tails.sd, spacing * tails.h
        kernel = _kernel(tails.h, tails.sd, spacing)[1]
        width, reach, count = tails.width, tails.reach, tails.count
        # anchors whose window [K - reach, K + reach] meets the lattice [j0, j0 + count), and one
        # more either side (nearer anchors beyond them price every node as above / below)
        low = math.ceil((tails.j0 - reach) / spacing) - 1
        high = math.floor((tails.j0 + count + reach) / spacing)
        self.first_anchor = low
        firsts = [k * spacing - tails.j0 - reach for k in range(low, high + 1)]  # windows' first positions
        pad = width + spacing  # every window fits in the zeros either side of the lattice
        padded = np.concatenate([np.zeros(pad), tails.mass, np.zeros(pad)])
        self.coefficients = np.array([np.dot(kernel, padded[f + pad : f + pad + width]) for f in firsts])
        self.above = [float(tails.above[min(max(f + width, 0), count)]) for f in firsts]
        self.before = tails.total

    def lattice(self, c: float) -> float:
        index = round(c / self.step) - self.first_anchor
        if index < 0:  # every node is above the first window
            return self.before
        if index >= len(self.above):  # every node is below the last window
            return 0.0
        e = (c - (index + self.first_anchor) * self.step) / self.sd
        return _series(self.coefficients[index].tolist(), e) + self.above[index]
