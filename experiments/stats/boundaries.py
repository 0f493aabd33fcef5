"""Exact group sequential boundaries by recursive numerical integration.

Model: at look k the z statistic is Z_k = S_k / sqrt(t_k), where the score S_k has independent
increments S_k - S_{k-1} ~ N(drift * (t_k - t_{k-1}), t_k - t_{k-1}) and t_k is the information
fraction. The sub-density of S_k on the continuation region (no boundary crossed yet) is
propagated look by look by convolution with the increment's normal kernel, on a uniform lattice
in the S scale (trapezoid rule; the region's exact end points are extra nodes). The crossing
probability at the next look is then a sum of normal tail areas, so a boundary is a root-find.

``boundary_state`` gives the one-sided boundaries of an alpha-spending test; its states are cached
by (alpha, spending, rounded fractions) and extend one look at a time, and ``BoundaryState.to_dict``
/ ``from_dict`` store one so that look k+1 is cheap in another process.
``crossing_probabilities`` evaluates any given (two-sided, drifted) boundaries, which is how the
published Pocock / O'Brien-Fleming constants and sample-size inflation factors are computed.
"""

from __future__ import annotations

import base64
import functools
import json
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq
from scipy.signal import fftconvolve
from scipy.special import ndtr, ndtri

from .inputs import StatsInputError
from .lattice_tails import LatticeTails
from .once import once
from .spending import spending_function

# The densities live within this many standard deviations of their mean; beyond it there is
# less than 1e-15 of probability.
TAIL_SDS = 8.5
# Default lattice step in z units at the first look; the reference asks for 0.002-0.005.
DEFAULT_STEP = 0.005
# Information fractions are rounded to this many decimals: it makes cache keys stable and keeps
# every increment >= 1e-4, wide enough for the lattice to resolve its kernel.
FRACTION_DECIMALS = 4
_MAX_Z = 40.0


