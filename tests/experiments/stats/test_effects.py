"""Effect estimates agree with scipy / statsmodels and orient so that positive means better."""

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats
from statsmodels.stats import proportion as sm_proportion

from experiments.stats.effects import NotEnoughData, compare, two_proportion_z_test, welch_test
from experiments.stats.inputs import BinaryArm, Covariate, MeanArm, NpsArm


def test_welch_matches_the_reference_example_and_scipy():
    control = MeanArm(5000, 51000, 2_020_000).summary()
    treatment = MeanArm(5100, 54000, 2_150_000).summary()
    result = welch_test(control, treatment)
    assert result.p_value == pytest.approx(0.2638019, abs=1e-6)
    assert result.interval == pytest.approx((-0.292758, 1.069229), abs=1e-6)
    scipy_result = scipy_stats.ttest_ind_from_stats(
        treatment.mean,
        math.sqrt(treatment.variance),
        5100,
        control.mean,
        math.sqrt(control.variance),
        5000,
        equal_var=False,
    )
    assert result.t == pytest.approx(scipy_result.statistic, abs=1e-9)
    assert result.p_value == pytest.approx(scipy_result.pvalue, abs=1e-9)


@pytest.mark.parametrize("counts", [(5000, 500, 5000, 560), (1200, 30, 1500, 21), (800, 400, 700, 371)])
def test_two_proportion_wald_matches_statsmodels(counts):
    n_c, x_c, n_t, x_t = counts
    z, p = two_proportion_z_test(BinaryArm(n_c, x_c), BinaryArm(n_t, x_t))
    reference = sm_proportion.test_proportions_2indep(x_t, n_t, x_c, n_c, method="wald", compare="diff")
    assert z == pytest.approx(reference.statistic, abs=1e-6)
    assert p == pytest.approx(reference.pvalue, abs=1e-6)
    effect = compare(BinaryArm(n_c, x_c).summary(), BinaryArm(n_t, x_t).summary())
    assert effect.z() == pytest.approx(reference.statistic, abs=1e-6)
    assert effect.estimate == pytest.approx(100 * (x_t / n_t - x_c / n_c))  # percentage points


def test_lower_is_better_flips_the_sign_but_not_the_variance():
    control, treatment = BinaryArm(1000, 20).summary(), BinaryArm(1000, 30).summary()
    up = compare(control, treatment)
    down = compare(control, treatment, lower_is_better=True)
    assert down.estimate == pytest.approx(-up.estimate)
    assert down.variance == pytest.approx(up.variance)
    assert down.raw(down.estimate) == pytest.approx(1.0)  # the rate still rose by 1 point


def test_relative_effect_uses_the_delta_method():
    control, treatment = (
        MeanArm(400, 4000, 4000 * 10 + 399 * 4).summary(),
        MeanArm(500, 5500, 5500 * 11 + 499 * 9).summary(),
    )
    effect = compare(control, treatment, relative=True)
    assert effect.estimate == pytest.approx(10.0)  # 11 vs 10
    v_c, v_t = control.variance / 400, treatment.variance / 500
    expected = 10_000 * (v_t / 10**2 + 11**2 * v_c / 10**4)
    assert effect.variance == pytest.approx(expected)


def test_nps_difference_is_a_difference_of_mean_scores():
    rng = np.random.default_rng(3)
    scores = [rng.choice([1, 0, -1], size=n, p=p) for n, p in ((800, [0.4, 0.3, 0.3]), (900, [0.5, 0.3, 0.2]))]
    arms = [NpsArm(len(s), int((s == 1).sum()), int((s == -1).sum())).summary() for s in scores]
    effect = compare(*arms)
    assert effect.estimate == pytest.approx(100 * (scores[1].mean() - scores[0].mean()))
    expected_var = 10_000 * (scores[0].var() / 800 + scores[1].var() / 900)
    assert effect.variance == pytest.approx(expected_var)


