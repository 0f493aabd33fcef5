"""Every periodic task Pagar runs, declared once. Created idempotently by name after migrate.

Existing rows are updated in place (never deleted and recreated), so edits to enabled/disabled
in the admin survive; the interval and task come from here.
"""
from dataclasses import dataclass

from django_celery_beat.models import IntervalSchedule, PeriodicTask


@dataclass(frozen=True)
class PeriodicSpec:
    name: str
    task: str
    every_seconds: int
    description: str


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
]


def ensure_periodic_tasks() -> list[PeriodicTask]:
    created = []
    for spec in PERIODIC_TASKS:
        interval, _ = IntervalSchedule.objects.get_or_create(every=spec.every_seconds, period=IntervalSchedule.SECONDS)
        task, _ = PeriodicTask.objects.update_or_create(
            name=spec.name,
            defaults={"task": spec.task, "interval": interval, "description": spec.description},
        )
        created.append(task)
    return created


def ensure_periodic_tasks_after_migrate(sender, using="default", **kwargs):
    ensure_periodic_tasks()