@dataclass(frozen=True)
class _Grid:
    """Sub-density of S on a continuation interval: lattice nodes j*h for j0 <= j < j0+len(mass),
    plus extra nodes at arbitrary positions (the interval's exact end points). Masses are
    density x trapezoid weight, so sums over them are integrals."""

    h: float
    j0: int
    mass: np.ndarray
    extra_at: np.ndarray
    extra_mass: np.ndarray

    @staticmethod
    def start(h: float = 1.0) -> _Grid:
        # S_0 = 0 with certainty
        return _Grid(h, 0, np.zeros(0), np.array([0.0]), np.array([1.0]))

    def nodes_and_masses(self) -> tuple[np.ndarray, np.ndarray]:
        lattice = (self.j0 + np.arange(len(self.mass))) * self.h
        return np.concatenate([lattice, self.extra_at]), np.concatenate([self.mass, self.extra_mass])

    def total(self) -> float:
        return float(self.mass.sum() + self.extra_mass.sum())

    @functools.cached_property
    def sorted_nodes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(nodes ascending, their masses, the mass at and above each node, one more 0 at the end),
        made once per grid: a tail is then a dot product over a window of nodes plus one sum."""
        nodes, masses = self.nodes_and_masses()
        order = np.argsort(nodes, kind="stable")
        nodes, masses = nodes[order], masses[order]
        above = np.concatenate([np.cumsum(masses[::-1])[::-1], [0.0]])
        return nodes, masses, above


def _upper_tail(grid: _Grid, delta: float, mean_step: float, c: float) -> float:
    """P(continued so far and S_next >= c) with S_next = S + N(mean_step, delta)."""
    nodes, masses = grid.nodes_and_masses()
    sd = math.sqrt(delta)
    keep = nodes > c - mean_step - TAIL_SDS * sd
    if not keep.any():
        return 0.0
    return float(np.dot(masses[keep], ndtr((nodes[keep] + mean_step - c) / sd)))


# ndtr(y) is exactly 1.0 in double precision for y >= 8.3: nodes that far above the point count
# with their whole mass, and the window is what is left for the normal tails.
_SATURATED_SDS = 8.5


def _upper_tail_windowed(grid: _Grid, delta: float, c: float) -> float:
    """``_upper_tail`` with no drift, on the grid's sorted nodes: the same sum (to rounding), with
    normal tails only for the nodes within 8.5 SD of ``c``."""
    nodes, masses, above = grid.sorted_nodes
    sd = math.sqrt(delta)
    lo = int(np.searchsorted(nodes, c - TAIL_SDS * sd, side="right"))
    hi = int(np.searchsorted(nodes, c + _SATURATED_SDS * sd, side="right"))
    if hi <= lo:
        return float(above[lo])
    return float(np.dot(masses[lo:hi], ndtr((nodes[lo:hi] - c) / sd)) + above[hi])


def _lower_tail(grid: _Grid, delta: float, mean_step: float, c: float) -> float:
    """P(continued so far and S_next <= c)."""
    nodes, masses = grid.nodes_and_masses()
    sd = math.sqrt(delta)
    keep = nodes < c - mean_step + TAIL_SDS * sd
    if not keep.any():
        return 0.0
    return float(np.dot(masses[keep], ndtr((c - mean_step - nodes[keep]) / sd)))


def _normal_pdf(x: np.ndarray, sd: float) -> np.ndarray:
    return np.exp(-0.5 * (x / sd) ** 2) / (sd * math.sqrt(2 * math.pi))


def _advance(grid: _Grid, delta: float, mean_step: float, low: float, high: float, h: float) -> _Grid:
    """The sub-density of the next S on [low, high] (S scale), on a lattice of step h."""
    sd = math.sqrt(delta)
    if high <= low:
        return _Grid(h, 0, np.zeros(0), np.zeros(0), np.zeros(0))
    j_first = math.floor(low / h) + 1
    j_last = math.ceil(high / h) - 1
    count = max(j_last - j_first + 1, 0)
    density = np.zeros(count)
    if count and len(grid.mass):
        if grid.h != h:
            raise ValueError("lattice step changed between looks")
        d_first = math.floor((mean_step - TAIL_SDS * sd) / h)
        d_last = math.ceil((mean_step + TAIL_SDS * sd) / h)
        kernel = _normal_pdf(np.arange(d_first, d_last + 1) * h - mean_step, sd)
        conv = fftconvolve(grid.mass, kernel) if len(grid.mass) > 1 else grid.mass[0] * kernel
        # conv[q] is the density at lattice index grid.j0 + d_first + q
        offset = j_first - (grid.j0 + d_first)
        lo_q, hi_q = max(offset, 0), min(offset + count, len(conv))
        if hi_q > lo_q:
            density[lo_q - offset : hi_q - offset] = conv[lo_q:hi_q]
    lattice = (j_first + np.arange(count)) * h
    if len(grid.extra_at):
        diff = lattice[:, None] - grid.extra_at[None, :] - mean_step
        density += _normal_pdf(diff, sd) @ grid.extra_mass
    np.maximum(density, 0.0, out=density)  # FFT round-off can leave -1e-18
    nodes, masses = grid.nodes_and_masses()
    ends = np.array([low, high])
    end_density = _normal_pdf(ends[:, None] - nodes[None, :] - mean_step, sd) @ masses
    # trapezoid weights on low, lattice..., high
    positions = np.concatenate([[low], lattice, [high]])
    gaps = np.diff(positions)
    weights = np.zeros(len(positions))
    weights[:-1] += gaps / 2
    weights[1:] += gaps / 2
    return _Grid(h, j_first, density * weights[1:-1], ends, end_density * weights[[0, -1]])


def _lattice_step(first_fraction: float, step: float) -> float:
    # step in z units at the first look; never coarser than 1/3 of the smallest allowed increment's
    # SD (sqrt(1e-4)), never finer than step/10 so tiny first looks stay affordable.
    return min(step * max(math.sqrt(first_fraction), 0.1), 0.01 / 3)


def crossing_probabilities(fractions, upper, lower=None, drift: float = 0.0, step: float = DEFAULT_STEP):
    """Per-look probabilities of first crossing the upper / lower z boundaries.

    ``fractions`` are increasing information fractions; ``upper`` and ``lower`` are z boundaries
    (``lower=None`` or -inf entries mean no lower boundary). ``drift`` is E[Z] at t = 1.
    Returns two numpy arrays (upper crossings, lower crossings).
    """
    fractions = [float(t) for t in fractions]
    upper = [float(b) for b in upper]
    lower = [-math.inf] * len(fractions) if lower is None else [float(a) for a in lower]
    if not (len(fractions) == len(upper) == len(lower)) or not fractions:
        raise StatsInputError("fractions", "need one upper and lower boundary per look")
    h = _lattice_step(fractions[0], step)
    grid, previous = _Grid.start(h), 0.0
    ups, downs = np.zeros(len(fractions)), np.zeros(len(fractions))
    for k, t in enumerate(fractions):
        delta = t - previous
        if delta <= 0:
            raise StatsInputError("fractions", "information fractions must increase")
        mean_step, root = drift * delta, math.sqrt(t)
        hi = upper[k] * root if math.isfinite(upper[k]) else math.inf
        lo = lower[k] * root if math.isfinite(lower[k]) else -math.inf
        ups[k] = _upper_tail(grid, delta, mean_step, hi) if math.isfinite(hi) else 0.0
        downs[k] = _lower_tail(grid, delta, mean_step, lo) if math.isfinite(lo) else 0.0
        if k + 1 < len(fractions):
            span = TAIL_SDS * root
            grid = _advance(grid, delta, mean_step, max(lo, drift * t - span), min(hi, drift * t + span), h)
        previous = t
    return ups, downs


def _equal_fractions(looks: int) -> list[float]:
    return [(k + 1) / looks for k in range(looks)]


def pocock_constant(looks: int, alpha: float = 0.05, step: float = DEFAULT_STEP) -> float:
    """Two-sided Pocock constant c: P(any |Z_k| >= c) = alpha over equally spaced looks."""
    fractions = _equal_fractions(looks)

    def excess(c):
        ups, downs = crossing_probabilities(fractions, [c] * looks, [-c] * looks, step=step)
        return ups.sum() + downs.sum() - alpha

    return brentq(excess, 1.0, 6.0, xtol=1e-7)


def obrien_fleming_constant(looks: int, alpha: float = 0.05, step: float = DEFAULT_STEP) -> float:
    """Two-sided O'Brien-Fleming C_B: boundaries C_B sqrt(K/k) with total crossing probability alpha."""
    fractions = _equal_fractions(looks)

    def excess(c):
        bounds = [c / math.sqrt(t) for t in fractions]
        ups, downs = crossing_probabilities(fractions, bounds, [-b for b in bounds], step=step)
        return ups.sum() + downs.sum() - alpha

    return brentq(excess, 1.0, 6.0, xtol=1e-7)


