"""Edits after submit withdraw approvals; amendments carry a diff; restarts need approval."""

import datetime as dt

import pytest

from approvals.models import ApprovalRequest
from approvals.services import (
    approved_snapshot,
    decide,
    request_amendment,
    request_restart,
    resubmit_after_edit,
)
from approvals.snapshots import diff_rows
from experiments.lifecycle import IllegalMove, NotPermitted, TransitionError, transition
from experiments.models import Status
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db


def test_edit_after_submit_withdraws_approvals_given(submit, proposer, approver, standards_keeper, personal_data):
    experiment = make_experiment(proposer, approver)
    experiment.sensitive_categories.add(personal_data)
    transition(experiment, "submit", proposer)
    first = experiment.approval_requests.get()
    decide(experiment, approver, "approve")

    experiment.exposure_cap_pct = 30
    experiment.save()
    second = resubmit_after_edit(experiment, proposer)

    first.refresh_from_db()
    assert first.status == "superseded"
    assert (second.status, second.snapshot.number, second.snapshot.data["exposure_cap_pct"]) == ("open", 2, "30.00")
    assert not second.decisions.exists()
    experiment.refresh_from_db()
    assert experiment.status == Status.PENDING_APPROVAL
    assert experiment.events.last().action == "resubmit"
    # The keeper's approval alone is no longer enough: the approver must approve the new snapshot.
    decide(experiment, standards_keeper, "approve")
    experiment.refresh_from_db()
    assert experiment.status == Status.PENDING_APPROVAL
    decide(experiment, approver, "approve")
    experiment.refresh_from_db()
    assert experiment.status == Status.APPROVED


def test_only_authors_resubmit_and_only_while_pending(pending, approver, proposer):
    with pytest.raises(NotPermitted):
        resubmit_after_edit(pending, approver)
    decide(pending, approver, "approve")
    with pytest.raises(IllegalMove, match="approved"):
        resubmit_after_edit(pending, proposer)


def running(proposer, approver):
    experiment = make_experiment(proposer, approver)
    transition(experiment, "submit", proposer)
    decide(experiment, approver, "approve")
    transition(experiment, "start", proposer)
    return experiment


def test_diff_rows_are_readable():
    before = {
        "exposure_cap_pct": "20.00",
        "touchpoints": ["chat"],
        "metrics": [
            {
                "metric": "fcr",
                "role": "success",
                "effect_unit": "absolute",
                "minimum_detectable_effect": 2.0,
                "non_inferiority_margin": None,
            },
            {
                "metric": "churn",
                "role": "guardrail",
                "effect_unit": "absolute",
                "minimum_detectable_effect": None,
                "non_inferiority_margin": 0.5,
            },
        ],
    }
    after = {
        "exposure_cap_pct": "30.00",
        "touchpoints": ["chat", "phone"],
        "metrics": [
            {
                "metric": "fcr",
                "role": "success",
                "effect_unit": "absolute",
                "minimum_detectable_effect": 1.5,
                "non_inferiority_margin": None,
            },
            {
                "metric": "csat",
                "role": "guardrail",
                "effect_unit": "relative",
                "minimum_detectable_effect": None,
                "non_inferiority_margin": 2.0,
            },
        ],
    }
    assert diff_rows(before, after) == [
        {"field": "touchpoints", "label": "Touchpoints", "before": "chat", "after": "chat, phone"},
        {"field": "exposure_cap_pct", "label": "Exposure cap (%)", "before": "20.00", "after": "30.00"},
        {
            "field": "metrics.churn",
            "label": "Metric churn",
            "before": "guardrail, non-inferiority margin 0.5",
            "after": "(removed)",
        },
        {
            "field": "metrics.csat",
            "label": "Metric csat",
            "before": "(not measured)",
            "after": "guardrail, non-inferiority margin 2 (relative %)",
        },
        {
            "field": "metrics.fcr",
            "label": "Metric fcr",
            "before": "success, minimum detectable effect 2",
            "after": "success, minimum detectable effect 1.5",
        },
    ]


