"""Verdicts follow the record: after a check stopped an experiment for harm or invalid data, it is
concluded only as lost or invalid, unless a standards keeper agreed to an override. From code here;
the page and the API are in test_views_overrides.py and api/test_overrides.py."""

import datetime as dt

import pytest
import time_machine

from experiments import lifecycle, verdicts
from experiments.live.monitoring import awaiting_promotion
from experiments.models import Check, Experiment, ExperimentEvent, Outcome, Status
from experiments.overrides import decline_override, request_override
from tests.experiments.live.checks_factory import record_looks
from tests.experiments.verdict_scenarios import STARTED_AT, agreed_override_to_won, harm_stopped
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db


@pytest.fixture
def stopped(proposer, approver):
    return harm_stopped(proposer, approver)


def test_concluding_a_harm_stopped_experiment_as_won_is_refused(stopped, proposer):
    experiment, stop = stopped
    with pytest.raises(lifecycle.IllegalMove) as refused:
        lifecycle.transition(
            experiment,
            "conclude",
            proposer,
            outcome="won",
            reason="I think it won.",
            lesson="We learned what the data showed.",
        )
    assert refused.value.status_code == 409
    assert refused.value.problems[0]["field"] == "outcome"
    assert f"The check of {stop.look_date:%-d %b %Y} stopped this experiment for harm" in refused.value.message
    assert "only as lost or invalid" in refused.value.message
    experiment.refresh_from_db()
    assert (experiment.status, experiment.outcome) == (Status.STOPPED, "")
    assert not experiment.events.filter(action="conclude").exists()


@pytest.mark.parametrize("outcome", ["won", "inconclusive"])
def test_only_lost_or_invalid_are_allowed_after_a_stop(stopped, proposer, outcome):
    experiment, _ = stopped
    assert verdicts.allowed_outcomes(experiment) == ["lost", "invalid"]
    with pytest.raises(lifecycle.IllegalMove):
        lifecycle.transition(
            experiment, "conclude", proposer, outcome=outcome, lesson="We learned what the data showed."
        )


@pytest.mark.parametrize("outcome", ["lost", "invalid"])
def test_lost_or_invalid_conclude_as_before(stopped, proposer, outcome):
    experiment, _ = stopped
    lifecycle.transition(experiment, "conclude", proposer, outcome=outcome, lesson="We learned what the data showed.")
    experiment.refresh_from_db()
    assert (experiment.status, experiment.outcome) == (Status.CONCLUDED, outcome)


def test_the_scheduler_and_operators_are_held_to_the_record_too(stopped, admin_user):
    experiment, _ = stopped
    for actor in (None, admin_user):
        with pytest.raises(lifecycle.IllegalMove):
            lifecycle.transition(
                experiment, "conclude", actor, outcome="won", lesson="We learned what the data showed."
            )


def test_an_agreed_override_allows_the_outcome_it_asked_for_and_no_other(stopped, proposer, standards_keeper):
    experiment, _ = stopped
    agreed_override_to_won(experiment, proposer, standards_keeper)
    assert verdicts.allowed_outcomes(experiment) == ["won", "lost", "invalid"]
    with pytest.raises(lifecycle.IllegalMove):
        lifecycle.transition(
            experiment, "conclude", proposer, outcome="inconclusive", lesson="We learned what the data showed."
        )
    lifecycle.transition(experiment, "conclude", proposer, outcome="won", lesson="We learned what the data showed.")
    experiment.refresh_from_db()
    assert experiment.outcome == Outcome.WON
    assert list(awaiting_promotion()) == [experiment]


def test_a_waiting_or_declined_override_changes_nothing(stopped, proposer, standards_keeper):
    experiment, _ = stopped
    override = request_override(experiment, proposer, outcome="won", reason="Outage.")
    with pytest.raises(lifecycle.IllegalMove):
        lifecycle.transition(experiment, "conclude", proposer, outcome="won", lesson="We learned what the data showed.")
    decline_override(override, standards_keeper, reason="The complaints are real.")
    with pytest.raises(lifecycle.IllegalMove):
        lifecycle.transition(experiment, "conclude", proposer, outcome="won", lesson="We learned what the data showed.")


