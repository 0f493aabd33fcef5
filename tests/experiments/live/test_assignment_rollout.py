"""A won experiment rolled out answers its winning arm from the assignment API, to everyone in
scope and uncounted; reverted, control again, at once."""

import pytest

from experiments import rollouts
from experiments.live import assignment_buffer
from experiments.live.assignment_buffer import flush_assignments
from experiments.models import AssignmentCount, Status
from tests.experiments.live.keyed import keyed_client
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db

UNITS = [f"cust-{n}" for n in range(40)]


@pytest.fixture
def won(proposer, approver):
    # A small exposure cap: while it ran most units were outside; a rollout serves everyone.
    return make_experiment(
        proposer, approver, key="greeting", status=Status.CONCLUDED, outcome="won", exposure_cap_pct=5
    )


@pytest.fixture
def service(outsider, won):
    return keyed_client(outsider, [won])


def ask(client, unit, **params):
    response = client.get("/api/experiments/greeting/assignment/", {"unit": unit, "touchpoint": "chat", **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_rolled_out_answers_the_winning_arm_to_everyone_in_scope_then_control_once_reverted(service, won, proposer):
    before = [ask(service, unit) for unit in UNITS]
    assert {(a["variant"], a["reason"], a["enrolled"]) for a in before} == {("control", "not_running", False)}

    rollouts.roll_out(won, proposer)
    answers = [ask(service, unit) for unit in UNITS]
    assert {(a["variant"], a["reason"], a["enrolled"], a["counted"]) for a in answers} == {
        ("short", "rolled_out", False, False)
    }
    assert answers[0]["standard"] is None
    assert "serve arm 'short' to everyone" in answers[0]["message"]

    rollouts.revert(won, proposer)
    after = [ask(service, unit) for unit in UNITS]
    assert {(a["variant"], a["reason"]) for a in after} == {("control", "not_running")}


def test_the_answer_changes_at_once_in_a_process_that_cached_the_experiment(service, won, proposer):
    assert ask(service, "u1")["variant"] == "control"  # cached now
    # Another process rolls it out: this one's cache is not cleared, but updated_at moved.
    rollouts.roll_out(won, proposer)
    assert ask(service, "u1")["reason"] == "rolled_out"


def test_outside_the_scope_still_control(proposer, approver, outsider):
    won = make_experiment(
        proposer, approver, key="greeting", status=Status.CONCLUDED, outcome="won", segments=("business",)
    )
    rollouts.roll_out(won, proposer)
    service = keyed_client(outsider, [won])
    assert ask(service, "u1", segment="business")["variant"] == "short"
    assert ask(service, "u1")["reason"] == "segment_missing"
    outside = ask(service, "u1", touchpoint="phone", segment="business")
    assert (outside["variant"], outside["reason"]) == ("control", "touchpoint_outside_scope")


def test_rolled_out_answers_are_not_counted_for_the_sample_ratio_test(service, won, proposer):
    rollouts.roll_out(won, proposer)
    response = service.post(
        "/api/assignments/",
        {"experiment": "greeting", "units": [{"unit": u, "touchpoint": "chat"} for u in UNITS]},
        format="json",
    )
    assert response.status_code == 200
    assert {row["reason"] for row in response.json()} == {"rolled_out"}
    assert len(assignment_buffer.buffer) == 0
    flush_assignments()
    assert not AssignmentCount.objects.filter(experiment=won).exists()


def test_promoted_answers_carry_the_standard(service, won, proposer):
    from experiments.models import Experiment

    Experiment.objects.filter(pk=won.pk).update(status=Status.PROMOTED)
    won.refresh_from_db()
    rollouts.roll_out_promoted(won, "S-3")
    answer = ask(service, "u1")
    assert (answer["variant"], answer["reason"], answer["standard"]) == ("short", "rolled_out", "S-3")
    assert "standard S-3" in answer["message"]
    # Archived later: still served until someone reverts it.
    Experiment.objects.filter(pk=won.pk).update(status=Status.ARCHIVED)
    assert ask(service, "u2")["reason"] == "rolled_out"
