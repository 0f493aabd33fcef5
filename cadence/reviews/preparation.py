"""What the daily agenda task does: for each active series, the next meeting exists, and once it
is within `agenda_days_before`, its agenda is built and sent (once)."""

import datetime as dt

from django.utils import timezone

from cadence.reviews.agenda import build_agenda
from cadence.reviews.models import ReviewSeries
from cadence.reviews.occurrences import ensure_meeting, next_start
from cadence.reviews.sending import send_agenda


def prepare_due_agendas(now: dt.datetime | None = None, series_id: int | None = None) -> list:
    now = now or timezone.now()
    series_list = ReviewSeries.objects.filter(active=True)
    if series_id is not None:
        series_list = series_list.filter(pk=series_id)
    sent = []
    for series in series_list:
        meeting = ensure_meeting(series, next_start(series, now))
        if meeting.agenda_sent_at is None and now >= meeting.starts_at - dt.timedelta(days=series.agenda_days_before):
            build_agenda(meeting)
            if send_agenda(meeting):
                sent.append(meeting)
    return sent
