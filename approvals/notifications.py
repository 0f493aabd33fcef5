"""Telling people about an event: the in-app notice, the email (text and HTML, from
templates/mail/) and the webhook call, all written in the transaction of what they report.

`tell` is the one rule every sender goes through:
- each notice says who did what, to which experiment, and what to do next, with an absolute link
  straight to the action (mailing.rendering, mailing.links);
- each person reads it in their own language (mailing.language.language_for);
- each person's channels are respected (mailing.preferences: email, in-app);
- `key` names the event: each person gets one notice, one email, and the webhook one call per key,
  however often the caller runs (a retried task, a second beat).

A broker outage or a failed send never undoes the decision and never fails the request: the
outbox (mailing.outbox) sends the rows after commit and retries them.
"""

import hashlib
import logging

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from approvals.models import Notification
from mailing import outbox
from mailing.preferences import preferences_for
from mailing.rendering import display_name, render_notice

log = logging.getLogger(__name__)
Kind = Notification.Kind
KEY_LENGTH = Notification._meta.get_field("dedupe_key").max_length


def event_key(*parts) -> str:
    """A dedupe key from its parts, hashed when too long for the column."""
    key = ":".join(str(p) for p in parts)
    if len(key) <= KEY_LENGTH:
        return key
    return f"{key[:130]}#{hashlib.sha256(key.encode()).hexdigest()}"


def _new_recipients(users, key: str) -> dict:
    """Active users, without those who already have the notice `key`."""
    recipients = {u.pk: u for u in users if u is not None and u.is_active}
    if recipients:
        told = Notification.objects.filter(user__in=recipients, dedupe_key=key).values_list("user_id", flat=True)
        for pk in told:
            recipients.pop(pk, None)
    return recipients


def experiment_context(experiment) -> dict:
    if experiment is None:
        return {}
    return {"experiment": experiment, "title": experiment.title, "key": experiment.key}


def decision_url(request) -> str:
    """Where the people who decide a request act on it: its card on the experiment's page."""
    return f"{request.experiment.get_absolute_url()}#approval-request-{request.pk}"


def experiment_edit_url(experiment) -> str:
    """Where the authors act on a draft or on changes asked for: the proposal form."""
    return reverse("experiment-edit", args=[experiment.key])


def tell(
    event: str,
    users,
    *,
    key: str,
    url: str,
    kind: str | None = None,
    experiment=None,
    request=None,
    actor=None,
    context: dict | None = None,
    email: bool = True,
) -> list[Notification]:
    """Tell `users` about `event` (the name of its templates in templates/mail/); `url` is the
    path of the page where they act. `email=False` when the caller sends its own email (an
    invitation with an .ics attached). Returns the in-app notices written."""
    if not key:
        raise ValueError("Every notice names its event with a key, so that nobody is told twice.")
    now = timezone.now()
    recipients = _new_recipients(users, key)
    if not recipients:
        return []
    kind = kind or event
    values = {**experiment_context(experiment), "actor": display_name(actor), **(context or {}), "action_url": url}
    chosen = preferences_for(recipients.values())
    notices = []
    for user in recipients.values():
        rendered = render_notice(event, values, user)
        if chosen[user.pk].in_app:
            notices.append(
                Notification(
                    user=user,
                    kind=kind,
                    experiment=experiment,
                    request=request,
                    url=url,
                    message=rendered.notice,
                    created_at=now,
                    dedupe_key=key,
                )
            )
        if email and chosen[user.pk].email and user.email:
            outbox.enqueue_email([user.email], rendered.subject, rendered.text, html=rendered.html, key=key)
    # A concurrent writer of the same key wins quietly (ON CONFLICT DO NOTHING).
    rows = Notification.objects.bulk_create(notices, ignore_conflicts=True)
    if settings.WEBHOOK_URL and experiment is not None:
        _webhook(kind, experiment, request, render_notice(event, values, None).notice, recipients, now, key)
    return rows


def _webhook(kind, experiment, request, message, recipients, now, key) -> None:
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


def notify(kind: str, experiment, users, message: str, request=None, *, key: str) -> list[Notification]:
    """An event about one experiment told by another app (the monitoring's start, stop, conclusion,
    failed check): its template frames `message` as the details, the link is the experiment."""
    return tell(
        kind,
        users,
        key=key,
        url=experiment.get_absolute_url(),
        experiment=experiment,
        request=request,
        context={"details": message},
    )


def notify_about(kind: str, users, message: str, url: str, *, key: str, email: bool = True) -> list[Notification]:
    """A notice not about one experiment with a ready sentence (a meeting reminder): the generic
    templates (mail/notice.*) frame it with the link."""
    return tell("notice", users, key=key, url=url, kind=kind, context={"message": message}, email=email)
