"""In-app notifications, with their emails and webhook call written to the outbox, all in the
transaction of what they report.

A broker outage or a failed send never undoes the decision and never fails the request: the
outbox (mailing.outbox) sends the rows after commit and retries them. With a `key` naming the
event (e.g. "decision:42"), each person gets one notice, one email and the webhook one call per
key, however often the caller runs.
"""

import logging

from django.conf import settings
from django.utils import timezone

from approvals.models import Notification
from mailing import outbox
from mailing.subjects import email_subject

log = logging.getLogger(__name__)
Kind = Notification.Kind


def _new_recipients(users, key: str | None) -> dict:
    """Active users, without those who already have the notice `key`."""
    recipients = {u.pk: u for u in users if u is not None and u.is_active}
    if key and recipients:
        told = Notification.objects.filter(user__in=recipients, dedupe_key=key).values_list("user_id", flat=True)
        for pk in told:
            recipients.pop(pk, None)
    return recipients


def _write(notices: list[Notification], key: str | None) -> list[Notification]:
    if key:
        for notice in notices:
            notice.dedupe_key = key
        # A concurrent writer of the same key wins quietly (ON CONFLICT DO NOTHING).
        return Notification.objects.bulk_create(notices, ignore_conflicts=True)
    return Notification.objects.bulk_create(notices)


def notify(kind: str, experiment, users, message: str, request=None, *, key: str | None = None) -> list[Notification]:
    now = timezone.now()
    recipients = _new_recipients(users, key)
    if key and not recipients:
        return []
    rows = _write(
        [
            Notification(user=u, kind=kind, experiment=experiment, request=request, message=message, created_at=now)
            for u in recipients.values()
        ],
        key,
    )
    emails = sorted({u.email for u in recipients.values() if u.email})
    outbox.enqueue_email(emails, email_subject(Kind(kind).label, experiment.title), message, key=key)
    if settings.WEBHOOK_URL:
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
        outbox.enqueue_webhook(payload, key=key)
    return rows


def notify_about(
    kind: str, users, message: str, url: str, subject: str = "", *, email: bool = True, key: str | None = None
) -> list[Notification]:
    """A notice not about one experiment (meetings, standards): in-app and its email in the outbox
    (email=False when the caller sends its own, e.g. an invitation with an .ics attached).
    `subject`, when given, comes from mailing.subjects.email_subject()."""
    now = timezone.now()
    recipients = _new_recipients(users, key)
    rows = _write(
        [Notification(user=u, kind=kind, url=url, message=message, created_at=now) for u in recipients.values()], key
    )
    emails = sorted({u.email for u in recipients.values() if u.email}) if email else []
    outbox.enqueue_email(emails, subject or email_subject(Kind(kind).label), f"{message}\n\n{url}", key=key)
    return rows
