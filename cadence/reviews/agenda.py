"""The agenda of one review meeting, built from the state of the programme. Building again adds
what became due and refreshes the summary; it never duplicates or drops an item."""

import statistics

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cadence.duties.queries import review_summary as open_responses
from cadence.reviews.learned import learned_since
from cadence.reviews.models import AgendaItem, ReviewMeeting
from cadence.standards.evidence import evidence_snapshot
from cadence.standards.models import Standard
from experiments.live.monitoring import awaiting_promotion
from experiments.models import ExperimentEvent, Outcome, Status


def previous_review_start(meeting: ReviewMeeting):
    previous = (
        ReviewMeeting.objects.filter(series=meeting.series, starts_at__lt=meeting.starts_at)
        .order_by("-starts_at")
        .first()
    )
    return previous.starts_at if previous else None


def won_since(since, until):
    """Concluded as won in [since, until), not promoted yet; and any earlier won experiment that
    was on an agenda but got no decision (the board ran out of time)."""
    concluded = ExperimentEvent.objects.filter(action="conclude", outcome=Outcome.WON, created_at__lt=until)
    if since is not None:
        concluded = concluded.filter(created_at__gte=since)
    undecided = AgendaItem.objects.filter(experiment__isnull=False, decision__isnull=True, meeting__starts_at__lt=until)
    return (
        awaiting_promotion()
        .filter(Q(pk__in=concluded.values("experiment")) | Q(pk__in=undecided.values("experiment")))
        .distinct()
    )


def standards_due(day):
    return Standard.objects.exclude(status=Standard.Status.RETIRED).filter(rereview_date__lte=day)


def standards_contradicted():
    # contradictions__isnull=False: without it the join's NULL row lists every standard with no contradiction at all.
    return (
        Standard.objects.exclude(status=Standard.Status.RETIRED)
        .filter(contradictions__isnull=False, contradictions__resolved_at__isnull=True)
        .distinct()
    )


def programme_summary(since, until) -> dict:
    events = ExperimentEvent.objects.filter(created_at__lt=until)
    if since is not None:
        events = events.filter(created_at__gte=since)
    concluded = events.filter(action="conclude")
    decisions = events.filter(action__in=["approve", "reject"]).select_related("experiment")
    days = []
    for decision in decisions:
        submitted = (
            ExperimentEvent.objects.filter(
                experiment=decision.experiment_id, action="submit", created_at__lte=decision.created_at
            )
            .order_by("-created_at")
            .first()
        )
        if submitted:
            days.append((decision.created_at - submitted.created_at).total_seconds() / 86400)
    return {
        "since": since.isoformat() if since else None,
        "until": until.isoformat(),
        "run": events.filter(action="start").values("experiment").distinct().count(),
        "won": concluded.filter(outcome=Outcome.WON).count(),
        "lost": concluded.filter(outcome=Outcome.LOST).count(),
        "inconclusive": concluded.filter(outcome=Outcome.INCONCLUSIVE).count(),
        "stopped": events.filter(to_status=Status.STOPPED).count(),
        "decisions": len(days),
        "median_days_to_decision": round(statistics.median(days), 1) if days else None,
    }


@transaction.atomic
def build_agenda(meeting: ReviewMeeting) -> ReviewMeeting:
    """Idempotent for a meeting: items are keyed by (meeting, experiment) and (meeting, standard)."""
    meeting = ReviewMeeting.objects.select_for_update().get(pk=meeting.pk)
    since = previous_review_start(meeting)
    day = timezone.localdate(meeting.starts_at)
    position = meeting.items.count()
    for experiment in won_since(since, meeting.starts_at).order_by("updated_at", "pk"):
        item, created = AgendaItem.objects.get_or_create(
            meeting=meeting,
            experiment=experiment,
            defaults={"kind": AgendaItem.Kind.EXPERIMENT, "reasons": ["won"], "position": position},
        )
        if created or not item.decided:
            item.evidence = evidence_snapshot(experiment)
            item.save(update_fields=["evidence"])
        position += created
    reasons = {}
    for standard in standards_due(day):
        reasons.setdefault(standard, []).append("rereview_due")
    for standard in standards_contradicted():
        reasons.setdefault(standard, []).append("contradicted")
    for standard, why in sorted(reasons.items(), key=lambda pair: pair[0].pk):
        item, created = AgendaItem.objects.get_or_create(
            meeting=meeting,
            standard=standard,
            defaults={"kind": AgendaItem.Kind.STANDARD, "reasons": why, "position": position},
        )
        if not created and not item.decided and sorted(item.reasons) != sorted(why):
            item.reasons = why
            item.save(update_fields=["reasons"])
        position += created
    meeting.since = since
    # "What we learned": the losses and stops with their lessons, kept with the summary for the minutes;
    # and the signals nobody has closed yet (cadence.duties).
    summary = programme_summary(since, meeting.starts_at)
    meeting.summary = {
        **summary,
        "learned": learned_since(since, meeting.starts_at),
        "open_responses": open_responses(),
    }
    meeting.agenda_built_at = timezone.now()
    meeting.save(update_fields=["since", "summary", "agenda_built_at"])
    return meeting
