"""Rollouts: the rule (who, and only won experiments), the moves and the timeline they leave."""

import pytest

from experiments import errors, rollouts
from experiments.access import may_roll_out
from experiments.models import Experiment, Rollout, Status, Variant
from tests.experiments.verdict_scenarios import harm_stopped
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db


@pytest.fixture
def won(proposer, approver, co_author):
    experiment = make_experiment(proposer, approver, key="won", status=Status.CONCLUDED, outcome="won")
    experiment.co_authors.add(co_author)
    return experiment


def test_owner_co_authors_and_admins_may_roll_out_others_may_not(
    won, proposer, co_author, admin_user, approver, signal_owner, standards_keeper, outsider
):
    assert [may_roll_out(u, won) for u in (proposer, co_author, admin_user)] == [True, True, True]
    assert [may_roll_out(u, won) for u in (approver, signal_owner, standards_keeper, outsider)] == [False] * 4
    for user in (approver, signal_owner, outsider):
        refusal = rollouts.rollout_refusal(won, user)
        assert isinstance(refusal, errors.NotPermitted) and refusal.status_code == 403
        assert "owner, its co-authors and administrators" in refusal.message
        with pytest.raises(errors.NotPermitted):
            rollouts.roll_out(won, user)
    assert not Rollout.objects.exists()


@pytest.mark.parametrize(
    "status, outcome",
    [
        (Status.RUNNING, ""),
        (Status.COMPLETED, ""),
        (Status.CONCLUDED, "lost"),
        (Status.CONCLUDED, "inconclusive"),
        (Status.CONCLUDED, "invalid"),
        (Status.ARCHIVED, "won"),
    ],
)
def test_only_a_won_experiment_is_rolled_out(proposer, approver, status, outcome):
    experiment = make_experiment(proposer, approver, status=status, outcome=outcome)
    with pytest.raises(errors.IllegalMove) as refused:
        rollouts.roll_out(experiment, proposer)
    assert refused.value.status_code == 409
    assert "Only a won experiment can be rolled out" in refused.value.message
    assert not Rollout.objects.exists()
    assert not experiment.events.filter(action=rollouts.ROLLED_OUT).exists()


def test_a_win_the_checks_record_forbids_is_not_rolled_out(proposer, approver):
    experiment, _ = harm_stopped(proposer, approver)
    # Old data: concluded as won against the record before the conclude guard existed.
    Experiment.objects.filter(pk=experiment.pk).update(status=Status.CONCLUDED, outcome="won")
    experiment.refresh_from_db()
    with pytest.raises(errors.IllegalMove, match="checks' record forbids a win"):
        rollouts.roll_out(experiment, proposer)


def test_roll_out_and_revert_are_recorded_on_the_timeline(won, proposer, co_author):
    before = won.updated_at
    rollout = rollouts.roll_out(won, proposer, reason="Clear win on FCR.")
    assert rollout.variant.key == "short" and rollout.in_force and rollout.rolled_out_by == proposer
    won.refresh_from_db()
    assert won.updated_at > before  # every process's assignment cache reloads
    event = won.events.get(action=rollouts.ROLLED_OUT)
    assert (event.actor, event.reason, event.from_status, event.to_status) == (
        proposer,
        "Clear win on FCR.",
        Status.CONCLUDED,
        Status.CONCLUDED,
    )
    with pytest.raises(errors.Conflict, match="rolled out already"):
        rollouts.roll_out(won, co_author)

    reverted = rollouts.revert(won, co_author, reason="Complaints in the call centre.")
    assert not reverted.in_force and reverted.reverted_by == co_author
    event = won.events.get(action=rollouts.REVERTED)
    assert event.actor == co_author and event.reason == "Complaints in the call centre."
    with pytest.raises(errors.IllegalMove, match="nothing to revert"):
        rollouts.revert(won, co_author)
    # Rolled out again after a revert: a second row; history keeps both.
    rollouts.roll_out(won, proposer)
    assert [r.in_force for r in won.rollouts.all()] == [False, True]
    assert [e.action for e in won.events.filter(action__in=rollouts.EVENT_ACTIONS)] == [
        rollouts.ROLLED_OUT,
        rollouts.REVERTED,
        rollouts.ROLLED_OUT,
    ]


def test_others_may_not_revert(won, proposer, outsider, signal_owner):
    rollouts.roll_out(won, proposer)
    for user in (outsider, signal_owner):
        with pytest.raises(errors.NotPermitted):
            rollouts.revert(won, user)
    assert rollouts.in_force(won) is not None


def test_several_treatments_need_the_winning_arm_named(won, proposer):
    Variant.objects.create(experiment=won, key="warm", name="Warm greeting", weight=50)
    with pytest.raises(errors.Invalid) as unnamed:
        rollouts.roll_out(won, proposer)
    assert unnamed.value.field == "variant" and "short, warm" in unnamed.value.message
    with pytest.raises(errors.Invalid) as control:
        rollouts.roll_out(won, proposer, variant="control")
    assert control.value.field == "variant"
    assert rollouts.roll_out(won, proposer, variant="warm").variant.key == "warm"


def test_a_promoted_experiment_is_rolled_out_by_the_system_with_its_standard(proposer, approver):
    promoted = make_experiment(proposer, approver, status=Status.PROMOTED, outcome="won")
    rollout = rollouts.roll_out_promoted(promoted, "S-7")
    assert rollout.rolled_out_by is None and rollout.standard == "S-7"
    # A rollout already in force gets the standard's code, and a line on the timeline.
    rollouts.revert(promoted, proposer)
    rollouts.roll_out(promoted, proposer)
    again = rollouts.roll_out_promoted(promoted, "S-8")
    assert again.standard == "S-8" and again.rolled_out_by == proposer
    assert promoted.events.filter(action=rollouts.STANDARD_ATTACHED).count() == 1
