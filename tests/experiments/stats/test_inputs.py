"""Arm statistics refuse impossible numbers with an error naming the field."""

import math

import pytest

from experiments.stats.inputs import BinaryArm, Covariate, MeanArm, NpsArm, StatsInputError, as_arm


@pytest.mark.parametrize(
    "make, field",
    [
        (lambda: BinaryArm(-1, 0), "n"),
        (lambda: BinaryArm(10.5, 1), "n"),
        (lambda: BinaryArm(10, 11), "successes"),
        (lambda: BinaryArm(10, -2), "successes"),
        (lambda: BinaryArm(math.nan, 1), "n"),
        (lambda: BinaryArm(10, math.inf), "successes"),
        (lambda: BinaryArm(True, 0), "n"),
        (lambda: BinaryArm("10", 0), "n"),
        (lambda: NpsArm(10, 6, 5), "detractors"),
        (lambda: NpsArm(10, -1, 0), "promoters"),
        (lambda: MeanArm(10, 100.0, 500.0), "total_sq"),  # 100^2/10 = 1000 > 500: negative variance
        (lambda: MeanArm(10, 100.0, -1.0), "total_sq"),
        (lambda: MeanArm(10, math.nan, 1.0), "total"),
        (lambda: MeanArm(10, 1.0, math.inf), "total_sq"),
        (lambda: MeanArm(0, 5.0, 25.0), "total_sq"),
        (lambda: MeanArm(10, 10.0, 20.0, Covariate(math.nan, 1.0, 1.0)), "covariate.total_x"),
        (lambda: MeanArm(10, 10.0, 20.0, Covariate(10.0, 5.0, 1.0)), "covariate.total_x_sq"),
        # Sxx = 10, Syy = 10, Sxy = 50: a correlation of 5
        (lambda: MeanArm(10, 10.0, 20.0, Covariate(10.0, 20.0, 60.0)), "covariate.total_xy"),
    ],
)
def test_bad_statistics_name_the_field(make, field):
    with pytest.raises(StatsInputError) as caught:
        make()
    assert caught.value.field == field
    assert isinstance(caught.value, ValueError)
    assert caught.value.message


def test_rounding_noise_in_the_sum_of_squares_is_tolerated():
    # every value 3.3: the exact centred square is 0, float sums leave a tiny negative residue
    values = [3.3] * 7
    arm = MeanArm(7, sum(values), sum(v * v for v in values))
    assert arm.summary().variance == 0.0


def test_whole_floats_count_as_counts():
    assert BinaryArm(100.0, 7.0) == BinaryArm(100, 7)


def test_summaries_are_in_display_units():
    rate = BinaryArm(200, 50).summary()
    assert rate.mean == pytest.approx(25.0)
    assert rate.variance == pytest.approx(10_000 * 0.25 * 0.75)
    nps = NpsArm(100, 50, 20).summary()
    assert nps.mean == pytest.approx(30.0)
    assert nps.variance == pytest.approx(10_000 * (0.5 + 0.2 - 0.3**2))
    mean = MeanArm(4, 10.0, 30.0).summary()
    assert (mean.mean, mean.variance) == pytest.approx((2.5, (30 - 25) / 3))


def test_dicts_are_checked_with_the_place_in_the_field():
    assert as_arm("binary", {"n": 10, "successes": 3}, "metrics[conversion].control") == BinaryArm(10, 3)
    with pytest.raises(StatsInputError) as caught:
        as_arm("binary", {"n": 10, "successes": 30}, "metrics[conversion].control")
    assert caught.value.field == "metrics[conversion].control.successes"
    with pytest.raises(StatsInputError) as caught:
        as_arm("binary", {"n": 10}, "metrics[conversion].control")
    assert caught.value.field == "metrics[conversion].control"
    with pytest.raises(StatsInputError) as caught:
        as_arm("mean", BinaryArm(10, 3), "metrics[aht].control")
    assert caught.value.field == "metrics[aht].control"
    arm = as_arm(
        "mean",
        {"n": 3, "total": 3.0, "total_sq": 5.0, "covariate": {"total_x": 3.0, "total_x_sq": 5.0, "total_xy": 5.0}},
        "m",
    )
    assert arm.covariate == Covariate(3.0, 5.0, 5.0)
