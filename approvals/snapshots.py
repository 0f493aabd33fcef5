"""Freeze an experiment's contract as JSON, and say in readable rows how two contracts differ."""
from decimal import Decimal

from django.utils import timezone

from approvals.models import Snapshot
from experiments.models import Experiment, GuardrailPolicy

# Parts of the contract an amendment may change (the rest needs a new proposal).
AMENDABLE = ("touchpoints", "segments", "exposure_cap_pct", "planned_start", "planned_end", "metrics")

LABELS = {
    "title": "Title",
    "hypothesis": "Hypothesis",
    "touchpoints": "Touchpoints",
    "segments": "Segments",
    "sensitive_categories": "Sensitive categories",
    "exposure_cap_pct": "Exposure cap (%)",
    "planned_start": "Planned start",
    "planned_end": "Planned end",
    "min_runtime_days": "Minimum runtime (days)",
    "approver": "Named approver",
    "variants": "Variants",
    "metrics": "Metrics",
    "rules": "Rules",
}


def _number(value):
    return None if value is None else float(value)


def metric_row(row) -> dict:
    return {
        "metric": row.metric.key,
        "role": row.role,
        "effect_unit": row.effect_unit,
        "minimum_detectable_effect": _number(row.minimum_detectable_effect),
        "non_inferiority_margin": _number(row.non_inferiority_margin),
        "baseline_rate": _number(row.baseline_rate),
        "baseline_mean": _number(row.baseline_mean),
        "baseline_sd": _number(row.baseline_sd),
    }


def contract_of(experiment: Experiment) -> dict:
    policy = GuardrailPolicy.current()
    return {
        "title": experiment.title,
        "hypothesis": experiment.hypothesis_sentence,
        "touchpoints": sorted(experiment.touchpoints.values_list("key", flat=True)),
        "segments": sorted(experiment.segments.values_list("key", flat=True)),
        "sensitive_categories": sorted(experiment.sensitive_categories.values_list("key", flat=True)),
        # Quantized: a value fresh from a form ("20") and one read back ("20.00") are one contract.
        "exposure_cap_pct": str(Decimal(experiment.exposure_cap_pct).quantize(Decimal("0.01"))),
        "planned_start": experiment.planned_start.isoformat(),
        "planned_end": experiment.planned_end.isoformat(),
        "min_runtime_days": experiment.min_runtime_days,
        "approver": experiment.approver.get_username() if experiment.approver_id else None,
        "variants": [
            {"key": v.key, "name": v.name, "is_control": v.is_control, "weight": v.weight}
            for v in experiment.variants.all()
        ],
        "metrics": [metric_row(r) for r in experiment.metrics.select_related("metric").order_by("metric__key")],
        "rules": {
            "alpha": experiment.alpha,
            "power": experiment.power,
            "expected_daily_traffic": experiment.expected_daily_traffic,
            "max_duration_days": policy.max_duration_days,
            "max_exposure_pct": str(policy.max_exposure_pct),
        },
    }


def freeze(experiment: Experiment, actor, data: dict | None = None) -> Snapshot:
    """The next numbered snapshot of `experiment` (its current contract unless `data` is given).

    Callers hold the experiment's row lock, so numbering cannot race.
    """
    last = experiment.snapshots.order_by("-number").values_list("number", flat=True).first() or 0
    return Snapshot.objects.create(
        experiment=experiment,
        number=last + 1,
        data=data if data is not None else contract_of(experiment),
        created_by=actor,
        created_at=timezone.now(),
    )


def _describe_metric(row: dict) -> str:
    if row["role"] == "success":
        effect = f"minimum detectable effect {row['minimum_detectable_effect']:g}"
    else:
        effect = f"non-inferiority margin {row['non_inferiority_margin']:g}"
    unit = " (relative %)" if row.get("effect_unit") == "relative" else ""
    return f"{row['role']}, {effect}{unit}"


def _plain(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    if value is None:
        return "(none)"
    return str(value)


def diff_rows(before: dict, after: dict) -> list[dict]:
    """[{field, label, before, after}] for every difference, metrics one row per metric."""
    rows = []
    for field, label in LABELS.items():
        old, new = before.get(field), after.get(field)
        if old == new:
            continue
        if field == "metrics":
            old_by_key = {m["metric"]: m for m in old or []}
            new_by_key = {m["metric"]: m for m in new or []}
            for key in sorted(old_by_key.keys() | new_by_key.keys()):
                o, n = old_by_key.get(key), new_by_key.get(key)
                if o == n:
                    continue
                rows.append({
                    "field": f"metrics.{key}",
                    "label": f"Metric {key}",
                    "before": _describe_metric(o) if o else "(not measured)",
                    "after": _describe_metric(n) if n else "(removed)",
                })
        elif field in ("variants", "rules"):
            rows.append({"field": field, "label": label, "before": str(old), "after": str(new)})
        else:
            rows.append({"field": field, "label": label, "before": _plain(old), "after": _plain(new)})
    return rows
