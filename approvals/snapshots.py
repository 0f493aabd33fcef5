"""Freeze an experiment's contract as JSON, and say in readable rows how two contracts differ."""

from django.utils import timezone

from approvals.models import Snapshot
from experiments.contract import contract_of, metric_row  # noqa: F401  (re-exported: approvals reads them here)
from experiments.models import Experiment

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
    "ai_disclosure": "AI disclosure",
    "human_fallback": "Human fallback",
    "bias_note": "Bias and fairness note",
    "rules": "Rules",
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
                rows.append(
                    {
                        "field": f"metrics.{key}",
                        "label": f"Metric {key}",
                        "before": _describe_metric(o) if o else "(not measured)",
                        "after": _describe_metric(n) if n else "(removed)",
                    }
                )
        elif field in ("variants", "rules"):
            rows.append({"field": field, "label": label, "before": str(old), "after": str(new)})
        else:
            rows.append({"field": field, "label": label, "before": _plain(old), "after": _plain(new)})
    return rows
