"""Bridge from a running experiment's stored data to the statistics engine's inputs for one look.

Reads only the sufficient statistics (`DailyStat`, `AssignmentCount`) and earlier `Check` rows, so
a look costs days x arms x metrics rows however many raw observations arrived. The plan's size
(`planned_units`) is the sample-size calculator's, so the boundaries are the ones the proposal
was approved with.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max, Sum
from django.utils import timezone

from experiments.live.count_agreement import check_counts_agree
from experiments.models import AssignmentCount, Check, DailyStat, Experiment, MetricRole
from experiments.planning import PlanningError, plan_for_experiment
from experiments.stats.boundaries import KeptStates, normalise_fractions
from experiments.stats.counts import data_units
from experiments.stats.decision import Design, LookResult, MetricSpec, evaluate_look
from experiments.stats.inputs import StatsInputError


@dataclass(frozen=True)
class LookInputs:
    """Everything `evaluate_look` needs for one look, plus what the check records beside it."""

    design: Design
    metrics: list  # [(MetricSpec, {arm key: statistics dict})], cumulative up to the look date
    unit_counts: dict  # arm key -> units counted so far
    previous_fractions: tuple
    days_elapsed: float
    final: bool
    data_through: dt.datetime | None  # latest observation time in the statistics used

    def evaluate(self, kept: KeptStates | None = None) -> LookResult:
        """The look's decision; ``kept``: boundary states kept after the previous look, extended."""
        return evaluate_look(
            self.design,
            self.metrics,
            self.unit_counts,
            previous_fractions=self.previous_fractions,
            days_elapsed=self.days_elapsed,
            final=self.final,
            kept=kept,
        )


def manager_label(name: str) -> str:
    """How a metric reads mid-sentence: "Complaint rate" -> "complaint rate"; names that are
    proper nouns or start with an acronym ("Net Promoter Score", "NPS") keep their capitals."""
    words = name.split()
    if not words:
        return name
    first, rest = words[0], words[1:]
    titled = first[:1].isupper() and first[1:] == first[1:].lower()
    proper = any(
        w.strip("()[],.")[:1].isupper() and w.strip("()[],.")[1:] != w.strip("()[],.")[1:].upper() for w in rest
    )
    return first[:1].lower() + name[1:] if titled and not proper else name


def planned_units(experiment: Experiment) -> int | None:
    """Total units over all arms at the planned maximum, sized exactly as the proposal's plan
    (one look per planned day, power kept for the harm tests). None when the plan cannot be
    made: every metric is then judged by the always-valid mixture test instead."""
    try:
        return plan_for_experiment(experiment).total_units
    except PlanningError:
        return None


def design_for(experiment: Experiment) -> Design:
    variants = list(experiment.variants.all())
    controls = [v.key for v in variants if v.is_control]
    if len(controls) != 1:
        raise StatsInputError("variants", f"need exactly one control arm, found {len(controls)}")
    return Design(
        weights={v.key: float(v.weight) for v in variants},
        control=controls[0],
        alpha=experiment.alpha,
        planned_units=planned_units(experiment),
        min_runtime_days=float(experiment.min_runtime_days),
    )


def metric_spec(row) -> MetricSpec:
    """The engine's description of one ExperimentMetric row."""
    metric = row.metric
    guardrail = row.role == MetricRole.GUARDRAIL
    return MetricSpec(
        name=metric.key,
        kind=metric.kind,
        role=row.role,
        lower_is_better=metric.lower_is_better,
        margin=row.non_inferiority_margin if guardrail else None,
        relative=row.effect_unit == "relative",
        label=manager_label(metric.name),
        unit=metric.unit if metric.kind == "mean" and metric.unit else None,
    )


def _arm_statistics(kind: str, sums: dict | None) -> dict:
    """One arm's cumulative sums in the shape the engine's inputs take for `kind` (validated there,
    so a bad figure is refused with the metric and arm named)."""
    sums = sums or {}
    n = int(sums.get("n") or 0)
    if kind == "binary":
        return {"n": n, "successes": sums.get("total") or 0}
    if kind == "nps":
        return {"n": n, "promoters": int(sums.get("promoters") or 0), "detractors": int(sums.get("detractors") or 0)}
    statistics = {"n": n, "total": float(sums.get("total") or 0), "total_sq": float(sums.get("total_sq") or 0)}
    # CUPED: only when every unit counted came with its pre-period value (the sums must be over the
    # same units); the engine then adjusts when both arms carry them.
    if n and int(sums.get("pre_n") or 0) == n:
        statistics["covariate"] = {
            "total_x": float(sums.get("pre_total") or 0),
            "total_x_sq": float(sums.get("pre_total_sq") or 0),
            "total_xy": float(sums.get("pre_cross") or 0),
        }
    return statistics


