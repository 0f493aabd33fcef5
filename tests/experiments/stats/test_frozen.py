"""Objects the hot path makes without their frozen dataclass ``__init__`` (``frozen.made``) are the
objects their constructors make: equal, same hash, same ``asdict``, nothing missing."""

from dataclasses import asdict, fields

import pytest

from experiments.stats import decision
from experiments.stats.decision import Design, MetricResult, MetricSpec, evaluate_metric
from experiments.stats.effects import Effect, compare
from experiments.stats.inputs import ArmSummary, BinaryArm, MeanArm, NpsArm
from experiments.stats.wording import Reading, effect_reading


def rebuilt(instance):
    return type(instance)(**{f.name: getattr(instance, f.name) for f in fields(instance)})


@pytest.mark.parametrize("arm", [BinaryArm(500, 37), NpsArm(400, 150, 90), MeanArm(300, 1_500.0, 9_000.0)])
def test_arm_summaries(arm):
    summary = arm.summary()
    assert type(summary) is ArmSummary
    assert summary == rebuilt(summary) and hash(summary) == hash(rebuilt(summary))
    assert asdict(summary) == asdict(rebuilt(summary))


def test_effects_and_readings():
    spec = MetricSpec("complaints", "binary", "guardrail", lower_is_better=True, margin=0.5)
    effect = compare(BinaryArm(14_000, 280).summary(), BinaryArm(14_000, 301).summary(), lower_is_better=True)
    assert type(effect) is Effect and effect == rebuilt(effect) and hash(effect) == hash(rebuilt(effect))
    reading = effect_reading(spec, effect, (-0.4, 0.1), 0.9)
    assert type(reading) is Reading and reading == rebuilt(reading)
    assert reading.direction == "higher" and reading.meaning == "worse"


@pytest.mark.parametrize("planned", [28_000, None])
@pytest.mark.parametrize("control", [BinaryArm(14_000, 280), BinaryArm(5, 1)])
def test_metric_results(planned, control):
    spec = MetricSpec("complaints", "binary", "guardrail", lower_is_better=True, margin=0.5)
    design = Design({"control": 1, "treatment": 1}, "control", planned_units=planned)
    result = evaluate_metric(spec, control, BinaryArm(14_000, 301), design, [k / 28 for k in range(1, 29)])
    assert type(result) is MetricResult
    assert result == rebuilt(result) and hash(result) == hash(rebuilt(result))
    assert asdict(result) == asdict(rebuilt(result))


def test_a_missing_or_unknown_result_field_is_refused():
    with pytest.raises(TypeError):
        decision._metric_result({"metric": "m"})  # most fields missing
    complete = {f.name: None for f in fields(MetricResult)}
    del complete["said"]
    with pytest.raises(TypeError):
        decision._metric_result({**complete, "sentense": "typo"})
