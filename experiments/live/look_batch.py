"""What many experiments' looks of one date read, in a few queries for all of them.

The sweep checks experiments in chunks; `prefetch(ids, look_date)` reads every chunk member's
variants, metrics, summed daily statistics, per-day unit counts, assignment counts, start events
and kept boundary states at once (seven queries per chunk, whatever its size), so a look's own
transaction only claims the look, reads the earlier looks under the row lock and writes. The
figures are the ones `look_inputs` would read one experiment at a time (the same grouped sums).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max, Min, Prefetch, Sum, prefetch_related_objects

from experiments.models import (
    AssignmentCount,
    DailyStat,
    Experiment,
    ExperimentEvent,
    ExperimentMetric,
    KeptBoundaryState,
)


@dataclass
class LookData:
    """One experiment's share of a chunk's reads."""

    prefetched: dict  # the experiment's prefetch cache: "variants" and "metrics" (with their metric)
    sums: dict = field(default_factory=dict)  # (metric id, variant id) -> summed DailyStat fields
    data_through: dt.datetime | None = None
    daily_units: list = field(default_factory=list)  # (day, variant id, metric id, n)
    assigned: list = field(default_factory=list)  # (day, variant id, count)
    first_start: dt.datetime | None = None
    last_start: dt.datetime | None = None
    kept_states: list = field(default_factory=list)  # (design hash, state bytes)


SUMMED = ("n", "total", "total_sq", "promoters", "detractors", "pre_n", "pre_total", "pre_total_sq", "pre_cross")


def prefetch(experiment_ids, look_date: dt.date) -> dict[int, LookData]:
    """{experiment id: LookData} for the looks of `look_date` (data of days up to it)."""
    experiments = list(Experiment.objects.filter(pk__in=list(experiment_ids)).only("pk"))
    prefetch_related_objects(
        experiments,
        "variants",
        Prefetch("metrics", queryset=ExperimentMetric.objects.select_related("metric")),
    )
    batch = {e.pk: LookData(prefetched=e._prefetched_objects_cache) for e in experiments}
    ids = list(batch)

    up_to = {"experiment_id__in": ids, "day__lte": look_date}
    sums = (
        DailyStat.objects.filter(**up_to)
        .values("experiment_id", "metric_id", "variant_id")
        .annotate(**{name: Sum(name) for name in SUMMED}, last=Max("last_observed_at"))
    )
    for row in sums:
        data = batch[row["experiment_id"]]
        data.sums[(row["metric_id"], row["variant_id"])] = row
        if row["last"] is not None and (data.data_through is None or row["last"] > data.data_through):
            data.data_through = row["last"]
    for experiment_id, day, variant_id, count in AssignmentCount.objects.filter(**up_to).values_list(
        "experiment_id", "day", "variant_id", "count"
    ):
        batch[experiment_id].assigned.append((day, variant_id, count))
    # per-day units, for the count agreement rule: only experiments assigned through Pagar need them
    assigned_ids = [pk for pk, data in batch.items() if data.assigned]
    if assigned_ids:
        for experiment_id, day, variant_id, metric_id, n in DailyStat.objects.filter(
            experiment_id__in=assigned_ids, day__lte=look_date
        ).values_list("experiment_id", "day", "variant_id", "metric_id", "n"):
            batch[experiment_id].daily_units.append((day, variant_id, metric_id, n))
    starts = (
        ExperimentEvent.objects.filter(experiment_id__in=ids, action="start")
        .values("experiment_id")
        .annotate(first=Min("created_at"), last=Max("created_at"))
    )
    for row in starts:
        batch[row["experiment_id"]].first_start = row["first"]
        batch[row["experiment_id"]].last_start = row["last"]
    kept = KeptBoundaryState.objects.filter(experiment_id__in=ids).values_list("experiment_id", "design_hash", "state")
    for experiment_id, design_hash, state in kept:
        batch[experiment_id].kept_states.append((design_hash, bytes(state)))
    return batch