def _mean_arm(y, x=None):
    covariate = None if x is None else Covariate(float(x.sum()), float((x * x).sum()), float((x * y).sum()))
    return MeanArm(len(y), float(y.sum()), float((y * y).sum()), covariate)


def test_cuped_matches_the_regression_adjusted_difference():
    rng = np.random.default_rng(7)
    x_c, x_t = rng.normal(10, 2, 600), rng.normal(10, 2, 700)
    y_c = 3 + 0.8 * x_c + rng.normal(0, 1, 600)
    y_t = 3.3 + 0.8 * x_t + rng.normal(0, 1, 700)
    plain = compare(_mean_arm(y_c).summary(), _mean_arm(y_t).summary())
    cuped = compare(_mean_arm(y_c, x_c).summary(), _mean_arm(y_t, x_t).summary())
    # theta pooled within arms
    sxy = ((x_c - x_c.mean()) * (y_c - y_c.mean())).sum() + ((x_t - x_t.mean()) * (y_t - y_t.mean())).sum()
    sxx = ((x_c - x_c.mean()) ** 2).sum() + ((x_t - x_t.mean()) ** 2).sum()
    theta = sxy / sxx
    assert cuped.cuped_theta == pytest.approx(theta)
    assert cuped.estimate == pytest.approx((y_t.mean() - y_c.mean()) - theta * (x_t.mean() - x_c.mean()))
    # Each arm's residual variance (one degree of freedom spent on theta), plus theta's own
    # variance times the arms' covariate imbalance.
    adjusted_c, adjusted_t = y_c - theta * x_c, y_t - theta * x_t
    residual = (adjusted_c.var(ddof=1) * 599 + adjusted_t.var(ddof=1) * 699) / 1297
    imbalance = residual / sxx * (x_t.mean() - x_c.mean()) ** 2
    per_arm = (adjusted_c.var(ddof=1) / 600 + adjusted_t.var(ddof=1) / 700) * 1298 / 1297
    assert cuped.variance == pytest.approx(per_arm + imbalance)
    assert cuped.variance < 0.5 * plain.variance  # rho^2 is about 0.7 here


def test_cuped_variance_is_the_regression_adjusted_estimate_s_own_under_equal_variances():
    """With equal spreads in both arms CUPED's variance is ordinary least squares' for the arm
    coefficient of Y ~ arm + X (statsmodels): with equal arm sizes the Welch and pooled forms agree."""
    import statsmodels.api as sm

    rng = np.random.default_rng(11)
    x_c, x_t = rng.normal(10, 2, 150), rng.normal(10.4, 2, 150)  # a visible covariate imbalance
    y_c = 3 + 0.8 * x_c + rng.normal(0, 1, 150)
    y_t = 3 + 0.8 * x_t + rng.normal(0, 1, 150)
    cuped = compare(_mean_arm(y_c, x_c).summary(), _mean_arm(y_t, x_t).summary())
    design = np.column_stack([np.ones(300), np.r_[np.zeros(150), np.ones(150)], np.r_[x_c, x_t]])
    fit = sm.OLS(np.r_[y_c, y_t], design).fit()
    assert cuped.estimate == pytest.approx(fit.params[1])
    assert cuped.variance == pytest.approx(fit.bse[1] ** 2, rel=1e-9)


def test_effects_that_cannot_be_estimated_say_why():
    with pytest.raises(NotEnoughData, match="variance is 0"):
        compare(BinaryArm(100, 0).summary(), BinaryArm(100, 0).summary())
    with pytest.raises(NotEnoughData, match="at least 2 units"):
        compare(MeanArm(1, 5.0, 25.0).summary(), MeanArm(10, 50.0, 260.0).summary())
    with pytest.raises(NotEnoughData, match="no units"):
        compare(BinaryArm(0, 0).summary(), BinaryArm(10, 3).summary())
    with pytest.raises(NotEnoughData, match="control mean is 0"):
        compare(MeanArm(3, 0.0, 2.0).summary(), MeanArm(3, 3.0, 5.0).summary(), relative=True)
