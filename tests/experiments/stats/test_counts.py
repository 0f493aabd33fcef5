"""Units per arm in the data, and the rule that data may not claim more units than were assigned."""

import datetime as dt

from experiments.stats.counts import ArmCounts, data_units, exceeds, first_excess
from experiments.stats.decision import Design, MetricSpec, evaluate_look
from experiments.stats.inputs import BinaryArm

D1, D2, D3 = dt.date(2026, 3, 1), dt.date(2026, 3, 2), dt.date(2026, 3, 3)
ARMS = ("control", "treatment")


def test_exceeds_only_beyond_the_tolerance():
    assert not exceeds(105, 100, 0.05)
    assert exceeds(106, 100, 0.05)
    assert not exceeds(100, 100, 0.0) and exceeds(101, 100, 0.0)
    assert exceeds(1, 0, 0.05)  # any unit where none was assigned


def test_the_units_in_the_data_are_the_most_any_metric_counted_per_arm():
    metrics = [("a", {"control": 10, "treatment": 12}), ("b", {"control": 15, "treatment": 7})]
    assert data_units(metrics, lambda spec, arm, units: units) == {"control": 15, "treatment": 12}


def test_no_excess_when_the_data_hold_at_most_the_assigned_units():
    data = [(D1, "control", "m", 90), (D1, "treatment", "m", 100), (D2, "control", "m", 10)]
    assigned = [(D1, "control", 100), (D1, "treatment", 100)]
    assert first_excess(data, assigned, ARMS, 0.05) is None


def test_the_first_day_over_is_reported_with_every_arms_cumulative_numbers():
    data = [
        (D1, "control", "m", 50),
        (D2, "control", "m", 6000),
        (D2, "treatment", "m", 99),
        (D2, "control", "other", 10),  # another metric counts fewer units: the most is taken
        (D3, "control", "m", 6000),
    ]
    assigned = [(D1, "control", 99), (D1, "treatment", 99), (D3, "control", 20000)]
    excess = first_excess(data, assigned, ARMS, 0.05)
    assert excess.day == D2
    assert excess.arms == (ArmCounts("control", 6050, 99), ArmCounts("treatment", 99, 99))
    assert excess.over == ("control",)
    assert excess.as_dict()["arms"]["control"] == {"in_data": 6050, "assigned": 99}


def test_data_dated_before_their_units_were_assigned_exceed_on_that_day():
    data = [(D1, "control", "m", 300), (D1, "treatment", "m", 300)]
    assigned = [(D1, "control", 10), (D1, "treatment", 10), (D2, "control", 290), (D2, "treatment", 290)]
    assert first_excess(data, assigned, ARMS, 0.05).day == D1


def test_the_information_fraction_comes_from_the_metrics_units_not_the_assigned_counts():
    design = Design({"control": 1, "treatment": 1}, "control", planned_units=20_000)
    spec = MetricSpec("conversion", "binary", "success")
    metrics = [(spec, {"control": BinaryArm(2000, 200), "treatment": BinaryArm(2000, 210)})]
    result = evaluate_look(design, metrics, {"control": 4000, "treatment": 4000})
    assert result.information_fraction == 0.2  # 4,000 units in the data of 20,000 planned, not 8,000
    assert result.srm.counts == {"control": 4000, "treatment": 4000}
