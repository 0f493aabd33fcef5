"""Each live test starts with empty assignment caches and an empty counting buffer (the flush
settings themselves are session-wide, in tests/conftest.py)."""

from unittest import mock

import pytest

from experiments.live import assignment, assignment_buffer
from tests.experiments.live.test_ingestion_scenario import NOW


@pytest.fixture(autouse=True)
def fresh_assignment_state():
    assignment.clear_caches()
    assignment_buffer.buffer.discard()
    yield
    assignment_buffer.buffer.stop_thread()
    assignment_buffer.buffer.discard()


@pytest.fixture
def frozen(time_machine):
    """The clock of the ingestion scenario (test_ingestion_scenario.NOW), standing still."""
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def queued(django_capture_on_commit_callbacks, time_machine):
    """Runs a monitoring sweep at a frozen time; returns its report and the check tasks it queued
    after commit, as (experiment id, look date) pairs."""
    from experiments.live.monitoring import sweep

    def run(now):
        time_machine.move_to(now, tick=False)
        with (
            mock.patch("experiments.tasks.check_experiments.delay") as delay,
            django_capture_on_commit_callbacks(execute=True),
        ):
            report = sweep()
        # the sweep queues chunks of ids; each (id, look date) is one look to take
        return report, [
            (pk, look_date) for ids, look_date in (call.args for call in delay.call_args_list) for pk in ids
        ]

    return run
