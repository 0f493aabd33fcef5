"""The acknowledgement through the API: the same rule and words as the web form, and the OpenAPI
document says what the endpoints take and give."""

import pytest

from approvals.models import ApprovalRequest
from experiments.models import Status
from tests.approvals.desk_world import REQUESTED, resubmitted
from tests.approvals.web import api_client, open_request

pytestmark = pytest.mark.django_db


def _decide(user, request, **body):
    return api_client(user).post(f"/api/approvals/requests/{request.pk}/decide/", body, format="json")


def test_the_api_refuses_an_unacknowledged_infeasible_plan_then_takes_the_acknowledgement(submit, proposer, approver):
    experiment = submit(proposer, approver, expected_daily_traffic=2000)
    [item] = api_client(approver).get("/api/approvals/inbox/").json()["results"]
    assert item["needs_acknowledgement"] is True and item["plan_verdict"].startswith("Too short: needs")

    request = open_request(experiment)
    refused = _decide(approver, request, verdict="approve")
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "plan_not_acknowledged"
    assert [p["field"] for p in body["problems"]] == ["acknowledge_plan"]
    assert item["plan_verdict"] in body["detail"]
    request.refresh_from_db()
    assert request.status == ApprovalRequest.State.OPEN

    assert _decide(approver, request, verdict="approve", acknowledge_plan=True).status_code == 200
    experiment.refresh_from_db()
    assert experiment.status == Status.APPROVED


def test_a_plan_that_fits_is_approved_without_the_flag(submit, proposer, approver):
    experiment = submit(proposer, approver)
    [item] = api_client(approver).get("/api/approvals/inbox/").json()["results"]
    assert item["needs_acknowledgement"] is False and item["plan_verdict"].startswith("Fits: needs")
    assert _decide(approver, open_request(experiment), verdict="approve").status_code == 200


def test_the_api_inbox_gives_a_resubmissions_diff_and_the_approvers_request(proposer, approver):
    resubmitted(proposer, approver)
    [item] = api_client(approver).get("/api/approvals/inbox/").json()["results"]
    assert [row["field"] for row in item["diff"]] == ["title"]
    assert item["last_decision"]["verdict"] == "request_changes"
    assert item["my_last_request"]["comment"] == REQUESTED


def test_the_openapi_document_describes_the_acknowledgement(admin_user):
    schema = api_client(admin_user).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    decide = components["DecideRequest"] if "DecideRequest" in components else components["Decide"]
    assert decide["properties"]["acknowledge_plan"]["type"] == "boolean"
    inbox_item = components["InboxItem"]["properties"]
    for field in ("needs_acknowledgement", "plan_verdict", "last_decision", "my_last_request"):
        assert field in inbox_item
    responses = schema["paths"]["/api/approvals/requests/{id}/decide/"]["post"]["responses"]
    assert "acknowledge_plan" in responses["400"]["description"]


def test_the_request_list_gives_each_resubmissions_diff_in_the_same_queries(proposer, approver):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_client(approver)
    resubmitted(proposer, approver)
    with CaptureQueriesContext(connection) as one:
        body = client.get("/api/approvals/requests/", {"status": "open"}).json()
    [item] = body["results"]
    assert [row["field"] for row in item["diff"]] == ["title"]
    resubmitted(proposer, approver)
    resubmitted(proposer, approver)
    with CaptureQueriesContext(connection) as three:
        body = client.get("/api/approvals/requests/", {"status": "open"}).json()
    assert len(body["results"]) == 3 and all(item["diff"] for item in body["results"])
    assert len(three) == len(one)


def test_the_lifecycle_door_asks_the_same_acknowledgement(submit, proposer, approver):
    """POST /api/experiments/<key>/transition/ with approve is the same decision: refused without
    acknowledge_plan on an infeasible plan, taken with it."""
    experiment = submit(proposer, approver, expected_daily_traffic=2000)
    door = f"/api/experiments/{experiment.key}/transition/"
    refused = api_client(approver).post(door, {"action": "approve"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "plan_not_acknowledged"
    assert [p["field"] for p in refused.json()["problems"]] == ["acknowledge_plan"]
    experiment.refresh_from_db()
    assert experiment.status == Status.PENDING_APPROVAL

    taken = api_client(approver).post(door, {"action": "approve", "acknowledge_plan": True}, format="json")
    assert taken.status_code == 200, taken.json()
    assert taken.json()["status"] == Status.APPROVED
