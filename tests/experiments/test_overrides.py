"""Overrides: who may file and answer them, what they need, and the timeline they leave."""

import pytest

from experiments import lifecycle, roles
from experiments.access import may_answer_override, may_file_override
from experiments.models import Override
from experiments.overrides import agree_override, decline_override, request_override
from tests.experiments.verdict_scenarios import harm_stopped
from tests.factories import make_experiment, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def stopped(proposer, approver, co_author):
    experiment, _ = harm_stopped(proposer, approver)
    experiment.co_authors.add(co_author)
    return experiment


def test_authors_and_signal_owners_may_file_others_may_not(
    stopped, proposer, co_author, signal_owner, approver, standards_keeper, outsider
):
    assert [may_file_override(u, stopped) for u in (proposer, co_author, signal_owner)] == [True, True, True]
    assert [may_file_override(u, stopped) for u in (approver, standards_keeper, outsider)] == [False, False, False]
    with pytest.raises(lifecycle.NotPermitted):
        request_override(stopped, approver, outcome="won", reason="Outage.")


def test_an_override_needs_a_reason_and_an_outcome_the_check_forbids(stopped, proposer):
    with pytest.raises(lifecycle.TransitionError) as refused:
        request_override(stopped, proposer, outcome="won", reason="  ")
    assert refused.value.problems == [{"field": "reason", "message": refused.value.message}]
    for outcome in ("lost", "invalid", "bogus", ""):
        with pytest.raises(lifecycle.TransitionError) as refused:
            request_override(stopped, proposer, outcome=outcome, reason="Outage.")
        assert refused.value.problems[0]["field"] == "outcome"
    assert not Override.objects.exists()


def test_nothing_to_override_without_a_stopping_check(proposer, approver):
    draft = make_experiment(proposer, approver)
    with pytest.raises(lifecycle.IllegalMove) as refused:
        request_override(draft, proposer, outcome="won", reason="Outage.")
    assert "nothing to override" in refused.value.message


def test_one_open_override_at_a_time(stopped, proposer, signal_owner):
    request_override(stopped, proposer, outcome="won", reason="Outage.")
    with pytest.raises(lifecycle.TransitionConflict):
        request_override(stopped, signal_owner, outcome="inconclusive", reason="Too early to tell.")


def test_the_answer_needs_a_standards_keeper_who_is_neither_requester_nor_author(
    stopped, proposer, co_author, signal_owner, standards_keeper, approver
):
    keeper_and_author = make_user("kai_keeper_author", roles.STANDARDS_KEEPER, roles.PROPOSER)
    stopped.co_authors.add(keeper_and_author)
    keeper_and_signal = make_user("sky_keeper_signal", roles.STANDARDS_KEEPER, roles.SIGNAL_OWNER)
    override = request_override(stopped, keeper_and_signal, outcome="won", reason="Outage.")
    for person in (keeper_and_signal, keeper_and_author, proposer, co_author, signal_owner, approver):
        assert not may_answer_override(person, override)
        with pytest.raises(lifecycle.NotPermitted):
            agree_override(override, person)
    assert may_answer_override(standards_keeper, override)
    override.refresh_from_db()
    assert override.status == Override.Status.REQUESTED


def test_agreeing_and_declining_are_recorded_on_the_timeline(stopped, proposer, signal_owner, standards_keeper):
    first = request_override(stopped, proposer, outcome="won", reason="The complaints came from an outage.")
    decline_override(first, standards_keeper, reason="The complaints are real.")
    second = request_override(stopped, signal_owner, outcome="inconclusive", reason="Too little data to call it.")
    agree_override(second, standards_keeper)
    timeline = list(
        stopped.events.filter(action__startswith="override").values_list(
            "action", "actor__username", "outcome", "reason"
        )
    )
    assert timeline == [
        ("override_requested", "priya_proposer", "won", "The complaints came from an outage."),
        ("override_declined", "kim_keeper", "won", "The complaints are real."),
        ("override_requested", "sam_signal", "inconclusive", "Too little data to call it."),
        ("override_agreed", "kim_keeper", "inconclusive", ""),
    ]
    lifecycle.transition(
        stopped, "conclude", proposer, outcome="inconclusive", lesson="We learned what the data showed."
    )


def test_declining_needs_a_reason_and_an_answer_is_given_once(stopped, proposer, standards_keeper, admin_user):
    override = request_override(stopped, proposer, outcome="won", reason="Outage.")
    with pytest.raises(lifecycle.TransitionError) as refused:
        decline_override(override, standards_keeper, reason="")
    assert refused.value.problems[0]["field"] == "reason"
    agree_override(override, standards_keeper)
    other_keeper = make_user("kit_keeper", roles.STANDARDS_KEEPER)
    with pytest.raises(lifecycle.TransitionConflict):
        decline_override(override, other_keeper, reason="Changed my mind.")
