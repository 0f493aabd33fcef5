"""The mixture sequential test follows the reference's formulas and keeps alpha under any peeking."""

import math

import numpy as np
import pytest

from experiments.stats.inputs import StatsInputError
from experiments.stats.msprt import (
    confidence_sequence,
    mixing_variance,
    mixture_test,
    tightest_mixing_ratio,
    z_threshold,
)


def test_tuned_mixture_threshold_is_3_035_and_1_549_times_wider():
    assert tightest_mixing_ratio(0.05) == pytest.approx(7.94, abs=0.005)
    variance = 0.04
    tau2 = mixing_variance(0.05, variance)
    assert z_threshold(variance, tau2, 0.05) == pytest.approx(3.035, abs=0.001)
    low, high = confidence_sequence(1.0, variance, tau2, 0.05)
    assert (high - low) / (2 * 1.959964 * math.sqrt(variance)) == pytest.approx(1.549, abs=0.001)


def test_likelihood_ratio_formula_and_rejection_at_one_over_alpha():
    # equal arms of n units: V = var_A + var_B, the estimate's variance V / n
    n, big_v, tau2, estimate = 400, 2.0, 0.01, 0.3
    lam = math.sqrt(big_v / (big_v + n * tau2)) * math.exp(n**2 * tau2 * estimate**2 / (2 * big_v * (big_v + n * tau2)))
    result = mixture_test(estimate, big_v / n, tau2, 0.05)
    assert result.likelihood_ratio == pytest.approx(lam)
    assert result.p_value == pytest.approx(min(1, 1 / lam))
    assert result.rejects == (lam >= 20)
    # the threshold is exactly where Lambda = 1/alpha
    edge = z_threshold(big_v / n, tau2, 0.05) * math.sqrt(big_v / n)
    assert mixture_test(edge, big_v / n, tau2, 0.05).p_value == pytest.approx(0.05)


def test_interval_is_the_set_of_nulls_not_rejected():
    variance, tau2 = 0.09, 0.5
    low, high = confidence_sequence(0.7, variance, tau2, 0.05)
    assert not mixture_test(0.7, variance, tau2, 0.05, null=low + 1e-6).rejects
    assert mixture_test(0.7, variance, tau2, 0.05, null=low - 1e-3).rejects
    assert not mixture_test(0.7, variance, tau2, 0.05, null=high - 1e-6).rejects


def test_daily_peeking_for_a_year_stays_below_alpha():
    rng = np.random.default_rng(5)
    days, sims = 365, 4000
    daily = rng.normal(0, 1, size=(sims, days))  # unit-variance daily differences under H0
    n = np.arange(1, days + 1)
    estimate = np.cumsum(daily, axis=1) / n
    variance = 1.0 / n
    tau2 = mixing_variance(0.05, 1.0 / 30)
    threshold = np.array([z_threshold(v, tau2, 0.05) for v in variance])
    rejected = (np.abs(estimate / np.sqrt(variance)) >= threshold).any(axis=1).mean()
    assert rejected <= 0.05


@pytest.mark.parametrize(
    "args, field",
    [
        ((math.nan, 1.0, 1.0, 0.05), "estimate"),
        ((0.0, 0.0, 1.0, 0.05), "variance"),
        ((0.0, 1.0, -1.0, 0.05), "tau2"),
        ((0.0, 1.0, 1.0, 1.5), "alpha"),
    ],
)
def test_bad_arguments(args, field):
    with pytest.raises(StatsInputError) as caught:
        mixture_test(*args)
    assert caught.value.field == field
