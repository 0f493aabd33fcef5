"""The one transition function: every move from every status, who may make it, and what it leaves.

The expected lifecycle and actor rules are written out here from the issue, independently of
lifecycle.MOVES, so a wrong entry in MOVES fails a test instead of being mirrored by it.
"""

from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from experiments.lifecycle import (
    DECISION_ACTIONS,
    MOVES,
    IllegalMove,
    NotPermitted,
    PolicyViolation,
    TransitionConflict,
    TransitionError,
    UnknownAction,
    available_moves,
    key_is_free,
    may_perform,
    transition,
)
from experiments.models import Experiment, Outcome, Status
from tests.factories import make_experiment

S = Status


@pytest.fixture(autouse=True)
def without_the_reviews_guard():
    """The lifecycle's own promote rule: the review app's guard (a promote decision is needed) is
    tested in tests/cadence/reviews/test_promotion.py."""
    from experiments.hooks import registry

    with registry.without("reviews"):
        yield


# action: (statuses it starts from, status it leads to) — the lifecycle in the issue.
LIFECYCLE = {
    "submit": ({S.DRAFT, S.CHANGES_REQUESTED}, S.PENDING_APPROVAL),
    "reopen": ({S.APPROVED}, S.PENDING_APPROVAL),
    "withdraw": ({S.DRAFT, S.PENDING_APPROVAL, S.CHANGES_REQUESTED, S.APPROVED}, S.WITHDRAWN),
    "approve": ({S.PENDING_APPROVAL}, S.APPROVED),
    "request_changes": ({S.PENDING_APPROVAL}, S.CHANGES_REQUESTED),
    "reject": ({S.PENDING_APPROVAL}, S.REJECTED),
    "start": ({S.APPROVED}, S.RUNNING),
    "stop": ({S.RUNNING}, S.STOPPED),
    "restart": ({S.STOPPED}, S.RUNNING),
    "complete": ({S.RUNNING}, S.COMPLETED),
    "conclude": ({S.STOPPED, S.COMPLETED}, S.CONCLUDED),
    "promote": ({S.CONCLUDED}, S.PROMOTED),
    "archive": ({S.CONCLUDED, S.REJECTED, S.WITHDRAWN}, S.ARCHIVED),
}
ACTORS = [
    "owner",
    "co_author",
    "named_approver",
    "other_approver",
    "signal_owner",
    "standards_keeper",
    "board_member",
    "outsider",
    "admin",
    "scheduler",
]
AUTHORS = {"owner", "co_author"}
OPERATIONS = {"signal_owner", "admin", "scheduler"}
# Who may make each move; everyone else is refused.
MAY = {
    "submit": AUTHORS,
    "withdraw": AUTHORS,
    "reopen": AUTHORS,
    "approve": {"named_approver"},
    "request_changes": {"named_approver"},
    "reject": {"named_approver"},
    "start": AUTHORS | OPERATIONS,
    "stop": AUTHORS | OPERATIONS | {"named_approver"},
    "restart": AUTHORS | {"signal_owner", "admin"},
    "complete": AUTHORS | OPERATIONS,
    "conclude": AUTHORS | OPERATIONS,
    # No person promotes: the review's decision does, through the system (tests/cadence/reviews).
    "promote": {"scheduler"},
    "archive": AUTHORS | {"standards_keeper", "admin", "scheduler"},
}
# Someone who may make the move, for the status table.
QUALIFIED = {
    "submit": "owner",
    "withdraw": "owner",
    "reopen": "owner",
    "approve": "named_approver",
    "request_changes": "named_approver",
    "reject": "named_approver",
    "start": "signal_owner",
    "stop": "signal_owner",
    "restart": "signal_owner",
    "complete": "signal_owner",
    "conclude": "signal_owner",
    "promote": "scheduler",
    "archive": "owner",
}
INPUTS = {
    "request_changes": {"reason": "Add the refund rate as a guardrail."},
    "reject": {"reason": "Overlaps the billing redesign."},
    "stop": {"reason": "Complaint rate crossed its margin.", "lesson": "Complaints answer within a day."},
    "conclude": {"outcome": Outcome.WON},
}


