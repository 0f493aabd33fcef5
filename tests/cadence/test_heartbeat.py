import datetime as dt

import time_machine
from django.test import RequestFactory

from cadence.context_processors import scheduler
from cadence.heartbeat import record_heartbeat


def _context(user):
    request = RequestFactory().get("/")
    request.user = user
    return scheduler(request)


def test_heartbeat_counts_runs(db):
    record_heartbeat("w1")
    beat = record_heartbeat("w2")
    assert beat.runs == 2
    assert beat.worker == "w2"


def test_scheduler_shown_alive_then_stale(proposer):
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC), tick=False):
        record_heartbeat()
        assert _context(proposer)["scheduler_alive"] is True
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 5, tzinfo=dt.UTC), tick=False):
        assert _context(proposer)["scheduler_alive"] is False


def test_no_scheduler_state_for_anonymous(db):
    from django.contrib.auth.models import AnonymousUser

    assert _context(AnonymousUser()) == {}
