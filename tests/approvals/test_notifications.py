"""In-app rows written with the decision; email and webhook queued only after commit."""

from unittest import mock

import pytest
from django.core import mail
from django.test import override_settings

from kombu.exceptions import OperationalError

from approvals.models import Notification
from approvals.services import decide
from experiments.lifecycle import transition
from mailing.models import Outbox
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db


def test_submit_notifies_the_approver_after_commit(proposer, approver, django_capture_on_commit_callbacks):
    experiment = make_experiment(proposer, approver)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        transition(experiment, "submit", proposer)
    assert list(Notification.objects.values_list("user__username", "kind")) == [("alex_approver", "submitted")]
    assert len(mail.outbox) == 0  # nothing sent before the commit
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        from config.celery import app

        app.conf.task_always_eager = True
        try:
            for callback in callbacks:
                callback()
        finally:
            app.conf.task_always_eager = False
    assert [m.to for m in mail.outbox] == [["alex_approver@example.test"]]
    assert "asks you to approve" in mail.outbox[0].body
    request = experiment.approval_requests.get()
    assert f"http://127.0.0.1:8000/experiments/{experiment.key}/#approval-request-{request.pk}" in mail.outbox[0].body


def test_decision_notifies_the_authors(pending, proposer, co_author, approver, django_capture_on_commit_callbacks):
    earlier = list(Outbox.objects.values_list("pk", flat=True))  # the submission's email to the approver
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        decide(pending, approver, "request_changes", "Name the segment.")
    assert len(callbacks) == 1  # the outbox's nudge
    rows = Notification.objects.filter(kind="changes_requested")
    assert sorted(rows.values_list("user__username", flat=True)) == ["colin_coauthor", "priya_proposer"]
    assert "Name the segment." in rows.first().message
    pending_mail = Outbox.objects.filter(kind="email", status="pending").exclude(pk__in=earlier)
    assert sorted(r.payload["to"][0] for r in pending_mail) == [
        "colin_coauthor@example.test",
        "priya_proposer@example.test",
    ]
    assert len(mail.outbox) == 0
    callbacks[0]()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "alex_approver@example.test",
        "colin_coauthor@example.test",
        "priya_proposer@example.test",
    ]
    assert set(Outbox.objects.values_list("status", flat=True)) == {"sent"}


@override_settings(WEBHOOK_URL="http://127.0.0.1:9/hook")
def test_a_failing_send_does_not_undo_the_decision(pending, approver, django_capture_on_commit_callbacks):
    with (
        mock.patch("mailing.outbox.publish", side_effect=OperationalError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        decide(pending, approver, "approve")
    pending.refresh_from_db()
    assert pending.status == "approved"
    assert Notification.objects.filter(kind="approved").exists()
    assert Outbox.objects.filter(kind="webhook", status="pending").count() == 1
    assert Outbox.objects.filter(kind="email", status="pending").exists()
    assert len(mail.outbox) == 0


def test_a_refused_decision_queues_nothing(pending, proposer, django_capture_on_commit_callbacks):
    from experiments.lifecycle import NotPermitted

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(NotPermitted):
        decide(pending, proposer, "approve")
    assert callbacks == []
    assert not Notification.objects.filter(kind="approved").exists()
