"""Guardrail policy checks run when a proposal is submitted (and shown while it is edited).

`blocking_problems` must be empty for `submit` to pass; `overlapping_experiments` is a warning
for the approver, not a block.
"""
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from experiments import roles
from experiments.models import ACTIVE_STATUSES, Experiment, GuardrailPolicy, MetricRole


def _problem(field, message):
    return {"field": field, "message": message}


def _percent(value) -> str:
    """50.00 -> "50", 12.50 -> "12.5" (":g" keeps a Decimal's trailing zeros)."""
    return f"{Decimal(str(value)).normalize():f}"


def blocking_problems(experiment: Experiment, policy: GuardrailPolicy | None = None) -> list[dict]:
    policy = policy or GuardrailPolicy.current()
    problems = []
    metric_rows = list(experiment.metrics.select_related("metric"))
    success = [r for r in metric_rows if r.role == MetricRole.SUCCESS]
    guardrail_ids = {r.metric_id for r in metric_rows if r.role == MetricRole.GUARDRAIL}
    if not success:
        problems.append(_problem("metrics", "Add at least one success metric with its minimum detectable effect."))
    if not guardrail_ids:
        problems.append(_problem("metrics", "Add at least one guardrail metric with its non-inferiority margin."))

    touchpoints = list(experiment.touchpoints.prefetch_related("mandatory_guardrails"))
    if not touchpoints:
        problems.append(_problem("touchpoints", "Name at least one touchpoint the experiment changes."))
    required = {m.pk: (m, "the guardrail policy") for m in policy.mandatory_guardrails.all()}
    for tp in touchpoints:
        for m in tp.mandatory_guardrails.all():
            required.setdefault(m.pk, (m, f"the {tp.name} touchpoint"))
    for metric_id, (metric, source) in required.items():
        if metric_id not in guardrail_ids:
            problems.append(_problem("metrics", f"{metric.name} is a mandatory guardrail for {source}; add it as a guardrail."))

    start, end = experiment.planned_start, experiment.planned_end
    if start and end:
        if end <= start:
            problems.append(_problem("planned_end", "The planned end must be after the planned start."))
        elif experiment.duration_days > policy.max_duration_days:
            problems.append(
                _problem(
                    "planned_end",
                    f"The planned duration is {experiment.duration_days} days; the policy allows at most {policy.max_duration_days}.",
                )
            )
        if start < timezone.localdate():
            problems.append(_problem("planned_start", "The planned start is in the past; choose today or later."))
    if experiment.exposure_cap_pct is not None and experiment.exposure_cap_pct > policy.max_exposure_pct:
        problems.append(
            _problem(
                "exposure_cap_pct",
                f"Exposure cap {_percent(experiment.exposure_cap_pct)}% is above the policy maximum of {_percent(policy.max_exposure_pct)}%.",
            )
        )

    if experiment.approver_id is None:
        problems.append(_problem("approver", "Name the approver who will decide on this proposal."))
    elif experiment.approver_id in experiment.authors():
        problems.append(_problem("approver", "The approver cannot be the owner or a co-author of the experiment."))
    elif not experiment.approver.is_active:
        # A deactivated approver can never decide, so the proposal would wait forever.
        problems.append(_problem("approver", f"{experiment.approver}'s account is deactivated; name an approver who can sign in."))
    elif not roles.has_role(experiment.approver, roles.APPROVER) and not experiment.approver.is_superuser:
        problems.append(_problem("approver", f"{experiment.approver} does not hold the approver role."))

    variants = list(experiment.variants.all())
    controls = [v for v in variants if v.is_control]
    if len(controls) != 1:
        problems.append(_problem("variants", "Mark exactly one variant as the control."))
    if len(variants) - len(controls) < 1:
        problems.append(_problem("variants", "Add at least one treatment variant besides the control."))
    return problems


def overlapping_experiments(experiment: Experiment):
    """Approved or running experiments on a shared touchpoint and segment whose dates overlap.

    An experiment with no segments covers all customers, so it overlaps every segment.
    """
    # .all(): lists that prefetched touchpoints and segments (the inbox) pay no query here.
    touchpoint_ids = [t.pk for t in experiment.touchpoints.all()]
    if not touchpoint_ids:
        return Experiment.objects.none()
    qs = (
        Experiment.objects.filter(status__in=ACTIVE_STATUSES, touchpoints__in=touchpoint_ids)
        .exclude(pk=experiment.pk)
        .filter(planned_start__lte=experiment.planned_end, planned_end__gte=experiment.planned_start)
    )
    segment_ids = [seg.pk for seg in experiment.segments.all()]
    if segment_ids:
        qs = qs.filter(Q(segments__in=segment_ids) | Q(segments__isnull=True))
    return qs.distinct().select_related("owner").order_by("planned_start")
