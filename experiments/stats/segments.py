"""Per-segment breakdown of an experiment's effects: exploration, never a decision.

``breakdown(specs, cells, control, alpha, method="holm")`` takes the metrics (the engine's
``MetricSpec``) and, per segment, each metric's arm statistics (the dicts the engine's inputs take,
CUPED covariate included when present) and returns one ``SegmentEffect`` per segment, metric and
treatment arm: the same effect estimate the checks use (``effects.compare``: treatment minus control,
in the metric's own units or % of control), its two-sided fixed-horizon p-value and interval, and
the p-value adjusted across every comparison in the breakdown.

Why Holm (the default) rather than Benjamini-Hochberg: a segment breakdown is read one row at a
time ("it hurt seniors"), and each such sentence is a claim of its own. Holm controls the
family-wise error rate (the chance of *any* false "differs" among all segments x metrics x arms)
under any dependence between the tests, which matters here: the metrics of one segment are
measured on the same units and are correlated, so BH's independence (PRDS) assumption is not
guaranteed. Holm is uniformly more powerful than Bonferroni. BH (false discovery rate) is also
provided (``method="bh"``) for breakdowns with many segments, where the FWER becomes too strict.

Nothing here stops or concludes anything: the checks decide on the whole population only, and the
breakdown is always labelled exploration (``Breakdown.exploration``). No Django imports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from scipy import stats as scipy_stats

from .effects import NotEnoughData, compare
from .inputs import StatsInputError, as_arm

HOLM, BH = "holm", "bh"
METHOD_NAMES = {HOLM: "Holm (family-wise error rate)", BH: "Benjamini-Hochberg (false discovery rate)"}


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the order given: sorted ascending, the i-th (0-based)
    of m becomes max over j <= i of min(1, (m - j) p_(j))."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        adjusted[i] = running
    return adjusted


def benjamini_hochberg(p_values: list[float]) -> list[float]:
    """Benjamini-Hochberg step-up adjusted p-values (q-values), in the order given: sorted
    ascending, the i-th (1-based) of m becomes min over j >= i of min(1, m p_(j) / j)."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 1.0
    for rank in range(m - 1, -1, -1):
        i = order[rank]
        running = min(running, m * p_values[i] / (rank + 1))
        adjusted[i] = min(1.0, running)
    return adjusted


ADJUSTERS = {HOLM: holm, BH: benjamini_hochberg}


@dataclass(frozen=True)
class SegmentEffect:
    segment: str
    metric: str
    label: str
    treatment: str
    n_control: int
    n_treatment: int
    control_mean: float | None = None
    treatment_mean: float | None = None
    change: float | None = None  # raw treatment - control (a rise is positive), metric units or %
    interval: tuple[float, float] | None = None  # raw, unadjusted, at 1 - alpha (two-sided)
    p_value: float | None = None  # two-sided, fixed horizon, unadjusted
    adjusted_p_value: float | None = None  # across the whole breakdown (method named in Breakdown)
    differs: bool = False  # adjusted p-value <= alpha: worth a look, never a decision
    better: bool | None = None  # the direction of the change for this metric (None: no estimate)
    cuped: bool = False  # the estimate used the pre-period covariate
    reason: str | None = None  # why no estimate (not enough data), in plain words


@dataclass(frozen=True)
class Breakdown:
    method: str
    method_name: str
    alpha: float
    comparisons: int  # how many p-values the adjustment covered
    effects: list[SegmentEffect] = field(default_factory=list)
    exploration: bool = True  # always: a segment never stops or concludes an experiment


def breakdown(specs, cells: dict, control: str, alpha: float = 0.05, method: str = HOLM) -> Breakdown:
    """``specs``: the metrics (MetricSpec or anything with name, kind, relative, lower_is_better,
    display_name). ``cells``: {segment: {metric name: {arm: statistics dict}}}; arms other than
    ``control`` are treatments. Segments and metrics come out in the order given."""
    if method not in ADJUSTERS:
        raise StatsInputError("method", f"must be one of {', '.join(ADJUSTERS)}")
    if not 0 < alpha < 1:
        raise StatsInputError("alpha", "must be strictly between 0 and 1")
    z_crit = scipy_stats.norm.ppf(1 - alpha / 2)
    rows = []
    for segment, metrics in cells.items():
        for spec in specs:
            arms = metrics.get(spec.name) or {}
            control_stats = arms.get(control)
            for treatment, treatment_stats in arms.items():
                if treatment == control:
                    continue
                rows.append(_one(segment, spec, control_stats, treatment, treatment_stats, z_crit))
    tested = [i for i, row in enumerate(rows) if row.p_value is not None]
    adjusted = ADJUSTERS[method]([rows[i].p_value for i in tested])
    for i, p in zip(tested, adjusted, strict=True):
        rows[i] = _with_adjusted(rows[i], p, alpha)
    return Breakdown(method, METHOD_NAMES[method], alpha, len(tested), rows)


def _with_adjusted(row: SegmentEffect, p: float, alpha: float) -> SegmentEffect:
    return replace(row, adjusted_p_value=p, differs=p <= alpha)


def _one(segment, spec, control_stats, treatment, treatment_stats, z_crit) -> SegmentEffect:
    label = getattr(spec, "display_name", None) or spec.name
    where = f"segments[{segment}].{spec.name}"
    try:
        c = as_arm(spec.kind, _zero_filled(spec.kind, control_stats or {}), f"{where}.control")
        t = as_arm(spec.kind, _zero_filled(spec.kind, treatment_stats), f"{where}.{treatment}")
    except StatsInputError as error:
        return SegmentEffect(segment, spec.name, label, treatment, 0, 0, reason=error.message)
    n_c, n_t = c.n, t.n
    try:
        effect = compare(c.summary(), t.summary(), relative=spec.relative, lower_is_better=spec.lower_is_better)
    except NotEnoughData as missing:
        return SegmentEffect(segment, spec.name, label, treatment, n_c, n_t, reason=missing.reason)
    se = effect.se
    z = effect.z()
    p = float(2 * scipy_stats.norm.sf(abs(z)))
    raw = effect.raw(effect.estimate)
    half = z_crit * se
    return SegmentEffect(
        segment,
        spec.name,
        label,
        treatment,
        n_c,
        n_t,
        control_mean=_finite(effect.control_mean),
        treatment_mean=_finite(effect.treatment_mean),
        change=raw,
        interval=(raw - half, raw + half),
        p_value=p,
        better=effect.estimate > 0,
        cuped=effect.cuped_theta is not None,
    )


def _zero_filled(kind: str, stats: dict) -> dict:
    if kind == "binary":
        return {"n": 0, "successes": 0, **stats}
    if kind == "nps":
        return {"n": 0, "promoters": 0, "detractors": 0, **stats}
    return {"n": 0, "total": 0.0, "total_sq": 0.0, **stats}


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None