def test_amendment_holds_the_old_contract_until_approved(proposer, approver, other_approver):
    experiment = running(proposer, approver)
    new_end = experiment.planned_end + dt.timedelta(days=7)
    request = request_amendment(
        experiment,
        proposer,
        {"exposure_cap_pct": 35, "planned_end": new_end.isoformat()},
        reason="Traffic is lower than planned.",
    )
    assert request.kind == "amendment"
    assert [
        (r["field"], r["before"], r["after"]) for r in diff_rows(request.base_snapshot.data, request.snapshot.data)
    ] == [
        ("exposure_cap_pct", "20.00", "35.00"),
        ("planned_end", experiment.planned_end.isoformat(), new_end.isoformat()),
    ]
    experiment.refresh_from_db()
    assert (experiment.status, experiment.exposure_cap_pct) == (Status.RUNNING, 20)  # old contract holds

    with pytest.raises(NotPermitted):
        decide(request, proposer, "approve")
    with pytest.raises(NotPermitted):
        decide(request, other_approver, "approve")
    decide(request, approver, "approve", "Fine for one more week")
    experiment.refresh_from_db()
    assert (experiment.status, experiment.exposure_cap_pct, experiment.planned_end) == (Status.RUNNING, 35, new_end)
    assert approved_snapshot(experiment) == request.snapshot


def test_rejected_amendment_changes_nothing(proposer, approver):
    experiment = running(proposer, approver)
    request = request_amendment(experiment, proposer, {"touchpoints": ["chat", "phone"]})
    decide(request, approver, "reject", "Phone needs its own proposal.")
    request.refresh_from_db()
    experiment.refresh_from_db()
    assert request.status == "rejected"
    assert experiment.status == Status.RUNNING
    assert list(experiment.touchpoints.values_list("key", flat=True)) == ["chat"]


def test_amendment_input_is_checked(proposer, approver, pending):
    experiment = running(proposer, approver)
    with pytest.raises(TransitionError) as refused:
        request_amendment(experiment, proposer, {"title": "New", "exposure_cap_pct": 20})
    assert refused.value.problems == [{"field": "title", "message": "Cannot be amended; propose a new experiment."}]
    with pytest.raises(TransitionError, match="changes nothing"):
        request_amendment(experiment, proposer, {"exposure_cap_pct": "20"})
    with pytest.raises(TransitionError) as refused:
        request_amendment(experiment, proposer, {"exposure_cap_pct": "lots", "touchpoints": ["moon"]})
    assert {p["field"] for p in refused.value.problems} == {"exposure_cap_pct", "touchpoints"}
    with pytest.raises(IllegalMove):
        request_amendment(pending, pending.owner, {"exposure_cap_pct": 10})
    assert not ApprovalRequest.objects.filter(kind="amendment").exists()


def test_restart_needs_an_approved_restart_request(proposer, approver, signal_owner):
    experiment = running(proposer, approver)
    transition(experiment, "stop", None, reason="Complaint rate crossed its margin.")
    with pytest.raises(IllegalMove, match="restart request is approved"):
        transition(experiment, "restart", proposer)

    request = request_restart(experiment, proposer, "The complaint spike was a billing outage, not the change.")
    with pytest.raises(IllegalMove):
        transition(experiment, "restart", proposer)  # asked, not yet approved
    decide(request, approver, "approve")
    transition(experiment, "restart", signal_owner)
    experiment.refresh_from_db()
    assert experiment.status == Status.RUNNING

    # Stopped again: the earlier approval does not cover a second restart.
    transition(experiment, "stop", None, reason="Again.")
    with pytest.raises(IllegalMove):
        transition(experiment, "restart", proposer)


def test_restart_request_needs_a_reason_and_a_stopped_experiment(proposer, approver):
    experiment = running(proposer, approver)
    with pytest.raises(IllegalMove):
        request_restart(experiment, proposer, "Why not")
    transition(experiment, "stop", None, reason="Stopped by the checks.")
    with pytest.raises(TransitionError, match="needs a reason"):
        request_restart(experiment, proposer, "")


def test_the_lifecycle_approve_button_never_decides_an_amendment(proposer, approver):
    from tests.approvals.test_entry_points import api_transition

    experiment = running(proposer, approver)
    request = request_amendment(experiment, proposer, {"exposure_cap_pct": 35})
    response = api_transition(approver, experiment, action="approve")
    assert response.status_code == 409
    assert response.json()["detail"] == "Cannot approve an experiment that is running."
    request.refresh_from_db()
    assert (request.status, request.decisions.count()) == ("open", 0)


def test_open_amendments_and_restarts_close_when_the_experiment_ends(proposer, approver):
    experiment = running(proposer, approver)
    amendment = request_amendment(experiment, proposer, {"exposure_cap_pct": 35})
    transition(experiment, "complete", None)
    amendment.refresh_from_db()
    assert amendment.status == "withdrawn"

    other = running(proposer, approver)
    transition(other, "stop", None, reason="Guardrail crossed.")
    restart = request_restart(other, proposer, "It was an outage.")
    transition(other, "conclude", proposer, outcome="invalid", lesson="We learned what the data showed.")
    restart.refresh_from_db()
    assert restart.status == "withdrawn"
