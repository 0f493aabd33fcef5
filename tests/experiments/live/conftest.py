"""Each live test starts with empty assignment caches and an empty counting buffer (the flush
settings themselves are session-wide, in tests/conftest.py)."""

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
