"""Realistic checks for page tests: the real statistics engine run over daily looks.

`record_looks(experiment, days=..., rates=...)` simulates each day's outcome data per arm (no
noise: the rates you choose, rounded to whole units), adds it up as the monitoring slot does,
runs `experiments.stats.decision.evaluate_look` once per look and writes
`Check(result=look.as_dict(), ...)` in the shape the monitoring code writes, plus the matching
`DailyStat` rows (for data freshness). With `apply_decision` a stop or conclusion moves the
experiment through `lifecycle.transition` with the scheduler as actor, as the real slot does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import time_machine
from django.utils import timezone

from experiments import lifecycle
from experiments.live.monitoring import check_said, check_sentence
from experiments.models import Check, DailyStat, EffectUnit, MetricRole, Status
from experiments.planning import plan_for_experiment
from experiments.stats.decision import Design, MetricSpec, evaluate_look
from experiments.stats.inputs import BinaryArm, MeanArm, NpsArm

# rates(metric_key, arm_key, day) -> the day's level: percent for a binary metric, the mean for a
# mean metric, the promoter share in percent for NPS (detractors fixed at 20 %).
Rates = Callable[[str, str, int], float]

BASELINES = {"fcr": 70.0, "complaint-rate": 3.0, "escalation-rate": 8.0, "csat": 4.1, "ces": 3.0, "nps": 45.0}
MEAN_SD = 1.0
NPS_DETRACTORS_PCT = 20.0


def no_difference(metric_key: str, arm: str, day: int) -> float:
    return BASELINES.get(metric_key, 10.0)


def guardrail_drift(
    metric_key: str = "complaint-rate", *, treatment: str = "short", from_day: int = 3, per_day: float = 0.5
) -> Rates:
    """The treatment's `metric_key` worsens by `per_day` points a day from `from_day` on."""

    def rates(key, arm, day):
        base = no_difference(key, arm, day)
        if key == metric_key and arm == treatment and day >= from_day:
            return base + per_day * (day - from_day + 1)
        return base

    return rates


def clear_win(metric_key: str = "fcr", *, treatment: str = "short", lift: float = 4.0) -> Rates:
    def rates(key, arm, day):
        base = no_difference(key, arm, day)
        return base + lift if key == metric_key and arm == treatment else base

    return rates


def _label(name: str) -> str:
    # "Complaint rate" -> "complaint rate" (the engine starts sentences with it); "CSAT" stays.
    return name if name[1:2].isupper() else name[:1].lower() + name[1:]


def metric_specs(experiment) -> list[MetricSpec]:
    specs = []
    for row in experiment.metrics.select_related("metric"):
        specs.append(
            MetricSpec(
                name=row.metric.key,
                kind=row.metric.kind,
                role=row.role,
                lower_is_better=row.metric.lower_is_better,
                margin=row.non_inferiority_margin if row.role == MetricRole.GUARDRAIL else None,
                relative=row.effect_unit == EffectUnit.RELATIVE,
                label=_label(row.metric.name),
                unit=row.metric.unit if row.metric.kind == "mean" else None,
            )
        )
    return specs


def design_for(experiment) -> Design:
    variants = list(experiment.variants.all())
    return Design(
        weights={v.key: v.weight for v in variants},
        control=next(v.key for v in variants if v.is_control),
        alpha=experiment.alpha,
        planned_units=plan_for_experiment(experiment).total_units,
        min_runtime_days=experiment.min_runtime_days,
    )


def _day_stats(spec: MetricSpec, n: int, level: float) -> dict:
    """One day's sums for `n` units at `level`."""
    if spec.kind == "binary":
        successes = round(n * level / 100)
        return {"n": n, "total": float(successes), "total_sq": float(successes), "promoters": 0, "detractors": 0}
    if spec.kind == "nps":
        promoters = round(n * level / 100)
        detractors = round(n * NPS_DETRACTORS_PCT / 100)
        passives = n - promoters - detractors
        total = 9.5 * promoters + 7.5 * passives + 4.0 * detractors
        total_sq = 9.5**2 * promoters + 7.5**2 * passives + 4.0**2 * detractors
        return {"n": n, "total": total, "total_sq": total_sq, "promoters": promoters, "detractors": detractors}
    return {"n": n, "total": n * level, "total_sq": n * (MEAN_SD**2 + level**2), "promoters": 0, "detractors": 0}


def _arm(spec: MetricSpec, sums: dict):
    if spec.kind == "binary":
        return BinaryArm(sums["n"], int(sums["total"]))
    if spec.kind == "nps":
        return NpsArm(sums["n"], sums["promoters"], sums["detractors"])
    return MeanArm(sums["n"], sums["total"], sums["total_sq"])