_BYTES_MAGIC = b"PBS1"  # Pagar boundary state, format 1


def _pack(array: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(array, dtype="<f8").tobytes()).decode("ascii")


def _unpack(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype="<f8").copy()


@dataclass(frozen=True)
class BoundaryState:
    """One-sided alpha-spending boundaries up to the latest look, and what the next look needs.

    ``boundaries[k]`` is the z value look k must reach (inf when no alpha was left to spend there);
    ``spent[k]`` the cumulative alpha allowed by look k. ``grid`` is the continuation sub-density
    after the *previous* look, which prices any z at the latest look (stagewise p-values).
    """

    alpha: float
    spending: str
    step: float
    fractions: tuple[float, ...]
    boundaries: tuple[float, ...]
    spent: tuple[float, ...]
    grid: _Grid

    @property
    def boundary(self) -> float:
        return self.boundaries[-1]

    @property
    def fraction(self) -> float:
        return self.fractions[-1]

    @property
    def alpha_spent(self) -> float:
        return self.spent[-1]

    def _delta(self) -> float:
        previous = self.fractions[-2] if len(self.fractions) > 1 else 0.0
        return self.fractions[-1] - previous

    @once
    def _tails(self) -> LatticeTails:
        """Prices any score at the latest look; made on the first p-value, kept with the state."""
        g = self.grid
        return LatticeTails(g.h, g.j0, g.mass, math.sqrt(self._delta()), g.extra_at, g.extra_mass)

    def tail(self, z: float) -> float:
        """P_H0(no crossing before the latest look and Z >= z at it)."""
        if z >= _MAX_Z:
            return 0.0
        return self._tails.upper(z * math.sqrt(self.fractions[-1]))

    def stagewise_p_value(self, z: float) -> float:
        """p-value under stagewise ordering for an observed z at the latest look, assuming no
        earlier crossing: alpha spent at earlier looks plus the tail beyond z now. It is <= the
        alpha spent so far exactly when z is on or beyond the boundary."""
        earlier = self.spent[-2] if len(self.spent) > 1 else 0.0
        return min(1.0, earlier + self.tail(z))

    @classmethod
    def first(cls, fraction: float, alpha: float, spending: str, step: float = DEFAULT_STEP) -> BoundaryState:
        h = _lattice_step(fraction, step)
        return cls(alpha, spending, step, (), (), (), _Grid.start(h))._look(fraction, _Grid.start(h))

    def extend(self, fraction: float) -> BoundaryState:
        """The state after one more look at ``fraction`` (> the latest one)."""
        if fraction <= self.fraction:
            raise StatsInputError("information_fraction", "must increase from look to look")
        root = math.sqrt(self.fraction)
        b = self.boundary
        high = b * root if math.isfinite(b) else TAIL_SDS * root
        high = min(high, TAIL_SDS * root)
        grid = _advance(self.grid, self._delta(), 0.0, -TAIL_SDS * root, high, self.grid.h)
        return self._look(fraction, grid)

    def _look(self, fraction: float, grid: _Grid) -> BoundaryState:
        spend = spending_function(self.spending)
        previous_fraction = self.fractions[-1] if self.fractions else 0.0
        previous_spent = self.spent[-1] if self.spent else 0.0
        target = spend(fraction, self.alpha) - spend(previous_fraction, self.alpha)
        delta, root = fraction - previous_fraction, math.sqrt(fraction)
        if target <= 1e-15:
            boundary = math.inf
        else:
            # The root-find keeps the direct sum: the boundaries, the densities built on them and
            # every stored state stay exactly what they were (brentq stops within 1e-10, and another
            # summation would stop elsewhere within it).
            def excess(z):
                return _upper_tail_windowed(grid, delta, z * root) - target

            low = -TAIL_SDS
            if excess(low) <= 0:  # cannot happen for a proper spending function; spend what exists
                boundary = low
            else:
                high = 5.0
                while excess(high) > 0 and high < _MAX_Z:
                    high *= 2
                boundary = brentq(excess, low, high, xtol=1e-10, rtol=1e-12) if excess(high) <= 0 else math.inf
        return BoundaryState(
            self.alpha,
            self.spending,
            self.step,
            self.fractions + (fraction,),
            self.boundaries + (boundary,),
            self.spent + (previous_spent + target,),
            grid,
        )

    def _header(self) -> dict:
        return {
            "alpha": self.alpha,
            "spending": self.spending,
            "step": self.step,
            "fractions": list(self.fractions),
            "boundaries": [b if math.isfinite(b) else None for b in self.boundaries],
            "spent": list(self.spent),
        }

    def to_dict(self) -> dict:
        """A JSON-able copy; ``from_dict`` restores it exactly."""
        g = self.grid
        return {
            **self._header(),
            "grid": {
                "h": g.h,
                "j0": g.j0,
                "mass": _pack(g.mass),
                "extra_at": _pack(g.extra_at),
                "extra_mass": _pack(g.extra_mass),
            },
        }

    def to_bytes(self) -> bytes:
        """A compact exact copy (the grid as raw float64, no text): ``from_bytes`` restores it."""
        g = self.grid
        header = self._header()
        header["grid"] = {"h": g.h, "j0": g.j0, "sizes": [len(g.mass), len(g.extra_at), len(g.extra_mass)]}
        head = json.dumps(header).encode()
        arrays = [np.ascontiguousarray(a, dtype="<f8").tobytes() for a in (g.mass, g.extra_at, g.extra_mass)]
        return _BYTES_MAGIC + len(head).to_bytes(4, "little") + head + b"".join(arrays)

    @classmethod
    def from_bytes(cls, data: bytes) -> BoundaryState:
        data = bytes(data)
        if not data.startswith(_BYTES_MAGIC):
            raise ValueError("not a kept boundary state")
        size = int.from_bytes(data[4:8], "little")
        header = json.loads(data[8 : 8 + size])
        g = header.pop("grid")
        offset, arrays = 8 + size, []
        for count in g["sizes"]:
            arrays.append(np.frombuffer(data, dtype="<f8", count=count, offset=offset).copy())
            offset += 8 * count
        grid = _Grid(float(g["h"]), int(g["j0"]), *arrays)
        return cls._from_parts(header, grid)

    @classmethod
    def _from_parts(cls, data: dict, grid: _Grid) -> BoundaryState:
        return cls(
            float(data["alpha"]),
            str(data["spending"]),
            float(data["step"]),
            tuple(float(t) for t in data["fractions"]),
            tuple(math.inf if b is None else float(b) for b in data["boundaries"]),
            tuple(float(s) for s in data["spent"]),
            grid,
        )

    @classmethod
    def from_dict(cls, data: dict) -> BoundaryState:
        g = data["grid"]
        grid = _Grid(float(g["h"]), int(g["j0"]), _unpack(g["mass"]), _unpack(g["extra_at"]), _unpack(g["extra_mass"]))
        return cls._from_parts(data, grid)


