from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django_celery_beat.models import CrontabSchedule, PeriodicTask
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


def test_daily_monitoring_and_digest_run_at_their_local_time(db):
    monitoring = PeriodicTask.objects.get(name="Daily monitoring")
    digest = PeriodicTask.objects.get(name="Monitoring digest")
    assert monitoring.task == "experiments.monitoring_sweep"
    assert digest.task == "approvals.send_monitoring_digest"
    assert (monitoring.crontab.hour, monitoring.crontab.minute) == ("6", "0")
    assert (digest.crontab.hour, digest.crontab.minute) == ("6", "30")  # after the checks
    assert str(monitoring.crontab.timezone) == settings.TIME_ZONE
    assert monitoring.interval is None and monitoring.enabled


def test_a_new_daily_task_takes_the_settings_time_and_zone(db):
    PeriodicTask.objects.filter(name="Daily monitoring").delete()
    with override_settings(MONITORING_TIME="05:45", TIME_ZONE="Europe/Amsterdam"):
        ensure_periodic_tasks()
    crontab = PeriodicTask.objects.get(name="Daily monitoring").crontab
    assert (crontab.hour, crontab.minute, str(crontab.timezone)) == ("5", "45", "Europe/Amsterdam")


def test_admin_edits_to_a_daily_task_survive_the_next_migrate(db):
    task = PeriodicTask.objects.get(name="Daily monitoring")
    task.enabled = False
    task.crontab = CrontabSchedule.objects.create(minute="15", hour="7", timezone="Europe/Amsterdam")
    task.save()
    digest = PeriodicTask.objects.get(name="Monitoring digest")
    CrontabSchedule.objects.filter(pk=digest.crontab_id).update(hour="8")  # the time edited in place
    crontabs = CrontabSchedule.objects.count()

    call_command("migrate", verbosity=0)  # post_migrate ensures the tasks again
    ensure_periodic_tasks()

    task = PeriodicTask.objects.get(name="Daily monitoring")
    assert task.enabled is False
    assert (task.crontab.hour, task.crontab.minute, str(task.crontab.timezone)) == ("7", "15", "Europe/Amsterdam")
    assert PeriodicTask.objects.get(name="Monitoring digest").crontab.hour == "8"
    assert PeriodicTask.objects.filter(name="Daily monitoring").count() == 1
    assert CrontabSchedule.objects.count() == crontabs  # no stray schedules made on the way


def test_a_renamed_task_path_is_corrected_in_place(db):
    task = PeriodicTask.objects.get(name="Daily monitoring")
    PeriodicTask.objects.filter(pk=task.pk).update(task="experiments.old_name")
    ensure_periodic_tasks()
    assert PeriodicTask.objects.get(pk=task.pk).task == "experiments.monitoring_sweep"


def test_beat_sees_the_daily_tasks_as_crontabs_in_local_time(db):
    with override_settings(TIME_ZONE="Europe/Amsterdam"):
        PeriodicTask.objects.filter(name="Daily monitoring").delete()
        ensure_periodic_tasks()
    # (all_as_schedule leaves out crontabs outside the current hour, so build the entries directly)
    entry = DatabaseScheduler.Entry(PeriodicTask.objects.get(name="Daily monitoring"), app=app)
    assert entry.task == "experiments.monitoring_sweep"
    assert entry.schedule.hour == {6} and entry.schedule.minute == {0}
    assert str(entry.schedule.tz) == "Europe/Amsterdam"
    digest = DatabaseScheduler.Entry(PeriodicTask.objects.get(name="Monitoring digest"), app=app)
    assert digest.task == "approvals.send_monitoring_digest"


def test_a_monitoring_time_that_is_not_a_time_of_day_stops_the_process(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "DEBUG": "1", "PAGAR_VAR_DIR": str(tmp_path), "MONITORING_TIME": "25:00"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "MONITORING_TIME='25:00' is not a time of day; use HH:MM, e.g. 06:00." in result.stderr


def test_the_time_changed_in_the_admin_pages_survives_migrate(admin_user):
    from django.urls import reverse

    from tests.experiments.web import https_client

    crontab = PeriodicTask.objects.get(name="Daily monitoring").crontab
    page = https_client(admin_user).post(
        reverse("admin:django_celery_beat_crontabschedule_change", args=[crontab.pk]),
        {
            "minute": "45",
            "hour": "5",
            "day_of_week": "*",
            "day_of_month": "*",
            "month_of_year": "*",
            "timezone": "Europe/Lisbon",
            "periodictask_set-TOTAL_FORMS": "0",
            "periodictask_set-INITIAL_FORMS": "0",
        },  # the tasks using it, left as they are
    )
    assert page.status_code == 302, [line for line in page.content.decode().splitlines() if "error" in line.lower()]

    call_command("migrate", verbosity=0)

    crontab = PeriodicTask.objects.get(name="Daily monitoring").crontab
    assert (crontab.hour, crontab.minute, str(crontab.timezone)) == ("5", "45", "Europe/Lisbon")


def test_the_monitoring_sweep_runs_every_5_minutes_besides_the_slot(db):
    sweep = PeriodicTask.objects.get(name="Monitoring sweep")
    assert sweep.task == PeriodicTask.objects.get(name="Daily monitoring").task == "experiments.monitoring_sweep"
    assert (sweep.interval.every, sweep.interval.period) == (300, "seconds") and sweep.crontab is None
    entry = DatabaseScheduler(app=app, lazy=True).all_as_schedule()["Monitoring sweep"]
    assert entry.schedule.run_every.total_seconds() == 300


@override_settings(MONITORING_SWEEP_SECONDS=60)
def test_the_sweep_period_is_a_setting_and_migrate_updates_the_row_in_place(db):
    before = PeriodicTask.objects.get(name="Monitoring sweep")
    call_command("migrate", verbosity=0)
    after = PeriodicTask.objects.get(name="Monitoring sweep")
    assert after.pk == before.pk and (after.interval.every, after.interval.period) == (60, "seconds")