def record_looks(
    experiment,
    *,
    days: int,
    rates: Rates = no_difference,
    units_per_arm: int | None = None,
    start: dt.date | None = None,
    stop_when_told: bool = True,
    apply_decision: bool = True,
    daily_stats: bool = True,
    trigger: str = Check.Trigger.SCHEDULE,
    check_hour: int = 6,
) -> list[Check]:
    """One look per day for `days` days from `start` (default: the planned start).

    Day d's data is observed on start + d - 1 (last observation 23:30); the look of day d is dated
    the next morning (start + d, `check_hour`:00). Stops after the first look that does not say
    continue when `stop_when_told`. Returns the checks written, oldest first.
    """
    start = start or experiment.planned_start
    design = design_for(experiment)
    specs = metric_specs(experiment)
    per_arm = units_per_arm or max(int(plan_for_experiment(experiment).daily_units / len(design.weights)), 1)
    variants = {v.key: v for v in experiment.variants.all()}
    metric_rows = {row.metric.key: row.metric for row in experiment.metrics.select_related("metric")}
    totals = {
        (spec.name, arm): {"n": 0, "total": 0.0, "total_sq": 0.0, "promoters": 0, "detractors": 0}
        for spec in specs
        for arm in design.weights
    }
    units = dict.fromkeys(design.weights, 0)
    fractions: list[float] = []
    checks = []
    tz = timezone.get_current_timezone()
    for day in range(1, days + 1):
        data_day = start + dt.timedelta(days=day - 1)
        look_date = data_day + dt.timedelta(days=1)
        observed = dt.datetime.combine(data_day, dt.time(23, 30), tzinfo=tz)
        checked = dt.datetime.combine(look_date, dt.time(check_hour), tzinfo=tz)
        # A little day-to-day variation in traffic, the same for every arm (no ratio mismatch).
        n = per_arm + (day * 37) % 11
        for arm in design.weights:
            units[arm] += n
            for spec in specs:
                sums = _day_stats(spec, n, rates(spec.name, arm, day))
                for key, value in sums.items():
                    totals[(spec.name, arm)][key] += value
                if daily_stats:
                    DailyStat.objects.create(
                        experiment=experiment,
                        variant=variants[arm],
                        metric=metric_rows[spec.name],
                        day=data_day,
                        last_observed_at=observed,
                        updated_at=observed + dt.timedelta(minutes=20),
                        **sums,
                    )
        look = evaluate_look(
            design,
            [(spec, {arm: _arm(spec, totals[(spec.name, arm)]) for arm in design.weights}) for spec in specs],
            dict(units),
            previous_fractions=fractions,
            days_elapsed=day,
            final=day >= (experiment.duration_days or days),
        )
        if look.information_fraction is not None:
            fractions.append(look.information_fraction)
        checks.append(
            Check.objects.create(
                experiment=experiment,
                look_date=look_date,
                look=look.look,
                action=look.action,
                outcome=look.outcome or "",
                sentence=check_sentence(look),
                said=check_said(look),
                information_fraction=look.information_fraction,
                days_elapsed=day,
                final=day >= (experiment.duration_days or days),
                units=dict(units),
                result=look.as_dict(),
                data_through=observed,
                trigger=trigger,
                created_at=checked,
            )
        )
        if look.action != "continue" and stop_when_told:
            if apply_decision and experiment.status == Status.RUNNING:
                # What the monitoring slot does with the decision, at the look's time.
                with time_machine.travel(checked, tick=False):
                    if look.action == "stop":
                        lifecycle.transition(experiment, "stop", None, reason=check_said(look))
                    else:
                        lifecycle.transition(
                            experiment, "complete", None, reason=f"The check of {look_date} reached a decision."
                        )
                        lifecycle.transition(
                            experiment, "conclude", None, reason=check_said(look), outcome=look.outcome
                        )
            break
    return checks


def error_check(
    experiment,
    look_date: dt.date,
    *,
    field: str = "metrics[complaint-rate].short.successes",
    message: str = "must not be larger than n",
) -> Check:
    """A look the slot could not decide, in the shape monitoring records when the engine refuses the data."""
    tz = timezone.get_current_timezone()
    sentence = (
        f"Could not check: {field}: {message}. The experiment keeps running; fix the data or the setup and the next "
        "check will try again."
    )
    return Check.objects.create(
        experiment=experiment,
        look_date=look_date,
        look=0,
        action=Check.Action.ERROR,
        sentence=sentence,
        result={"action": "error", "field": field, "message": message, "sentence": sentence},
        created_at=dt.datetime.combine(look_date, dt.time(6), tzinfo=tz),
    )
