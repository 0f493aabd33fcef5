"""The look decision follows the rule's order and explains itself; bad input never decides."""

import math
import statistics
import time

import pytest
from scipy.stats import norm
from statsmodels.stats import proportion as sm_proportion

from experiments.stats.boundaries import boundary_state
from experiments.stats.decision import Design, MetricSpec, evaluate_look, evaluate_metric
from experiments.stats.inputs import BinaryArm, MeanArm, StatsInputError

CONVERSION = MetricSpec("conversion", "binary", "success", label="conversion rate")
COMPLAINTS = MetricSpec(
    "complaint-rate", "binary", "guardrail", lower_is_better=True, margin=0.5, label="complaint rate"
)
DAILY = [k / 28 for k in range(1, 28)]  # 27 earlier daily looks of 28


def design(**overrides):
    values = {
        "weights": {"control": 1, "treatment": 1},
        "control": "control",
        "planned_units": 20_000,
        "min_runtime_days": 7,
    }
    values.update(overrides)
    return Design(**values)


def look(conversions=(1000, 1000), complaints=(200, 200), counts=(10_000, 10_000), n=10_000, **kwargs):
    kwargs.setdefault("previous_fractions", DAILY)
    kwargs.setdefault("days_elapsed", 28)
    metrics = [
        (CONVERSION, {"control": BinaryArm(n, conversions[0]), "treatment": BinaryArm(n, conversions[1])}),
        (
            COMPLAINTS,
            {"control": {"n": n, "successes": complaints[0]}, "treatment": {"n": n, "successes": complaints[1]}},
        ),
    ]
    return evaluate_look(
        kwargs.pop("design", design()), metrics, {"control": counts[0], "treatment": counts[1]}, **kwargs
    )


def test_won_needs_a_success_crossing_and_every_guardrail_non_inferior():
    result = look(conversions=(1000, 1110), complaints=(200, 210))
    assert (result.action, result.outcome) == ("conclude", "won")
    conversion, complaints = result.metrics
    assert conversion.status == "superior" and complaints.status == "non_inferior"
    assert result.sentence.startswith(
        "Conclude (won): Conversion rate improved: 1.1 points higher: better (90% interval +0.29 to +1.91 points)"
    )
    assert "Every guardrail stayed within its margin" in result.sentence


def test_harm_stops_before_a_win_can_be_declared():
    result = look(conversions=(1000, 1110), complaints=(200, 300))
    assert (result.action, result.outcome) == ("stop", "lost")
    complaints = result.metrics[1]
    assert complaints.status == "harm" and complaints.harm
    low, high = complaints.harm_interval
    assert high < 0  # the whole (oriented) interval is on the harmful side
    assert (
        "complaint rate 1 point higher: clearly worse than control (98% interval +0.45 to +1.55 points), beyond the "
        "agreed margin of 0.5 points" in result.sentence
    )


def test_sample_ratio_mismatch_beats_everything():
    result = look(conversions=(1000, 1110), complaints=(200, 300), counts=(10_000, 10_600))
    assert (result.action, result.outcome) == ("stop", "invalid")
    assert result.srm.failed
    assert "does not match the plan" in result.sentence


def test_a_guardrail_not_shown_non_inferior_blocks_the_ship():
    # complaints up 0.3 points: not clearly harmful, but its interval reaches past the 0.5 margin
    result = look(
        conversions=(1500, 1650),
        complaints=(300, 345),
        previous_fractions=DAILY[:20],
        counts=(15_000, 15_000),
        n=15_000,
        design=design(planned_units=40_000),
    )
    assert result.action == "continue"
    assert result.metrics[1].status == "undecided"
    assert "not yet shown to stay within the agreed margin of 0.5 points" in result.sentence
    final = look(conversions=(1000, 1110), complaints=(200, 230))
    assert (final.action, final.outcome) == ("conclude", "lost")


def test_minimum_runtime_holds_back_a_win():
    metrics = [(CONVERSION, {"control": BinaryArm(3000, 300), "treatment": BinaryArm(3000, 420)})]
    counts = {"control": 3000, "treatment": 3000}
    early = evaluate_look(design(min_runtime_days=10), metrics, counts, previous_fractions=DAILY[:5], days_elapsed=6)
    assert early.action == "continue"
    assert early.metrics[0].status == "superior"
    assert "minimum runtime of 10 days has not passed yet (day 6)" in early.sentence


def test_planned_maximum_without_an_effect_concludes_inconclusive():
    result = look(conversions=(1000, 1010))
    assert (result.action, result.outcome) == ("conclude", "inconclusive")
    assert "no improvement shown" in result.sentence


def test_continue_while_nothing_is_crossed():
    result = look(
        conversions=(500, 520), complaints=(100, 100), counts=(5000, 5000), n=5000, previous_fractions=DAILY[:13]
    )
    assert (result.action, result.outcome) == ("continue", None)
    assert result.information_fraction == 0.5
    assert result.look == 14
    assert "not yet enough evidence of an improvement" in result.metrics[0].sentence


