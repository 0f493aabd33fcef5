"""Counting assignments: units (not calls) per arm per day, written by a flush, never by a call."""

import datetime as dt
import time
from collections import Counter

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from experiments.live import assignment, assignment_buffer
from experiments.live.assignment_buffer import AssignmentBuffer, flush_assignments
from experiments.live.hashing import arm_for
from experiments.models import AssignedUnit, AssignmentCount, Status
from tests.experiments.live.keyed import keyed_client
from tests.factories import make_experiment

ARMS = [("control", 50), ("short", 50)]
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def client(outsider):
    """A service with a key for the chat touchpoint, made by someone with no role: running
    experiments are visible to every signed-in user."""
    return keyed_client(outsider)


@pytest.fixture
def experiment(proposer, approver):
    return make_experiment(proposer, approver, key="counted", status=Status.RUNNING, exposure_cap_pct=100)


def ask(client, unit, key="counted"):
    response = client.get(f"/api/experiments/{key}/assignment/", {"unit": unit, "touchpoint": "chat"})
    assert response.status_code == 200, response.content
    return response.json()


def counts(experiment) -> dict:
    """{(arm, day): units} as stored."""
    rows = AssignmentCount.objects.filter(experiment=experiment).values_list("variant__key", "day", "count")
    return {(arm, day): n for arm, day, n in rows if n}


def expected(units, day) -> dict:
    arms = Counter(arm_for("counted", ARMS, unit) for unit in set(units))
    return {(arm, day): n for arm, n in arms.items()}


def test_a_call_writes_nothing_and_the_flush_writes_the_counts(client, experiment):
    ask(client, "warm-up")  # the first call loads the experiment into the cache
    units = [f"customer-{i}" for i in range(40)]
    with CaptureQueriesContext(connection) as queries:
        for unit in units:
            assert ask(client, unit)["enrolled"] is True
        client.post(
            "/api/assignments/",
            {"experiment": "counted", "units": [{"unit": u, "touchpoint": "chat"} for u in units]},
            format="json",
        )
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert writes == [], writes
    assert not AssignedUnit.objects.exists()

    assert flush_assignments() == 41
    today = timezone.localdate()
    assert counts(experiment) == expected(units + ["warm-up"], today)
    assert AssignedUnit.objects.filter(experiment=experiment).count() == 41


def test_repeated_calls_for_one_unit_count_once(client, experiment):
    for _ in range(5):
        ask(client, "customer-1")
    ask(client, "customer-2")
    flush_assignments()
    for _ in range(3):  # asking again after the flush adds nothing either
        ask(client, "customer-1")
    flush_assignments()
    assert counts(experiment) == expected(["customer-1", "customer-2"], timezone.localdate())
    assert sum(counts(experiment).values()) == 2


def test_units_outside_the_fence_are_not_counted(client, proposer, approver):
    capped = make_experiment(proposer, approver, key="capped", status=Status.RUNNING, exposure_cap_pct=10)
    enrolled = [u for u in (f"u{i}" for i in range(200)) if ask(client, u, key="capped")["enrolled"]]
    client.get("/api/experiments/capped/assignment/", {"unit": "u0"})  # touchpoint missing: not enrolled
    flush_assignments()
    assert AssignedUnit.objects.filter(experiment=capped).count() == len(enrolled) < 200


def test_the_first_assignment_of_a_unit_wins_across_days(client, experiment):
    first_day = timezone.localtime().replace(hour=10, minute=0)
    with time_machine.travel(first_day, tick=False):
        ask(client, "customer-1")
        ask(client, "customer-2")
        flush_assignments()
    with time_machine.travel(first_day + dt.timedelta(days=1), tick=False):
        ask(client, "customer-1")  # seen the day before
        ask(client, "customer-3")
        flush_assignments()
    assert counts(experiment) == {
        **expected(["customer-1", "customer-2"], first_day.date()),
        **expected(["customer-3"], first_day.date() + dt.timedelta(days=1)),
    }


