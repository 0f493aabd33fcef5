"""Submitted proposals, charters and policies for the approval tests."""

import pytest

from approvals.models import ApprovalPolicy, TouchpointCharter
from experiments.lifecycle import transition
from experiments.models import SensitiveCategory, Touchpoint
from tests.factories import make_experiment, make_user


@pytest.fixture
def submit():
    """submit(owner, approver, **fields): a compliant proposal, submitted through the lifecycle."""

    def submitted(owner, approver, **fields):
        experiment = make_experiment(owner, approver, **fields)
        transition(experiment, "submit", owner)
        return experiment

    return submitted


@pytest.fixture
def pending(submit, proposer, co_author, approver):
    experiment = submit(proposer, approver)
    experiment.co_authors.add(co_author)
    return experiment


@pytest.fixture
def chat_owner(db):
    return make_user("tess_touchpoint", "approver")


@pytest.fixture
def chat_backup(db):
    return make_user("bill_backup", "approver")


@pytest.fixture
def chat_charter(chat_owner, chat_backup):
    return TouchpointCharter.objects.create(
        touchpoint=Touchpoint.objects.get(key="chat"), owner=chat_owner, backup=chat_backup
    )


@pytest.fixture
def owner_policy(chat_charter):
    return ApprovalPolicy.objects.create(
        name="Chat changes need the chat owner",
        touchpoint=chat_charter.touchpoint,
        requirement=ApprovalPolicy.Requirement.TOUCHPOINT_OWNER,
    )


@pytest.fixture
def personal_data():
    return SensitiveCategory.objects.get(key="personal-data")
