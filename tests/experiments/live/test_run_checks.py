"""manage.py run_checks: the slot run by an operator, in-process, one line per experiment."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from experiments.models import Check, Experiment, Status
from tests.experiments.live.test_monitoring_data import quiet, started, write_rates  # noqa: F401
from tests.factories import make_experiment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quiet")]

TODAY = dt.date(2026, 3, 10)


def run_checks(*args) -> list[str]:
    out = StringIO()
    with time_machine.travel(timezone.make_aware(dt.datetime(2026, 3, 10, 14, 0)), tick=False):
        call_command("run_checks", *args, stdout=out)
    return out.getvalue().splitlines()


@pytest.fixture
def harmed(proposer, approver):
    experiment = started(proposer, approver, on=TODAY - dt.timedelta(days=4), key="greeting-harm")
    write_rates(experiment, TODAY - dt.timedelta(days=2), 3000, {("complaint-rate", "short"): 0.10})
    return experiment


@pytest.fixture
def quiet_one(proposer, approver):
    return started(proposer, approver, on=TODAY - dt.timedelta(days=2), key="greeting-quiet")


def test_it_starts_what_is_due_and_checks_every_running_experiment(proposer, approver, harmed, quiet_one):
    make_experiment(
        proposer,
        approver,
        status=Status.APPROVED,
        key="greeting-new",
        planned_start=TODAY,
        planned_end=TODAY + dt.timedelta(days=13),
    )

    lines = run_checks()

    assert lines[0] == "greeting-new: started (planned start 10 Mar 2026)."
    assert lines[1].startswith(
        "greeting-harm (2026-03-10): Stop and roll back: complaint rate 7 points higher: clearly worse than control"
    )
    assert lines[2] == (
        "greeting-new (2026-03-10): Continue: not enough data yet — each arm needs at least 10 units and control has 0."
    )
    assert lines[3].startswith("greeting-quiet (2026-03-10): Continue: not enough data yet")
    assert len(lines) == 4
    assert set(Check.objects.values_list("trigger", flat=True)) == {Check.Trigger.OPERATOR}
    assert Experiment.objects.get(key="greeting-harm").status == Status.STOPPED


def test_one_experiment_by_key_and_a_second_run_shows_the_look_taken(harmed, quiet_one):
    assert run_checks("--experiment", "greeting-quiet")[0].startswith("greeting-quiet (2026-03-10): Continue")
    assert Check.objects.count() == 1

    again = run_checks("--experiment", "greeting-quiet")
    assert again[0].endswith("(already checked; shown as recorded)")
    assert Check.objects.count() == 1


def test_a_past_date_is_the_look_date(harmed):
    lines = run_checks("--experiment", "greeting-harm", "--date", "2026-03-07")
    assert lines[0].startswith("greeting-harm (2026-03-07): Continue: not enough data yet")  # the data came on the 8th
    assert Check.objects.get().look_date == dt.date(2026, 3, 7)


def test_an_experiment_that_is_not_running_says_so(proposer, approver):
    make_experiment(proposer, approver, status=Status.CONCLUDED, key="old-one")
    assert run_checks("--experiment", "old-one") == ["old-one (2026-03-10): not checked, it is concluded."]


def test_nothing_running_says_so(db):
    assert run_checks() == ["No running experiment to check."]


@pytest.mark.parametrize(
    "args, message",
    [
        (("--experiment", "no-such-key"), "--experiment: no experiment has the key 'no-such-key'."),
        (("--date", "10/03/2026"), "--date: '10/03/2026' is not a date; use YYYY-MM-DD."),
        (("--date", "2026-03-11"), "--date: 2026-03-11 is in the future; a look reads the data up to its date."),
    ],
)
def test_bad_arguments_are_named(db, args, message):
    with pytest.raises(CommandError) as error:
        run_checks(*args)
    assert str(error.value) == message