def test_final_look_spends_all_remaining_alpha():
    # the planned days ran out at 80% of the planned units
    metrics = [(CONVERSION, {"control": BinaryArm(8000, 800), "treatment": BinaryArm(8000, 880)})]
    previous = [k / 35 for k in range(1, 28)]
    result = evaluate_look(
        design(),
        metrics,
        {"control": 8000, "treatment": 8000},
        previous_fractions=previous,
        days_elapsed=28,
        final=True,
    )
    assert result.metrics[0].alpha_spent == pytest.approx(0.05)
    assert result.metrics[0].boundary == pytest.approx(boundary_state(previous + [1.0], 0.05).boundary)
    assert result.action == "conclude"


def test_too_few_units_is_not_enough_data_never_a_decision():
    result = look(conversions=(0, 5), complaints=(0, 0), counts=(6, 6), n=6, previous_fractions=[], days_elapsed=0)
    assert (result.action, result.outcome) == ("continue", None)
    assert [m.status for m in result.metrics] == ["not_enough_data", "not_enough_data"]
    assert "each arm needs at least 10 units" in result.metrics[0].sentence
    assert result.srm.status == "not_enough_data"


def test_zero_variance_is_not_enough_data():
    result = look(conversions=(50, 60), complaints=(0, 0), counts=(500, 500), n=500, previous_fractions=[])
    assert result.metrics[1].status == "not_enough_data"
    assert "variance is 0" in result.metrics[1].sentence


@pytest.mark.parametrize(
    "mutate, field",
    [
        (lambda m: m[0][1].update(treatment={"n": 100, "successes": 120}), "metrics[conversion].treatment.successes"),
        (lambda m: m[0][1].update(control={"n": -5, "successes": 0}), "metrics[conversion].control.n"),
        (lambda m: m[0][1].update(control={"n": 10.5, "successes": 0}), "metrics[conversion].control.n"),
        (lambda m: m[0][1].update(control={"n": 100, "successes": math.nan}), "metrics[conversion].control.successes"),
        (lambda m: m[0][1].pop("treatment"), "metrics[conversion]"),
    ],
)
def test_bad_input_raises_naming_the_field(mutate, field):
    metrics = [(CONVERSION, {"control": {"n": 100, "successes": 10}, "treatment": {"n": 100, "successes": 12}})]
    mutate(metrics)
    with pytest.raises(StatsInputError) as caught:
        evaluate_look(design(), metrics, {"control": 100, "treatment": 100})
    assert caught.value.field == field


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"previous_fractions": [0.5]}, "information_fractions[1]"),  # 0.01 now: information shrank
        ({"previous_fractions": [math.inf]}, "information_fractions[0]"),
        ({"days_elapsed": -1}, "days_elapsed"),
    ],
)
def test_bad_look_arguments(kwargs, field):
    metrics = [(CONVERSION, {"control": {"n": 100, "successes": 10}, "treatment": {"n": 100, "successes": 12}})]
    with pytest.raises(StatsInputError) as caught:
        evaluate_look(design(), metrics, {"control": 100, "treatment": 100}, **kwargs)
    assert caught.value.field == field


@pytest.mark.parametrize(
    "make, field",
    [
        (lambda: MetricSpec("x", "binary", "guardrail"), "metrics[x].margin"),
        (lambda: MetricSpec("x", "ratio", "success"), "metrics[x].kind"),
        (lambda: MetricSpec("x", "binary", "primary"), "metrics[x].role"),
        (lambda: design(control="nobody"), "control"),
        (lambda: design(alpha=0.9), "alpha"),
        (lambda: design(harm_alpha=0), "harm_alpha"),
        (lambda: design(planned_units=-3), "planned_units"),
        (lambda: design(spending="linear"), "spending"),
        (lambda: design(weights={"control": 1}), "weights"),
    ],
)
def test_bad_specs(make, field):
    with pytest.raises(StatsInputError) as caught:
        make()
    assert caught.value.field == field


def test_single_final_look_agrees_with_the_statsmodels_one_sided_wald_test():
    control, treatment = BinaryArm(5000, 500), BinaryArm(5000, 545)
    result = evaluate_metric(CONVERSION, control, treatment, design(planned_units=10_000), [1.0])
    reference = sm_proportion.test_proportions_2indep(545, 5000, 500, 5000, method="wald", alternative="larger")
    assert result.z == pytest.approx(reference.statistic, abs=1e-6)
    assert result.p_value == pytest.approx(reference.pvalue, abs=1e-6)
    assert result.nominal_p_value == pytest.approx(reference.pvalue, abs=1e-6)
    assert result.boundary == pytest.approx(norm.ppf(0.95), abs=1e-6)
    assert result.boundary_effect == pytest.approx(
        norm.ppf(0.95) * math.sqrt(0.09 / 5000 + 0.109 * 0.891 / 5000) * 100, abs=1e-6
    )


