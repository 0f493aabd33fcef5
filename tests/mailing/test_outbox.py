"""The transactional outbox: written with the decision, sent after commit, once, retried with
backoff, never failing the person's request when the broker is down."""

import datetime as dt
import smtplib
import time
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from mailing import outbox
from mailing.models import Outbox
from tests.mailing.test_sending import REFUSED, RefusingBackend

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


# --- writing ------------------------------------------------------------------------------------


def test_one_row_per_recipient_written_in_the_callers_transaction():
    with transaction.atomic():
        rows = outbox.enqueue_email(["a@example.test", "b@example.test", "a@example.test"], "Hi\nthere", "Body")
    assert [r.payload["to"] for r in rows] == [["a@example.test"], ["b@example.test"]]
    assert set(Outbox.objects.values_list("status", "payload__subject")) == {("pending", "Hi there")}


def test_a_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox.enqueue_email(["a@example.test"], "Subject", "Body")
        raise RuntimeError("the decision failed")
    assert callbacks == []
    assert not Outbox.objects.exists()
    assert outbox.deliver_pending() == {"sent": 0, "retry": 0, "failed": 0}
    assert mail.outbox == []


def test_a_key_enqueues_once():
    outbox.enqueue_email(["a@example.test"], "Subject", "Body", key="decision:1")
    outbox.enqueue_email(["a@example.test", "b@example.test"], "Subject", "Body", key="decision:1")
    assert sorted(Outbox.objects.values_list("dedupe_key", flat=True)) == [
        "decision:1:a@example.test",
        "decision:1:b@example.test",
    ]
    outbox.deliver_pending()
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.test", "b@example.test"]


@override_settings(WEBHOOK_URL="http://hooks.example.test/pagar", WEBHOOK_SECRET="s3cret")
def test_the_webhook_is_signed_when_written_and_posted_by_the_outbox():
    from mailing import webhook

    [row] = outbox.enqueue_webhook({"event": "approved"}, key="decision:1")
    body = row.payload["body"].encode()
    assert row.payload["headers"][webhook.SIGNATURE_HEADER] == webhook.signature(body, "s3cret")
    with mock.patch.object(webhook, "post_signed", return_value=200) as post:
        assert outbox.deliver_pending()["sent"] == 1
    post.assert_called_once_with("http://hooks.example.test/pagar", body, row.payload["headers"])


def test_no_webhook_url_no_row():
    assert outbox.enqueue_webhook({"event": "approved"}) == []
    assert not Outbox.objects.exists()


# --- the broker down ----------------------------------------------------------------------------


def test_the_real_nudge_gives_up_quickly_on_a_dead_broker(monkeypatch, caplog):
    """The real publish (not the tests' stand-in worker) against a broker on a closed port: the
    nudge returns within seconds and says so in the log."""
    from config.celery import app

    monkeypatch.undo()  # the autouse _outbox_worker's stand-in
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # Celery reads it before its settings
    saved = app.conf.broker_url, app.conf.broker_write_url
    app.conf.broker_url, app.conf.broker_write_url = "redis://127.0.0.1:1/0", None
    try:
        started = time.monotonic()
        outbox.nudge()
        elapsed = time.monotonic() - started
    finally:
        app.conf.broker_url, app.conf.broker_write_url = saved
    assert elapsed < 10
    assert "Could not nudge the outbox delivery" in caplog.text


# --- delivering ---------------------------------------------------------------------------------


def test_two_deliveries_at_once_send_each_row_once():
    outbox.enqueue_email(["a@example.test", "b@example.test"], "Subject", "Body")
    pks = list(Outbox.objects.values_list("pk", flat=True))
    # The second worker read the same candidates, but the first claimed them in between.
    first = [outbox.claim(pk) for pk in pks]
    assert all(row is not None for row in first)
    assert [outbox.claim(pk) for pk in pks] == [None, None]
    for row in first:
        outbox.send(row)
    assert outbox.deliver_pending() == {"sent": 0, "retry": 0, "failed": 0}
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.test", "b@example.test"]


