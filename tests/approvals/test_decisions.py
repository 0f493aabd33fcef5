"""approvals.services.decide: separation of duties, one vote each, every required slot."""

import pytest

from approvals.models import ApprovalRequest, Decision
from approvals.services import DecisionConflict, decide
from approvals.slots import required_slots
from experiments.lifecycle import NotPermitted, TransitionError
from experiments.models import ExperimentEvent, Status

pytestmark = pytest.mark.django_db


def status_of(experiment):
    experiment.refresh_from_db()
    return experiment.status


def test_submit_freezes_a_snapshot_and_opens_a_request(pending, approver):
    request = pending.approval_requests.get()
    assert (request.kind, request.status, request.snapshot.number) == ("proposal", "open", 1)
    data = request.snapshot.data
    assert data["touchpoints"] == ["chat"]
    assert data["exposure_cap_pct"] == "20.00"
    assert [v["key"] for v in data["variants"]] == ["control", "short"]
    assert {m["metric"] for m in data["metrics"]} == {"fcr", "complaint-rate", "escalation-rate"}
    assert data["rules"]["max_duration_days"] == 60
    assert [s["key"] for s in request.required_slots] == ["named_approver"]


def test_the_named_approver_alone_approves_by_default(pending, approver):
    decision = decide(pending, approver, "approve", "Looks safe")
    assert status_of(pending) == Status.APPROVED
    assert (decision.slot, decision.snapshot.number) == ("named_approver", 1)
    assert pending.approval_requests.get().status == "approved"
    assert pending.events.last().action == "approve"


@pytest.mark.parametrize("author", ["proposer", "co_author"])
@pytest.mark.parametrize("verdict", ["approve", "reject", "request_changes"])
def test_authors_never_decide_even_holding_the_role(author, verdict, pending, request):
    person = request.getfixturevalue(author)
    person.groups.add(*request.getfixturevalue("approver").groups.all())
    with pytest.raises(NotPermitted, match="you own or co-author"):
        decide(pending, person, verdict, "A comment")
    assert status_of(pending) == Status.PENDING_APPROVAL
    assert not Decision.objects.exists()


def test_someone_who_fills_no_slot_is_refused(pending, other_approver, standards_keeper):
    for person in (other_approver, standards_keeper):
        with pytest.raises(NotPermitted, match="You may not approve this experiment."):
            decide(pending, person, "approve")
    assert not Decision.objects.exists()


def test_one_vote_per_approver(submit, proposer, approver, standards_keeper, personal_data):
    experiment = submit(proposer, approver)
    experiment.sensitive_categories.add(personal_data)  # added after submit: resubmitted below
    from approvals.services import resubmit_after_edit

    resubmit_after_edit(experiment, proposer)
    decide(experiment, approver, "approve")
    with pytest.raises(DecisionConflict) as refused:
        decide(experiment, approver, "approve")
    assert refused.value.status_code == 409
    assert "already decided" in refused.value.message
    assert Decision.objects.filter(approver=approver).count() == 1
    assert status_of(experiment) == Status.PENDING_APPROVAL


def test_one_vote_is_a_database_constraint(pending, approver):
    from django.db import IntegrityError, transaction

    decision = decide(pending, approver, "approve")
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(
            request=decision.request,
            snapshot=decision.snapshot,
            approver=approver,
            slot="named_approver",
            verdict="reject",
            comment="again",
            created_at=decision.created_at,
        )


def test_sensitive_experiment_needs_a_standards_keeper_too(submit, proposer, approver, standards_keeper, personal_data):
    from experiments.lifecycle import transition
    from tests.factories import make_experiment

    experiment = make_experiment(proposer, approver)
    experiment.sensitive_categories.add(personal_data)
    transition(experiment, "submit", proposer)
    request = experiment.approval_requests.get()
    assert [s["label"] for s in request.required_slots] == ["Named approver", "Standards keeper"]

    decide(experiment, approver, "approve")
    assert status_of(experiment) == Status.PENDING_APPROVAL  # the keeper has not approved yet
    assert not experiment.events.filter(action="approve").exists()
    decide(experiment, standards_keeper, "approve", "AI use is disclosed")
    assert status_of(experiment) == Status.APPROVED
    assert experiment.events.last().actor == standards_keeper
    assert sorted(request.decisions.values_list("slot", flat=True)) == ["named_approver", "role:standards_keeper:1"]


def test_touchpoint_owner_needed_when_a_policy_says_so(submit, proposer, approver, chat_owner, owner_policy):
    experiment = submit(proposer, approver)
    decide(experiment, approver, "approve")
    assert status_of(experiment) == Status.PENDING_APPROVAL
    decide(experiment, chat_owner, "approve")
    assert status_of(experiment) == Status.APPROVED


