"""A later experiment on a standard's scope that loses or is stopped flags the standard for the
next promotion review. Hooked on ExperimentEvent's post_save (apps.StandardsConfig.ready)."""

from django.db import transaction
from django.utils.translation import gettext as _

from cadence.standards.models import Contradiction, Standard, StandardVersion
from cadence.standards.relevance import segments_overlap
from experiments.models import ExperimentEvent, Outcome, Status


def is_contradicting(event: ExperimentEvent) -> bool:
    return event.to_status == Status.STOPPED or (event.to_status == Status.CONCLUDED and event.outcome == Outcome.LOST)


def standards_on_scope(experiment):
    """Live standards sharing a touchpoint, and a segment when the standard names segments."""
    touchpoints = list(experiment.touchpoints.values_list("pk", flat=True))
    segments = list(experiment.segments.values_list("pk", flat=True))
    candidates = (
        Standard.objects.in_force()
        .filter(touchpoints__in=touchpoints)
        .exclude(supporting_experiments=experiment)
        .distinct()
        .prefetch_related("segments")
    )
    # An experiment on all customers (no segments) overlaps every segment of the standard.
    return [s for s in candidates if segments_overlap([g.pk for g in s.segments.all()], segments)]


def flag_contradictions(event: ExperimentEvent) -> list[Contradiction]:
    if not is_contradicting(event):
        return []
    from cadence.standards.services import _record

    experiment = event.experiment
    reason = _("stopped") if event.to_status == Status.STOPPED else _("concluded as lost")
    flagged = []
    with transaction.atomic():
        for standard in standards_on_scope(experiment):
            # Only experiments that came after the standard contradict it.
            if event.created_at.date() < standard.effective_date:
                continue
            row, created = Contradiction.objects.get_or_create(
                standard=standard,
                experiment=experiment,
                defaults={"event": event, "reason": f"{experiment.key} {reason}", "created_at": event.created_at},
            )
            if not created:
                continue
            if standard.status == Standard.Status.ACTIVE:
                Standard.objects.filter(pk=standard.pk).update(status=Standard.Status.UNDER_REVIEW)
                standard.status = Standard.Status.UNDER_REVIEW
            _record(
                standard, StandardVersion.Change.FLAGGED, None, note=f"{experiment.key} ({experiment.title}) {reason}."
            )
            flagged.append(row)
    return flagged


def on_experiment_event(sender, instance: ExperimentEvent, created: bool, **kwargs):
    if created and is_contradicting(instance):
        flag_contradictions(instance)
