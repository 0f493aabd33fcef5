"""Boundary states kept between looks give exactly the decisions of recomputing every look."""

import json
from unittest import mock

import numpy as np

from experiments.stats.boundaries import STATE_CACHE, BoundaryState, KeptStates, normalise_fractions
from experiments.stats.decision import Design, MetricSpec, evaluate_look

SPECS = [
    MetricSpec("fcr", "binary", "success"),
    MetricSpec("complaint-rate", "binary", "guardrail", lower_is_better=True, margin=1.0),
    MetricSpec("handle-time", "mean", "guardrail", lower_is_better=True, margin=0.2),
]


def daily_data(seed: int, days: int = 28):
    """Cumulative per-arm statistics after each of `days` days of uneven traffic (irregular looks)."""
    rng = np.random.default_rng(seed)
    totals = {arm: {"n": 0, "fcr": 0, "complaints": 0, "sum": 0.0, "sum_sq": 0.0} for arm in ("control", "short")}
    looks = []
    for _day in range(days):
        for arm, lift in (("control", 0.0), ("short", 0.01)):
            n = int(rng.integers(150, 450))
            values = rng.normal(5.0, 1.0, n)
            t = totals[arm]
            t["n"] += n
            t["fcr"] += int(rng.binomial(n, 0.70 + lift))
            t["complaints"] += int(rng.binomial(n, 0.03))
            t["sum"] += float(values.sum())
            t["sum_sq"] += float((values**2).sum())
        looks.append(json.loads(json.dumps(totals)))
    return looks


def metrics_of(totals):
    return [
        (SPECS[0], {arm: {"n": t["n"], "successes": t["fcr"]} for arm, t in totals.items()}),
        (SPECS[1], {arm: {"n": t["n"], "successes": t["complaints"]} for arm, t in totals.items()}),
        (SPECS[2], {arm: {"n": t["n"], "total": t["sum"], "total_sq": t["sum_sq"]} for arm, t in totals.items()}),
    ]


def replay(design: Design, looks, *, kept_between_looks: bool, stored=None, days: int = 28):
    """Every look's result (the look of day `days` is the final one); with kept states each look
    starts from the previous look's states as stored (to_dict, JSON and back), never from the
    process cache."""
    results, fractions, stored = [], [], list(stored or [])
    for day, totals in enumerate(looks, start=1):
        STATE_CACHE.clear()
        units = {arm: t["n"] for arm, t in totals.items()}
        kept = KeptStates([BoundaryState.from_dict(json.loads(s)) for s in stored]) if kept_between_looks else None
        result = evaluate_look(
            design,
            metrics_of(totals),
            units,
            previous_fractions=tuple(fractions),
            days_elapsed=float(day),
            final=day == days,
            kept=kept,
        )
        if kept is not None:
            stored = [json.dumps(state.to_dict()) for state in kept.states()]
        fractions.append(result.information_fraction)
        results.append(result.as_dict())
    return results, stored


DESIGN = Design({"control": 1, "short": 1}, "control", planned_units=40_000, min_runtime_days=7)


def test_28_looks_from_kept_states_decide_exactly_as_recomputing_every_look():
    looks = daily_data(seed=15)
    scratch, _ = replay(DESIGN, looks, kept_between_looks=False)
    kept, stored = replay(DESIGN, looks, kept_between_looks=True)

    assert kept == scratch  # every number of every look, bit for bit, and every decision
    assert [r["action"] for r in scratch][:3] == ["continue"] * 3
    # one state per distinct test level (success, guardrail, harm), covering every look
    states = [BoundaryState.from_dict(json.loads(s)) for s in stored]
    assert sorted(s.alpha for s in states) == [0.01, 0.05]  # one success metric: success = guardrail level
    looks_taken = len(normalise_fractions([r["information_fraction"] for r in scratch]))
    assert all(len(s.fractions) == looks_taken for s in states)


def test_a_kept_state_is_extended_by_one_look_not_recomputed():
    looks = daily_data(seed=3, days=6)
    _, stored = replay(DESIGN, looks[:5], kept_between_looks=True)
    with mock.patch.object(BoundaryState, "first", wraps=BoundaryState.first) as first:
        replay_from = replay(DESIGN, looks, kept_between_looks=True)
    assert first.call_count > 0  # a replay from nothing starts each test at its first look...
    STATE_CACHE.clear()
    kept = KeptStates([BoundaryState.from_dict(json.loads(s)) for s in stored])
    with mock.patch.object(BoundaryState, "first", side_effect=AssertionError("recomputed")):
        result = evaluate_look(
            DESIGN,
            metrics_of(looks[5]),
            {arm: t["n"] for arm, t in looks[5].items()},
            previous_fractions=tuple(replay_from[0][k]["information_fraction"] for k in range(5)),
            days_elapsed=6.0,
            kept=kept,
        )
    assert result.as_dict() == replay_from[0][5]  # ...and a kept state only extends
    assert all(len(s.fractions) == 6 for s in kept.states())


def test_a_state_of_another_plan_is_not_used():
    looks = daily_data(seed=7, days=5)
    _, stored = replay(DESIGN, looks[:4], kept_between_looks=True)
    other = Design({"control": 1, "short": 1}, "control", planned_units=30_000, min_runtime_days=7)
    scratch, _ = replay(other, looks, kept_between_looks=False)
    # every look of the other plan seeded with the first plan's states after four looks
    mixed, other_stored = replay(other, looks, kept_between_looks=True, stored=stored)
    assert mixed == scratch
    assert sorted(other_stored) != sorted(stored)


def test_the_compact_copy_restores_a_state_exactly():
    state = KeptStates().state([0.1, 0.25, 0.4], 0.05, "obrien_fleming", 0.005)
    restored = BoundaryState.from_bytes(state.to_bytes())
    assert restored.to_dict() == state.to_dict()
    assert restored.extend(0.6).to_dict() == state.extend(0.6).to_dict()