def test_policy_on_another_touchpoint_does_not_apply(proposer, approver, chat_owner, chat_backup):
    from approvals.models import ApprovalPolicy, TouchpointCharter
    from experiments.models import Touchpoint
    from tests.factories import make_experiment

    billing = Touchpoint.objects.get(key="billing")
    TouchpointCharter.objects.create(touchpoint=billing, owner=chat_owner)
    ApprovalPolicy.objects.create(name="Billing", touchpoint=billing, requirement="touchpoint_owner")
    ApprovalPolicy.objects.create(
        name="Two keepers on billing", touchpoint=billing, requirement="role", role="standards_keeper", count=2
    )
    assert [s["key"] for s in required_slots(make_experiment(proposer, approver))] == ["named_approver"]
    on_billing = make_experiment(proposer, approver, touchpoints=("chat", "billing"))
    assert [s["key"] for s in required_slots(on_billing)] == [
        "named_approver",
        "touchpoint_owner:billing",
        "role:standards_keeper:1",
        "role:standards_keeper:2",
    ]


def test_reject_needs_a_reason_and_ends_the_request(pending, approver):
    with pytest.raises(TransitionError) as refused:
        decide(pending, approver, "reject", "   ")
    assert refused.value.problems == [{"field": "reason", "message": "This action needs a reason."}]
    assert not Decision.objects.exists()
    decide(pending, approver, "reject", "Overlaps the billing redesign.")
    assert status_of(pending) == Status.REJECTED
    assert pending.approval_requests.get().status == "rejected"
    assert pending.events.last().reason == "Overlaps the billing redesign."


def test_request_changes_returns_it_to_the_owner(pending, proposer, approver):
    with pytest.raises(TransitionError, match="needs a reason"):
        decide(pending, approver, "request_changes")
    decide(pending, approver, "request_changes", "Name the segment.")
    assert status_of(pending) == Status.CHANGES_REQUESTED
    assert pending.is_editable  # back in the owner's hands
    from experiments.lifecycle import transition

    transition(pending, "submit", proposer)
    requests = list(pending.approval_requests.order_by("opened_at", "pk").values_list("status", "snapshot__number"))
    assert requests == [("changes_requested", 1), ("open", 2)]


def test_a_decided_request_refuses_a_late_second_decision_with_409(
    submit, proposer, approver, standards_keeper, personal_data
):
    from experiments.lifecycle import transition
    from tests.factories import make_experiment

    experiment = make_experiment(proposer, approver)
    experiment.sensitive_categories.add(personal_data)
    transition(experiment, "submit", proposer)
    decide(experiment, standards_keeper, "reject", "Not disclosed to customers.")
    with pytest.raises(Exception) as refused:
        decide(experiment, approver, "approve")
    # The experiment is rejected and has no open request: the move is not allowed any more.
    assert refused.value.status_code == 409
    assert status_of(experiment) == Status.REJECTED


def test_a_stale_request_object_gets_a_clear_conflict(pending, approver):
    request = pending.approval_requests.get()
    decide(pending, approver, "approve")
    with pytest.raises(DecisionConflict, match="already decided"):
        decide(request, approver, "approve")


def test_pending_without_a_request_gets_one_on_the_first_decision(proposer, approver):
    from tests.factories import make_experiment

    experiment = make_experiment(proposer, approver, status=Status.PENDING_APPROVAL)
    assert not ApprovalRequest.objects.exists()
    decide(experiment, approver, "approve")
    assert status_of(experiment) == Status.APPROVED
    assert experiment.approval_requests.get().status == "approved"


def test_withdraw_closes_the_open_request(pending, proposer):
    from experiments.lifecycle import transition

    transition(pending, "withdraw", proposer)
    assert pending.approval_requests.get().status == "withdrawn"


def test_decisions_are_append_only(pending, approver):
    decision = decide(pending, approver, "approve")
    with pytest.raises(ValueError):
        decision.save()
    with pytest.raises(ValueError):
        Decision.objects.all().delete()
    assert ExperimentEvent.objects.filter(experiment=pending, action="approve").count() == 1


def test_a_filled_role_slot_takes_no_second_approval_but_may_still_hear_an_objection(
    proposer, approver, standards_keeper, personal_data
):
    from experiments.lifecycle import transition
    from tests.factories import make_experiment, make_user

    second_keeper = make_user("kai_keeper", "standards_keeper")
    experiment = make_experiment(proposer, approver)
    experiment.sensitive_categories.add(personal_data)
    transition(experiment, "submit", proposer)
    decide(experiment, standards_keeper, "approve")
    with pytest.raises(DecisionConflict, match="standards keeper approval is already given") as refused:
        decide(experiment, second_keeper, "approve")
    assert refused.value.status_code == 409
    decide(experiment, second_keeper, "reject", "The AI wording is misleading.")
    assert status_of(experiment) == Status.REJECTED