FIXTURE_FOR = {
    "owner": "proposer",
    "co_author": "co_author",
    "named_approver": "approver",
    "other_approver": "other_approver",
    "signal_owner": "signal_owner",
    "standards_keeper": "standards_keeper",
    "board_member": "board_member",
    "outsider": "outsider",
    "admin": "admin_user",
}


@pytest.fixture
def people(db, request):
    """The cast by part ("scheduler" is None); each user is created only when a test asks for it.

    Asks for `db` itself so pytest-django runs these tests with the other database tests, before
    any transactional test flushes the seeded catalogues.
    """

    class People:
        def __getitem__(self, who):
            return None if who == "scheduler" else request.getfixturevalue(FIXTURE_FOR[who])

    return People()


def force(experiment, status, outcome=""):
    """Put the experiment in `status` directly (concluded ones as won unless told otherwise)."""
    if status in (S.CONCLUDED, S.PROMOTED) and not outcome:
        outcome = Outcome.WON
    Experiment.objects.filter(pk=experiment.pk).update(status=status, outcome=outcome)
    experiment.refresh_from_db()
    return experiment


def experiment_in(status, people, outcome=""):
    experiment = make_experiment(people["owner"], people["named_approver"])
    experiment.co_authors.add(people["co_author"])
    return force(experiment, status, outcome)


def allow_restart(experiment):
    """Restart is guarded by an approved restart request (tests/approvals covers the guard itself)."""
    from approvals.models import ApprovalRequest, Snapshot

    now = timezone.now()
    snapshot = Snapshot.objects.create(experiment=experiment, number=1, data={}, created_at=now)
    ApprovalRequest.objects.create(
        experiment=experiment, kind="restart", snapshot=snapshot, status="approved", opened_at=now, closed_at=now
    )


def state(experiment):
    """What a refused move must leave untouched."""
    fresh = Experiment.objects.get(pk=experiment.pk)
    return fresh.status, fresh.outcome, fresh.updated_at, fresh.events.count()


def assert_moved(experiment, event, action, actor, from_status, events_before):
    target = LIFECYCLE[action][1]
    fresh = Experiment.objects.get(pk=experiment.pk)
    assert fresh.status == target
    assert experiment.status == target  # the caller's object is updated too
    assert fresh.events.count() == events_before + 1
    assert fresh.events.last() == event
    event.refresh_from_db()
    assert event.action == action
    assert event.actor == actor
    assert (event.from_status, event.to_status) == (from_status, target)
    assert event.reason == INPUTS.get(action, {}).get("reason", "")
    assert event.outcome == INPUTS.get(action, {}).get("outcome", "")
    assert fresh.outcome == (INPUTS[action]["outcome"] if action == "conclude" else experiment.outcome)


def test_moves_are_the_issue_lifecycle():
    assert {action: (set(m.sources), m.target) for action, m in MOVES.items()} == LIFECYCLE


def test_reasons_and_outcomes_are_asked_for_the_right_moves():
    assert {a for a, m in MOVES.items() if m.needs_reason} == {"reject", "request_changes", "stop"}
    assert {a for a, m in MOVES.items() if m.needs_outcome} == {"conclude"}


@pytest.mark.parametrize("action", list(LIFECYCLE))
def test_every_action_from_every_status(action, people, subtests):
    experiment = experiment_in(S.DRAFT, people)
    if action == "restart":
        allow_restart(experiment)
    actor = people[QUALIFIED[action]]
    for status in Status.values:
        with subtests.test(status=status):
            if action in DECISION_ACTIONS:
                experiment = experiment_in(S.DRAFT, people)  # one vote per approver per request
            force(experiment, status)
            before = state(experiment)
            if status in LIFECYCLE[action][0]:
                event = transition(experiment, action, actor, **INPUTS.get(action, {}))
                assert_moved(experiment, event, action, actor, status, before[3])
            else:
                with pytest.raises(IllegalMove) as refused:
                    transition(experiment, action, actor, **INPUTS.get(action, {}))
                assert refused.value.status_code == 409
                assert Experiment(status=status).get_status_display().lower() in refused.value.message
                assert state(experiment) == before


def source_for(action):
    return {"withdraw": S.PENDING_APPROVAL, "conclude": S.COMPLETED, "archive": S.CONCLUDED}.get(
        action, sorted(LIFECYCLE[action][0])[0]
    )


