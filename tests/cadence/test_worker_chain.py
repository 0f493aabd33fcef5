"""The heartbeat travels through the configured broker to a real worker and lands in the database.

Runs against whatever CELERY_BROKER_URL says: the filesystem broker by default, Redis in CI.
"""

import time

import pytest
from celery.contrib.testing.worker import start_worker

from cadence.heartbeat import last_heartbeat
from cadence.tasks import heartbeat
from config.celery import app


@pytest.mark.django_db(transaction=True)
def test_heartbeat_runs_on_a_real_worker():
    assert last_heartbeat() is None
    with start_worker(app, perform_ping_check=False, pool="solo", concurrency=1, shutdown_timeout=10):
        heartbeat.delay()
        deadline = time.monotonic() + 20
        while last_heartbeat() is None and time.monotonic() < deadline:
            time.sleep(0.1)  # waiting on another thread's real work, not on the clock
    beat = last_heartbeat()
    assert beat is not None, "the worker never ran the heartbeat task"
    assert beat.runs == 1
