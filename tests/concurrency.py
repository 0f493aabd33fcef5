"""Running calls at the same moment on a real database (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection

# SQLite takes one writer at a time for the whole file, so races there prove nothing.
POSTGRES_ONLY = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL row locks; SQLite serialises whole-database writes"
)


def at_once(*calls, timeout: float = 60):
    """Run the calls in threads released together; returns each call's result or exception
    (a loser's refusal is part of the outcome)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a call hung"
    return results