class _Looks(tuple):
    """Fractions ``normalise_fractions`` made: normalising them again returns them as they are
    (each metric's two tests and its not-enough-data check read the same looks)."""

    __slots__ = ()


_FLOATS = {float}


def normalise_fractions(fractions) -> tuple[float, ...]:
    """Cap at 1, round, drop looks that add no information; refuse NaN and decreasing fractions."""
    if type(fractions) is _Looks:
        return fractions
    key = tuple(fractions)
    # Every look of every metric normalises the same fractions: plain floats are remembered (bools
    # and ints are not, so True is never taken for 1.0; refused input is never remembered).
    if {*map(type, key)} <= _FLOATS:
        return _normalised_floats(key)
    return _normalise(key)


@functools.lru_cache(maxsize=1024)
def _normalised_floats(fractions: tuple[float, ...]) -> _Looks:
    return _normalise(fractions)


def _normalise(fractions) -> _Looks:
    result: list[float] = []
    previous = 0.0
    for index, raw in enumerate(fractions):
        if (
            isinstance(raw, bool)
            or not isinstance(raw, (int, float, np.floating, np.integer))
            or not math.isfinite(raw)
        ):
            raise StatsInputError(f"information_fractions[{index}]", "must be a finite number")
        if raw < 0:
            raise StatsInputError(f"information_fractions[{index}]", "cannot be negative")
        t = round(min(float(raw), 1.0), FRACTION_DECIMALS)
        if t < previous:
            raise StatsInputError(f"information_fractions[{index}]", "information cannot shrink between looks")
        if t > previous:
            result.append(t)
            previous = t
    return _Looks(result)


