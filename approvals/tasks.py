"""Thin Celery tasks: the work lives in approvals.notifications, approvals.reminders and approvals.digest.

Emails and webhook calls now go through the outbox (mailing.outbox, task mailing.deliver_outbox);
send_email and deliver_webhook are no longer queued and stay for the tasks queued before."""

import urllib.error

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage

from approvals import webhook
from mailing.sending import deliver
from mailing.subjects import one_line


@shared_task(
    name="approvals.deliver_webhook",
    ignore_result=True,
    autoretry_for=(urllib.error.URLError, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
)
def deliver_webhook(payload: dict):
    if settings.WEBHOOK_URL:
        webhook.post(settings.WEBHOOK_URL, webhook.encode(payload), settings.WEBHOOK_SECRET)


@shared_task(
    name="approvals.send_email", ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5
)
def send_email(subject: str, message: str, recipients: list[str]):
    """One task per recipient, so a refused address never drops the others and a retry re-sends
    only to the one that failed (each failure is recorded by mailing.sending.deliver)."""
    recipients = list(dict.fromkeys(recipients))
    if len(recipients) > 1:
        for recipient in recipients:
            send_email.delay(subject, message, [recipient])
    elif recipients:
        deliver(EmailMessage(one_line(subject), message, None, recipients))


@shared_task(name="approvals.remind_approvers", ignore_result=True)
def remind_approvers():
    from approvals.reminders import send_reminders

    send_reminders()


@shared_task(name="approvals.send_monitoring_digest", ignore_result=True)
def send_monitoring_digest():
    from approvals.digest import send_digest

    return send_digest()