def cumulative_sums(experiment: Experiment, look_date: dt.date) -> tuple[dict, dt.datetime | None]:
    """{(metric id, variant id): summed DailyStat fields} over days up to and including
    `look_date`, and the latest observation time among them. One grouped query."""
    rows = (
        DailyStat.objects.filter(experiment=experiment, day__lte=look_date)
        .values("metric_id", "variant_id")
        .annotate(
            n=Sum("n"),
            total=Sum("total"),
            total_sq=Sum("total_sq"),
            promoters=Sum("promoters"),
            detractors=Sum("detractors"),
            pre_n=Sum("pre_n"),
            pre_total=Sum("pre_total"),
            pre_total_sq=Sum("pre_total_sq"),
            pre_cross=Sum("pre_cross"),
            last=Max("last_observed_at"),
        )
    )
    sums, latest = {}, None
    for row in rows:
        sums[(row["metric_id"], row["variant_id"])] = row
        if row["last"] is not None and (latest is None or row["last"] > latest):
            latest = row["last"]
    return sums, latest


def unit_counts(experiment: Experiment, look_date: dt.date, variants, sums: dict, assigned_rows=None) -> dict:
    """Units per arm so far: the assignment counts. An experiment assigned outside Pagar (data sent
    as daily figures, no assignment calls) has none; its units are then the most units any of
    its metrics counted per arm (`data_units`, the rule the information fraction uses too), so the
    ratio check still runs. `assigned_rows`: (day, variant id, count) rows up to the look date,
    when read already."""
    if assigned_rows is None:
        assigned = dict(
            AssignmentCount.objects.filter(experiment=experiment, day__lte=look_date)
            .values("variant_id")
            .annotate(units=Sum("count"))
            .values_list("variant_id", "units")
        )
    else:
        assigned = {}
        for _day, variant_id, count in assigned_rows:
            assigned[variant_id] = assigned.get(variant_id, 0) + count
    if assigned:
        return {v.key: int(assigned.get(v.pk) or 0) for v in variants}
    counted = data_units([(metric, {variant: row["n"]}) for (metric, variant), row in sums.items()], _units_of)
    return {v.key: counted.get(v.pk, 0) for v in variants}


def _units_of(_metric, _arm, n) -> int:
    return int(n or 0)


def previous_fractions(experiment: Experiment, look_date: dt.date) -> tuple:
    """The information fractions of the earlier looks, in order (the boundaries depend on them)."""
    return tuple(
        Check.objects.filter(experiment=experiment, look_date__lt=look_date, information_fraction__isnull=False)
        .order_by("look_date")
        .values_list("information_fraction", flat=True)
    )


_UNREAD = object()


def started_on(experiment: Experiment, first_start=_UNREAD) -> dt.date:
    """The local date of its "start" event (restarts do not reset the runtime); the planned start
    for an experiment that has none (e.g. data loaded by hand). `first_start`: that event's time
    (or None), when read already."""
    started = first_start
    if started is _UNREAD:
        started = (
            experiment.events.filter(action="start").order_by("created_at").values_list("created_at", flat=True).first()
        )
    return timezone.localdate(started) if started is not None else experiment.planned_start


def days_elapsed(experiment: Experiment, look_date: dt.date, first_start=_UNREAD) -> float:
    return float(max((look_date - started_on(experiment, first_start)).days, 0))


def build_look(experiment: Experiment, look_date: dt.date, data=None) -> LookInputs:
    """The engine's inputs for `experiment` at `look_date`. Raises StatsInputError (naming the
    field) when the experiment cannot be judged as set up, or its data claim more units than
    Pagar assigned (count_agreement). `data`: the experiment's `look_batch.LookData` when a chunk
    of looks read it already (its variants and metrics then sit in the experiment's prefetch
    cache); the earlier looks are read here all the same, under the caller's row lock."""
    variants = list(experiment.variants.all())
    design = design_for(experiment)
    if data is None:
        check_counts_agree(experiment, look_date, variants)  # data claiming unassigned units: a data error
        sums, data_through = cumulative_sums(experiment, look_date)
        rows = experiment.metrics.select_related("metric")
        units = unit_counts(experiment, look_date, variants, sums)
        elapsed = days_elapsed(experiment, look_date)
    else:
        check_counts_agree(experiment, look_date, variants, data.assigned, data.daily_units)
        sums, data_through = data.sums, data.data_through
        rows = experiment.metrics.all()  # prefetched with their metric
        units = unit_counts(experiment, look_date, variants, sums, data.assigned)
        elapsed = days_elapsed(experiment, look_date, data.first_start)
    metrics = []
    for row in rows:
        spec = metric_spec(row)
        arms = {v.key: _arm_statistics(spec.kind, sums.get((row.metric_id, v.pk))) for v in variants}
        metrics.append((spec, arms))
    if not metrics:
        raise StatsInputError("metrics", "the experiment has no metrics to check")
    return LookInputs(
        design=design,
        metrics=metrics,
        unit_counts=units,
        previous_fractions=previous_fractions(experiment, look_date),
        days_elapsed=elapsed,
        final=look_date >= experiment.planned_end,
        data_through=data_through,
    )


def looks_so_far(experiment: Experiment, look_date: dt.date) -> int:
    """Looks carrying information before `look_date` (what an error check records as its look)."""
    try:
        return len(normalise_fractions(previous_fractions(experiment, look_date)))
    except StatsInputError:
        return 0