@pytest.mark.parametrize("action", list(LIFECYCLE))
def test_who_may_make_each_move(action, people, subtests):
    experiment = experiment_in(S.DRAFT, people)
    if action == "restart":
        allow_restart(experiment)
    for who in ACTORS:
        with subtests.test(who=who):
            force(experiment, source_for(action))
            actor = people[who]
            before = state(experiment)
            assert may_perform(actor, experiment, action) == (who in MAY[action])
            if who in MAY[action]:
                event = transition(experiment, action, actor, **INPUTS.get(action, {}))
                assert_moved(experiment, event, action, actor, before[0], before[3])
            else:
                with pytest.raises(NotPermitted) as refused:
                    transition(experiment, action, actor, **INPUTS.get(action, {}))
                assert refused.value.status_code == 403
                assert refused.value.message
                assert state(experiment) == before


@pytest.mark.parametrize(
    "action, message",
    [
        ("approve", "You cannot approve an experiment you own or co-author."),
        ("reject", "You cannot reject an experiment you own or co-author."),
        ("request_changes", "You cannot request changes on an experiment you own or co-author."),
    ],
)
@pytest.mark.parametrize("author", ["owner", "co_author"])
def test_an_author_named_as_approver_still_cannot_decide(author, action, message, people):
    # Even when the proposal names its own author as approver (policy blocks submitting that,
    # but the lifecycle must hold on its own), the decision is refused and says why.
    experiment = experiment_in(S.PENDING_APPROVAL, people)
    Experiment.objects.filter(pk=experiment.pk).update(approver=people[author])
    before = state(experiment)

    with pytest.raises(NotPermitted) as refused:
        transition(experiment, action, people[author], **INPUTS.get(action, {}))
    assert refused.value.message == message
    assert state(experiment) == before


def test_a_co_author_holding_the_approver_role_cannot_approve(people):
    experiment = experiment_in(S.PENDING_APPROVAL, people)
    experiment.co_authors.add(people["other_approver"])
    with pytest.raises(NotPermitted, match="you own or co-author"):
        transition(experiment, "approve", people["other_approver"])


@pytest.mark.parametrize(
    "who, action, status",
    [
        ("owner", "submit", S.DRAFT),
        ("owner", "withdraw", S.DRAFT),
        ("named_approver", "approve", S.PENDING_APPROVAL),
        ("signal_owner", "start", S.APPROVED),
        ("admin", "stop", S.RUNNING),
        ("board_member", "promote", S.CONCLUDED),
    ],
)
def test_an_inactive_user_can_do_nothing(who, action, status, people):
    experiment = experiment_in(status, people)
    actor = people[who]
    actor.is_active = False
    actor.save()
    before = state(experiment)

    assert available_moves(actor, experiment) == []
    with pytest.raises(NotPermitted):
        transition(experiment, action, actor, **INPUTS.get(action, {}))
    assert state(experiment) == before


def test_an_anonymous_visitor_can_do_nothing(people):
    experiment = experiment_in(S.DRAFT, people)
    before = state(experiment)
    with pytest.raises(NotPermitted):
        transition(experiment, "submit", AnonymousUser())
    assert state(experiment) == before


@pytest.mark.parametrize("action", ["reject", "request_changes", "stop"])
@pytest.mark.parametrize("reason", ["", "   \n"])
def test_reason_is_required(action, reason, people):
    experiment = experiment_in(source_for(action), people)
    before = state(experiment)
    with pytest.raises(TransitionError) as refused:
        transition(experiment, action, people[QUALIFIED[action]], reason=reason)
    assert refused.value.status_code == 400
    assert [p["field"] for p in refused.value.problems] == ["reason"]
    assert "needs a reason" in refused.value.message
    assert state(experiment) == before


def test_reason_is_stored_trimmed(people):
    experiment = experiment_in(S.PENDING_APPROVAL, people)
    event = transition(experiment, "reject", people["named_approver"], reason="  Too broad.  ")
    assert event.reason == "Too broad."


@pytest.mark.parametrize("outcome", ["", "great", "WON"])
def test_conclude_needs_a_known_outcome(outcome, people):
    experiment = experiment_in(S.COMPLETED, people)
    before = state(experiment)
    with pytest.raises(TransitionError) as refused:
        transition(
            experiment, "conclude", people["signal_owner"], outcome=outcome, lesson="We learned what the data showed."
        )
    assert [p["field"] for p in refused.value.problems] == ["outcome"]
    assert "won, lost, inconclusive, invalid" in refused.value.message
    assert state(experiment) == before