def test_open_ended_metrics_use_the_mixture_test():
    spec = MetricSpec("complaint-rate", "binary", "guardrail", lower_is_better=True, margin=0.5, open_ended=True)
    result = evaluate_metric(spec, BinaryArm(5000, 100), BinaryArm(5000, 180), design(), [0.5])
    assert result.method == "mixture"
    assert result.status == "harm"
    assert result.harm_p_value < 0.01
    no_plan = evaluate_metric(CONVERSION, BinaryArm(5000, 500), BinaryArm(5000, 520), design(planned_units=None), [])
    assert no_plan.method == "mixture" and no_plan.status == "undecided"


def test_relative_guardrail_margin_in_percent_of_control():
    spec = MetricSpec(
        "resolution-time", "mean", "guardrail", lower_is_better=True, margin=5, relative=True, label="resolution time"
    )
    control = MeanArm(4000, 4000 * 20.0, 4000 * 400.0 + 3999 * 25.0)
    treatment = MeanArm(4000, 4000 * 20.2, 4000 * 20.2**2 + 3999 * 25.0)
    result = evaluate_metric(spec, control, treatment, design(), [0.4])
    assert result.estimate == pytest.approx(-1.0)  # 1% slower
    assert result.status == "non_inferior"
    said = "Resolution time stayed within the agreed margin of 5%: 1% higher: worse (90% interval −0.62 to +2.62%)"
    assert said in result.sentence


def test_two_treatments_are_each_compared_with_control_at_split_alpha():
    d = Design({"control": 1, "a": 1, "b": 1}, "control", planned_units=30_000)
    arms = {"control": BinaryArm(10_000, 1000), "a": BinaryArm(10_000, 1010), "b": BinaryArm(10_000, 1150)}
    result = evaluate_look(
        d,
        [(CONVERSION, arms)],
        {"control": 10_000, "a": 10_000, "b": 10_000},
        previous_fractions=DAILY,
        days_elapsed=28,
    )
    assert [m.treatment for m in result.metrics] == ["a", "b"]
    assert result.metrics[0].alpha == pytest.approx(0.025)
    assert (result.outcome, result.winner) == ("won", "b")
    assert result.as_dict()["winner"] == "b"


def test_one_metric_evaluation_at_look_28_takes_under_2_ms():
    control, treatment = BinaryArm(10_000, 1000), BinaryArm(10_000, 1040)
    fractions = DAILY + [1.0]
    evaluate_metric(COMPLAINTS, control, treatment, design(), fractions)  # warm the boundary cache
    timings = []
    for _ in range(200):
        start = time.perf_counter()
        evaluate_metric(COMPLAINTS, control, treatment, design(), fractions)
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 0.002


def test_cuped_narrows_the_interval_when_covariates_are_given():
    import numpy as np

    rng = np.random.default_rng(4)
    arms = {}
    for name, shift in (("control", 0.0), ("treatment", 0.15)):
        x = rng.normal(20, 4, 3000)
        y = 5 + 0.5 * x + shift + rng.normal(0, 1, 3000)
        arms[name] = {
            "n": 3000,
            "total": y.sum(),
            "total_sq": (y * y).sum(),
            "covariate": {"total_x": x.sum(), "total_x_sq": (x * x).sum(), "total_xy": (x * y).sum()},
        }
    plain_arms = {k: {f: v[f] for f in ("n", "total", "total_sq")} for k, v in arms.items()}
    spec = MetricSpec("spend", "mean", "success", unit="EUR")
    cuped = evaluate_metric(spec, arms["control"], arms["treatment"], design(), [0.3])
    plain = evaluate_metric(spec, plain_arms["control"], plain_arms["treatment"], design(), [0.3])
    assert cuped.cuped_theta == pytest.approx(0.5, abs=0.05)
    assert (cuped.interval[1] - cuped.interval[0]) < 0.5 * (plain.interval[1] - plain.interval[0])
    assert "€" in cuped.sentence  # a cost in Pagar's currency (settings.CURRENCY, EUR by default)


def test_nps_metric_speaks_in_nps_points():
    spec = MetricSpec("nps", "nps", "guardrail", margin=3, label="NPS")
    result = evaluate_metric(
        spec,
        {"n": 4000, "promoters": 1800, "detractors": 600},
        {"n": 4000, "promoters": 1500, "detractors": 800},
        design(),
        [0.5],
    )
    assert result.estimate == pytest.approx(-12.5)
    assert result.status == "harm"
    said = "Stop: NPS 12.5 NPS points lower: clearly worse than control (98% interval −18.1 to −6.88 NPS points)"
    assert said in result.sentence
    assert "beyond the agreed margin of 3 NPS points" in result.sentence


def test_look_results_serialise_to_json():
    import json

    result = look(
        conversions=(500, 520), complaints=(100, 100), counts=(5000, 5000), n=5000, previous_fractions=DAILY[:13]
    )
    data = json.loads(json.dumps(result.as_dict()))
    assert data["action"] == "continue"
    assert data["metrics"][0]["interval"][0] < data["metrics"][0]["estimate"] < data["metrics"][0]["interval"][1]
    assert data["srm"]["status"] == "ok"
