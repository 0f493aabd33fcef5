"""The database stores the engine's words: the Django choices hold exactly the engine's values, and
the check sentence is built from the engine's fields (never by parsing its prose back)."""

import json
from pathlib import Path

import pytest

from experiments.live.monitoring import check_sentence
from experiments.models import Check, MetricRole, Outcome
from experiments.stats import verdicts
from tests.experiments.stats.look_cases import CASES

GOLDEN_SENTENCES = json.loads((Path(__file__).parents[1] / "stats" / "golden" / "check_sentences.json").read_text())


def test_check_actions_are_the_engine_look_actions_plus_error():
    assert set(Check.Action.values) == {a.value for a in verdicts.LookAction} | {Check.Action.ERROR}
    assert Check.Action.ERROR not in {a.value for a in verdicts.LookAction}


def test_experiment_outcomes_are_the_engine_look_outcomes():
    assert set(Outcome.values) == {o.value for o in verdicts.LookOutcome}


def test_metric_roles_are_the_engine_roles():
    assert set(MetricRole.values) == {r.value for r in verdicts.MetricRole}


@pytest.mark.parametrize("name", sorted(CASES))
def test_check_sentence_is_the_one_monitoring_wrote_before(name):
    # golden/check_sentences.json: what monitoring wrote when it still split the engine's prose; re-captured
    # when issue 13 reworded the changes ("7 points higher: worse"), with the same numbers
    assert check_sentence(CASES[name]()) == GOLDEN_SENTENCES[name]


def test_not_enough_data_sentence_comes_from_the_reason_field():
    result = CASES["continue_not_enough_data"]()
    assert result.not_enough_data_reason == "each arm needs at least 10 units and control has 6"
    reason = "each arm needs at least 10 units and control has 6"
    assert check_sentence(result) == f"Continue: not enough data yet — {reason}."
    assert CASES["continue_zero_variance"]().not_enough_data_reason is None  # one metric was tested


def test_a_metric_label_with_a_dash_does_not_garble_the_reason():
    from experiments.stats.decision import Design, MetricSpec, evaluate_look
    from experiments.stats.inputs import BinaryArm

    spec = MetricSpec("nps-app", "binary", "success", label="NPS — app")
    design = Design({"control": 1, "treatment": 1}, "control", planned_units=1000)
    arms = {"control": BinaryArm(3, 1), "treatment": BinaryArm(4, 2)}
    result = evaluate_look(design, [(spec, arms)], {"control": 3, "treatment": 4})
    reason = "each arm needs at least 10 units and control has 3"
    assert check_sentence(result) == f"Continue: not enough data yet — {reason}."