def test_flushing_twice_and_a_second_process_with_the_same_units_change_nothing(client, experiment):
    units = [f"customer-{i}" for i in range(30)]
    for unit in units:
        ask(client, unit)
    assert flush_assignments() == 30
    assert flush_assignments() == 0
    first = counts(experiment)

    other_process = AssignmentBuffer()  # another worker saw some of the same units, and new ones
    variant_ids = {v.key: v.pk for v in experiment.variants.all()}
    for unit in units[:10] + ["customer-new"]:
        other_process.add(experiment.pk, unit, variant_ids[arm_for("counted", ARMS, unit)], timezone.localdate())
    other_process.flush()
    other_process.flush()

    assert counts(experiment) == expected(units + ["customer-new"], timezone.localdate())
    assert sum(counts(experiment).values()) == sum(first.values()) + 1


def test_an_operator_recount_repairs_counts_from_the_assigned_units(client, experiment):
    for unit in ("customer-1", "customer-2", "customer-3"):
        ask(client, unit)
    flush_assignments()
    AssignmentCount.objects.filter(experiment=experiment).update(count=0)  # e.g. restored from an old backup
    assignment_buffer.recount_experiment(experiment.pk)
    assert counts(experiment) == expected(["customer-1", "customer-2", "customer-3"], timezone.localdate())


def test_a_full_buffer_flushes(client, experiment, settings):
    settings.ASSIGNMENT_FLUSH_SIZE = 3
    ask(client, "customer-1")
    ask(client, "customer-2")
    assert not AssignedUnit.objects.exists()
    ask(client, "customer-3")  # the third fills it
    assert AssignedUnit.objects.count() == 3
    assert len(assignment_buffer.buffer) == 0


def test_an_old_buffer_flushes_on_the_next_call(client, experiment, settings):
    settings.ASSIGNMENT_FLUSH_SECONDS = 2
    with time_machine.travel(time.time(), tick=False) as clock:
        assignment_buffer.buffer.discard()  # the last flush: now
        ask(client, "customer-1")
        clock.shift(1)
        ask(client, "customer-2")
        assert not AssignedUnit.objects.exists()
        clock.shift(1.5)  # 2.5 s since the last flush
        ask(client, "customer-3")
        assert AssignedUnit.objects.count() == 3


def test_a_failed_flush_keeps_the_entries_and_the_call_still_answers(client, experiment, settings, monkeypatch, caplog):
    settings.ASSIGNMENT_FLUSH_SIZE = 1

    def database_down(entries):
        raise ConnectionError("database unavailable")

    monkeypatch.setattr(assignment_buffer, "write_assignments", database_down)
    assert ask(client, "customer-1")["enrolled"] is True
    assert ask(client, "customer-2")["enrolled"] is True
    assert "Assignment flush failed" in caplog.text
    assert len(assignment_buffer.buffer) == 2

    monkeypatch.undo()
    assert flush_assignments() == 2
    assert counts(experiment) == expected(["customer-1", "customer-2"], timezone.localdate())


@pytest.mark.django_db(transaction=True)
def test_the_timer_thread_flushes_a_quiet_process(seeded_catalogues, proposer, approver, settings, caplog):
    settings.ASSIGNMENT_FLUSH_THREAD = True
    settings.ASSIGNMENT_FLUSH_SECONDS = 1
    experiment = make_experiment(proposer, approver, key="counted", status=Status.RUNNING, exposure_cap_pct=100)
    assignment_buffer.buffer.discard()
    assignment.assign("counted", "customer-1", touchpoint="chat", count=True)  # Pagar's own call, as the demo makes
    assert not AssignedUnit.objects.exists()  # the call itself wrote nothing

    deadline = time.monotonic() + 15
    while not AssignmentCount.objects.filter(experiment=experiment).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert counts(experiment) == expected(["customer-1"], timezone.localdate()), caplog.text
