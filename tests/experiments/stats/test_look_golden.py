"""Replaying fixed looks gives exactly the results the engine gave before its statuses became enums
and `evaluate_look` was split into steps (golden/look_results.json, captured from that engine)."""

import json
import math
from pathlib import Path

import pytest

from experiments.stats.verdicts import LookAction, LookOutcome, MetricStatus

from .look_cases import CASES

GOLDEN = json.loads((Path(__file__).parent / "golden" / "look_results.json").read_text())
# Fields added since the capture: (path, what they hold).
ADDED_METRIC_FIELDS = (
    "reason",
    "lower_is_better",
    "kind",
    "value_unit",
    "control_value",
    "treatment_value",
    "said",  # the sentence as a phrase, worded when read (experiments.stats.phrases)
    "reason_said",
)


def without_sentences(data: dict) -> dict:
    """The result without its sentences: their wording changed with issue 13 (one reading of
    every number: treatment minus control with its meaning in words), its numbers did not;
    test_decision.py holds the wording."""
    data = dict(data, sentence=None)
    data["metrics"] = [dict(metric, sentence=None) for metric in data["metrics"]]
    return data


def same(actual, expected, where="result"):
    """Equal, floats to 1e-9 relative: the golden JSON went through float text once, and scipy's
    numerical integration differs in the last digits between machines (4e-12 seen)."""
    if isinstance(expected, float) and isinstance(actual, float):
        assert math.isclose(actual, expected, rel_tol=1e-9, abs_tol=0.0), where
    elif isinstance(expected, dict):
        assert isinstance(actual, dict) and set(actual) == set(expected), where
        for key in expected:
            same(actual[key], expected[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), where
        for index, (a, e) in enumerate(zip(actual, expected, strict=True)):
            same(a, e, f"{where}[{index}]")
    else:
        assert actual == expected and type(actual) is type(expected), where


def test_the_cases_cover_every_decision():
    decisions = {(GOLDEN[name]["action"], GOLDEN[name]["outcome"]) for name in CASES}
    assert decisions == {
        ("stop", "invalid"),
        ("stop", "lost"),
        ("conclude", "won"),
        ("conclude", "lost"),
        ("conclude", "inconclusive"),
        ("continue", None),
    }
    assert set(CASES) == set(GOLDEN)


@pytest.mark.parametrize("name", sorted(CASES))
def test_look_replays_to_the_pre_refactor_result(name):
    result = CASES[name]()
    data = result.as_dict()
    reasons = [metric.get("reason") for metric in data["metrics"]]
    for metric in data["metrics"]:
        for added in ADDED_METRIC_FIELDS:
            metric.pop(added)
    data.pop("said")
    same(without_sentences(data), without_sentences(GOLDEN[name]))
    # as_dict() holds plain JSON values, and the result itself the engine's enums.
    assert json.loads(json.dumps(result.as_dict())) == result.as_dict()
    assert isinstance(result.action, LookAction)
    assert result.outcome is None or isinstance(result.outcome, LookOutcome)
    # The new reason is there exactly when a metric had not enough data, and is what its sentence says.
    for metric, reason in zip(result.metrics, reasons, strict=True):
        assert isinstance(metric.status, MetricStatus)
        if metric.status == MetricStatus.NOT_ENOUGH_DATA:
            assert metric.sentence.endswith(f"not enough data yet — {reason}.")
        else:
            assert reason is None