@pytest.mark.parametrize("outcome", Outcome.values)
def test_conclude_records_each_outcome(outcome, people):
    experiment = experiment_in(S.STOPPED, people)
    event = transition(experiment, "conclude", None, outcome=outcome)
    assert Experiment.objects.get(pk=experiment.pk).outcome == outcome
    assert event.outcome == outcome
    assert event.actor is None
    assert event.actor_label == "Pagar scheduler"


@pytest.mark.parametrize("action", [a for a in LIFECYCLE if a != "conclude"])
def test_other_moves_refuse_an_outcome(action, people):
    experiment = experiment_in(source_for(action), people)
    before = state(experiment)
    with pytest.raises(TransitionError) as refused:
        transition(experiment, action, people[QUALIFIED[action]], outcome=Outcome.WON, reason="because")
    assert [p["field"] for p in refused.value.problems] == ["outcome"]
    assert state(experiment) == before


@pytest.mark.parametrize("outcome", [Outcome.LOST, Outcome.INCONCLUSIVE, Outcome.INVALID])
def test_only_a_won_experiment_is_promoted(outcome, people):
    experiment = experiment_in(S.CONCLUDED, people, outcome=outcome)
    before = state(experiment)
    with pytest.raises(IllegalMove, match="concluded as won"):
        transition(experiment, "promote", None)
    assert state(experiment) == before


def test_unknown_action_is_refused_and_lists_the_real_ones(people):
    experiment = experiment_in(S.DRAFT, people)
    before = state(experiment)
    with pytest.raises(UnknownAction) as refused:
        transition(experiment, "launch", people["owner"])
    assert refused.value.status_code == 400
    assert "'launch' is not an experiment action" in refused.value.message
    assert "submit" in refused.value.message and "archive" in refused.value.message
    assert state(experiment) == before


def test_submit_is_refused_while_the_policy_is_broken(people):
    experiment = experiment_in(S.DRAFT, people)
    experiment.metrics.filter(metric__key="escalation-rate").delete()
    before = state(experiment)

    with pytest.raises(PolicyViolation) as refused:
        transition(experiment, "submit", people["owner"])
    assert refused.value.status_code == 400
    assert refused.value.problems == [
        {
            "field": "metrics",
            "message": "Escalation rate is a mandatory guardrail for the Chat touchpoint; add it as a guardrail.",
        }
    ]
    assert state(experiment) == before


def test_resubmit_after_changes_requested_walks_the_whole_path(people):
    experiment = experiment_in(S.DRAFT, people)
    owner, approver = people["owner"], people["named_approver"]
    transition(experiment, "submit", owner)
    transition(experiment, "request_changes", approver, reason="Name the segment.")
    transition(experiment, "submit", people["co_author"])
    transition(experiment, "approve", approver)
    transition(experiment, "start", None)
    transition(experiment, "complete", None)
    transition(experiment, "conclude", owner, outcome=Outcome.WON, lesson="We learned what the data showed.")
    transition(experiment, "promote", None)

    timeline = list(experiment.events.values_list("action", "from_status", "to_status"))
    assert timeline == [
        ("create", "", S.DRAFT),
        ("submit", S.DRAFT, S.PENDING_APPROVAL),
        ("request_changes", S.PENDING_APPROVAL, S.CHANGES_REQUESTED),
        ("submit", S.CHANGES_REQUESTED, S.PENDING_APPROVAL),
        ("approve", S.PENDING_APPROVAL, S.APPROVED),
        ("start", S.APPROVED, S.RUNNING),
        ("complete", S.RUNNING, S.COMPLETED),
        ("conclude", S.COMPLETED, S.CONCLUDED),
        ("promote", S.CONCLUDED, S.PROMOTED),
    ]


