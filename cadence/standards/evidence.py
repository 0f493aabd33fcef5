"""The evidence a review sees and a standard keeps: from the experiment's latest check and events."""

from experiments.models import Check, Experiment
from experiments.stats.wording import metric_reading
from experiments.verdicts import verdict_summary

METRIC_FIELDS = (
    "label",
    "metric",
    "role",
    "status",
    "estimate",
    "interval",
    "interval_level",
    "unit",
    "relative",
    "margin",
    "sentence",
)


def reading_fields(result: dict) -> dict:
    """The metric's one reading (experiments.stats.wording), kept with the evidence so a review
    and a standard show the change with the sign, figures and interval the experiment page shows."""
    reading = metric_reading(result)
    return {
        "change": reading.change,
        "change_interval": list(reading.interval) if reading.interval else None,
        "change_interval_level": reading.level,
        "change_text": reading.change_text,
        "meaning_text": reading.amount_text if reading.change is not None else "",
        "interval_text": reading.interval_text if reading.interval else "",
        "level_text": reading.level_text,
    }


def evidence_snapshot(experiment: Experiment) -> dict:
    """JSON: per-metric effect and interval, guardrails, duration and checks count."""
    checks = Check.objects.filter(experiment=experiment).exclude(action=Check.Action.ERROR).order_by("look_date", "pk")
    latest = checks.last()
    metrics = [
        {name: row.get(name) for name in METRIC_FIELDS} | reading_fields(row)
        for row in ((latest.result or {}).get("metrics", []) if latest else [])
    ]
    events = {e.action: e.created_at for e in experiment.events.all().order_by("created_at", "pk")}
    # The checks' record and any override on it, and the real runtime (start to stop, not planned).
    verdict = verdict_summary(experiment)
    return {
        "experiment": experiment.key,
        "title": experiment.title,
        "outcome": experiment.outcome,
        "sentence": latest.display_sentence if latest else "",
        "metrics": [m for m in metrics if m["role"] != "guardrail"],
        "guardrails": [m for m in metrics if m["role"] == "guardrail"],
        "duration_days": verdict["runtime_days"],
        "checks_count": checks.count(),
        "last_check": latest.look_date.isoformat() if latest else None,
        "concluded_at": events["conclude"].isoformat() if "conclude" in events else None,
        "verdict": verdict,
    }
