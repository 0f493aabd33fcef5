"""The per-segment breakdown of a running experiment, read from SegmentDailyStat and computed by
the pure experiments.stats.segments (the same effect estimates the checks use; Holm across every
segment x metric x arm). Exploration only: nothing here is read by the checks."""

import datetime as dt

from django.db.models import Sum

from experiments.live.look_inputs import _arm_statistics, metric_spec
from experiments.models import Experiment, Segment, SegmentDailyStat
from experiments.stats.segments import HOLM, Breakdown, breakdown

SUMS = ("n", "total", "total_sq", "promoters", "detractors", "pre_n", "pre_total", "pre_total_sq", "pre_cross")


def segment_breakdown(experiment: Experiment, through: dt.date | None = None) -> tuple[Breakdown, dict]:
    """(the breakdown over the days up to `through` (all days when None), {segment key: Segment})
    for the segments that have data, in catalogue order."""
    stats = SegmentDailyStat.objects.filter(experiment=experiment)
    if through is not None:
        stats = stats.filter(day__lte=through)
    rows = stats.values("segment_id", "metric_id", "variant_id").annotate(**{name: Sum(name) for name in SUMS})
    variants = list(experiment.variants.all())
    key_of_variant = {v.pk: v.key for v in variants}
    control = next((v.key for v in variants if v.is_control), variants[0].key if variants else "")
    experiment_metrics = experiment.metric_rows()
    specs = [metric_spec(row) for row in experiment_metrics]
    kind_of_metric = {row.metric_id: (row.metric.key, row.metric.kind) for row in experiment_metrics}
    segments = {s.pk: s for s in Segment.objects.filter(pk__in={row["segment_id"] for row in rows})}
    cells = {segment.key: {} for segment in sorted(segments.values(), key=lambda s: (s.name, s.key))}
    for row in rows:
        if row["metric_id"] not in kind_of_metric or row["variant_id"] not in key_of_variant:
            continue
        metric_key, kind = kind_of_metric[row["metric_id"]]
        arms = cells[segments[row["segment_id"]].key].setdefault(metric_key, {})
        arms[key_of_variant[row["variant_id"]]] = _arm_statistics(kind, row)
    kind_by_key = dict(kind_of_metric.values())
    for arms_by_metric in cells.values():
        for metric_key, arms in arms_by_metric.items():
            for variant in variants:
                arms.setdefault(variant.key, _arm_statistics(kind_by_key[metric_key], None))
    result = breakdown(specs, cells, control, alpha=float(experiment.alpha), method=HOLM)
    return result, {segment.key: segment for segment in segments.values()}