def test_available_moves_match_status_and_person(people):
    draft = experiment_in(S.DRAFT, people)
    pending = experiment_in(S.PENDING_APPROVAL, people)
    assert [m.action for m in available_moves(people["owner"], draft)] == ["submit", "withdraw"]
    assert available_moves(people["named_approver"], draft) == []
    assert [m.action for m in available_moves(people["named_approver"], pending)] == [
        "approve",
        "request_changes",
        "reject",
    ]
    assert [m.action for m in available_moves(people["owner"], pending)] == ["withdraw"]
    assert available_moves(people["other_approver"], pending) == []


@pytest.mark.approvals
def test_restart_is_offered_only_once_its_request_is_approved(people):
    stopped = experiment_in(S.STOPPED, people)
    assert "restart" not in [m.action for m in available_moves(people["owner"], stopped)]
    allow_restart(stopped)
    assert "restart" in [m.action for m in available_moves(people["owner"], stopped)]


# --- two people acting at once --------------------------------------------------------------


@pytest.mark.approvals
def test_a_stale_copy_loses_to_the_move_already_made(people):
    approver = people["named_approver"]
    experiment = experiment_in(S.PENDING_APPROVAL, people)
    stale = Experiment.objects.get(pk=experiment.pk)  # a second browser tab, loaded before the approval

    transition(experiment, "approve", approver)
    with pytest.raises(TransitionConflict, match="already decided") as refused:
        transition(stale, "reject", approver, reason="Too broad.")
    assert refused.value.status_code == 409

    fresh = Experiment.objects.get(pk=experiment.pk)
    assert fresh.status == S.APPROVED
    assert list(fresh.events.exclude(action="create").values_list("action", flat=True)) == ["approve"]


def test_a_change_between_read_and_update_is_a_conflict(people):
    """The other move commits after this one read the row (no row lock, e.g. SQLite) but before
    its conditional UPDATE: the UPDATE claims nothing and the move is refused."""
    approver = people["named_approver"]
    experiment = experiment_in(S.PENDING_APPROVAL, people)
    read_before_the_winner = Experiment.objects.get(pk=experiment.pk)
    transition(experiment, "approve", approver)  # the winner, with its event

    locked_read = mock.Mock()
    locked_read.get.return_value = read_before_the_winner
    with (
        mock.patch.object(Experiment.objects, "select_for_update", return_value=locked_read),
        pytest.raises(TransitionConflict) as refused,
    ):
        transition(Experiment.objects.get(pk=experiment.pk), "reject", approver, reason="Too broad.")
    assert refused.value.status_code == 409
    assert "reload" in refused.value.message

    fresh = Experiment.objects.get(pk=experiment.pk)
    assert fresh.status == S.APPROVED
    assert list(fresh.events.exclude(action="create").values_list("action", flat=True)) == ["approve"]


# --- approvers' moves are recorded votes --------------------------------------------------------


@pytest.mark.approvals
def test_an_approve_move_is_recorded_as_the_approvers_decision(people):
    experiment = experiment_in(S.DRAFT, people)
    transition(experiment, "submit", people["owner"])
    event = transition(experiment, "approve", people["named_approver"])

    assert event.action == "approve" and experiment.status == S.APPROVED
    request = experiment.approval_requests.get()
    assert request.status == "approved"
    assert list(request.decisions.values_list("approver__username", "verdict")) == [
        (people["named_approver"].username, "approve")
    ]


@pytest.mark.approvals
def test_an_approve_move_waits_for_every_approval_the_policy_requires(people, standards_keeper):
    """A sensitive experiment also needs a standards keeper: the named approver's move is a vote."""
    from experiments.models import SensitiveCategory

    experiment = experiment_in(S.DRAFT, people)
    experiment.sensitive_categories.add(SensitiveCategory.objects.get(key="personal-data"))
    transition(experiment, "submit", people["owner"])

    assert transition(experiment, "approve", people["named_approver"]) is None
    assert Experiment.objects.get(pk=experiment.pk).status == S.PENDING_APPROVAL
    event = transition(experiment, "approve", standards_keeper)
    assert event.to_status == S.APPROVED
    assert experiment.approval_requests.get().decisions.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("status", list(Status))
def test_the_key_is_free_only_until_the_first_submit(proposer, approver, status):
    """One rule for the form, the edit view and the API: new or draft, the key may change."""
    assert key_is_free(Experiment(owner=proposer, status=Status.DRAFT))
    experiment = make_experiment(proposer, approver, status=status)
    assert key_is_free(experiment) is (status == Status.DRAFT)
