"""Invariants that hold for any data: symmetry, monotonicity, intervals around the estimate."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from experiments.stats.boundaries import boundary_state
from experiments.stats.decision import Design, MetricSpec, evaluate_metric
from experiments.stats.effects import compare
from experiments.stats.inputs import BinaryArm, MeanArm

DESIGN = Design({"control": 1, "treatment": 1}, "control", planned_units=40_000)
FRACTIONS = [0.1, 0.2, 0.3, 0.45]
SUCCESS = MetricSpec("conversion", "binary", "success")
GUARDRAIL = MetricSpec("complaints", "binary", "guardrail", lower_is_better=True, margin=0.4)


@st.composite
def binary_arm(draw):
    n = draw(st.integers(min_value=20, max_value=20_000))
    return BinaryArm(n, draw(st.integers(min_value=1, max_value=n - 1)))


@st.composite
def mean_arm(draw):
    n = draw(st.integers(min_value=10, max_value=5000))
    mean = draw(st.floats(min_value=-100, max_value=100))
    sd = draw(st.floats(min_value=0.1, max_value=50))
    return MeanArm(n, n * mean, n * mean * mean + (n - 1) * sd * sd)


@settings(max_examples=60, deadline=None)
@given(binary_arm(), binary_arm(), st.booleans(), st.booleans())
def test_swapping_arms_negates_the_effect(a, b, relative, lower):
    forward = compare(a.summary(), b.summary(), lower_is_better=lower)
    backward = compare(b.summary(), a.summary(), lower_is_better=lower)
    assert math.isclose(forward.estimate, -backward.estimate, rel_tol=1e-9, abs_tol=1e-9)
    assert math.isclose(forward.variance, backward.variance, rel_tol=1e-9)
    if relative:  # relative effects are not antisymmetric, but their sign is
        r_forward = compare(a.summary(), b.summary(), relative=True).estimate
        r_backward = compare(b.summary(), a.summary(), relative=True).estimate
        assert r_forward * r_backward <= 1e-12


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=200, max_value=20_000),
    st.floats(min_value=0.02, max_value=0.9),
    st.integers(min_value=1, max_value=50),
)
def test_more_successes_in_treatment_never_weaken_the_evidence(n, rate, extra):
    control = BinaryArm(n, int(n * rate))
    low_count = int(n * rate)
    high_count = min(low_count + extra, n - 1)
    if high_count <= low_count or low_count == 0:
        return
    low = evaluate_metric(SUCCESS, control, BinaryArm(n, low_count), DESIGN, FRACTIONS)
    high = evaluate_metric(SUCCESS, control, BinaryArm(n, high_count), DESIGN, FRACTIONS)
    assert high.estimate > low.estimate
    assert high.p_value <= low.p_value + 1e-12
    assert high.harm_p_value >= low.harm_p_value - 1e-12
    assert not (low.status == "superior" and high.status != "superior")


@settings(max_examples=60, deadline=None)
@given(mean_arm(), mean_arm(), st.sampled_from([SUCCESS, GUARDRAIL]))
def test_intervals_contain_the_estimate_and_match_the_status(a, b, spec):
    spec = MetricSpec(spec.name, "mean", spec.role, lower_is_better=spec.lower_is_better, margin=spec.margin)
    result = evaluate_metric(spec, a, b, DESIGN, FRACTIONS)
    if result.status == "not_enough_data":
        return
    low, high = result.interval
    assert low <= result.estimate <= high
    h_low, h_high = result.harm_interval
    assert h_low <= result.estimate <= h_high
    null = 0.0 if spec.role == "success" else -spec.margin
    if result.status in ("superior", "non_inferior"):
        assert low > null - 1e-12
    if result.status == "harm":
        assert h_high < 0
    if result.status == "undecided":
        assert low <= null + 1e-9 and h_high >= -1e-9


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.floats(min_value=0.02, max_value=1.0), min_size=1, max_size=6, unique=True),
    st.floats(min_value=0.005, max_value=0.1),
)
def test_boundaries_rise_as_alpha_falls(fractions, alpha):
    fractions = sorted(round(t, 2) for t in fractions)
    if len(set(fractions)) != len(fractions) or fractions[0] <= 0:
        return
    strict = boundary_state(fractions, alpha / 2)
    loose = boundary_state(fractions, alpha)
    assert all(s >= lo - 1e-9 for s, lo in zip(strict.boundaries, loose.boundaries, strict=True))


ODD_NUMBERS = st.one_of(
    st.integers(min_value=-5, max_value=300),
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.sampled_from([None, "12", True, 0, 1, 2]),
)


@st.composite
def arm_dict(draw, kind):
    if kind == "binary":
        return {"n": draw(ODD_NUMBERS), "successes": draw(ODD_NUMBERS)}
    if kind == "nps":
        return {"n": draw(ODD_NUMBERS), "promoters": draw(ODD_NUMBERS), "detractors": draw(ODD_NUMBERS)}
    return {"n": draw(ODD_NUMBERS), "total": draw(ODD_NUMBERS), "total_sq": draw(ODD_NUMBERS)}


@settings(max_examples=80, deadline=None)
@given(st.data(), st.sampled_from(["binary", "nps", "mean"]), st.sampled_from(["success", "guardrail"]), st.booleans())
def test_any_input_gives_a_result_or_a_named_error_never_a_crash(data, kind, role, planned):
    from experiments.stats.decision import LookResult, evaluate_look
    from experiments.stats.inputs import StatsInputError

    spec = MetricSpec("m", kind, role, margin=1.0 if role == "guardrail" else None)
    design = Design({"control": 1, "treatment": 1}, "control", planned_units=500 if planned else None)
    arms = {"control": data.draw(arm_dict(kind)), "treatment": data.draw(arm_dict(kind))}
    counts = {"control": data.draw(ODD_NUMBERS), "treatment": data.draw(ODD_NUMBERS)}
    try:
        result = evaluate_look(
            design, [(spec, arms)], counts, previous_fractions=data.draw(st.lists(st.floats(0, 1), max_size=3))
        )
    except StatsInputError as error:
        assert error.field
        return
    assert isinstance(result, LookResult)
    for metric in result.metrics:
        if metric.status == "not_enough_data":
            assert metric.estimate is None and not metric.harm
