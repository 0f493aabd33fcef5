"""Two approvers at the same moment, or one double click: exactly one consistent outcome.

Needs real row locks, so it runs on PostgreSQL (CI runs the suite there too).
"""

from unittest import mock

import pytest

from approvals.models import Decision
from approvals.services import decide
from experiments.lifecycle import TransitionError, transition
from experiments.models import Experiment, SensitiveCategory
from tests.concurrency import POSTGRES_ONLY, at_once
from tests.factories import make_experiment, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    POSTGRES_ONLY,
]


@pytest.fixture(autouse=True)
def no_sending():
    with mock.patch("mailing.outbox.nudge"):
        yield


def submitted(seeded_catalogues, sensitive=False):
    proposer = make_user("p_proposer", "proposer")
    approver = make_user("a_approver", "approver")
    keeper = make_user("k_keeper", "standards_keeper")
    experiment = make_experiment(proposer, approver)
    if sensitive:
        experiment.sensitive_categories.add(SensitiveCategory.objects.get(key="personal-data"))
    transition(experiment, "submit", proposer)
    return experiment, approver, keeper


def test_a_double_click_records_one_vote(seeded_catalogues):
    experiment, approver, _ = submitted(seeded_catalogues)
    results = at_once(*[lambda: decide(Experiment.objects.get(pk=experiment.pk), approver, "approve")] * 2)
    wins = [r for r in results if isinstance(r, Decision)]
    losses = [r for r in results if isinstance(r, TransitionError)]
    assert (len(wins), len(losses)) == (1, 1), results
    assert losses[0].status_code == 409
    assert "already decided" in losses[0].message
    experiment.refresh_from_db()
    assert experiment.status == "approved"
    assert experiment.events.filter(action="approve").count() == 1
    assert Decision.objects.count() == 1


def test_two_approvers_at_once_approve_exactly_once(seeded_catalogues):
    experiment, approver, keeper = submitted(seeded_catalogues, sensitive=True)
    results = at_once(
        lambda: decide(Experiment.objects.get(pk=experiment.pk), approver, "approve"),
        lambda: decide(Experiment.objects.get(pk=experiment.pk), keeper, "approve"),
    )
    assert all(isinstance(r, Decision) for r in results), results
    experiment.refresh_from_db()
    assert experiment.status == "approved"
    assert experiment.events.filter(action="approve").count() == 1
    assert experiment.approval_requests.get().status == "approved"


def test_approve_and_reject_at_once_leave_one_outcome(seeded_catalogues):
    experiment, approver, _ = submitted(seeded_catalogues)
    other = make_user("b_backup", "approver")
    from approvals.models import ApprovalPolicy, TouchpointCharter
    from experiments.models import Touchpoint

    TouchpointCharter.objects.create(touchpoint=Touchpoint.objects.get(key="chat"), owner=other)
    ApprovalPolicy.objects.create(name="Chat owner", requirement="touchpoint_owner")
    transition(experiment, "withdraw", experiment.owner)  # resubmit under the new policy
    experiment = make_experiment(experiment.owner, approver)
    transition(experiment, "submit", experiment.owner)

    results = at_once(
        lambda: decide(Experiment.objects.get(pk=experiment.pk), approver, "reject", "Too broad."),
        lambda: decide(Experiment.objects.get(pk=experiment.pk), other, "reject", "Overlaps."),
    )
    wins = [r for r in results if isinstance(r, Decision)]
    losses = [r for r in results if isinstance(r, TransitionError)]
    assert (len(wins), len(losses)) == (1, 1), results
    assert losses[0].status_code == 409
    experiment.refresh_from_db()
    assert experiment.status == "rejected"
    assert experiment.events.filter(action="reject").count() == 1
