"""Ask for more evidence: a new draft copy of the experiment for its owner, who submits it for
approval like any proposal (submit runs the one contract check, experiments.contract).

The copy is made inside today's policy where a copy can be: dates from next week, duration and
exposure within the limits, the minimum runtime within the duration. What only the owner can
fix (a missing mandatory guardrail's margin, an approver who left) the check reports at submit."""

import datetime as dt

from django.utils import timezone

from experiments import contract
from experiments.lifecycle import record_creation
from experiments.models import Experiment, ExperimentMetric, Variant

COPIED_FIELDS = (
    "title",
    "hypothesis_change",
    "hypothesis_audience",
    "hypothesis_effect",
    "hypothesis_rationale",
    "owner",
    "team",
    "exposure_cap_pct",
    "min_runtime_days",
    "approver",
    "alpha",
    "power",
    "expected_daily_traffic",
)


def _free_key(base: str) -> str:
    stem = f"{base[:50]}-rerun"
    key, n = stem, 1
    while Experiment.objects.filter(key=key).exists():
        n += 1
        key = f"{stem}-{n}"
    return key


def copy_as_draft(original: Experiment, actor) -> Experiment:
    rules = contract.load_rules()
    start = timezone.localdate() + dt.timedelta(days=7)
    days = min(original.duration_days or 28, rules.max_duration_days)
    fields = {name: getattr(original, name) for name in COPIED_FIELDS}
    fields["title"] = f"{original.title} (rerun)"[:200]
    fields["exposure_cap_pct"] = min(original.exposure_cap_pct, rules.max_exposure_pct)
    fields["min_runtime_days"] = min(original.min_runtime_days, days)
    copy = Experiment.objects.create(
        key=_free_key(original.key),
        planned_start=start,
        planned_end=start + dt.timedelta(days=days - 1),
        **fields,
    )
    copy.co_authors.set(original.co_authors.all())
    copy.touchpoints.set(original.touchpoints.all())
    copy.segments.set(original.segments.all())
    copy.sensitive_categories.set(original.sensitive_categories.all())
    for variant in original.variants.all():
        Variant.objects.create(
            experiment=copy,
            key=variant.key,
            name=variant.name,
            description=variant.description,
            is_control=variant.is_control,
            weight=variant.weight,
        )
    for row in original.metrics.all():
        ExperimentMetric.objects.create(
            experiment=copy,
            metric=row.metric,
            role=row.role,
            effect_unit=row.effect_unit,
            minimum_detectable_effect=row.minimum_detectable_effect,
            non_inferiority_margin=row.non_inferiority_margin,
            baseline_rate=row.baseline_rate,
            baseline_mean=row.baseline_mean,
            baseline_sd=row.baseline_sd,
        )
    record_creation(copy, actor)
    return copy
