"""Send an email to each recipient on its own, so one refused address never drops the others, and
record every failure (a log line and an EmailFailure row the admin lists)."""

import copy
import logging

from django.core.mail import EmailMessage
from django.db.models import F
from django.utils import timezone

from mailing.models import EmailFailure
from mailing.subjects import one_line

log = logging.getLogger(__name__)


def split_per_recipient(message: EmailMessage) -> list[EmailMessage]:
    """One copy of the message per address in `to`, each with a one-line subject."""
    copies = []
    for recipient in dict.fromkeys(message.to):
        single = copy.copy(message)
        single.to, single.cc, single.bcc = [recipient], [], []
        single.subject = one_line(message.subject)
        copies.append(single)
    return copies


def deliver(message: EmailMessage) -> None:
    """Send a one-recipient message; on failure record it and raise (the task retries OSError)."""
    recipient = message.to[0]
    try:
        message.send()
    except Exception as exc:
        record_failure(message.subject, recipient, exc)
        raise
    EmailFailure.objects.filter(subject=message.subject[:255], recipient=recipient, delivered_at=None).update(
        delivered_at=timezone.now()
    )


def deliver_each(message: EmailMessage) -> list[str]:
    """Send to every recipient separately; returns the recipients whose send failed (recorded)."""
    failed = []
    for single in split_per_recipient(message):
        try:
            deliver(single)
        except Exception:  # recorded in deliver(); the other recipients still get theirs
            failed.append(single.to[0])
    return failed


def record_failure(subject: str, recipient: str, exc: BaseException) -> None:
    log.error("Email %r to %s failed: %s: %s", subject, recipient, type(exc).__name__, exc)
    now = timezone.now()
    subject, error = subject[:255], f"{type(exc).__name__}: {exc}"
    updated = EmailFailure.objects.filter(subject=subject, recipient=recipient, delivered_at=None).update(
        attempts=F("attempts") + 1, error=error, last_failed_at=now
    )
    if not updated:
        EmailFailure.objects.create(
            subject=subject, recipient=recipient, error=error, first_failed_at=now, last_failed_at=now
        )


def send_with_retry(task, message: EmailMessage, only: list[str] | None = None, **task_kwargs) -> None:
    """From a bound Celery task: send `message` to each recipient (or only to `only`, on a retry),
    then retry the task for the recipients that failed, and for them alone."""
    if only is not None:
        message.to = [r for r in message.to if r in only]
    failed = deliver_each(message)
    if failed:
        raise task.retry(kwargs={**task_kwargs, "recipients": failed}, countdown=60 * 2**task.request.retries)
