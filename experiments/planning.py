"""Bridge from experiments (or a form/API payload) to the pure planning module."""

from django.db.models import prefetch_related_objects

from experiments.models import Experiment
from experiments.stats.decision import Design
from experiments.stats.planning import MetricPlanInput, Plan, PlanningError, plan_experiment

HARM_ALPHA = Design.__dataclass_fields__["harm_alpha"].default

__all__ = ["PlanningError", "plan_for_experiment", "plan_from_rows"]


def _number(field_name: str, value) -> float:
    """A payload value as a float, or a PlanningError naming the field (never a bare TypeError)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        raise PlanningError(field_name, "must be a number") from None


def plan_from_rows(
    *, metric_rows, variant_rows, alpha, power, daily_traffic, exposure_pct, planned_days, expected_correlation=0.0
) -> Plan:
    """metric_rows: dicts with metric (a Metric), role, effect_unit, minimum_detectable_effect,
    non_inferiority_margin, baseline_rate, baseline_mean, baseline_sd.
    variant_rows: dicts with key, weight, is_control."""
    inputs = [
        MetricPlanInput(
            name=row["metric"].name,
            kind=row["metric"].kind,
            role=row["role"],
            effect=row.get("minimum_detectable_effect")
            if row["role"] == "success"
            else row.get("non_inferiority_margin"),
            effect_unit=row.get("effect_unit") or "absolute",
            baseline_rate=row.get("baseline_rate"),
            baseline_mean=row.get("baseline_mean"),
            baseline_sd=row.get("baseline_sd"),
        )
        for row in metric_rows
    ]
    controls = [v["key"] for v in variant_rows if v.get("is_control")]
    if len(controls) != 1:
        raise PlanningError("variants", "mark exactly one variant as the control")
    return plan_experiment(
        inputs,
        weights={v["key"]: _number("variants", v.get("weight")) for v in variant_rows},
        control=controls[0],
        alpha=_number("alpha", alpha),
        power=_number("power", power),
        daily_traffic=_number("expected_daily_traffic", daily_traffic) if daily_traffic else None,
        exposure_pct=_number("exposure_cap_pct", exposure_pct),
        planned_days=planned_days,
        # The monitoring slot checks once a day, so the plan is sized for one look per planned
        # day, and keeps power for the harm tests every metric also runs (see experiments/stats).
        looks=max(int(planned_days), 1) if planned_days else 1,
        harm_alpha=HARM_ALPHA,
        expected_correlation=_number("expected_correlation", expected_correlation or 0.0),
    )


def plan_for_experiment(experiment: Experiment) -> Plan:
    # Skipped for what a list already prefetched (the inbox), one query each otherwise.
    prefetch_related_objects([experiment], "metrics__metric", "variants")
    metric_rows = [
        {
            "metric": row.metric,
            "role": row.role,
            "effect_unit": row.effect_unit,
            "minimum_detectable_effect": row.minimum_detectable_effect,
            "non_inferiority_margin": row.non_inferiority_margin,
            "baseline_rate": row.baseline_rate,
            "baseline_mean": row.baseline_mean,
            "baseline_sd": row.baseline_sd,
        }
        for row in experiment.metrics.all()
    ]
    variant_rows = [{"key": v.key, "weight": v.weight, "is_control": v.is_control} for v in experiment.variants.all()]
    return plan_from_rows(
        metric_rows=metric_rows,
        variant_rows=variant_rows,
        alpha=experiment.alpha,
        power=experiment.power,
        daily_traffic=experiment.expected_daily_traffic,
        exposure_pct=experiment.exposure_cap_pct,
        planned_days=experiment.duration_days,
    )
