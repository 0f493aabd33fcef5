"""A meeting's agenda: new ideas since the last slot, the top-scored open ideas and parked ideas
whose date has come. Building it again adds what is new and never duplicates a row."""

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cadence.ideas import scheduling
from cadence.ideas.models import AgendaItem, AgendaReason, Idea, IdeaStatus, SlotMeeting, SlotSeries

log = logging.getLogger(__name__)


def meeting_at(series: SlotSeries, starts_at: dt.datetime) -> SlotMeeting:
    meeting, _ = SlotMeeting.objects.get_or_create(
        series=series,
        starts_at=starts_at,
        defaults={"ends_at": starts_at + dt.timedelta(minutes=series.duration_minutes)},
    )
    return meeting


def next_meeting(series: SlotSeries, now: dt.datetime | None = None) -> SlotMeeting:
    """The series' next meeting after `now` (made if it does not exist yet)."""
    return meeting_at(series, scheduling.next_start(series, now or timezone.now()))


def previous_meeting(meeting: SlotMeeting) -> SlotMeeting | None:
    return (
        SlotMeeting.objects.filter(series=meeting.series, starts_at__lt=meeting.starts_at)
        .order_by("-starts_at")
        .first()
    )


def agenda_candidates(meeting: SlotMeeting) -> list[tuple[Idea, str]]:
    """(idea, reason) in agenda order, computed from the backlog as it is now."""
    previous = previous_meeting(meeting)
    meeting_day = meeting.starts_at.astimezone(meeting.series.tz).date()
    new = Idea.objects.filter(status=IdeaStatus.NEW, created_at__lt=meeting.starts_at)
    if previous is not None:
        # Submitted since the last slot's agenda went out (or its start, if it was never sent).
        new = new.filter(created_at__gte=previous.agenda_built_at or previous.starts_at)
    new = list(new.order_by("created_at", "pk"))
    due = list(
        Idea.objects.filter(status=IdeaStatus.PARKED, parked_until__lte=meeting_day).order_by("parked_until", "pk")
    )
    taken = {idea.pk for idea in new + due}
    top = list(
        Idea.objects.filter(Q(status=IdeaStatus.NEW), created_at__lt=meeting.starts_at)
        .exclude(pk__in=taken)
        .order_by(F("score").desc(nulls_last=True), "-rating_count", "created_at")[: meeting.series.top_count]
    )
    return (
        [(i, AgendaReason.NEW) for i in new]
        + [(i, AgendaReason.PARKED_DUE) for i in due]
        + [(i, AgendaReason.TOP) for i in top]
    )


@transaction.atomic
def build_agenda(meeting: SlotMeeting) -> list[AgendaItem]:
    """Fill the meeting's agenda; idempotent: ideas already on it keep their row and place."""
    meeting = SlotMeeting.objects.select_for_update(of=("self",)).select_related("series").get(pk=meeting.pk)
    if meeting.is_closed:
        return list(meeting.agenda.select_related("idea"))
    existing = set(meeting.agenda.values_list("idea_id", flat=True))
    position = len(existing)
    rows = []
    for idea, reason in agenda_candidates(meeting):
        if idea.pk in existing:
            continue
        rows.append(AgendaItem(meeting=meeting, idea=idea, reason=reason, position=position))
        existing.add(idea.pk)
        position += 1
    AgendaItem.objects.bulk_create(rows)
    if meeting.agenda_built_at is None:
        meeting.agenda_built_at = timezone.now()
        meeting.save(update_fields=["agenda_built_at"])
    return list(meeting.agenda.select_related("idea", "idea__touchpoint"))


def prepare_next_meeting(series_id: int, now: dt.datetime | None = None) -> SlotMeeting | None:
    """What the periodic task does: the next meeting, its agenda, sent once."""
    from cadence.ideas.notices import send_agenda

    series = SlotSeries.objects.filter(pk=series_id, active=True).first()
    if series is None:
        return None
    meeting = next_meeting(series, now)
    build_agenda(meeting)
    send_agenda(meeting)
    return meeting
