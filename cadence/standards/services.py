"""Every change to a standard, each writing its StandardVersion. Called by the review's decisions
(cadence.reviews.decisions) and the contradiction flag; nothing else changes a standard."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadence.standards.evidence import evidence_snapshot
from cadence.standards.models import Standard, StandardVersion, default_rereview


def _record(standard: Standard, change: str, actor, note: str = "", source_url: str = "") -> StandardVersion:
    return StandardVersion.objects.create(
        standard=standard,
        number=standard.version,
        change=change,
        statement=standard.statement,
        status=standard.status,
        owner=standard.owner,
        rereview_date=standard.rereview_date,
        note=note,
        actor=actor,
        source_url=source_url,
        created_at=timezone.now(),
    )


@transaction.atomic
def create_from_experiment(
    experiment,
    *,
    statement: str,
    owner,
    actor,
    effective: dt.date | None = None,
    rereview: dt.date | None = None,
    source_url: str = "",
) -> Standard:
    """Version 1 of a standard proven by `experiment`: its scope, its evidence at this moment."""
    effective = effective or timezone.localdate()
    standard = Standard.objects.create(
        statement=statement.strip(),
        owner=owner,
        evidence=evidence_snapshot(experiment),
        effective_date=effective,
        rereview_date=rereview or default_rereview(effective),
    )
    standard.touchpoints.set(experiment.touchpoints.all())
    standard.segments.set(experiment.segments.all())
    standard.supporting_experiments.add(experiment)
    _record(
        standard,
        StandardVersion.Change.CREATED,
        actor,
        note=_("Promoted from %(key)s.") % {"key": experiment.key},
        source_url=source_url,
    )
    return standard


def _resolve_contradictions(standard: Standard):
    standard.contradictions.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())


@transaction.atomic
def keep(standard: Standard, *, rereview: dt.date, actor, note: str = "", source_url: str = "") -> Standard:
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    standard.rereview_date, standard.status = rereview, Standard.Status.ACTIVE
    standard.version += 1
    standard.save(update_fields=["rereview_date", "status", "version", "updated_at"])
    _resolve_contradictions(standard)
    _record(standard, StandardVersion.Change.KEPT, actor, note, source_url)
    return standard


@transaction.atomic
def revise(
    standard: Standard, *, statement: str, actor, rereview: dt.date | None = None, note: str = "", source_url: str = ""
) -> Standard:
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    standard.statement, standard.status = statement.strip(), Standard.Status.ACTIVE
    standard.rereview_date = rereview or default_rereview(timezone.localdate())
    standard.version += 1
    standard.save(update_fields=["statement", "status", "rereview_date", "version", "updated_at"])
    _resolve_contradictions(standard)
    _record(standard, StandardVersion.Change.REVISED, actor, note, source_url)
    return standard


@transaction.atomic
def retire(standard: Standard, *, actor, note: str = "", source_url: str = "") -> Standard:
    standard = Standard.objects.select_for_update().get(pk=standard.pk)
    standard.status = Standard.Status.RETIRED
    standard.version += 1
    standard.save(update_fields=["status", "version", "updated_at"])
    _resolve_contradictions(standard)
    _record(standard, StandardVersion.Change.RETIRED, actor, note, source_url)
    return standard