def test_a_person_stopping_it_binds_nothing(proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.RUNNING, planned_start=dt.date(2026, 11, 10))
    record_looks(experiment, days=3)
    lifecycle.transition(
        experiment, "stop", proposer, reason="Outage in the chat tool.", lesson="We learned what the data showed."
    )
    lifecycle.transition(
        experiment, "conclude", proposer, outcome="inconclusive", lesson="We learned what the data showed."
    )
    assert Experiment.objects.get(pk=experiment.pk).outcome == "inconclusive"


def test_a_later_check_after_a_restart_supersedes_the_stop(stopped, proposer):
    experiment, stop = stopped
    Experiment.objects.filter(pk=experiment.pk).update(status=Status.RUNNING)  # what an approved restart does
    Check.objects.create(
        experiment=experiment,
        look_date=stop.look_date + dt.timedelta(days=1),
        look=stop.look + 1,
        action="continue",
        sentence="Continue: no win and no harm shown yet.",
        created_at=stop.created_at + dt.timedelta(days=1),
    )
    assert verdicts.binding_stop(experiment) is None
    assert verdicts.allowed_outcomes(experiment) == list(Outcome.values)


def test_old_data_concluded_as_won_against_a_stop_is_not_awaiting_promotion(stopped, proposer, standards_keeper):
    experiment, _ = stopped
    # Concluded as won before the rule existed: written straight to the database.
    Experiment.objects.filter(pk=experiment.pk).update(status=Status.CONCLUDED, outcome=Outcome.WON)
    ExperimentEvent.objects.create(
        experiment=experiment,
        action="conclude",
        from_status="stopped",
        to_status="concluded",
        outcome="won",
        actor=proposer,
        created_at=STARTED_AT + dt.timedelta(days=20),
    )
    assert list(awaiting_promotion()) == []
    summary = verdicts.verdict_summary(Experiment.objects.get(pk=experiment.pk))
    assert summary["follows_record"] is False
    # An override agreed afterwards sets the record right.
    agreed_override_to_won(experiment, proposer, standards_keeper)
    assert list(awaiting_promotion()) == [experiment]
    assert verdicts.verdict_summary(Experiment.objects.get(pk=experiment.pk))["follows_record"] is True


def test_an_error_check_after_the_stop_does_not_lift_it(stopped):
    experiment, stop = stopped
    Check.objects.create(
        experiment=experiment,
        look_date=stop.look_date + dt.timedelta(days=1),
        look=0,
        action="error",
        sentence="Could not check.",
        created_at=stop.created_at + dt.timedelta(days=1),
    )
    assert verdicts.binding_stop(experiment) == stop


def test_runtime_is_from_the_start_event_to_the_stop_event(stopped, proposer):
    experiment, stop = stopped
    stop_event = experiment.events.get(action="stop")
    with time_machine.travel(stop_event.created_at + dt.timedelta(days=10), tick=False):
        lifecycle.transition(
            experiment, "conclude", proposer, outcome="lost", lesson="We learned what the data showed."
        )
    ran = stop_event.created_at - STARTED_AT
    assert verdicts.runtime(experiment) == ran
    assert verdicts.runtime_days(experiment) == round(ran.total_seconds() / 86400)
    assert verdicts.runtime_days(experiment) < experiment.duration_days


def test_runtime_adds_up_the_stretches_around_a_restart(proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.APPROVED)
    day = dt.timedelta(days=1)
    moves = [
        (STARTED_AT, "start"),
        (STARTED_AT + 4 * day, "stop"),
        (STARTED_AT + 9 * day, "restart"),
        (STARTED_AT + 12 * day, "complete"),
    ]
    for when, action in moves:
        ExperimentEvent.objects.create(
            experiment=experiment, action=action, from_status="", to_status="running", created_at=when
        )
    assert verdicts.runtime_days(experiment) == 7
    assert verdicts.runtime_days(make_experiment(proposer, approver)) is None


def test_runtime_of_a_running_experiment_counts_until_now(proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.APPROVED)
    with time_machine.travel(STARTED_AT, tick=False):
        lifecycle.transition(experiment, "start", None)
    assert verdicts.runtime_days(experiment, now=STARTED_AT + dt.timedelta(days=3, hours=2)) == 3
