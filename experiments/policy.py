"""Guardrail policy checks on an experiment (the rules themselves live in experiments.contract).

`blocking_problems` must be empty for `submit` to pass; `overlapping_experiments` is a warning
for the approver, not a block.
"""

from django.db.models import Exists, F, OuterRef

from experiments.contract import experiment_problems
from experiments.models import ACTIVE_STATUSES, Experiment, GuardrailPolicy


def blocking_problems(experiment: Experiment, policy: GuardrailPolicy | None = None) -> list[dict]:
    """The experiment's contract checked by the one contract check (experiments.contract)."""
    return experiment_problems(experiment, policy)


def overlapping_pairs(experiments):
    """THE overlap rule, for many saved experiments in one query: (other pk, its planned start,
    experiment pk) for each approved or running experiment on a shared touchpoint and segment
    whose dates overlap the experiment's.

    An experiment with no segments covers all customers, so it overlaps every segment. One query
    for a page of experiments (the inbox's cards), not one per experiment.
    """
    ids = [e.pk for e in experiments]
    this = "touchpoints__experiments"  # the experiment asked about, reached through a shared touchpoint
    segments = Experiment.segments.through.objects
    theirs = segments.filter(experiment_id=OuterRef("pk"))
    mine = segments.filter(experiment_id=OuterRef("for_pk"))
    shared = theirs.filter(
        segment_id__in=segments.filter(experiment_id=OuterRef(OuterRef("for_pk"))).values("segment_id")
    )
    return (
        Experiment.objects.filter(
            status__in=ACTIVE_STATUSES,
            **{f"{this}__in": ids},
            planned_start__lte=F(f"{this}__planned_end"),
            planned_end__gte=F(f"{this}__planned_start"),
        )
        .annotate(for_pk=F(this))
        .exclude(pk=F("for_pk"))
        .filter(~Exists(mine) | ~Exists(theirs) | Exists(shared))
        .order_by()
        .values_list("pk", "planned_start", "for_pk")
        .distinct()  # two shared touchpoints are one overlap
    )


def overlapping_experiments(experiment: Experiment):
    """The experiments overlapping one experiment (`overlapping_pairs`), nearest start first."""
    # .all(): lists that prefetched touchpoints (the inbox) pay no query for one without any.
    if experiment.pk is None or not experiment.touchpoints.all():
        return Experiment.objects.none()
    overlapping = overlapping_pairs([experiment]).values("pk")
    # pk breaks ties, so a list cut at N (the approver's card) is the same N each time it is asked.
    return Experiment.objects.filter(pk__in=overlapping).select_related("owner").order_by("planned_start", "pk")
