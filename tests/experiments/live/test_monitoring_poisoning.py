"""Counts that cannot be poisoned: a stop names the key that brought most of the last day's
units; a check that fails the same way every day is recorded and told once."""

import datetime as dt
from unittest import mock

import pytest

from experiments.live import monitoring
from experiments.live.monitoring import run_check
from experiments.models import AssignedUnit, Check, Status
from experiments.stats.inputs import StatsInputError
from tests.experiments.live.test_monitoring import D0, on
from tests.experiments.live.test_monitoring_data import assign, quiet, started, write_rates  # noqa: F401
from tests.factories import make_service_key

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("quiet")]
SHRINKING = StatsInputError("information_fractions[2]", "information cannot shrink between looks")


@pytest.fixture
def experiment(proposer, approver):
    return started(proposer, approver, on=D0, days=28)


def units_from(experiment, key, day, arm, count, start=0):
    variant = experiment.variants.get(key=arm)
    AssignedUnit.objects.bulk_create(
        AssignedUnit(experiment=experiment, unit_id=f"{arm}-{start + i}", variant=variant, day=day, service_key=key)
        for i in range(count)
    )


def test_an_srm_stop_names_the_key_that_brought_most_of_the_last_days_units(experiment, proposer, outsider):
    poisoner, _ = make_service_key(outsider, [experiment], name="batch tool")
    router, _ = make_service_key(proposer, [experiment], name="chat router")
    last_day = D0 + dt.timedelta(days=2)
    write_rates(experiment, D0 + dt.timedelta(days=1), 3000, {})
    assign(experiment, last_day, control=600, short=0)
    units_from(experiment, poisoner, last_day, "control", 550)
    units_from(experiment, router, last_day, "control", 50, start=1000)
    with on(D0 + dt.timedelta(days=3)):
        check = run_check(experiment.pk, D0 + dt.timedelta(days=3))

    assert (check.action, check.outcome) == ("stop", "invalid")
    engine_sentence = check.result["sentence"]
    assert check.sentence.startswith(engine_sentence)  # the engine's own words first
    assert check.sentence[len(engine_sentence) :] == (
        f" 92% of the units first counted on 4 Mar 2026 (550 of 600) came from service key “batch tool” "
        f"({poisoner.prefix}) made by {outsider.username}."
    )
    experiment.refresh_from_db()
    assert experiment.events.get(action="stop").reason == check.sentence


def test_an_srm_stop_without_a_dominant_key_keeps_the_engines_sentence(experiment, proposer):
    one, _ = make_service_key(proposer, [experiment], name="one")
    two, _ = make_service_key(proposer, [experiment], name="two")
    last_day = D0 + dt.timedelta(days=2)
    write_rates(experiment, D0 + dt.timedelta(days=1), 3000, {})
    assign(experiment, last_day, control=600, short=0)
    units_from(experiment, one, last_day, "control", 300)
    units_from(experiment, two, last_day, "control", 300, start=1000)
    with on(D0 + dt.timedelta(days=3)):
        check = run_check(experiment.pk, D0 + dt.timedelta(days=3))
    assert check.action == "stop" and check.sentence == check.result["sentence"]


def test_shrinking_information_is_recorded_once_over_several_days(experiment):
    with (
        mock.patch.object(monitoring, "build_look", side_effect=SHRINKING),
        mock.patch.object(monitoring, "notify") as notify,
    ):
        checks = []
        for day in range(1, 5):
            look_date = D0 + dt.timedelta(days=day)
            with on(look_date):
                checks.append(run_check(experiment.pk, look_date))

    first = checks[0]
    assert first.action == Check.Action.ERROR and "information cannot shrink" in first.sentence
    assert {check.pk for check in checks} == {first.pk}  # every later day answers with the first record
    assert Check.objects.filter(experiment=experiment).count() == 1
    assert notify.call_count == 1
    experiment.refresh_from_db()
    assert experiment.status == Status.RUNNING
    assert experiment.next_check_at.date() == D0 + dt.timedelta(days=5)  # still tried every day


def test_another_failure_after_the_first_is_recorded_and_told(experiment):
    other = StatsInputError("metrics[fcr].short.successes", "cannot exceed the number of units")
    with mock.patch.object(monitoring, "notify") as notify:
        for day, error in ((1, SHRINKING), (2, other)):
            with mock.patch.object(monitoring, "build_look", side_effect=error), on(D0 + dt.timedelta(days=day)):
                run_check(experiment.pk, D0 + dt.timedelta(days=day))
    assert Check.objects.filter(experiment=experiment, action="error").count() == 2
    assert notify.call_count == 2


def test_the_experiment_page_shows_since_when_the_checks_fail(experiment, proposer, client):
    with mock.patch.object(monitoring, "build_look", side_effect=SHRINKING), mock.patch.object(monitoring, "notify"):
        for day in (1, 2, 3):
            with on(D0 + dt.timedelta(days=day)):
                run_check(experiment.pk, D0 + dt.timedelta(days=day))
    client.force_login(proposer)
    with on(D0 + dt.timedelta(days=3), hour=9):
        page = client.get(f"/experiments/{experiment.key}/", secure=True).content.decode()
    assert "information cannot shrink" in page
    assert "failing the same way since 3 Mar 2026" in page
