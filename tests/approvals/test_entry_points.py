"""The web action buttons and the API transition action decide through approvals.decide."""

import pytest
from django.urls import reverse

from approvals.models import Decision
from experiments.models import Status
from tests.experiments.api.conftest import HttpsAPIClient
from tests.experiments.web import https_client

pytestmark = pytest.mark.django_db


def api(user):
    client = HttpsAPIClient()
    client.force_login(user)
    return client


def api_transition(user, experiment, **body):
    return api(user).post(f"/api/experiments/{experiment.key}/transition/", body, format="json")


def web_transition(user, experiment, **form):
    url = reverse("experiment-transition", kwargs={"key": experiment.key})
    return https_client(user).post(url, form, follow=True)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize("author", ["proposer", "co_author"])
def test_web_refuses_self_approval(author, pending, request):
    person = request.getfixturevalue(author)
    person.groups.add(*request.getfixturevalue("approver").groups.all())
    response = web_transition(person, pending, action="approve")
    assert "You cannot approve an experiment you own or co-author." in messages_of(response)
    pending.refresh_from_db()
    assert pending.status == Status.PENDING_APPROVAL
    assert not Decision.objects.exists()


@pytest.mark.parametrize("author", ["proposer", "co_author"])
def test_api_refuses_self_approval(author, pending, request):
    person = request.getfixturevalue(author)
    person.groups.add(*request.getfixturevalue("approver").groups.all())
    response = api_transition(person, pending, action="approve")
    assert response.status_code == 403
    assert response.json()["detail"] == "You cannot approve an experiment you own or co-author."
    assert not Decision.objects.exists()


def test_web_approval_records_the_decision(pending, approver):
    response = web_transition(approver, pending, action="approve", reason="Fine")
    assert any("approved" in m for m in messages_of(response))
    decision = Decision.objects.get()
    assert (decision.approver, decision.verdict, decision.comment) == (approver, "approve", "Fine")


def test_api_partial_approval_keeps_it_pending_and_a_second_click_is_409(
    submit, proposer, approver, standards_keeper, personal_data
):
    from experiments.lifecycle import transition
    from tests.factories import make_experiment

    experiment = make_experiment(proposer, approver)
    experiment.sensitive_categories.add(personal_data)
    transition(experiment, "submit", proposer)

    first = api_transition(approver, experiment, action="approve")
    assert first.status_code == 200, first.json()
    assert first.json()["status"] == "pending_approval"
    again = api_transition(approver, experiment, action="approve")
    assert again.status_code == 409
    assert again.json()["detail"] == "You have already decided on this request; your first decision stands."

    # The standards keeper now sees the decision buttons too, and completes the approval.
    keeper = api(standards_keeper).get(f"/api/experiments/{experiment.key}/").json()
    assert [a["action"] for a in keeper["allowed_actions"]] == ["approve", "request_changes", "reject"]
    done = api_transition(standards_keeper, experiment, action="approve")
    assert done.status_code == 200
    assert done.json()["status"] == "approved"


def test_api_request_changes_needs_a_comment(pending, approver):
    response = api_transition(approver, pending, action="request_changes")
    assert response.status_code == 400
    assert response.json()["problems"] == [{"field": "reason", "message": "This action needs a reason."}]
    response = api_transition(approver, pending, action="request_changes", reason="Name the segment.")
    assert response.json()["status"] == "changes_requested"
