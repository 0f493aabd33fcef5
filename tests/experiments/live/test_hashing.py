"""Assignment hashing: deterministic, proportional to the weights, independent of the cap."""

from collections import Counter

import pytest

from experiments.live.hashing import arm_for, is_exposed, unit_fraction

WEIGHTS = [("control", 50), ("short", 30), ("long", 20)]


def test_the_same_unit_always_gets_the_same_arm():
    assert {arm_for("exp-a", WEIGHTS, "customer-42") for _ in range(5)} == {arm_for("exp-a", WEIGHTS, "customer-42")}


def test_arms_follow_the_weights():
    counts = Counter(arm_for("exp-a", WEIGHTS, f"u{i}") for i in range(30_000))
    for arm, weight in WEIGHTS:
        assert abs(counts[arm] / 30_000 - weight / 100) < 0.015, counts


def test_experiments_hash_units_independently():
    same = sum(arm_for("exp-a", WEIGHTS, f"u{i}") == arm_for("exp-b", WEIGHTS, f"u{i}") for i in range(10_000))
    # Independent hashes agree with probability 0.5^2 + 0.3^2 + 0.2^2 = 0.38.
    assert abs(same / 10_000 - 0.38) < 0.03


def test_the_cap_admits_its_share_and_raising_it_keeps_everyone_in():
    units = [f"u{i}" for i in range(20_000)]
    at_10 = {u for u in units if is_exposed("exp-a", 10, u)}
    at_25 = {u for u in units if is_exposed("exp-a", 25, u)}
    assert abs(len(at_10) / len(units) - 0.10) < 0.01
    assert at_10 <= at_25
    assert not any(is_exposed("exp-a", 0, u) for u in units[:100])
    assert all(is_exposed("exp-a", 100, u) for u in units[:100])


def test_fractions_lie_in_the_unit_interval():
    values = [unit_fraction("k", "arm", str(i)) for i in range(1000)]
    assert all(0 <= v < 1 for v in values)


@pytest.mark.parametrize("weights", [[], [("a", 0)]])
def test_bad_weights_are_refused(weights):
    with pytest.raises(ValueError, match="weights"):
        arm_for("exp-a", weights, "u1")