def test_a_claim_left_by_a_dead_worker_is_taken_again_after_ten_minutes():
    with time_machine.travel(NOW, tick=False):
        outbox.enqueue_email(["a@example.test"], "Subject", "Body")
        assert outbox.claim(Outbox.objects.get().pk) is not None  # then the worker died
    with time_machine.travel(NOW + dt.timedelta(minutes=9), tick=False):
        assert outbox.deliver_pending()["sent"] == 0
    with time_machine.travel(NOW + dt.timedelta(minutes=11), tick=False):
        assert outbox.deliver_pending()["sent"] == 1
    row = Outbox.objects.get()
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(mail.outbox) == 1


@override_settings(EMAIL_BACKEND="tests.mailing.test_sending.RefusingBackend")
def test_backoff_then_failed_after_eight_tries_then_retried_by_hand():
    assert RefusingBackend  # the backend the settings name
    with time_machine.travel(NOW, tick=False) as clock:
        outbox.enqueue_email([REFUSED], "Subject", "Body")
        waits = []
        for _ in range(outbox.MAX_ATTEMPTS):
            outcome = outbox.deliver_pending()
            row = Outbox.objects.get()
            assert outbox.deliver_pending() == {"sent": 0, "retry": 0, "failed": 0}  # not due yet
            if row.status == "failed":
                assert outcome["failed"] == 1
                break
            waits.append(round((row.next_attempt_at - timezone.now()).total_seconds() / 60))
            clock.move_to(row.next_attempt_at)
    assert waits == [1, 2, 4, 8, 16, 32, 60]
    assert (row.status, row.attempts) == ("failed", 8)
    assert "SMTPRecipientsRefused" in row.last_error
    assert outbox.deliver_pending()["sent"] == 0  # failed rows wait for a person
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        call_command("deliver_outbox", "--retry-failed", stdout=mock.MagicMock())
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 1)


@override_settings(EMAIL_BACKEND="tests.mailing.test_sending.RefusingBackend")
def test_one_bad_recipient_does_not_block_the_others():
    outbox.enqueue_email(["a@example.test", REFUSED, "b@example.test"], "Subject", "Body")
    assert outbox.deliver_pending() == {"sent": 2, "retry": 1, "failed": 0}
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.test", "b@example.test"]
    refused = Outbox.objects.get(status="pending")
    assert refused.payload["to"] == [REFUSED] and refused.attempts == 1


def test_a_failing_webhook_is_retried_later():
    with override_settings(WEBHOOK_URL="http://127.0.0.1:9/hook"):
        outbox.enqueue_webhook({"event": "approved"})
    with mock.patch("mailing.webhook.post_signed", side_effect=smtplib.socket.timeout("timed out")):
        assert outbox.deliver_pending() == {"sent": 0, "retry": 1, "failed": 0}
    assert "timed out" in Outbox.objects.get().last_error


def test_the_admin_lists_counts_and_retries(admin_user, client):
    outbox.enqueue_email(["a@example.test", "b@example.test"], "Subject", "Body")
    Outbox.objects.filter(payload__to=["b@example.test"]).update(status="failed", attempts=8)
    client.force_login(admin_user)
    response = client.get("/admin/mailing/outbox/", secure=True)
    assert response.status_code == 200
    assert "pending: 1" in response.content.decode() and "failed: 1" in response.content.decode()
    failed = Outbox.objects.get(status="failed")
    response = client.post(
        "/admin/mailing/outbox/", {"action": "retry", "_selected_action": [failed.pk]}, secure=True, follow=True
    )
    assert response.status_code == 200
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)


def test_the_periodic_task_is_declared():
    from cadence.schedule import PERIODIC_TASKS

    spec = PERIODIC_TASKS[-1]
    assert (spec.name, spec.task, spec.every_seconds) == ("Deliver outbox", "mailing.deliver_outbox", 60)


@override_settings(WEBHOOK_URL="http://hooks.example.test/pagar")
def test_one_nudge_per_transaction(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        outbox.enqueue_email(["a@example.test"], "One", "Body")
        outbox.enqueue_email(["b@example.test"], "Two", "Body")
        outbox.enqueue_webhook({"event": "approved"})
    assert callbacks == [outbox.nudge]


def test_a_nudge_rolled_back_with_its_savepoint_is_asked_again(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            outbox.enqueue_email(["a@example.test"], "Gone", "Body")
            raise RuntimeError
        outbox.enqueue_email(["b@example.test"], "Kept", "Body")
    assert callbacks == [outbox.nudge]
    assert list(Outbox.objects.values_list("payload__subject", flat=True)) == ["Kept"]
