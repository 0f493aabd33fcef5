"""Sample ratio mismatch: the reference example, scipy agreement, and the minimum-units rule."""

import pytest
from scipy.stats import chisquare

from experiments.stats.inputs import StatsInputError
from experiments.stats.srm import srm_test


def test_reference_example():
    result = srm_test({"control": 5000, "treatment": 5300}, {"control": 50, "treatment": 50})
    assert result.chi2 == pytest.approx(8.7379, abs=1e-4)
    assert result.p_value == pytest.approx(0.0031167, abs=1e-6)
    assert result.status == "ok"  # 0.003 is not below 0.001


def test_matches_scipy_with_unequal_weights_and_three_arms():
    counts, weights = {"a": 2100, "b": 1000, "c": 1040}, {"a": 2, "b": 1, "c": 1}
    result = srm_test(counts, weights)
    total = sum(counts.values())
    reference = chisquare([2100, 1000, 1040], [total / 2, total / 4, total / 4])
    assert result.chi2 == pytest.approx(reference.statistic, abs=1e-9)
    assert result.p_value == pytest.approx(reference.pvalue, abs=1e-9)
    assert result.df == 2


def test_clear_mismatch_fails_and_says_so():
    result = srm_test({"control": 5000, "treatment": 5600}, {"control": 1, "treatment": 1})
    assert result.failed
    assert "does not match the plan" in result.sentence()


def test_waits_until_every_arm_has_8_units():
    result = srm_test({"control": 7, "treatment": 0}, {"control": 1, "treatment": 1})
    assert result.status == "not_enough_data"
    assert not result.failed
    assert srm_test({"control": 8, "treatment": 30}, {"control": 1, "treatment": 1}).status == "mismatch"


@pytest.mark.parametrize(
    "counts, weights, field",
    [
        ({"control": -1, "treatment": 10}, {"control": 1, "treatment": 1}, "unit_counts.control"),
        ({"control": 1.5, "treatment": 10}, {"control": 1, "treatment": 1}, "unit_counts.control"),
        ({"control": 10}, {"control": 1, "treatment": 1}, "unit_counts"),
        ({"control": 10, "treatment": 10}, {"control": 1, "treatment": 0}, "weights.treatment"),
    ],
)
def test_bad_counts(counts, weights, field):
    with pytest.raises(StatsInputError) as caught:
        srm_test(counts, weights)
    assert caught.value.field == field
