"""/api/approvals/: the inbox and deciding, with the refusals a client relies on."""

import pytest

from accounts.tokens import issue
from approvals import services
from approvals.models import ApprovalRequest, Decision
from experiments.lifecycle import transition
from experiments.models import Status
from tests.approvals.web import api_client, open_request
from tests.factories import make_experiment, refusal_fields

pytestmark = pytest.mark.django_db


def decide(user, approval_request, verdict, comment=""):
    return api_client(user).post(
        f"/api/approvals/requests/{approval_request.pk}/decide/",
        {"verdict": verdict, "comment": comment},
        format="json",
    )


def test_the_inbox_lists_what_waits_with_its_evidence(pending, approver, personal_data):
    pending.sensitive_categories.add(personal_data)
    response = api_client(approver).get("/api/approvals/inbox/")
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"]) == (1, None)
    [item] = body["results"]
    assert item["experiment"] == pending.key and item["kind"] == "proposal" and item["status"] == "open"
    assert item["hypothesis"] == pending.hypothesis_sentence
    assert item["touchpoints"] == ["chat"] and item["risk_flags"] == ["personal-data"]
    assert item["plan"]["total_units"] > 0 and item["plan_error"] == ""
    assert item["overlapping"] == [] and item["more_overlapping"] is False
    assert [slot["key"] for slot in item["waiting_on"]] == ["named_approver"]


def test_the_inbox_answers_token_clients(pending, approver):
    client = api_client()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue(approver)[1]}")
    assert [i["id"] for i in client.get("/api/approvals/inbox/").json()["results"]] == [open_request(pending).pk]


def test_the_owner_inbox_is_empty(pending, proposer):
    assert api_client(proposer).get("/api/approvals/inbox/").json()["results"] == []


def test_approve_returns_the_closed_request(pending, approver):
    response = decide(approver, open_request(pending), "approve", "Fine")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "approved" and body["waiting_on"] == []
    assert [(d["approver"], d["verdict"], d["comment"], d["snapshot"]) for d in body["decisions"]] == [
        (approver.username, "approve", "Fine", 1)
    ]
    pending.refresh_from_db()
    assert pending.status == Status.APPROVED


@pytest.mark.parametrize("verdict", ["reject", "request_changes"])
def test_reject_and_request_changes_need_a_comment(pending, approver, verdict):
    response = decide(approver, open_request(pending), verdict)
    assert response.status_code == 400
    assert response.json()["problems"] == [
        {"field": "comment", "message": "Say why: rejecting or requesting changes needs a comment."}
    ]
    assert not Decision.objects.exists()


def test_an_unknown_verdict_names_the_field(pending, approver):
    response = decide(approver, open_request(pending), "maybe")
    assert response.status_code == 400 and "verdict" in refusal_fields(response)


@pytest.mark.parametrize("author", ["proposer", "co_author"])
def test_self_approval_is_refused(pending, author, approver, request):
    person = request.getfixturevalue(author)
    person.groups.add(*approver.groups.all())
    response = decide(person, open_request(pending), "approve")
    assert response.status_code == 403
    assert response.json()["detail"] == "You cannot approve an experiment you own or co-author."
    assert not Decision.objects.exists()


def test_a_double_click_answers_409(pending, approver):
    approval_request = open_request(pending)
    assert decide(approver, approval_request, "approve").status_code == 200
    again = decide(approver, approval_request, "approve")
    assert again.status_code == 409
    assert again.json()["detail"] == "You have already decided on this request; your first decision stands."
    assert Decision.objects.count() == 1


def test_the_loser_of_a_race_gets_409_with_the_outcome(submit, proposer, approver, standards_keeper, personal_data):
    """Two approvers of a two-slot request: the first rejects, the second's approval arrives too late."""
    experiment = make_experiment(proposer, approver)
    experiment.sensitive_categories.add(personal_data)
    transition(experiment, "submit", proposer)
    approval_request = open_request(experiment)
    assert decide(approver, approval_request, "reject", "Not in peak season").status_code == 200
    late = decide(standards_keeper, approval_request, "approve")
    assert late.status_code == 409
    assert late.json()["detail"] == "This request was already rejected by someone else; reload to see the outcome."


def test_amendment_diff_and_approval(submit, proposer, approver):
    experiment = submit(proposer, approver)
    decide(approver, open_request(experiment), "approve")
    amendment = services.request_amendment(experiment, proposer, {"exposure_cap_pct": "35"}, reason="More traffic")
    diff = api_client(approver).get(f"/api/approvals/requests/{amendment.pk}/diff/")
    assert diff.json() == [
        {"field": "exposure_cap_pct", "label": "Exposure cap (%)", "before": "20.00", "after": "35.00"}
    ]
    inbox = api_client(approver).get("/api/approvals/inbox/").json()["results"]
    assert [(i["kind"], i["diff"][0]["after"]) for i in inbox] == [("amendment", "35.00")]
    assert decide(approver, amendment, "approve").json()["status"] == "approved"
    experiment.refresh_from_db()
    assert str(experiment.exposure_cap_pct) == "35.00"


def test_requests_list_filters_by_status(pending, submit, proposer, approver):
    other = submit(proposer, approver)
    decide(approver, open_request(other), "reject", "No")
    body = api_client(approver).get("/api/approvals/requests/", {"status": "open"}).json()
    assert [r["experiment"] for r in body["results"]] == [pending.key]
    assert ApprovalRequest.objects.count() == 2
