"""A broker outage never fails a person's request: the decision or stop commits with its outbox
rows, and the emails go out once after the broker returns (mailing.outbox)."""

from unittest import mock

import pytest
from django.core.management import call_command

from approvals.services import decide
from experiments.models import Status
from mailing import outbox
from tests.approvals.web import api_client, approval_mails, open_request, web_decide
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db


def test_broker_down_the_api_approval_answers_and_the_email_goes_once_later(
    pending, approver, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(approver).post(
            f"/api/approvals/requests/{open_request(pending).pk}/decide/", {"verdict": "approve"}, format="json"
        )
    assert response.status_code == 200, response.content
    assert broker_down.called
    pending.refresh_from_db()
    assert pending.status == Status.APPROVED
    assert approval_mails() == []
    # The broker is back: the periodic task (or a later nudge) delivers, and only once.
    assert outbox.deliver_pending()["sent"] >= 2
    assert outbox.deliver_pending()["sent"] == 0
    assert sorted(m.to[0] for m in approval_mails()) == ["colin_coauthor@example.test", "priya_proposer@example.test"]


def test_broker_down_the_web_approval_answers_and_the_email_goes_once_later(
    pending, approver, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = web_decide(approver, open_request(pending), "approve")
    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.status == Status.APPROVED
    assert approval_mails() == []
    call_command("deliver_outbox", stdout=mock.MagicMock())
    call_command("deliver_outbox", stdout=mock.MagicMock())
    assert sorted(m.to[0] for m in approval_mails()) == ["colin_coauthor@example.test", "priya_proposer@example.test"]


def test_broker_down_stopping_through_the_api_answers(
    proposer, approver, broker_down, django_capture_on_commit_callbacks
):
    running = make_experiment(proposer, approver, status=Status.RUNNING)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(proposer).post(
            f"/api/experiments/{running.key}/transition/",
            {"action": "stop", "reason": "Vendor outage.", "lesson": "Check the vendor first."},
            format="json",
        )
    assert response.status_code == 200, response.content
    running.refresh_from_db()
    assert running.status == Status.STOPPED


def test_decide_without_broker_trouble_sends_after_commit(pending, approver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        decide(pending, approver, "approve")
    assert sorted(m.to[0] for m in approval_mails()) == ["colin_coauthor@example.test", "priya_proposer@example.test"]


def test_with_no_broker_at_all_approving_answers_and_the_periodic_task_sends_later(
    pending, approver, no_broker, django_capture_on_commit_callbacks
):
    """Not the nudge patched: the app's broker connection and every task publish refused."""
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(approver).post(
            f"/api/approvals/requests/{open_request(pending).pk}/decide/", {"verdict": "approve"}, format="json"
        )
    assert response.status_code == 200, response.content
    assert no_broker, "the nudge tried the broker"
    assert approval_mails() == []
    from mailing.tasks import deliver_outbox

    deliver_outbox.run()  # the worker's periodic "Deliver outbox", once the broker is back
    deliver_outbox.run()
    assert sorted(m.to[0] for m in approval_mails()) == ["colin_coauthor@example.test", "priya_proposer@example.test"]
