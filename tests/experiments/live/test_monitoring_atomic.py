"""A look commits whole or not at all, and is taken once however often it is asked for.

Real commits (transactional tests): what a failed look leaves behind is what another connection
would see. The race between two workers needs PostgreSQL's row locks and is skipped on SQLite,
which serialises whole-database writes anyway.
"""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from approvals.models import Notification
from experiments.live.monitoring import run_check
from experiments.models import Check, ExperimentEvent, Status
from experiments.tasks import check_experiment
from tests.concurrency import POSTGRES_ONLY, at_once
from tests.experiments.live.test_monitoring_data import quiet, started, write_rates  # noqa: F401

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("quiet")]

D0 = dt.date(2026, 3, 2)
LOOK = D0 + dt.timedelta(days=3)


@pytest.fixture
def harmed(seeded_catalogues, proposer, approver, signal_owner):
    experiment = started(proposer, approver, on=D0, days=28)
    write_rates(experiment, D0 + dt.timedelta(days=1), 3000, {("complaint-rate", "short"): 0.10})
    return experiment


def nothing_recorded(experiment):
    experiment.refresh_from_db()
    return (
        experiment.status == Status.RUNNING
        and experiment.next_check_at is None
        and not Check.objects.exists()
        and not experiment.events.filter(action="stop").exists()
        and not Notification.objects.exists()
    )


def exactly_one_look_and_stop(experiment):
    experiment.refresh_from_db()
    return (
        experiment.status == Status.STOPPED
        and Check.objects.filter(experiment=experiment).count() == 1
        and ExperimentEvent.objects.filter(experiment=experiment, action="stop").count() == 1
        and Notification.objects.filter(kind="stopped", user__username="sam_signal").count() == 1
    )


@pytest.mark.approvals
def test_a_failure_after_the_check_was_written_commits_nothing(harmed):
    written = []
    real_create = Check.objects.create

    def create_and_note(**fields):
        written.append(real_create(**fields))
        return written[-1]

    with (
        mock.patch.object(Check.objects, "create", side_effect=create_and_note),
        mock.patch("experiments.live.monitoring.notify", side_effect=RuntimeError("mail queue down")),
        pytest.raises(RuntimeError),
    ):
        run_check(harmed.pk, LOOK)

    assert len(written) == 1  # the check and the stop were made inside the transaction ...
    assert nothing_recorded(harmed)  # ... and none of it was committed
    assert run_check(harmed.pk, LOOK).action == "stop"  # the next try takes the look
    assert exactly_one_look_and_stop(harmed)


@pytest.mark.approvals
def test_a_worker_killed_mid_check_then_the_redelivered_task_gives_one_check_and_one_stop(harmed):
    from experiments import lifecycle

    def die_after_the_move(*args, **kwargs):
        lifecycle.transition(*args, **kwargs)
        raise SystemExit("worker killed")  # not an Exception: nothing catches it on the way out

    with (
        mock.patch("experiments.live.monitoring.transition", side_effect=die_after_the_move),
        pytest.raises(SystemExit),
    ):
        check_experiment.run(harmed.pk, LOOK.isoformat())
    assert nothing_recorded(harmed)

    # acks_late: the broker hands the same message to the next worker; then a beat queues it again
    check_experiment.apply(args=(harmed.pk, LOOK.isoformat()))
    check_experiment.apply(args=(harmed.pk, LOOK.isoformat()))
    assert exactly_one_look_and_stop(harmed)


@POSTGRES_ONLY
def test_two_workers_taking_the_same_look_at_once_record_it_once(harmed):
    results = at_once(lambda: run_check(harmed.pk, LOOK), lambda: run_check(harmed.pk, LOOK))

    assert all(isinstance(result, Check) for result in results), results
    assert results[0].pk == results[1].pk
    assert exactly_one_look_and_stop(harmed)


def test_a_unique_clash_is_read_as_someone_else_took_the_look(harmed):
    """The unique constraint is the backstop if two writers ever get past the row lock."""
    other = Check.objects.create(
        experiment=harmed,
        look_date=LOOK,
        look=1,
        action="continue",
        sentence="taken elsewhere",
        created_at=timezone.now(),
    )
    real_filter = Check.objects.filter
    calls = {"n": 0}

    def blind_first_read(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:  # the existence check misses the row, as in a race
            return real_filter(pk=-1)
        return real_filter(*args, **kwargs)

    with mock.patch.object(Check.objects, "filter", side_effect=blind_first_read):
        result = run_check(harmed.pk, LOOK)

    assert result.pk == other.pk
    assert Check.objects.count() == 1
    harmed.refresh_from_db()
    assert harmed.status == Status.RUNNING  # the clash rolled our whole look back, stop included
