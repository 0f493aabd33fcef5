"""The review's promote decision ships the winner: its arm is rolled out with the standard's code,
and the assignment API answers it (experiments.rollouts, hooked in ReviewsConfig.ready)."""

import datetime as dt

import pytest
from django.utils import timezone

from cadence.reviews.agenda import build_agenda
from cadence.reviews.decisions import decide
from cadence.reviews.occurrences import ensure_meeting
from experiments import hooks, rollouts
from experiments.live.assignment import assign
from experiments.models import Variant
from tests.cadence.reviews.helpers import ended, in_session, make_series, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(chair, board_member):
    series = make_series(chair, board_member, quorum=1)
    return ensure_meeting(series, timezone.now() + dt.timedelta(days=3))


def on_agenda(meeting, proposer, approver, signal_owner):
    experiment = ended(proposer, approver, signal_owner)
    build_agenda(meeting)
    send(meeting)
    in_session(meeting)
    return experiment, meeting.items.get(experiment=experiment)


def test_the_reviews_app_registers_the_hook():
    assert "reviews" in {hook.owner for hook in hooks.registry.get("after_move")}


def test_promote_decision_rolls_the_winning_arm_out_with_the_standard(
    meeting, chair, proposer, approver, signal_owner, standards_keeper
):
    experiment, item = on_agenda(meeting, proposer, approver, signal_owner)
    assert assign(experiment.key, "u1", touchpoint="chat").variant == "control"
    decision = decide(item, chair, "promote", statement="Greet in one sentence.", keeper=standards_keeper)
    rollout = rollouts.in_force(experiment)
    assert rollout.variant.key == "short" and rollout.standard == decision.standard.code
    assert rollout.rolled_out_by is None
    answer = assign(experiment.key, "u1", touchpoint="chat")
    assert (answer.variant, answer.reason, answer.standard) == ("short", "rolled_out", decision.standard.code)
    assert [e.action for e in experiment.events.all()][-2:] == ["promote", rollouts.ROLLED_OUT]
    # The owner may still take it back.
    rollouts.revert(experiment, proposer, reason="Call centre complaints.")
    assert assign(experiment.key, "u1", touchpoint="chat").variant == "control"


def test_promote_names_the_standard_on_a_rollout_the_owner_made(
    meeting, chair, proposer, approver, signal_owner, standards_keeper
):
    experiment, item = on_agenda(meeting, proposer, approver, signal_owner)
    rollouts.roll_out(experiment, proposer)
    decision = decide(item, chair, "promote", statement="Greet in one sentence.", keeper=standards_keeper)
    rollout = rollouts.in_force(experiment)
    assert rollout.rolled_out_by == proposer and rollout.standard == decision.standard.code
    assert experiment.rollouts.count() == 1
    assert experiment.events.filter(action=rollouts.STANDARD_ATTACHED).count() == 1


def test_several_treatments_promote_but_wait_for_the_owner(
    meeting, chair, proposer, approver, signal_owner, standards_keeper
):
    experiment, item = on_agenda(meeting, proposer, approver, signal_owner)
    Variant.objects.create(experiment=experiment, key="warm", name="Warm greeting", weight=50)
    decide(item, chair, "promote", statement="Greet in one sentence.", keeper=standards_keeper)
    experiment.refresh_from_db()
    assert experiment.status == "promoted" and rollouts.in_force(experiment) is None
