"""Emails never fail silently: one-line subjects, one message per recipient, failures retried and recorded."""

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import override_settings

from approvals.notifications import notify
from approvals.tasks import send_email
from experiments.models import Experiment
from mailing.models import EmailFailure
from mailing.subjects import email_subject, one_line
from tests.factories import make_experiment

pytestmark = pytest.mark.django_db

REFUSED = "refused@example.test"


class RefusingBackend(EmailBackend):
    """The in-memory outbox, except that the SMTP server refuses one address."""

    def send_messages(self, messages):
        for message in messages:
            if REFUSED in message.recipients():
                raise smtplib.SMTPRecipientsRefused({REFUSED: (550, b"No such user")})
        return super().send_messages(messages)


@pytest.fixture
def eager_tasks():
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


def test_subjects_are_one_line():
    assert one_line("Shorter\r\nchat\u2028greeting\t ") == "Shorter chat greeting"
    subject = email_subject("Stopped by the checks", "Shorter\nchat greeting")
    assert subject == "[Pagar] Stopped by the checks: Shorter chat greeting"
    assert len(email_subject("x" * 500)) == 200


def test_a_title_with_a_newline_still_sends_the_stopped_email(
    proposer, approver, eager_tasks, django_capture_on_commit_callbacks
):
    experiment = make_experiment(proposer, approver)
    Experiment.objects.filter(pk=experiment.pk).update(title="Shorter\nchat greeting")
    experiment.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        notify("stopped", experiment, [proposer], "Shorter chat greeting was stopped by the check of today.", key="s:1")
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (
            ["priya_proposer@example.test"],
            f"[Pagar] The daily check stopped “Shorter chat greeting” ({experiment.key})",
        )
    ]
    assert not EmailFailure.objects.exists()


def test_the_task_itself_refuses_no_multiline_subject(eager_tasks):
    send_email.delay("[Pagar] Approved: two\nlines", "Body", ["priya@example.test"])
    assert mail.outbox[0].subject == "[Pagar] Approved: two lines"


@override_settings(EMAIL_BACKEND="tests.mailing.test_sending.RefusingBackend")
def test_one_refused_recipient_does_not_stop_the_others_and_is_retried_and_recorded(eager_tasks):
    send_email.delay("[Pagar] Digest", "Body", ["a@example.test", REFUSED, "b@example.test"])
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.test", "b@example.test"]
    failure = EmailFailure.objects.get()
    assert (failure.recipient, failure.subject, failure.delivered_at) == (REFUSED, "[Pagar] Digest", None)
    assert failure.attempts == 1 + send_email.max_retries  # tried, then retried until Celery gave up
    assert "SMTPRecipientsRefused" in failure.error


def test_a_later_success_marks_the_failure_delivered(eager_tasks):
    with override_settings(EMAIL_BACKEND="tests.mailing.test_sending.RefusingBackend"):
        send_email.delay("[Pagar] Digest", "Body", [REFUSED])
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        send_email.delay("[Pagar] Digest", "Body", [REFUSED])
    assert EmailFailure.objects.get().delivered_at is not None
