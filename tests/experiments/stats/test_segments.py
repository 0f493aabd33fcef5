"""The per-segment breakdown: Holm and Benjamini-Hochberg on known numbers, the engine's effects."""

import pytest

from experiments.stats.decision import MetricSpec
from experiments.stats.effects import compare
from experiments.stats.inputs import BinaryArm, StatsInputError
from experiments.stats.segments import BH, HOLM, benjamini_hochberg, breakdown, holm

P = [0.01, 0.04, 0.03, 0.005]


def test_holm_on_known_numbers():
    # sorted 0.005, 0.01, 0.03, 0.04 -> 4 x 0.005, 3 x 0.01, 2 x 0.03, max(1 x 0.04, 0.06)
    assert holm(P) == pytest.approx([0.03, 0.06, 0.06, 0.02])


def test_benjamini_hochberg_on_known_numbers():
    # 0.005 x 4/1, 0.01 x 4/2, 0.03 x 4/3, 0.04 x 4/4, then the running minimum from the top
    assert benjamini_hochberg(P) == pytest.approx([0.02, 0.04, 0.04, 0.02])


def test_adjusted_p_values_never_exceed_one_and_keep_the_order():
    p = [0.2, 0.5, 0.9, 0.6]
    for adjusted in (holm(p), benjamini_hochberg(p)):
        assert all(a <= 1 for a in adjusted)
        assert sorted(range(4), key=lambda i: p[i]) == sorted(range(4), key=lambda i: (adjusted[i], p[i]))
    assert holm([]) == benjamini_hochberg([]) == []


FCR = MetricSpec(name="fcr", kind="binary", role="success", label="first-contact resolution")
COMPLAINTS = MetricSpec(name="complaints", kind="binary", role="guardrail", lower_is_better=True, margin=1)


def cells():
    return {
        "seniors": {
            "fcr": {"control": {"n": 1000, "successes": 500}, "short": {"n": 1000, "successes": 580}},
            "complaints": {"control": {"n": 1000, "successes": 30}, "short": {"n": 1000, "successes": 32}},
        },
        "business": {
            "fcr": {"control": {"n": 400, "successes": 200}, "short": {"n": 400, "successes": 205}},
            "complaints": {"control": {"n": 1, "successes": 0}, "short": {"n": 0}},  # not enough data yet
        },
    }


def test_the_breakdown_uses_the_engines_effect_and_adjusts_across_every_comparison():
    result = breakdown([FCR, COMPLAINTS], cells(), "control", alpha=0.05)
    assert result.exploration and result.method == HOLM and "Holm" in result.method_name
    assert result.comparisons == 3
    seniors_fcr = next(e for e in result.effects if (e.segment, e.metric) == ("seniors", "fcr"))
    engine = compare(BinaryArm(1000, 500).summary(), BinaryArm(1000, 580).summary())
    assert seniors_fcr.change == pytest.approx(engine.estimate) == pytest.approx(8.0)
    assert seniors_fcr.interval[0] < 8 < seniors_fcr.interval[1]
    tested = sorted(e.p_value for e in result.effects if e.p_value is not None)
    assert seniors_fcr.adjusted_p_value == pytest.approx(min(1, 3 * tested[0]))
    assert seniors_fcr.differs and seniors_fcr.better
    complaints = next(e for e in result.effects if (e.segment, e.metric) == ("seniors", "complaints"))
    assert complaints.change == pytest.approx(0.2) and complaints.better is False  # a rise in complaints
    missing = next(e for e in result.effects if (e.segment, e.metric) == ("business", "complaints"))
    assert missing.p_value is None and missing.reason and not missing.differs


def test_bh_can_be_chosen_and_an_unknown_method_is_refused():
    assert breakdown([FCR], cells(), "control", method=BH).method_name.startswith("Benjamini")
    with pytest.raises(StatsInputError):
        breakdown([FCR], cells(), "control", method="bonferroni")
