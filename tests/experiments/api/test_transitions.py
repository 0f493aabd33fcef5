"""POST /api/experiments/<key>/transition/ goes through lifecycle.transition."""

from experiments.models import ExperimentEvent, Status
from tests.factories import make_experiment, refusal_fields


def transition(client, experiment, **body):
    return client.post(f"/api/experiments/{experiment.key}/transition/", body, format="json")


def test_owner_submits_a_compliant_draft(api_as, draft, proposer):
    response = transition(api_as(proposer), draft, action="submit")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "pending_approval"
    assert response.json()["allowed_actions"] == [
        {"action": "withdraw", "label": "Withdraw", "needs_reason": False, "needs_outcome": False}
    ]
    draft.refresh_from_db()
    assert draft.status == Status.PENDING_APPROVAL
    assert draft.events.last().action == "submit"


def test_submit_refused_by_policy_lists_the_fields(api_as, proposer, approver):
    experiment = make_experiment(proposer, approver, exposure_cap_pct=80)
    experiment.metrics.filter(role="guardrail").delete()
    response = transition(api_as(proposer), experiment, action="submit")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "The proposal breaks the guardrail policy: fix the fields listed."
    fields = {p["field"] for p in body["problems"]}
    assert fields == {"metrics", "exposure_cap_pct"}
    assert any("Complaint rate is a mandatory guardrail" in p["message"] for p in body["problems"])
    experiment.refresh_from_db()
    assert experiment.status == Status.DRAFT
    assert experiment.events.count() == 1


def test_named_approver_approves(api_as, proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.PENDING_APPROVAL)
    response = transition(api_as(approver), experiment, action="approve", reason="Looks safe")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    event = experiment.events.last()
    assert (event.action, event.actor, event.reason) == ("approve", approver, "Looks safe")


def test_owner_cannot_approve_their_own_experiment(api_as, proposer, approver):
    # Even holding the approver role, and even when named as approver, the owner may not approve.
    proposer.groups.add(approver.groups.get())
    experiment = make_experiment(proposer, approver, status=Status.PENDING_APPROVAL)
    experiment.approver = proposer
    experiment.save(update_fields=["approver"])
    response = transition(api_as(proposer), experiment, action="approve")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "You cannot approve an experiment you own or co-author.",
        "code": "permission_denied",
        "problems": [],
    }
    experiment.refresh_from_db()
    assert experiment.status == Status.PENDING_APPROVAL


def test_other_approver_cannot_approve(api_as, proposer, approver, other_approver):
    experiment = make_experiment(proposer, approver, status=Status.PENDING_APPROVAL)
    response = transition(api_as(other_approver), experiment, action="approve")
    assert response.status_code == 403
    assert response.json()["detail"] == "You may not approve this experiment."


def test_illegal_move_is_a_conflict_and_changes_nothing(api_as, proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.RUNNING)
    response = transition(api_as(proposer), experiment, action="submit")
    assert response.status_code == 409
    assert response.json()["detail"] == "Cannot submit for approval an experiment that is running."
    experiment.refresh_from_db()
    assert experiment.status == Status.RUNNING
    assert not ExperimentEvent.objects.filter(experiment=experiment, action="submit").exists()


def test_unknown_action(api_as, draft, proposer):
    response = transition(api_as(proposer), draft, action="launch")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("'launch' is not an experiment action.")


def test_missing_action_is_a_field_error(api_as, draft, proposer):
    response = transition(api_as(proposer), draft)
    assert response.status_code == 400
    assert "action" in refusal_fields(response)


def test_reject_needs_a_reason(api_as, proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.PENDING_APPROVAL)
    response = transition(api_as(approver), experiment, action="reject")
    assert response.status_code == 400
    assert response.json()["problems"] == [{"field": "reason", "message": "This action needs a reason."}]


def test_conclude_with_outcome(api_as, proposer, approver):
    experiment = make_experiment(proposer, approver, status=Status.COMPLETED)
    response = transition(
        api_as(proposer), experiment, action="conclude", outcome="won", lesson="We learned what the data showed."
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["outcome"]) == ("concluded", "won")


def test_invisible_draft_is_404_for_others(api_as, draft, approver, outsider):
    for user in (approver, outsider):
        response = transition(api_as(user), draft, action="submit")
        assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_unknown_experiment_is_404(api_as, proposer):
    response = api_as(proposer).post("/api/experiments/no-such/transition/", {"action": "submit"}, format="json")
    assert response.status_code == 404
