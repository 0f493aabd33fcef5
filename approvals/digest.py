"""The daily monitoring digest: what the slot changed since the last digest, to every signal owner,
each told only of the experiments they own the signals of (experiments.charter).

The latest DIGEST notification's time remembers the last run (each digest writes one in-app DIGEST
notification per signal owner and experiment it mentions). When nothing changed, nothing is sent
and nothing written, so the next digest covers the gap. Each owner gets at most one digest a day
(DigestClaim): a second beat the same day sends nothing, and its news waits for tomorrow's.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from approvals.models import DigestClaim, Notification
from experiments.charter import signal_owners_of
from experiments.live.monitoring import signal_owners
from experiments.models import Check, ExperimentEvent
from mailing import outbox
from mailing.links import absolute
from mailing.preferences import preferences_for
from mailing.rendering import reading_as, render_text
from mailing.subjects import email_subject

# Without an earlier digest, the first one covers the last day.
FIRST_DIGEST_COVERS = dt.timedelta(days=1)
# Lifecycle moves the digest reports, in the order a busy reader needs them.
MOVES = {"stop": gettext_lazy("Stopped"), "conclude": gettext_lazy("Concluded"), "start": gettext_lazy("Started")}
# What an error check's sentence starts with, taken off where the line already says "Could not check".
ERROR_PREFIX = "Could not check: %(error)s."


@dataclass
class ExperimentNews:
    experiment: object
    moves: list = field(default_factory=list)  # ExperimentEvent
    checks: list = field(default_factory=list)  # Check

    def lines(self) -> list[str]:
        """The experiment's news, in the active language."""
        title = f"“{self.experiment.title}” ({self.experiment.key})"
        lines = []
        for event in self.moves:
            who = _("by the daily check") if event.actor is None else _("by %(person)s") % {"person": event.actor_label}
            move = MOVES[event.action]
            if event.outcome:
                move = _("%(move)s as %(outcome)s") % {"move": move, "outcome": event.get_outcome_display().lower()}
            line = _("%(move)s %(who)s: %(title)s.") % {"move": move, "who": who, "title": title}
            why = event.display_reason if event.reason and event.action != "start" else ""
            lines.append(f"{line} {why}" if why else line)
        moved = {event.action for event in self.moves}
        prefix = _(ERROR_PREFIX).split("%(error)s")[0]
        for check in self.checks:
            if check.action in moved:
                continue  # the stop or conclusion above already says it, with the same sentence
            words = {"title": title, "day": date_format(check.look_date, "DATE_FORMAT")}
            if check.action == Check.Action.ERROR:
                words["sentence"] = check.display_sentence.removeprefix(prefix)
                lines.append(_("Could not check %(title)s for %(day)s: %(sentence)s") % words)
            else:
                words["sentence"] = check.display_sentence
                lines.append(_("Checked %(title)s for %(day)s: %(sentence)s") % words)
        return lines


def last_digest_at():
    return Notification.objects.filter(kind=Notification.Kind.DIGEST).aggregate(at=Max("created_at"))["at"]


def changes_between(since, until) -> list[ExperimentNews]:
    """Lifecycle moves (start, stop, conclusion) and checks recorded in (since, until], grouped by
    experiment; stops first, then conclusions, errors, starts, and plain checks last."""
    news: dict[int, ExperimentNews] = {}
    moves = (
        ExperimentEvent.objects.filter(action__in=MOVES, created_at__gt=since, created_at__lte=until)
        .select_related("experiment", "actor")
        .order_by("created_at", "pk")
    )
    for event in moves:
        news.setdefault(event.experiment_id, ExperimentNews(event.experiment)).moves.append(event)
    checks = (
        Check.objects.filter(created_at__gt=since, created_at__lte=until)
        .select_related("experiment")
        .order_by("created_at", "pk")
    )
    for check in checks:
        news.setdefault(check.experiment_id, ExperimentNews(check.experiment)).checks.append(check)

    def urgency(item: ExperimentNews):
        actions = {e.action for e in item.moves}
        errors = any(c.action == Check.Action.ERROR for c in item.checks)
        rank = (
            0 if "stop" in actions else 1 if "conclude" in actions else 2 if errors else 3 if "start" in actions else 4
        )
        return rank, item.experiment.key

    return sorted(news.values(), key=urgency)


