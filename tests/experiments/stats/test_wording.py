"""The one reading of a metric's result (experiments.stats.wording.metric_reading), Django-free."""

import pytest

from experiments.stats.decision import Design, MetricSpec, evaluate_metric
from experiments.stats.inputs import BinaryArm, MeanArm
from experiments.stats.wording import MINUS, metric_reading, signed_text

DESIGN = Design({"control": 1, "treatment": 1}, "control", planned_units=20_000)


def test_a_rise_in_a_lower_is_better_rate_reads_higher_and_worse_with_the_harm_interval():
    spec = MetricSpec("escalation-rate", "binary", "guardrail", lower_is_better=True, margin=1, label="escalation rate")
    metric = evaluate_metric(spec, BinaryArm(5000, 400), BinaryArm(5000, 550), DESIGN, [0.5])
    result = metric.__dict__
    assert result["status"] == "harm"
    reading = metric_reading(result)
    assert reading.change == pytest.approx(3.0) and result["estimate"] == pytest.approx(-3.0)
    assert (reading.direction, reading.meaning, reading.harm, reading.level) == ("higher", "worse", True, 0.98)
    low, high = reading.interval
    assert (low, high) == pytest.approx((-result["harm_interval"][1], -result["harm_interval"][0]))
    assert reading.change_text == "+3 points" and reading.amount_text == "3 points higher: worse"
    # The engine's sentence says exactly this reading.
    assert f"3 points higher: clearly worse than control ({reading.interval_phrase})" in metric.sentence
    assert (result["control_value"], result["treatment_value"]) == pytest.approx((8.0, 11.0))


def test_a_fall_in_a_lower_is_better_mean_reads_lower_and_better_with_the_role_interval():
    spec = MetricSpec("wait", "mean", "success", lower_is_better=True, unit="minutes", label="wait")
    control = MeanArm(4000, 4000 * 6.5, 4000 * 6.5**2 + 3999 * 4.0)
    treatment = MeanArm(4000, 4000 * 5.9, 4000 * 5.9**2 + 3999 * 4.0)
    result = evaluate_metric(spec, control, treatment, DESIGN, [0.4]).__dict__
    reading = metric_reading(result)
    assert reading.change == pytest.approx(-0.6) and reading.meaning == "better" and not reading.harm
    assert reading.level == result["interval_level"] and reading.interval[1] < 0
    assert reading.change_text == f"{MINUS}0.6 minutes"


def test_results_recorded_before_the_engine_stored_its_direction_still_read_the_right_way():
    old = {"estimate": -2.0, "change": 2.0, "interval": [-3.0, -1.0], "interval_level": 0.9, "unit": "points"}
    reading = metric_reading(old)
    assert reading.lower_is_better and reading.change == 2.0 and reading.interval == (1.0, 3.0)
    assert reading.interval_text == "+1 to +3 points"
    unknown = metric_reading({"status": "not_enough_data", "unit": "points"})
    assert (unknown.change_text, unknown.interval_text, unknown.meaning) == ("—", "—", "")


def test_signs_are_real_minus_signs_and_zero_is_unsigned():
    assert (signed_text(2.5), signed_text(-0.97), signed_text(0.0001), signed_text(None)) == ("+2.5", "−0.97", "0", "—")
