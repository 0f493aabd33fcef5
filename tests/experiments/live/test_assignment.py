"""Assignment rules: which arm a unit gets, and when it is not enrolled (GET /api/experiments/<key>/assignment/)."""

from collections import Counter

import pytest

from approvals.services import apply_contract
from approvals.snapshots import contract_of
from experiments import lifecycle
from experiments.live import assignment, assignment_buffer
from experiments.live.hashing import arm_for, is_exposed
from experiments.models import Segment, Status, Variant
from tests.experiments.api.conftest import HttpsAPIClient
from tests.experiments.live.keyed import keyed_client
from tests.factories import make_experiment

WEIGHTS = [("control", 50), ("short", 30), ("long", 20)]


@pytest.fixture
def client(outsider):
    """A service with a key for the chat touchpoint, made by someone with no role: running
    experiments are visible to every signed-in user."""
    return keyed_client(outsider)


def running(proposer, approver, **fields):
    fields.setdefault("exposure_cap_pct", 100)
    return make_experiment(proposer, approver, status=Status.RUNNING, **fields)


def ask(client, key, unit, **params):
    response = client.get(f"/api/experiments/{key}/assignment/", {"unit": unit, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_enrolled_units_get_the_arm_the_hashing_gives_in_the_stored_order(client, proposer, approver):
    experiment = running(proposer, approver, key="three-arms")
    Variant.objects.filter(experiment=experiment, key="short").update(weight=30)
    Variant.objects.create(experiment=experiment, key="long", name="Long greeting", weight=20)

    answers = {}
    for i in range(60):
        body = ask(client, "three-arms", f"customer-{i}", touchpoint="chat")
        assert body["enrolled"] is True and body["reason"] == "enrolled"
        assert body["experiment"] == "three-arms" and body["unit"] == f"customer-{i}"
        answers[f"customer-{i}"] = body["variant"]
    response = client.post(
        "/api/assignments/",
        {
            "experiment": "three-arms",
            "units": [{"unit": f"customer-{i}", "touchpoint": "chat"} for i in range(60, 1000)],
        },
        format="json",
    )
    answers.update({row["unit"]: row["variant"] for row in response.json()})

    assert answers == {unit: arm_for("three-arms", WEIGHTS, unit) for unit in answers}
    shares = Counter(answers.values())
    assert set(shares) == {"control", "short", "long"}
    assert shares["control"] > shares["short"] > shares["long"]


def test_the_same_unit_gets_the_same_arm_every_time(client, proposer, approver):
    experiment = running(proposer, approver)
    arms = {ask(client, experiment.key, "customer-7", touchpoint="chat")["variant"] for _ in range(5)}
    assert len(arms) == 1


def test_only_units_inside_the_exposure_cap_are_enrolled(client, proposer, approver):
    experiment = running(proposer, approver, exposure_cap_pct=20)
    units = [f"u{i}" for i in range(400)]
    response = client.post(
        "/api/assignments/",
        {"experiment": experiment.key, "units": [{"unit": u, "touchpoint": "chat"} for u in units]},
        format="json",
    )
    rows = response.json()
    enrolled = {row["unit"] for row in rows if row["enrolled"]}
    assert enrolled == {u for u in units if is_exposed(experiment.key, 20, u)}
    assert 40 <= len(enrolled) <= 120  # about 20% of 400
    outside = next(row for row in rows if not row["enrolled"])
    assert outside["reason"] == "outside_exposure_cap"
    assert outside["variant"] == "control"
    assert "20% exposure cap" in outside["message"]


def test_scope_rules_touchpoint_and_segment(client, proposer, approver):
    experiment = running(proposer, approver, touchpoints=("chat", "email"), segments=("new-customers",))
    key = experiment.key

    def reason(**params):
        body = ask(client, key, "customer-1", **params)
        assert body["enrolled"] is (body["reason"] == "enrolled")
        if not body["enrolled"]:
            assert body["variant"] == "control"
        return body["reason"], body["message"]

    assert reason(touchpoint="email", segment="new-customers")[0] == "enrolled"
    assert reason(touchpoint="chat", segment="new-customers")[0] == "enrolled"
    assert reason(segment="new-customers") == (
        "touchpoint_missing",
        "The experiment runs only on chat, email: give the touchpoint to enrol the unit.",
    )
    assert reason(touchpoint="phone", segment="new-customers")[0] == "touchpoint_outside_scope"
    assert reason(touchpoint="chat")[0] == "segment_missing"
    what, message = reason(touchpoint="chat", segment="business")
    assert what == "segment_outside_scope" and "'business'" in message and "new-customers" in message


def test_without_a_segment_limit_every_segment_is_enrolled(client, proposer, approver):
    experiment = running(proposer, approver, segments=())
    assert ask(client, experiment.key, "customer-1", touchpoint="chat")["enrolled"] is True
    assert ask(client, experiment.key, "customer-1", touchpoint="chat", segment="business")["enrolled"] is True


NOT_RUNNING = [status for status in Status.values if status != Status.RUNNING]


@pytest.mark.parametrize("status", NOT_RUNNING)
def test_every_status_but_running_answers_control_not_enrolled(status, proposer, approver):
    make_experiment(proposer, approver, key="fenced", status=status, exposure_cap_pct=100)
    author = HttpsAPIClient()
    author.force_login(proposer)  # the owner sees even a draft
    body = ask(author, "fenced", "customer-1", touchpoint="chat")
    assert body["enrolled"] is False
    assert body["variant"] == "control"
    assert body["reason"] == "not_running"
    assert f"is {Status(status).label.lower()}, not running" in body["message"]
    assert len(assignment_buffer.buffer) == 0  # nothing counted


def test_the_control_arm_is_served_whatever_its_key(client, proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.STOPPED)
    Variant.objects.filter(experiment=experiment, is_control=True).update(key="today")
    assert ask(client, experiment.key, "customer-1", touchpoint="chat")["variant"] == "today"


def test_a_stop_takes_effect_on_the_very_next_call(client, proposer, approver):
    experiment = running(proposer, approver)
    first = ask(client, experiment.key, "customer-1", touchpoint="chat")
    assert first["enrolled"] is True

    lifecycle.transition(
        experiment, "stop", proposer, reason="Complaints are rising.", lesson="We learned what the data showed."
    )

    second = ask(client, experiment.key, "customer-1", touchpoint="chat")
    assert (second["enrolled"], second["variant"], second["reason"]) == (False, "control", "not_running")
    assert "stopped" in second["message"]


def test_an_approved_amendment_applies_on_the_next_call(client, proposer, approver):
    experiment = running(proposer, approver)
    assert ask(client, experiment.key, "customer-1", touchpoint="chat", segment="business")["enrolled"] is True

    contract = contract_of(experiment)
    contract["segments"] = ["new-customers"]
    apply_contract(experiment, contract)  # what an approved amendment does

    body = ask(client, experiment.key, "customer-1", touchpoint="chat", segment="business")
    assert body["reason"] == "segment_outside_scope"


def test_a_segment_added_to_the_catalogue_is_known_at_once(client, proposer, approver):
    experiment = running(proposer, approver)
    assert (
        client.get(f"/api/experiments/{experiment.key}/assignment/", {"unit": "u", "segment": "students"}).status_code
        == 400
    )
    Segment.objects.create(key="students", name="Students")
    assert ask(client, experiment.key, "u", touchpoint="chat", segment="students")["enrolled"] is True


def test_assign_function_for_python_callers(proposer, approver):
    experiment = running(proposer, approver)
    answer = assignment.assign(experiment.key, "customer-1", touchpoint="chat")
    assert answer.enrolled and answer.variant == arm_for(experiment.key, [("control", 50), ("short", 50)], "customer-1")
    assert answer.as_dict()["variant"] == answer.variant
