"""The API: concluding against the checks is refused at /transition/; overrides are filed at
/overrides/ and answered at /overrides/<id>/agree|decline/; /verdict/ says what the record allows."""

import pytest

from experiments.models import Override, Status
from tests.experiments.verdict_scenarios import harm_stopped

pytestmark = pytest.mark.django_db


@pytest.fixture
def stopped(proposer, approver):
    experiment, _ = harm_stopped(proposer, approver)
    return experiment


def base(experiment):
    return f"/api/experiments/{experiment.key}"


def test_the_transition_endpoint_refuses_won_after_a_harm_stop(api_as, stopped, proposer):
    response = api_as(proposer).post(
        f"{base(stopped)}/transition/", {"action": "conclude", "outcome": "won"}, format="json"
    )
    assert response.status_code == 409
    body = response.json()
    assert body["problems"][0]["field"] == "outcome"
    assert "stopped this experiment for harm" in body["detail"]
    stopped.refresh_from_db()
    assert stopped.status == Status.STOPPED
    ok = api_as(proposer).post(
        f"{base(stopped)}/transition/",
        {"action": "conclude", "outcome": "invalid", "lesson": "The outage spoilt the data."},
        format="json",
    )
    assert ok.status_code == 200 and ok.json()["outcome"] == "invalid"


def test_override_through_the_api_then_won_is_allowed(api_as, stopped, proposer, standards_keeper, signal_owner):
    filed = api_as(signal_owner).post(
        f"{base(stopped)}/overrides/", {"outcome": "won", "reason": "Outage."}, format="json"
    )
    assert filed.status_code == 201, filed.json()
    assert (filed.json()["status"], filed.json()["requested_by"]) == ("requested", "sam_signal")
    override_id = filed.json()["id"]
    self_answer = api_as(signal_owner).post(f"{base(stopped)}/overrides/{override_id}/agree/", {}, format="json")
    assert self_answer.status_code == 403
    agreed = api_as(standards_keeper).post(
        f"{base(stopped)}/overrides/{override_id}/agree/", {"reason": "Seen the outage log."}, format="json"
    )
    assert agreed.status_code == 200, agreed.json()
    assert (agreed.json()["status"], agreed.json()["answered_by"]) == ("agreed", "kim_keeper")
    verdict = api_as(proposer).get(f"{base(stopped)}/verdict/").json()
    assert verdict["allowed_outcomes"] == ["won", "lost", "invalid"]
    assert verdict["override"]["status"] == "agreed" and verdict["stopped_by_check"]["outcome"] == "lost"
    assert verdict["runtime_days"] == 11
    concluded = api_as(proposer).post(
        f"{base(stopped)}/transition/", {"action": "conclude", "outcome": "won"}, format="json"
    )
    assert concluded.status_code == 200 and concluded.json()["outcome"] == "won"
    actions = [e["action"] for e in api_as(proposer).get(f"{base(stopped)}/events/").json()]
    assert actions[-3:] == ["override_requested", "override_agreed", "conclude"]


def test_api_refusals_name_the_field(api_as, stopped, proposer, approver, standards_keeper):
    no_reason = api_as(proposer).post(f"{base(stopped)}/overrides/", {"outcome": "won", "reason": ""}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["problems"][0]["field"] == "reason"
    needless = api_as(proposer).post(f"{base(stopped)}/overrides/", {"outcome": "lost", "reason": "x"}, format="json")
    assert needless.status_code == 400 and needless.json()["problems"][0]["field"] == "outcome"
    approver_files = api_as(approver).post(
        f"{base(stopped)}/overrides/", {"outcome": "won", "reason": "x"}, format="json"
    )
    assert approver_files.status_code == 403
    override_id = (
        api_as(proposer)
        .post(f"{base(stopped)}/overrides/", {"outcome": "won", "reason": "x"}, format="json")
        .json()["id"]
    )
    blank_decline = api_as(standards_keeper).post(
        f"{base(stopped)}/overrides/{override_id}/decline/", {}, format="json"
    )
    assert blank_decline.status_code == 400 and blank_decline.json()["problems"][0]["field"] == "reason"
    declined = api_as(standards_keeper).post(
        f"{base(stopped)}/overrides/{override_id}/decline/", {"reason": "Real harm."}, format="json"
    )
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    again = api_as(standards_keeper).post(f"{base(stopped)}/overrides/{override_id}/agree/", {}, format="json")
    assert again.status_code == 409
    assert (
        api_as(standards_keeper).post(f"{base(stopped)}/overrides/999999/agree/", {}, format="json").status_code == 404
    )
    listed = api_as(proposer).get(f"{base(stopped)}/overrides/").json()
    assert [(o["outcome"], o["status"]) for o in listed] == [("won", "declined")]
    assert Override.objects.get().answer_reason == "Real harm."