def compose(news: list[ExperimentNews], since, until) -> tuple[str, str]:
    """(subject, body) of the digest email."""
    stops = sum(1 for n in news for e in n.moves if e.action == "stop")
    conclusions = sum(1 for n in news for e in n.moves if e.action == "conclude")
    starts = sum(1 for n in news for e in n.moves if e.action == "start")
    checks = sum(len(n.checks) for n in news)
    errors = sum(1 for n in news for c in n.checks if c.action == Check.Action.ERROR)
    counts = [
        _("%(n)s stopped") % {"n": stops},
        _("%(n)s concluded") % {"n": conclusions},
        _("%(n)s started") % {"n": starts},
        ngettext("%(n)s check", "%(n)s checks", checks) % {"n": checks},
    ]
    if errors:
        counts.append(_("%(n)s could not be checked") % {"n": errors})
    subject = email_subject(_("Monitoring digest"), ", ".join(counts))
    return subject, render_text("mail/digest.txt", _context(news, since, until))


def compose_html(news: list[ExperimentNews], since, until) -> str:
    return render_to_string("mail/digest.html", _context(news, since, until))


def _context(news: list[ExperimentNews], since, until) -> dict:
    """The digest templates' values: the period, and each experiment's lines with its absolute link."""
    local = timezone.localtime
    return {
        "period": _("What the daily monitoring slot changed from %(since)s to %(until)s (%(zone)s).")
        % {
            "since": date_format(local(since), "DATETIME_FORMAT"),
            "until": date_format(local(until), "DATETIME_FORMAT"),
            "zone": timezone.get_current_timezone_name(),
        },
        "items": [{"lines": item.lines(), "url": absolute(item.experiment.get_absolute_url())} for item in news],
        "preferences_url": absolute(reverse("notification-preferences")),
    }


def send_digest(now=None) -> int:
    """Email each active signal owner what changed since the last digest, once per owner and day:
    a DigestClaim row (unique per person and day) is inserted first, with the owner's in-app rows
    and the outbox email, in one transaction. Returns how many emails were queued (0 when nothing
    changed, nobody holds the role, or today's digest went out already)."""
    now = now or timezone.now()
    since = last_digest_at() or now - FIRST_DIGEST_COVERS
    news = changes_between(since, now)
    owners = signal_owners()
    if not news or not owners:
        return 0
    owned_by = {item.experiment.pk: {p.pk for p in signal_owners_of(item.experiment)} for item in news}
    today = timezone.localdate(now)
    queued = 0
    chosen = preferences_for(owners)
    for owner in owners:
        if not chosen[owner.pk].digest:
            continue  # they turned the daily digest off
        mine = [item for item in news if owner.pk in owned_by[item.experiment.pk]]
        if not mine:
            continue  # nothing they own the signals of changed
        # Each owner reads it in their language and time zone (mailing.language).
        with reading_as(owner):
            subject, body = compose(mine, since, now)
            html = compose_html(mine, since, now)
            messages = {item.experiment.pk: " ".join(item.lines()) for item in mine}
        with transaction.atomic():
            if not _claim(owner, today, now):
                continue  # today's digest for this owner was sent by another run
            Notification.objects.bulk_create(
                [
                    Notification(
                        user=owner,
                        kind=Notification.Kind.DIGEST,
                        experiment=item.experiment,
                        message=messages[item.experiment.pk],
                        created_at=now,
                    )
                    for item in mine
                ]
            )
            # One email per owner (they need not see each other's addresses), sent after commit.
            if owner.email:
                key = f"digest:{today.isoformat()}:{owner.pk}"
                outbox.enqueue_email([owner.email], subject, body, html=html, key=key)
                queued += 1
    return queued


def _claim(owner, day, now) -> bool:
    """Insert the owner's claim on `day`; False when it was taken (on PostgreSQL a concurrent
    insert waits for the first to commit, then fails here)."""
    try:
        with transaction.atomic():
            DigestClaim.objects.create(user=owner, day=day, claimed_at=now)
    except IntegrityError:
        return False
    return True
