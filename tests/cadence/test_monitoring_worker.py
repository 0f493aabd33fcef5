"""The whole slot through the real machinery: beat (database scheduler) wakes the sweep through the
configured broker, a real worker starts the approved experiment, and the next day's check stops it
on harmful data, with its event, check and notifications.

Runs against whatever CELERY_BROKER_URL says: the SQLite broker by default, Redis in CI. The
"Daily monitoring" periodic task is edited as an admin would (every second instead of 06:00), and
the clock is moved a day on while beat and worker run; waits are deadline loops on their work.
"""

import contextlib
import datetime as dt
import threading
import time

import pytest
import time_machine
from celery import beat
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connections
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

import experiments.tasks  # noqa: F401 - the worker must know the monitoring tasks
from approvals.models import Notification
from approvals.services import decide
from config.celery import app
from experiments.lifecycle import transition
from experiments.live.assignment import assign, clear_caches
from experiments.models import Check, Experiment, Status
from tests.experiments.live.test_monitoring_data import write_rates
from tests.factories import make_experiment

DAY = dt.date(2026, 3, 10)


@contextlib.contextmanager
def running_beat():
    """Celery beat with django-celery-beat's database scheduler, in a thread."""
    service = beat.Service(app, max_interval=0.5, scheduler_cls=DatabaseScheduler, remote_control=False)

    def run():
        try:
            service.start()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name="beat", daemon=True)
    thread.start()
    try:
        yield service
    finally:
        service.stop()
        thread.join(timeout=20)


def wait_for(condition, what: str, seconds: float = 45):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)  # waiting on the worker's real work, not on the clock
    pytest.fail(f"timed out waiting until {what}")


def slot_every_second():
    """The admin's edit: only the daily monitoring task, and every second."""
    PeriodicTask.objects.exclude(name="Daily monitoring").update(enabled=False)
    task = PeriodicTask.objects.get(name="Daily monitoring")
    task.interval, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    task.crontab = None
    task.save()


@pytest.mark.django_db(transaction=True)
def test_beat_and_a_worker_start_an_approved_experiment_then_stop_it_on_harm(
    seeded_catalogues, proposer, approver, signal_owner
):
    morning = timezone.make_aware(dt.datetime.combine(DAY, dt.time(7, 0)))
    with time_machine.travel(morning, tick=True) as clock:
        experiment = make_experiment(proposer, approver, planned_start=DAY, planned_end=DAY + dt.timedelta(days=27))
        transition(experiment, "submit", proposer)
        decide(experiment, approver, "approve")
        assert Experiment.objects.get(pk=experiment.pk).status == Status.APPROVED
        slot_every_second()

        with (
            start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, shutdown_timeout=10),
            running_beat(),
        ):
            # day 1: the sweep starts it and takes the first look (no data yet: continue)
            wait_for(
                lambda: Check.objects.filter(experiment=experiment, look_date=DAY).exists(), "the first look is taken"
            )
            experiment.refresh_from_db()
            assert experiment.status == Status.RUNNING
            assert experiment.events.get(action="start").actor is None
            assert Check.objects.get(experiment=experiment).action == "continue"

            # services are told arms while it runs
            clear_caches()
            answers = [assign(experiment.key, f"customer-{i}", touchpoint="chat") for i in range(200)]
            enrolled = [a for a in answers if a.enrolled]
            assert enrolled and {a.variant for a in enrolled} == {"control", "short"}

            # harmful data arrive; the next morning's slot stops it
            write_rates(experiment, DAY, 3000, {("complaint-rate", "short"): 0.10})
            clock.shift(dt.timedelta(days=1))
            wait_for(lambda: Experiment.objects.get(pk=experiment.pk).status == Status.STOPPED, "the check stops it")
            wait_for(
                lambda: any(m.subject.startswith("[Pagar] The daily check stopped") for m in mail.outbox),
                "the worker sends the stop email",
            )

    # the fence closes: a unit that was in the treatment now gets control
    treated = next(a.unit for a in enrolled if a.variant == "short")
    after = assign(experiment.key, treated, touchpoint="chat")
    assert (after.enrolled, after.variant, after.reason) == (False, "control", "not_running")

    looks = list(Check.objects.filter(experiment=experiment).order_by("look_date"))
    assert [(c.look_date, c.action) for c in looks] == [(DAY, "continue"), (DAY + dt.timedelta(days=1), "stop")]
    assert looks[1].sentence.startswith(
        "Stop and roll back: complaint rate 7 points higher: clearly worse than control"
    )
    stops = experiment.events.filter(action="stop")
    assert stops.count() == 1 and stops.get().actor is None and stops.get().reason == looks[1].sentence
    for kind in (Notification.Kind.STARTED, Notification.Kind.STOPPED):
        got = Notification.objects.filter(experiment=experiment, kind=kind)
        assert sorted(got.values_list("user__username", flat=True)) == [
            "alex_approver",
            "priya_proposer",
            "sam_signal",
        ], kind
    stop_mails = [m for m in mail.outbox if m.subject.startswith("[Pagar] The daily check stopped")]
    # One message per person, so a refused address drops no one else.
    assert sorted(m.to[0] for m in stop_mails) == [
        "alex_approver@example.test",
        "priya_proposer@example.test",
        "sam_signal@example.test",
    ]
