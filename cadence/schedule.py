"""Every periodic task Pagar runs, declared once. Created idempotently by name after migrate.

Existing rows are updated in place (never deleted and recreated), so edits to enabled/disabled
in the admin survive; the interval and task come from here. Daily tasks run at a local time of day
(a crontab in TIME_ZONE) whose default comes from settings; their time is set only when the task
is created, so a time changed in the admin survives every later migrate too.
"""

import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask


@dataclass(frozen=True)
class PeriodicSpec:
    name: str
    task: str
    every_seconds: int | None = None
    every_setting: str | None = None  # interval tasks whose period is a setting, in seconds
    description: str = ""
    at_setting: str | None = None  # daily tasks: the setting holding their local time, "HH:MM"


PERIODIC_TASKS = [
    PeriodicSpec(
        name="Scheduler heartbeat",
        task="cadence.heartbeat",
        every_seconds=60,
        description="Proves beat, broker and worker are alive; shown in the page footer.",
    ),
    PeriodicSpec(
        name="Approval reminders",
        task="approvals.remind_approvers",
        every_seconds=3600,
        description="Reminds approvers of requests waiting too long and escalates to backups (each once).",
    ),
    PeriodicSpec(
        name="Response reminders",
        task="duties.remind_responders",
        every_seconds=15 * 60,
        description="Reminds response owners of responses past due and escalates to the touchpoint owners (each once).",
    ),
    PeriodicSpec(
        name="Daily monitoring",
        task="experiments.monitoring_sweep",
        at_setting="MONITORING_TIME",
        description="Starts approved experiments on their date and checks every running experiment that is due.",
    ),
    PeriodicSpec(
        name="Monitoring sweep",
        task="experiments.monitoring_sweep",
        every_setting="MONITORING_SWEEP_SECONDS",
        description="Catches up what the slot missed: takes every look that is due and not taken yet "
        "(the database says what is due).",
    ),
    PeriodicSpec(
        name="Monitoring digest",
        task="approvals.send_monitoring_digest",
        at_setting="DIGEST_TIME",
        description="Emails signal owners what the monitoring slot changed since the last digest.",
    ),
    PeriodicSpec(
        name="Meeting reminders",
        task="calendars.send_meeting_reminders",
        every_seconds=15 * 60,
        description="Reminds each attendee once of every meeting starting within MEETING_REMINDER_HOURS.",
    ),
    PeriodicSpec(
        name="Deliver outbox",
        task="mailing.deliver_outbox",
        every_seconds=60,
        description="Sends the pending emails and webhook calls (mailing.Outbox), each once, retrying with backoff.",
    ),
]


def ensure_periodic_tasks() -> list[PeriodicTask]:
    created = []
    for spec in PERIODIC_TASKS:
        if spec.at_setting:
            created.append(_ensure_daily(spec))
            continue
        every = getattr(settings, spec.every_setting) if spec.every_setting else spec.every_seconds
        interval, _ = IntervalSchedule.objects.get_or_create(every=every, period=IntervalSchedule.SECONDS)
        task, _ = PeriodicTask.objects.update_or_create(
            name=spec.name,
            defaults={"task": spec.task, "interval": interval, "description": spec.description},
        )
        created.append(task)
    return created


def daily_crontab(at: str) -> CrontabSchedule:
    """Every day at `at` ("HH:MM"), local time (TIME_ZONE)."""
    hour, minute = (str(int(part)) for part in at.split(":"))
    fields = {
        "minute": minute,
        "hour": hour,
        "day_of_week": "*",
        "day_of_month": "*",
        "month_of_year": "*",
        "timezone": zoneinfo.ZoneInfo(settings.TIME_ZONE),
    }
    return CrontabSchedule.objects.filter(**fields).order_by("pk").first() or CrontabSchedule.objects.create(**fields)


def _ensure_daily(spec: PeriodicSpec) -> PeriodicTask:
    """Task and description kept up to date; the time only when the task is new (admin's own)."""
    defaults = {"task": spec.task, "description": spec.description}
    if PeriodicTask.objects.filter(name=spec.name).exists():
        task, _ = PeriodicTask.objects.update_or_create(name=spec.name, defaults=defaults)
        return task
    crontab = daily_crontab(getattr(settings, spec.at_setting))
    task, _ = PeriodicTask.objects.update_or_create(
        name=spec.name, defaults=defaults, create_defaults={**defaults, "crontab": crontab}
    )
    return task


def ensure_periodic_tasks_after_migrate(sender, using="default", **kwargs):
    ensure_periodic_tasks()
