"""Guardrail policy checks on an experiment (the rules themselves live in experiments.contract).

`blocking_problems` must be empty for `submit` to pass; `overlapping_experiments` is a warning
for the approver, not a block.
"""

from django.db.models import Q

from experiments.contract import experiment_problems
from experiments.models import ACTIVE_STATUSES, Experiment, GuardrailPolicy


def blocking_problems(experiment: Experiment, policy: GuardrailPolicy | None = None) -> list[dict]:
    """The experiment's contract checked by the one contract check (experiments.contract)."""
    return experiment_problems(experiment, policy)


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
    # pk breaks ties, so a list cut at N (the approver's card) is the same N each time it is asked.
    return qs.distinct().select_related("owner").order_by("planned_start", "pk")
