"""Keep each running experiment's boundary states between its daily looks (KeptBoundaryState).

A look loads the states kept after the previous look, the engine extends each by one look
(instead of recomputing every earlier look: ~10x cheaper at day 28), and the look keeps them in
its own transaction. Rows are keyed by a hash of what the boundaries depend on besides the looks;
a changed plan gives another hash, so its old states are never used, and are deleted on save.
"""

import hashlib
import json

from django.utils import timezone

from experiments.models import Experiment, KeptBoundaryState
from experiments.stats.boundaries import BoundaryState, KeptStates
from experiments.stats.decision import Design


def design_hash(alpha: float, spending: str, step: float, planned_units: int | None) -> str:
    """The inputs that determine a test's boundaries at given look fractions, hashed."""
    inputs = {"alpha": float(alpha), "spending": spending, "step": float(step), "planned_units": planned_units}
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def _hash_of(state: BoundaryState, design: Design) -> str:
    return design_hash(state.alpha, state.spending, state.step, design.planned_units)


def load(experiment: Experiment, design: Design, rows=None) -> KeptStates:
    """The states kept for `experiment` whose design is still `design`'s (one query, none when its
    (design hash, state bytes) `rows` were read already)."""
    if rows is None:
        rows = KeptBoundaryState.objects.filter(experiment=experiment).values_list("design_hash", "state")
    states = []
    for row_hash, data in rows:
        state = BoundaryState.from_bytes(data)
        if _hash_of(state, design) == row_hash:
            states.append(state)
    return KeptStates(states)


def save(experiment: Experiment, design: Design, kept: KeptStates) -> None:
    """Keep the states this look left in `kept`; drop those of another design (two queries)."""
    now = timezone.now()
    rows = {
        _hash_of(state, design): KeptBoundaryState(
            experiment=experiment,
            design_hash=_hash_of(state, design),
            looks=len(state.fractions),
            state=state.to_bytes(),
            updated_at=now,
        )
        for state in kept.states()
    }
    KeptBoundaryState.objects.filter(experiment=experiment).exclude(design_hash__in=list(rows)).delete()
    if rows:
        KeptBoundaryState.objects.bulk_create(
            list(rows.values()),
            update_conflicts=True,
            unique_fields=["experiment", "design_hash"],
            update_fields=["looks", "state", "updated_at"],
        )
