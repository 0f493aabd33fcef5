"""Boundaries by numerical integration reproduce the published constants and keep alpha exactly."""

import json
import math

import numpy as np
import pytest
from scipy.stats import norm

from experiments.stats import spending
from experiments.stats.boundaries import (
    STATE_CACHE,
    BoundaryState,
    boundary_state,
    crossing_probabilities,
    normalise_fractions,
    obrien_fleming_constant,
    pocock_constant,
)
from experiments.stats.inputs import StatsInputError


@pytest.mark.parametrize("looks, published", [(2, 2.178), (3, 2.289), (4, 2.361), (5, 2.413), (10, 2.555)])
def test_pocock_constants(looks, published):
    assert pocock_constant(looks) == pytest.approx(published, abs=0.002)


@pytest.mark.parametrize("looks, published", [(2, 1.977), (3, 2.004), (4, 2.024), (5, 2.040), (10, 2.087)])
def test_obrien_fleming_constants(looks, published):
    assert obrien_fleming_constant(looks) == pytest.approx(published, abs=0.002)


def test_obrien_fleming_first_of_five_looks():
    assert obrien_fleming_constant(5) * math.sqrt(5) == pytest.approx(4.562, abs=0.002)


def test_lan_demets_obrien_fleming_five_looks_one_sided():
    # gsDesign's sfLDOF upper bounds, one-sided alpha 0.025, 5 equally spaced looks
    state = boundary_state([0.2, 0.4, 0.6, 0.8, 1.0], 0.025)
    assert state.boundaries == pytest.approx((4.877, 3.357, 2.680, 2.290, 2.031), abs=0.002)


@pytest.mark.parametrize("name", ["obrien_fleming", "obrien_fleming_symmetric", "power", "pocock"])
@pytest.mark.parametrize("fractions", [[0.2, 0.4, 0.6, 0.8, 1.0], [0.05, 0.3, 0.31, 0.9, 1.0], [0.5, 1.0], [1.0]])
def test_total_crossing_probability_under_h0_is_alpha(name, fractions):
    state = boundary_state(fractions, 0.05, name)
    ups, _ = crossing_probabilities(state.fractions, state.boundaries)
    assert ups.sum() == pytest.approx(0.05, abs=2e-5)
    # and each look spends exactly its share
    spend = spending.spending_function(name)
    assert np.cumsum(ups) == pytest.approx([spend(t, 0.05) for t in fractions], abs=2e-5)


def test_skipped_looks_spend_what_was_not_used():
    # looks at days 3 and 9 of 10 only: the second look spends alpha(0.9) - alpha(0.3)
    state = boundary_state([0.3, 0.9], 0.05)
    ups, _ = crossing_probabilities(state.fractions, state.boundaries)
    assert ups[1] == pytest.approx(spending.obrien_fleming(0.9, 0.05) - spending.obrien_fleming(0.3, 0.05), abs=2e-6)


def test_a_single_final_look_is_the_fixed_horizon_test():
    assert boundary_state([1.0], 0.05).boundary == pytest.approx(norm.ppf(0.95), abs=1e-6)


def test_one_sided_spending_function_totals_alpha():
    assert spending.obrien_fleming(1.0, 0.05) == 0.05
    assert spending.obrien_fleming(0.999999, 0.05) == pytest.approx(0.05, abs=1e-6)
    assert spending.obrien_fleming(0.25, 0.05) == pytest.approx(2 - 2 * norm.cdf(norm.ppf(0.975) / 0.5))


@pytest.mark.parametrize(
    "looks, name, power, inflation",
    [
        (14, "obrien_fleming_symmetric", 0.777, 1.059),
        (14, "power", 0.766, 1.087),
        (28, "obrien_fleming_symmetric", 0.774, 1.066),
    ],
)
def test_power_at_the_fixed_sample_size_matches_the_reference(looks, name, power, inflation):
    from experiments.stats.sequential_planning import inflation_factor

    fractions = [(k + 1) / looks for k in range(looks)]
    state = boundary_state(fractions, 0.025, name)
    ups, _ = crossing_probabilities(fractions, state.boundaries, drift=norm.ppf(0.975) + norm.ppf(0.8))
    assert ups.sum() == pytest.approx(power, abs=0.002)
    assert inflation_factor(looks, 0.025, 0.8, name) == pytest.approx(inflation, abs=0.002)


def test_boundaries_agree_with_a_simulation():
    rng = np.random.default_rng(11)
    fractions = np.array([0.1, 0.25, 0.5, 0.75, 1.0])
    state = boundary_state(fractions, 0.05)
    increments = rng.normal(0, np.sqrt(np.diff(fractions, prepend=0)), size=(200_000, 5))
    z = np.cumsum(increments, axis=1) / np.sqrt(fractions)
    crossed = (z >= np.array(state.boundaries)).any(axis=1).mean()
    assert crossed == pytest.approx(0.05, abs=3 * math.sqrt(0.05 * 0.95 / 200_000))


def test_extending_a_cached_state_equals_computing_from_scratch():
    fractions = [round(k / 20, 4) for k in range(1, 12)]
    STATE_CACHE.clear()
    stepwise = None
    for k in range(1, len(fractions) + 1):
        stepwise = boundary_state(fractions[:k], 0.03)
    STATE_CACHE.clear()
    scratch = boundary_state(fractions, 0.03)
    assert stepwise.boundaries == pytest.approx(scratch.boundaries, abs=1e-12)
    assert boundary_state(fractions, 0.03) is scratch  # cached


def test_a_stored_state_continues_in_another_process():
    fractions = [0.1, 0.2, 0.35]
    state = boundary_state(fractions, 0.05)
    restored = BoundaryState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert restored.boundaries == state.boundaries
    assert restored.stagewise_p_value(2.0) == state.stagewise_p_value(2.0)
    STATE_CACHE.clear()
    continued = boundary_state(fractions + [0.5], 0.05, start=restored)
    STATE_CACHE.clear()
    assert continued.boundaries == pytest.approx(boundary_state(fractions + [0.5], 0.05).boundaries, abs=1e-12)


def test_stagewise_p_value_is_within_alpha_spent_exactly_at_the_boundary():
    state = boundary_state([0.2, 0.45, 0.7], 0.05)
    b = state.boundary
    assert state.stagewise_p_value(b) == pytest.approx(state.alpha_spent, abs=1e-9)
    assert state.stagewise_p_value(b + 0.01) < state.alpha_spent < state.stagewise_p_value(b - 0.01)
    # at a single look it is the ordinary one-sided normal p-value
    assert boundary_state([1.0], 0.05).stagewise_p_value(1.3) == pytest.approx(norm.sf(1.3), abs=1e-7)


def test_fractions_are_capped_rounded_and_must_not_shrink():
    assert normalise_fractions([0.0, 0.10001, 0.1, 0.5, 1.2, 1.5]) == (0.1, 0.5, 1.0)
    with pytest.raises(StatsInputError) as caught:
        normalise_fractions([0.3, 0.2])
    assert caught.value.field == "information_fractions[1]"
    with pytest.raises(StatsInputError) as caught:
        normalise_fractions([0.3, math.nan])
    assert caught.value.field == "information_fractions[1]"
    assert boundary_state([0.0], 0.05) is None
    with pytest.raises(StatsInputError) as caught:
        boundary_state([0.5], 0.05, "linear")
    assert caught.value.field == "spending"
    with pytest.raises(StatsInputError) as caught:
        boundary_state([0.5], 0.7)
    assert caught.value.field == "alpha"
