"""The stagewise tails priced by a series about the nearest lattice node (and, for a state read
again and again, from a table of those series) are the direct sums over the lattice nodes."""

import math

import numpy as np
import pytest
from scipy.stats import norm

from experiments.stats import lattice_tails
from experiments.stats.boundaries import STATE_CACHE, _upper_tail_windowed, boundary_state, normalise_fractions
from experiments.stats.inputs import StatsInputError

DESIGNS = {
    "28 daily looks": [k / 28 for k in range(1, 29)],
    "14 daily looks": [k / 14 for k in range(1, 15)],
    "irregular, with a tiny step": [0.0123, 0.05, 0.3, 0.3001, 0.31, 0.6, 1.0],
    "a tiny first look": [0.001, 0.0011, 0.5, 1.0],
    "two looks": [0.5, 1.0],
}
ZS = np.linspace(-9, 9, 181)


def direct(state, z: float) -> float:
    """The sum the boundaries are found with: every node within 8.5 SD of the point, one normal tail each."""
    return _upper_tail_windowed(state.grid, state._delta(), z * math.sqrt(state.fraction))


def assert_same_tail(priced: float, expected: float):
    # The direct sum leaves out the nodes beyond 8.5 SD (Phi(-8.5) = 1e-17 of their mass each), and
    # the off-lattice end nodes too; the series take the window about their anchor instead of the
    # point and price the end nodes exactly: tails that small agree to that much, not relatively.
    assert priced == pytest.approx(expected, rel=1e-12, abs=3e-17)


def states(fractions, alpha):
    for looks in range(1, len(fractions) + 1):
        yield boundary_state(fractions[:looks], alpha)


@pytest.mark.parametrize("name", sorted(DESIGNS))
@pytest.mark.parametrize("alpha", [0.05, 0.01])
def test_the_series_about_the_nearest_node_is_the_direct_sum(name, alpha, monkeypatch):
    monkeypatch.setattr(lattice_tails, "TABULATE_AFTER", 10**9)  # never tabulate here
    STATE_CACHE.clear()
    for state in states(DESIGNS[name], alpha):
        for z in ZS:
            assert_same_tail(state.tail(z), direct(state, z))
        assert state._tails.table is None


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_a_state_read_again_and_again_tabulates_the_same_tails(name):
    STATE_CACHE.clear()
    for state in states(DESIGNS[name], 0.05):
        if not len(state.grid.mass):
            continue  # the first look has no lattice: one exact normal tail
        before = [state.stagewise_p_value(z) for z in ZS[: lattice_tails.TABULATE_AFTER]]
        assert state._tails.table is None
        before += [state.stagewise_p_value(z) for z in ZS[lattice_tails.TABULATE_AFTER :]]
        assert state._tails.table is not None
        for z, p in zip(ZS, before, strict=True):
            assert state.stagewise_p_value(z) == pytest.approx(p, rel=1e-12, abs=3e-17)
            assert_same_tail(state.tail(z), direct(state, z))


def test_the_first_look_is_one_normal_tail():
    state = boundary_state([0.3], 0.05)
    for z in ZS:
        assert state.tail(z) == pytest.approx(norm.sf(z), rel=1e-13, abs=1e-300)


def test_far_beyond_the_lattice_the_tail_is_all_or_nothing():
    state = boundary_state(DESIGNS["28 daily looks"], 0.05)
    assert state.tail(-30.0) == pytest.approx(state.grid.total(), rel=1e-15)
    assert state.tail(30.0) == 0.0


def test_seven_series_terms_at_the_default_lattice_step():
    # step 0.005 in z at equally spaced looks: |e| <= 0.0025 SD
    assert lattice_tails._terms(0.0025) == 7


def test_normalised_looks_are_not_normalised_again_and_bad_input_is_still_refused():
    looks = normalise_fractions([0.25, 0.5, 0.75])
    assert normalise_fractions(looks) is looks
    assert looks == (0.25, 0.5, 0.75)
    assert boundary_state(looks, 0.05) is boundary_state([0.25, 0.5, 0.75], 0.05)
    with pytest.raises(StatsInputError):
        normalise_fractions([True])
    with pytest.raises(StatsInputError):
        boundary_state(looks, True)  # True == 1.0 as a cache key: still refused
