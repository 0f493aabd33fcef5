"""In-app notifications, written with the decision; email and webhook queued after commit.

A failed send never undoes the decision: the rows are in the same transaction as the decision,
the sending only starts once it has committed.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from approvals.models import Notification
from mailing.subjects import email_subject

log = logging.getLogger(__name__)
Kind = Notification.Kind


def notify(kind: str, experiment, users, message: str, request=None) -> list[Notification]:
    now = timezone.now()
    recipients = {u.pk: u for u in users if u is not None and u.is_active}
    rows = Notification.objects.bulk_create(
        [
            Notification(user=u, kind=kind, experiment=experiment, request=request, message=message, created_at=now)
            for u in recipients.values()
        ]
    )
    emails = sorted({u.email for u in recipients.values() if u.email})
    payload = {
        "event": kind,
        "experiment": experiment.key,
        "title": experiment.title,
        "status": experiment.status,
        "request": request.pk if request is not None else None,
        "message": message,
        "recipients": sorted(u.get_username() for u in recipients.values()),
        "at": now.isoformat(),
    }
    transaction.on_commit(lambda: _queue(kind, experiment, message, emails, payload))
    return rows


def _queue(kind, experiment, message, emails, payload):
    from approvals.tasks import deliver_webhook, send_email

    try:
        if emails:
            send_email.delay(email_subject(Kind(kind).label, experiment.title), message, emails)
        if settings.WEBHOOK_URL:
            deliver_webhook.delay(payload)
    except Exception:  # the broker being down must not turn a recorded decision into an error page
        log.exception("Could not queue the %s notification for %s", kind, experiment.key)


def notify_about(
    kind: str, users, message: str, url: str, subject: str = "", *, email: bool = True
) -> list[Notification]:
    """A notice not about one experiment (meetings, standards): in-app now, email after commit
    (email=False when the caller sends its own, e.g. an invitation with an .ics attached).
    `subject`, when given, comes from mailing.subjects.email_subject()."""
    now = timezone.now()
    recipients = {u.pk: u for u in users if u is not None and u.is_active}
    rows = Notification.objects.bulk_create(
        [Notification(user=u, kind=kind, url=url, message=message, created_at=now) for u in recipients.values()]
    )
    emails = sorted({u.email for u in recipients.values() if u.email}) if email else []
    if emails:
        transaction.on_commit(
            lambda: _queue_email(subject or email_subject(Kind(kind).label), f"{message}\n\n{url}", emails)
        )
    return rows


def _queue_email(subject, message, emails):
    from approvals.tasks import send_email

    try:
        send_email.delay(subject, message, emails)
    except Exception:  # the broker being down must not undo what was recorded
        log.exception("Could not queue the email %r", subject)
