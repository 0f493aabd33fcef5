"""The transactional outbox: every email and webhook call is a row written in the transaction of
what it reports, and sent after commit. A broker outage or a refused address never undoes (or
fails) the person's request, nothing is lost, and nothing is sent twice.

- enqueue_email / enqueue_message / enqueue_webhook write the rows (one per recipient, so one bad
  address never holds up the others). A `key` makes them exactly-once: the row's dedupe_key is
  unique, a second enqueue of the same notice adds nothing.
- After commit the deliver task is nudged; if the broker is down the nudge is logged and dropped,
  and the periodic "Deliver outbox" task (every minute) sends the rows anyway.
- deliver_pending claims each row with a conditional UPDATE (pending and due, or a claim older
  than STALE_CLAIM whose worker died), so two workers or beats never send the same row. A failed
  send is retried after 1, 2, 4 … minutes (at most MAX_BACKOFF); after MAX_ATTEMPTS tries the
  row is marked failed, listed in the admin, and retried only by hand.
"""

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from mailing import webhook
from mailing.models import Outbox
from mailing.sending import deliver
from mailing.subjects import one_line

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_BACKOFF = dt.timedelta(minutes=60)
STALE_CLAIM = dt.timedelta(minutes=10)
BATCH = 100


# --- writing -------------------------------------------------------------------------------------


def _dedupe_key(key: str | None, part: str) -> str | None:
    if not key:
        return None
    full = f"{key}:{part}"
    if len(full) <= 255:
        return full
    return f"{full[:190]}#{hashlib.sha256(full.encode()).hexdigest()}"


def enqueue_email(
    to, subject: str, body: str, *, html: str = "", attachments=(), key: str | None = None
) -> list[Outbox]:
    """One pending row per distinct address, in the caller's transaction; the rows that were new
    are returned (with a key, an address already enqueued under it is skipped)."""
    now = timezone.now()
    subject = one_line(subject)
    files = [[name, _text(content), mimetype] for name, content, mimetype in attachments]
    rows = [
        Outbox(
            kind=Outbox.Kind.EMAIL,
            payload={"to": [address], "subject": subject, "body": body, "html": html, "attachments": files},
            dedupe_key=_dedupe_key(key, address),
            next_attempt_at=now,
            created_at=now,
        )
        for address in dict.fromkeys(a for a in to if a)
    ]
    return _write(rows)


def enqueue_message(message: EmailMessage, *, key: str | None = None) -> list[Outbox]:
    """An EmailMessage built elsewhere (e.g. with an .ics attached), one row per address in `to`."""
    html = next((content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), "")
    return enqueue_email(message.to, message.subject, message.body, html=html, attachments=message.attachments, key=key)


def enqueue_webhook(payload: dict, *, key: str | None = None, url: str = "", secret: str = "") -> list[Outbox]:
    """The signed JSON call to WEBHOOK_URL (or `url`); nothing when no URL is configured."""
    url = url or settings.WEBHOOK_URL
    if not url:
        return []
    body = webhook.encode(payload)
    headers = webhook.headers_for(body, secret or settings.WEBHOOK_SECRET)
    now = timezone.now()
    row = Outbox(
        kind=Outbox.Kind.WEBHOOK,
        payload={"url": url, "body": body.decode(), "headers": headers},
        dedupe_key=_dedupe_key(key, "webhook"),
        next_attempt_at=now,
        created_at=now,
    )
    return _write([row])


def _text(content) -> str:
    return content.decode() if isinstance(content, bytes) else str(content)


def _write(rows: list[Outbox]) -> list[Outbox]:
    if not rows:
        return []
    keys = [row.dedupe_key for row in rows if row.dedupe_key]
    taken = set(Outbox.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)) if keys else set()
    rows = [row for row in rows if row.dedupe_key not in taken]
    # ON CONFLICT DO NOTHING: a concurrent writer of the same key wins quietly, never an error that
    # would roll back the caller's decision.
    Outbox.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        _nudge_after_commit()
    return rows


