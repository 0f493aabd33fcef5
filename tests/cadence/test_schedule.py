from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from cadence.schedule import PERIODIC_TASKS, ensure_periodic_tasks
from config.celery import app


def test_periodic_tasks_exist_after_migrate(db):
    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert {spec.name for spec in PERIODIC_TASKS} <= names


def test_ensuring_twice_keeps_one_row_and_admin_edits(db):
    task = PeriodicTask.objects.get(name="Scheduler heartbeat")
    task.enabled = False
    task.save(update_fields=["enabled"])
    ensure_periodic_tasks()
    ensure_periodic_tasks()
    rows = PeriodicTask.objects.filter(name="Scheduler heartbeat")
    assert rows.count() == 1
    assert rows.get().pk == task.pk  # updated in place, never deleted and recreated
    assert rows.get().enabled is False


def test_beat_database_scheduler_sees_the_heartbeat(db):
    scheduler = DatabaseScheduler(app=app, lazy=True)
    schedule = scheduler.all_as_schedule()
    entry = schedule["Scheduler heartbeat"]
    assert entry.task == "cadence.heartbeat"
    assert entry.schedule.run_every.total_seconds() == 60
