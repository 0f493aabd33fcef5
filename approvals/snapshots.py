"""Freeze an experiment's contract as JSON, and say in readable rows how two contracts differ."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals.models import Snapshot
from experiments.contract import contract_of, metric_row  # noqa: F401  (re-exported: approvals reads them here)
from experiments.models import Experiment

# Parts of the contract an amendment may change (the rest needs a new proposal).
AMENDABLE = ("touchpoints", "segments", "exposure_cap_pct", "planned_start", "planned_end", "metrics")

LABELS = {
    "title": gettext_lazy("Title"),
    "hypothesis": gettext_lazy("Hypothesis"),
    "touchpoints": gettext_lazy("Touchpoints"),
    "segments": gettext_lazy("Segments"),
    "sensitive_categories": gettext_lazy("Sensitive categories"),
    "exposure_cap_pct": gettext_lazy("Exposure cap (%)"),
    "planned_start": gettext_lazy("Planned start"),
    "planned_end": gettext_lazy("Planned end"),
    "min_runtime_days": gettext_lazy("Minimum runtime (days)"),
    "approver": gettext_lazy("Named approver"),
    "variants": gettext_lazy("Variants"),
    "metrics": gettext_lazy("Metrics"),
    "ai_disclosure": gettext_lazy("AI disclosure"),
    "human_fallback": gettext_lazy("Human fallback"),
    "bias_note": gettext_lazy("Bias and fairness note"),
    "rules": gettext_lazy("Rules"),
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
        role = _("success")
        effect = _("minimum detectable effect %(effect)s") % {"effect": f"{row['minimum_detectable_effect']:g}"}
    else:
        role = _("guardrail")
        effect = _("non-inferiority margin %(margin)s") % {"margin": f"{row['non_inferiority_margin']:g}"}
    if row.get("effect_unit") == "relative":
        effect = _("%(effect)s (relative %%)") % {"effect": effect}
    return f"{role}, {effect}"


def _plain(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or _("(none)")
    if value is None:
        return _("(none)")
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
                        "label": _("Metric %(key)s") % {"key": key},
                        "before": _describe_metric(o) if o else _("(not measured)"),
                        "after": _describe_metric(n) if n else _("(removed)"),
                    }
                )
        elif field in ("variants", "rules"):
            rows.append({"field": field, "label": str(label), "before": str(old), "after": str(new)})
        else:
            rows.append({"field": field, "label": str(label), "before": _plain(old), "after": _plain(new)})
    return rows
