"""When a review series meets, and the django-celery-beat task that prepares its agendas."""

import datetime as dt
import zoneinfo

from cadence.reviews.models import ReviewMeeting, ReviewSeries

AGENDA_TASK = "reviews.prepare_agendas"


def meeting_day(series: ReviewSeries, year: int, month: int) -> dt.date:
    if series.day_of_month:
        return dt.date(year, month, series.day_of_month)
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(series.first_weekday - first.weekday()) % 7)


def _start(series: ReviewSeries, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, series.time, tzinfo=zoneinfo.ZoneInfo(series.timezone))


def occurrences(series: ReviewSeries, since: dt.datetime, until: dt.datetime) -> list[dt.datetime]:
    """Meeting starts (aware, in the series' zone) with since <= start < until."""
    local = since.astimezone(zoneinfo.ZoneInfo(series.timezone))
    year, month = local.year, local.month
    found = []
    while True:
        start = _start(series, meeting_day(series, year, month))
        if start >= until:
            return found
        if start >= since:
            found.append(start)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def next_start(series: ReviewSeries, after: dt.datetime) -> dt.datetime:
    """The first meeting start at or after `after` (a month always holds one)."""
    return occurrences(series, after, after + dt.timedelta(days=63))[0]


def ensure_meeting(series: ReviewSeries, start: dt.datetime) -> ReviewMeeting:
    meeting, _ = ReviewMeeting.objects.get_or_create(
        series=series,
        starts_at=start,
        defaults={"ends_at": start + dt.timedelta(minutes=series.duration_minutes)},
    )
    return meeting


def sync_periodic_task(series: ReviewSeries):
    """One daily PeriodicTask per series at its time and zone; the task looks in the database for
    agendas that are due, so the beat schedule is a trigger, never the source of truth."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    fields = {
        "minute": str(series.time.minute),
        "hour": str(series.time.hour),
        "day_of_week": "*",
        "day_of_month": "*",
        "month_of_year": "*",
        "timezone": zoneinfo.ZoneInfo(series.timezone),
    }
    crontab = CrontabSchedule.objects.filter(**fields).order_by("pk").first() or CrontabSchedule.objects.create(
        **fields
    )
    PeriodicTask.objects.update_or_create(
        name=series.periodic_task_name,
        defaults={
            "task": AGENDA_TASK,
            "crontab": crontab,
            "interval": None,
            "enabled": series.active,
            "kwargs": f'{{"series_id": {series.pk}}}',
            "description": (
                f"Builds and sends the agenda of '{series.name}' {series.agenda_days_before} days "
                f"before it meets ({series.rule_label})."
            ),
        },
    )


def on_series_saved(sender, instance: ReviewSeries, **kwargs):
    sync_periodic_task(instance)