def _nudge_after_commit() -> None:
    """One nudge per atomic block, however many rows it wrote (an email and a webhook call for
    one decision try a dead broker once). Django keeps each callback with the savepoints open
    when it was added; one added at this very level is enough."""
    connection = transaction.get_connection()
    here = set(connection.savepoint_ids)
    if any(sids == here and func is nudge for sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(nudge)


def nudge() -> None:
    """Ask a worker to deliver now. Never raises and never waits long on a dead broker: the
    periodic task delivers the rows anyway."""
    try:
        publish()
    except Exception as exc:  # the broker being down must not fail the request that was recorded
        log.warning("Could not nudge the outbox delivery (%s: %s); the periodic task sends it", type(exc).__name__, exc)


# A broker that refuses answers at once; one that accepts and then says nothing (a hung Redis, a
# half-open network path) would hold the person's request for as long as the socket waits, which
# by default is forever. These bound the nudge, not the worker's or beat's own connections.
# (Redis's socket options; the SQL transport hands its options to create_engine, which refuses them,
# and AMQP has connect_timeout.)
NUDGE_TIMEOUT = 2  # seconds
REDIS_SCHEMES = {"redis", "rediss", "sentinel"}
REDIS_NUDGE_OPTIONS = {"socket_timeout": NUDGE_TIMEOUT, "socket_connect_timeout": NUDGE_TIMEOUT}


def publish() -> None:
    """Queue one deliver task: one connection attempt, no publish retries, every socket wait
    bounded (a dead broker costs the request at most a few seconds)."""
    from config.celery import app
    from mailing.tasks import deliver_outbox

    if app.conf.task_always_eager:
        deliver_outbox.apply()
        return
    url = str(app.conf.broker_write_url or app.conf.broker_url or "")
    options = REDIS_NUDGE_OPTIONS if url.partition(":")[0] in REDIS_SCHEMES else {}
    with app.connection_for_write(connect_timeout=NUDGE_TIMEOUT, transport_options=options) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=NUDGE_TIMEOUT)
        deliver_outbox.apply_async(connection=connection, retry=False)


# --- sending -------------------------------------------------------------------------------------


def claimable(now) -> Q:
    due = Q(status=Outbox.Status.PENDING, next_attempt_at__lte=now)
    stale = Q(status=Outbox.Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    return due | stale


def backoff(attempts: int) -> dt.timedelta:
    """After the n-th failed try: 1, 2, 4 … minutes, at most MAX_BACKOFF."""
    return min(dt.timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def deliver_pending(limit: int = 1000) -> dict:
    """Send what is due, each row claimed first. Returns counts: {"sent", "retry", "failed"}."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    done = 0
    while done < limit:
        now = timezone.now()
        candidates = list(
            Outbox.objects.filter(claimable(now)).order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:BATCH]
        )
        if not candidates:
            break
        for pk in candidates:
            if done >= limit:
                break
            row = claim(pk)
            if row is None:
                continue  # another worker took it
            done += 1
            counts[send(row)] += 1
    return counts


def claim(pk: int) -> Outbox | None:
    """The conditional UPDATE: the row is ours only if it is still claimable when we write."""
    now = timezone.now()
    claimed = Outbox.objects.filter(claimable(now), pk=pk).update(
        status=Outbox.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    return Outbox.objects.get(pk=pk) if claimed else None


def send(row: Outbox) -> str:
    """Send one claimed row and record the result; returns "sent", "retry" or "failed"."""
    try:
        if row.kind == Outbox.Kind.EMAIL:
            deliver(email_of(row.payload))
        else:
            payload = row.payload
            webhook.post_signed(payload["url"], payload["body"].encode(), payload["headers"])
    except Exception as exc:
        return _failed(row, exc)
    Outbox.objects.filter(pk=row.pk, status=Outbox.Status.SENDING, claimed_at=row.claimed_at).update(
        status=Outbox.Status.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


def email_of(payload: dict) -> EmailMessage:
    message = EmailMultiAlternatives(payload["subject"], payload["body"], None, payload["to"])
    if payload.get("html"):
        message.attach_alternative(payload["html"], "text/html")
    for name, content, mimetype in payload.get("attachments") or []:
        message.attach(name, content, mimetype)
    return message


def _failed(row: Outbox, exc: BaseException) -> str:
    now = timezone.now()
    error = f"{type(exc).__name__}: {exc}"[:2000]
    final = row.attempts >= MAX_ATTEMPTS
    log.warning("Outbox %s (%s) failed, try %s of %s: %s", row.pk, row.summary, row.attempts, MAX_ATTEMPTS, error)
    Outbox.objects.filter(pk=row.pk, status=Outbox.Status.SENDING, claimed_at=row.claimed_at).update(
        status=Outbox.Status.FAILED if final else Outbox.Status.PENDING,
        next_attempt_at=now if final else now + backoff(row.attempts),
        last_error=error,
    )
    return "failed" if final else "retry"


def retry_failed(rows=None) -> int:
    """Failed rows (or those of `rows` that failed) back in the queue, with a fresh count of tries."""
    rows = Outbox.objects.all() if rows is None else rows
    return rows.filter(status=Outbox.Status.FAILED).update(
        status=Outbox.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_at=None
    )
