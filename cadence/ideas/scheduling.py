"""When a slot series meets, and the periodic task that sends each meeting's agenda ahead of it.

Beat is not the source of truth: the task it runs (ideas.send_slot_agenda) works out from the
database which meeting is next, so a moved slot or a missed run is caught by the next one.
"""

import datetime as dt
import json

from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

TASK_NAME = "ideas.send_slot_agenda"


def task_name(series) -> str:
    return f"Ideas slot agenda: {series.name}"


def local_start(series, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, series.time, tzinfo=series.tz)


def occurrences_between(series, since: dt.datetime, until: dt.datetime) -> list[dt.datetime]:
    """Every start (aware, in the series' zone) with since <= start < until."""
    day = since.astimezone(series.tz).date()
    day += dt.timedelta(days=(series.weekday - day.weekday()) % 7)
    starts = []
    while True:
        start = local_start(series, day)
        if start >= until:
            return starts
        if start >= since:
            starts.append(start)
        day += dt.timedelta(days=7)


def next_start(series, after: dt.datetime) -> dt.datetime:
    """The first start strictly after `after`."""
    starts = occurrences_between(series, after + dt.timedelta(seconds=1), after + dt.timedelta(days=8))
    return starts[0]


def agenda_moment(series) -> tuple[int, dt.time]:
    """(Python weekday, local time) at which the agenda goes out: the lead before the slot."""
    anchor = dt.datetime.combine(
        dt.date(2024, 1, 1) + dt.timedelta(days=series.weekday), series.time
    )  # 2024-01-01 is a Monday
    moment = anchor - dt.timedelta(hours=series.agenda_lead_hours)
    return moment.weekday(), moment.time()


def crontab_for(series) -> CrontabSchedule:
    weekday, at = agenda_moment(series)
    fields = {
        "minute": str(at.minute),
        "hour": str(at.hour),
        "day_of_week": str((weekday + 1) % 7),  # cron: 0 = Sunday
        "day_of_month": "*",
        "month_of_year": "*",
        "timezone": series.tz,
    }
    return CrontabSchedule.objects.filter(**fields).order_by("pk").first() or CrontabSchedule.objects.create(**fields)


@transaction.atomic
def sync_periodic_task(series) -> PeriodicTask:
    """Create or update the series' agenda task (by its row, so a renamed series keeps one task)."""
    defaults = {
        "name": task_name(series),
        "task": TASK_NAME,
        "crontab": crontab_for(series),
        "interval": None,
        "args": json.dumps([series.pk]),
        "enabled": series.active,
        "description": f"Builds and sends the agenda of the next '{series.name}' slot, "
        f"{series.agenda_lead_hours} h before it ({series.timezone}).",
    }
    task = series.periodic_task
    if task is None:
        task, _ = PeriodicTask.objects.update_or_create(name=defaults["name"], defaults=defaults)
        type(series).objects.filter(pk=series.pk).update(periodic_task=task)
        series.periodic_task = task
    else:
        for field, value in defaults.items():
            setattr(task, field, value)
        task.save()
    return task
