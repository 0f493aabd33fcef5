"""/api/approvals/experiments/<key>/…: amendments, restart and decisions; /decisions/; /notifications/."""

import csv
import io

import pytest

from approvals.models import ApprovalRequest, Notification
from experiments.lifecycle import transition
from experiments.models import Status
from tests.approvals.web import api_client, open_request, web_decide
from tests.factories import refusal_fields

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(submit, proposer, approver):
    experiment = submit(proposer, approver)
    web_decide(approver, open_request(experiment), "approve")
    experiment.refresh_from_db()
    return experiment


def amendments_url(experiment):
    return f"/api/approvals/experiments/{experiment.key}/amendments/"


def test_the_owner_requests_an_amendment_and_sees_its_diff(approved, proposer):
    response = api_client(proposer).post(
        amendments_url(approved),
        {
            "exposure_cap_pct": "35",
            "metrics": [
                {"metric": "fcr", "role": "success", "minimum_detectable_effect": 3, "baseline_rate": 70},
                {"metric": "complaint-rate", "role": "guardrail", "non_inferiority_margin": 0.5, "baseline_rate": 3},
                {"metric": "escalation-rate", "role": "guardrail", "non_inferiority_margin": 1.0, "baseline_rate": 8},
            ],
            "reason": "Smaller effects are not worth it",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["kind"] == "amendment" and body["status"] == "open" and body["base_snapshot"] == 1
    assert [row["field"] for row in body["diff"]] == ["exposure_cap_pct", "metrics.fcr"]
    listed = api_client(proposer).get(amendments_url(approved)).json()
    assert [a["id"] for a in listed] == [body["id"]]
    approved.refresh_from_db()
    assert str(approved.exposure_cap_pct) == "20.00"


def test_an_amendment_must_change_something_amendable(approved, proposer):
    empty = api_client(proposer).post(amendments_url(approved), {"reason": "Nothing"}, format="json")
    assert empty.status_code == 400
    assert refusal_fields(empty) == {None}
    same = api_client(proposer).post(
        amendments_url(approved), {"exposure_cap_pct": "20", "reason": "Same"}, format="json"
    )
    assert same.status_code == 400
    assert same.json()["detail"] == "The amendment changes nothing."


def test_bad_amendment_values_name_the_field(approved, proposer):
    response = api_client(proposer).post(
        amendments_url(approved),
        {
            "touchpoints": ["moon"],
            "reason": "Bigger",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["problems"] == [{"field": "touchpoints", "message": "Unknown: moon."}]
    response = api_client(proposer).post(
        amendments_url(approved),
        {
            "metrics": [{"metric": "fcr", "role": "success"}],
            "reason": "Bigger",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["problems"] == [
        {"field": "metrics.0.minimum_detectable_effect", "message": "A positive number for this metric's role."}
    ]


def test_only_approved_or_running_experiments_are_amended(pending, proposer):
    response = api_client(proposer).post(
        amendments_url(pending), {"exposure_cap_pct": "35", "reason": "x"}, format="json"
    )
    assert response.status_code == 409
    assert (
        response.json()["detail"] == "Only approved or running experiments are amended; this one is pending approval."
    )


def test_restart_request_then_approval(approved, proposer, approver, signal_owner):
    transition(approved, "start", proposer)
    transition(approved, "stop", signal_owner, reason="Guardrail crossed", lesson="We learned what the data showed.")
    url = f"/api/approvals/experiments/{approved.key}/restart/"
    assert api_client(proposer).post(url, {}, format="json").json()["problems"] == [
        {"field": "reason", "message": "This field is required."}
    ]
    response = api_client(signal_owner).post(url, {"reason": "The outage explains it"}, format="json")
    assert response.status_code == 201 and response.json()["kind"] == "restart"
    restart = open_request(approved, ApprovalRequest.Kind.RESTART)
    decided = api_client(approver).post(
        f"/api/approvals/requests/{restart.pk}/decide/", {"verdict": "approve"}, format="json"
    )
    assert decided.json()["status"] == "approved"
    transition(approved, "restart", proposer)
    approved.refresh_from_db()
    assert approved.status == Status.RUNNING


def test_decisions_json_and_csv(approved, approver, outsider):
    body = api_client(outsider).get(f"/api/approvals/experiments/{approved.key}/decisions/").json()
    assert [(d["approver"], d["verdict"], d["kind"]) for d in body] == [(approver.username, "approve", "proposal")]
    response = api_client(outsider).get(f"/api/approvals/experiments/{approved.key}/decisions/csv/")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 2 and rows[1][0] == approved.key


def test_all_decisions_for_standards_keepers(approved, standards_keeper, approver):
    assert api_client(standards_keeper).get("/api/approvals/decisions/").json()["count"] == 1
    csv_response = api_client(standards_keeper).get("/api/approvals/decisions/csv/")
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    refused = api_client(approver).get("/api/approvals/decisions/")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only standards keepers may read every decision."


def test_notifications_list_and_mark_read(pending, approver, other_approver):
    client = api_client(approver)
    [note] = client.get("/api/approvals/notifications/", {"unread": "true"}).json()["results"]
    assert note["kind"] == "submitted" and note["experiment"] == pending.key and note["unread"] is True
    assert api_client(other_approver).post(f"/api/approvals/notifications/{note['id']}/read/").status_code == 404
    read = client.post(f"/api/approvals/notifications/{note['id']}/read/")
    assert read.status_code == 200 and read.json()["unread"] is False
    assert client.get("/api/approvals/notifications/", {"unread": "true"}).json()["results"] == []
    assert client.get("/api/approvals/notifications/").json()["count"] == 1


def test_read_all_marks_only_your_own(pending, approver, proposer):
    web_decide(approver, open_request(pending), "reject", "No")
    assert api_client(proposer).post("/api/approvals/notifications/read-all/").json() == {"marked": 1}
    assert Notification.objects.filter(user=approver, read_at__isnull=True).count() == 1


def test_the_request_discussion(pending, approver, proposer, outsider):
    approval_request = open_request(pending)
    url = f"/api/approvals/requests/{approval_request.pk}/comments/"
    created = api_client(approver).post(url, {"body": "Why 20%?"}, format="json")
    assert created.status_code == 201 and created.json()["author"] == approver.username
    assert api_client(proposer).post(url, {"body": ""}, format="json").json()["problems"] == [
        {"field": "body", "message": "This field may not be blank."}
    ]
    refused = api_client(outsider).post(url, {"body": "Me too"}, format="json")
    assert refused.status_code == 403
    assert [c["body"] for c in api_client(outsider).get(url).json()] == ["Why 20%?"]
    detail = api_client(proposer).get(f"/api/approvals/requests/{approval_request.pk}/").json()
    assert [c["body"] for c in detail["comments"]] == ["Why 20%?"]