class _StateCache:
    """Least-recently-used states keyed by (alpha, spending, step, fractions)."""

    def __init__(self, size: int = 256):
        self.size = size
        self.states: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        # No lock to read: each OrderedDict call is atomic under the GIL; a state evicted between
        # the two calls is still returned (it was found), it just is not marked as recently used.
        state = self.states.get(key)
        if state is None:
            return None
        try:
            self.states.move_to_end(key)
        except KeyError:
            return state
        return state

    def put(self, key, state):
        with self.lock:
            self.states[key] = state
            self.states.move_to_end(key)
            while len(self.states) > self.size:
                self.states.popitem(last=False)

    def clear(self):
        with self.lock:
            self.states.clear()


STATE_CACHE = _StateCache()


def boundary_state(
    fractions,
    alpha: float,
    spending: str = "obrien_fleming",
    step: float = DEFAULT_STEP,
    *,
    start: BoundaryState | None = None,
) -> BoundaryState | None:
    """The one-sided spending boundaries for looks at ``fractions`` (all looks so far, in order).

    Returns None when no look carries information yet. ``start`` may be a stored state for a
    prefix of these looks (e.g. from ``BoundaryState.from_dict``); otherwise the longest cached
    prefix is extended.
    """
    if type(fractions) is _Looks and start is None:
        # Looks normalised already (a metric's tests): a cached state means its inputs were checked.
        state = STATE_CACHE.get((alpha, spending, step, fractions))
        if state is not None:
            return state
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 0.5:
        raise StatsInputError("alpha", "must be a number between 0 and 0.5")
    spending_function(spending)
    looks = normalise_fractions(fractions)
    if not looks:
        return None
    key = (float(alpha), spending, float(step))
    state = STATE_CACHE.get(key + (looks,))
    if state is not None:
        return state
    done = 0
    if (
        start is not None
        and start.fractions == looks[: len(start.fractions)]
        and (start.alpha, start.spending, start.step) == key
    ):
        state, done = start, len(start.fractions)
    else:
        for done in range(len(looks) - 1, 0, -1):
            state = STATE_CACHE.get(key + (looks[:done],))
            if state is not None:
                break
        else:
            done = 0
    if state is None:
        state = BoundaryState.first(looks[0], float(alpha), spending, step)
        done = 1
        STATE_CACHE.put(key + (looks[:1],), state)
    for k in range(done, len(looks)):
        state = state.extend(looks[k])
        STATE_CACHE.put(key + (looks[: k + 1],), state)
    return state


def z_quantile(p: float) -> float:
    return float(ndtri(p))


class KeptStates:
    """The boundary states one experiment's looks extend, one per (alpha, spending, step).

    Seeded with the states kept after the previous look (``BoundaryState.from_dict``); each test at
    this look extends its own state by one look instead of recomputing every look from the first,
    and ``states()`` are what to keep for the next look. A seed whose looks are not a prefix of
    this look's (another plan, other earlier looks) is not used: the state is then recomputed.
    """

    def __init__(self, states=()):
        self._by_test = {(s.alpha, s.spending, s.step): s for s in states}

    def state(self, fractions, alpha: float, spending: str, step: float) -> BoundaryState | None:
        key = (float(alpha), spending, float(step))
        state = boundary_state(fractions, alpha, spending, step, start=self._by_test.get(key))
        if state is not None:
            self._by_test[key] = state
        return state

    def states(self) -> list[BoundaryState]:
        return list(self._by_test.values())
