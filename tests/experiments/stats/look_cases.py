"""Fixed looks, one per branch of the look decision, replayed by test_look_golden.

The golden results in golden/look_results.json were captured from the engine before its statuses
became enums and `evaluate_look` was split into steps; the refactor must not move a single value.
"""

from experiments.stats.decision import Design, MetricSpec, evaluate_look
from experiments.stats.inputs import BinaryArm, MeanArm

CONVERSION = MetricSpec("conversion", "binary", "success", label="conversion rate")
COMPLAINTS = MetricSpec(
    "complaint-rate", "binary", "guardrail", lower_is_better=True, margin=0.5, label="complaint rate"
)
HANDLE_TIME = MetricSpec("handle-time", "mean", "guardrail", lower_is_better=True, margin=0.3, unit="minutes")
DAILY = [k / 28 for k in range(1, 28)]  # 27 earlier daily looks of 28


def _design(**overrides):
    values = {"weights": {"control": 1, "treatment": 1}, "control": "control", "planned_units": 20_000}
    return Design(**{**values, "min_runtime_days": 7, **overrides})


def _two_metrics(conversions, complaints, n):
    return [
        (CONVERSION, {"control": BinaryArm(n, conversions[0]), "treatment": BinaryArm(n, conversions[1])}),
        (COMPLAINTS, {"control": BinaryArm(n, complaints[0]), "treatment": BinaryArm(n, complaints[1])}),
    ]


def _look(conversions=(1000, 1000), complaints=(200, 200), counts=(10_000, 10_000), n=10_000, design=None, **kwargs):
    kwargs.setdefault("previous_fractions", DAILY)
    kwargs.setdefault("days_elapsed", 28)
    metrics = _two_metrics(conversions, complaints, n)
    return evaluate_look(design or _design(), metrics, {"control": counts[0], "treatment": counts[1]}, **kwargs)


def _three_arms(b_conversions, b_complaints=200, days=28, previous=DAILY):
    design = Design({"control": 1, "a": 1, "b": 1}, "control", planned_units=30_000, min_runtime_days=7)
    n = 10_000
    metrics = [
        (CONVERSION, {"control": BinaryArm(n, 1000), "a": BinaryArm(n, 1010), "b": BinaryArm(n, b_conversions)}),
        (COMPLAINTS, {"control": BinaryArm(n, 200), "a": BinaryArm(n, 200), "b": BinaryArm(n, b_complaints)}),
    ]
    counts = {"control": n, "a": n, "b": n}
    return evaluate_look(design, metrics, counts, previous_fractions=previous, days_elapsed=days)


def _mean_arm(n, mean, sd):
    return MeanArm(n, n * mean, n * mean * mean + (n - 1) * sd * sd)


CASES = {
    "stop_invalid": lambda: _look(conversions=(1000, 1110), complaints=(200, 300), counts=(10_000, 10_600)),
    "stop_harm": lambda: _look(conversions=(1000, 1110), complaints=(200, 300)),
    "stop_harm_two_treatments": lambda: _three_arms(1150, b_complaints=320),
    "continue_min_runtime": lambda: evaluate_look(
        _design(min_runtime_days=10),
        [(CONVERSION, {"control": BinaryArm(3000, 300), "treatment": BinaryArm(3000, 420)})],
        {"control": 3000, "treatment": 3000},
        previous_fractions=DAILY[:5],
        days_elapsed=6,
    ),
    "conclude_won": lambda: _look(conversions=(1000, 1110), complaints=(200, 210)),
    "conclude_won_two_treatments": lambda: _three_arms(1150),
    "conclude_won_no_guardrail": lambda: evaluate_look(
        _design(),
        [(CONVERSION, {"control": BinaryArm(6000, 600), "treatment": BinaryArm(6000, 720)})],
        {"control": 6000, "treatment": 6000},
        previous_fractions=DAILY[:10],
        days_elapsed=11,
    ),
    "conclude_lost": lambda: _look(conversions=(1000, 1110), complaints=(200, 230)),
    "conclude_inconclusive": lambda: _look(conversions=(1000, 1010)),
    "conclude_inconclusive_final_early": lambda: evaluate_look(
        _design(),
        [(CONVERSION, {"control": BinaryArm(8000, 800), "treatment": BinaryArm(8000, 810)})],
        {"control": 8000, "treatment": 8000},
        previous_fractions=[k / 35 for k in range(1, 28)],
        days_elapsed=28,
        final=True,
    ),
    "conclude_inconclusive_no_success_metric": lambda: evaluate_look(
        _design(),
        [(COMPLAINTS, {"control": BinaryArm(10_000, 200), "treatment": BinaryArm(10_000, 200)})],
        {"control": 10_000, "treatment": 10_000},
        previous_fractions=DAILY,
        days_elapsed=28,
    ),
    "continue": lambda: _look(
        conversions=(500, 520), complaints=(100, 100), counts=(5000, 5000), n=5000, previous_fractions=DAILY[:13]
    ),
    # 30,000 units in the data of 40,000 planned: the information fraction (0.75) comes from the data
    "continue_guardrail_blocks": lambda: _look(
        conversions=(1500, 1650),
        complaints=(300, 345),
        previous_fractions=DAILY[:20],
        counts=(7500, 7500),
        n=15_000,
        design=_design(planned_units=40_000),
    ),
    "continue_not_enough_data": lambda: _look(
        conversions=(0, 5), complaints=(0, 0), counts=(6, 6), n=6, previous_fractions=[], days_elapsed=0
    ),
    "continue_zero_variance": lambda: _look(
        conversions=(50, 60), complaints=(0, 0), counts=(500, 500), n=500, previous_fractions=[]
    ),
    "continue_open_ended_no_plan": lambda: evaluate_look(
        _design(planned_units=None),
        [
            (CONVERSION, {"control": BinaryArm(5000, 500), "treatment": BinaryArm(5000, 520)}),
            (HANDLE_TIME, {"control": _mean_arm(5000, 6.0, 2.0), "treatment": _mean_arm(5000, 6.05, 2.0)}),
        ],
        {"control": 5000, "treatment": 5000},
        days_elapsed=9,
    ),
}
