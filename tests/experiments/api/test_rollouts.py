"""The API: POST /rollout/ ships a won experiment's winning arm, POST /rollout/revert/ takes it back,
GET /rollout/ says what customers in scope get; permissions and the won-only rule as refusals."""

import pytest
from drf_spectacular.validation import validate_schema

from experiments.models import Rollout, Status
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db


@pytest.fixture
def won(proposer, approver):
    return make_experiment(proposer, approver, key="won", status=Status.CONCLUDED, outcome="won")


def url(experiment, tail=""):
    return f"/api/experiments/{experiment.key}/rollout/{tail}"


@pytest.mark.parametrize("role", ["proposer", "co_author", "admin_user"])
def test_authors_and_admins_roll_out_and_revert(request, api_as, won, co_author, role):
    won.co_authors.add(co_author)
    client = api_as(request.getfixturevalue(role))
    made = client.post(url(won), {"reason": "Clear win."}, format="json")
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["variant"] == "short" and body["in_force"] is True and body["reason"] == "Clear win."
    state = client.get(url(won)).json()
    assert state["serving"] == "short" and state["rollout"]["id"] == body["id"] and state["may_revert"] is True
    assert state["may_roll_out"] is False and "rolled out already" in state["refusal"]

    reverted = client.post(url(won, "revert/"), {}, format="json")
    assert reverted.status_code == 200 and reverted.json()["in_force"] is False
    assert client.get(url(won)).json()["serving"] == "control"
    actions = [e["action"] for e in client.get(f"/api/experiments/{won.key}/events/").json()]
    assert actions[-2:] == ["rolled_out", "rollout_reverted"]


@pytest.mark.parametrize("role", ["approver", "signal_owner", "standards_keeper", "outsider"])
def test_others_are_refused_with_the_reason(request, api_as, won, proposer, role):
    client = api_as(request.getfixturevalue(role))
    refused = client.post(url(won), {}, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert "owner, its co-authors and administrators" in refused.json()["detail"]
    assert not Rollout.objects.exists()
    api_as(proposer).post(url(won), {}, format="json")
    assert client.post(url(won, "revert/"), {}, format="json").status_code == 403
    state = client.get(url(won)).json()
    assert state["may_roll_out"] is False and state["may_revert"] is False and state["serving"] == "short"


@pytest.mark.parametrize("outcome", ["lost", "inconclusive", "invalid"])
def test_a_not_won_experiment_is_refused_naming_the_rule(api_as, proposer, approver, outcome):
    lost = make_experiment(proposer, approver, status=Status.CONCLUDED, outcome=outcome)
    refused = api_as(proposer).post(url(lost), {}, format="json")
    assert refused.status_code == 409
    body = refused.json()
    assert body["code"] == "illegal_move" and "Only a won experiment can be rolled out" in body["detail"]
    assert not Rollout.objects.exists()


def test_running_is_refused_and_nothing_to_revert_is_409(api_as, proposer, approver, won):
    running = make_experiment(proposer, approver, status=Status.RUNNING)
    assert api_as(proposer).post(url(running), {}, format="json").status_code == 409
    nothing = api_as(proposer).post(url(won, "revert/"), {}, format="json")
    assert nothing.status_code == 409 and "nothing to revert" in nothing.json()["detail"]


def test_an_unknown_arm_is_a_400_naming_the_field(api_as, proposer, won):
    refused = api_as(proposer).post(url(won), {"variant": "control"}, format="json")
    assert refused.status_code == 400
    assert [p["field"] for p in refused.json()["problems"]] == ["variant"]
    assert api_as(proposer).post(url(won), {"variant": 3}, format="json").status_code == 400


def test_a_draft_of_someone_else_is_404(api_as, proposer, approver, outsider):
    draft = make_experiment(proposer, approver, key="private")
    assert api_as(outsider).post(url(draft), {}, format="json").status_code == 404


def test_the_schema_documents_rollout_and_the_rolled_out_reason(api_as, outsider):
    schema = api_as(outsider).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    validate_schema(schema)
    rollout = schema["paths"]["/api/experiments/{key}/rollout/"]
    assert {"201", "400", "403", "404", "409"} <= set(rollout["post"]["responses"])
    assert "200" in rollout["get"]["responses"]
    revert = schema["paths"]["/api/experiments/{key}/rollout/revert/"]["post"]
    assert {"200", "403", "404", "409"} <= set(revert["responses"])
    assignment = schema["components"]["schemas"]["Assignment"]["properties"]
    enum = schema["components"]["schemas"]["AssignmentReasonEnum"]["enum"]
    assert assignment["reason"]["allOf"] == [{"$ref": "#/components/schemas/AssignmentReasonEnum"}]
    assert "rolled_out" in enum and "enrolled" in enum
    assert assignment["standard"]["nullable"] is True
