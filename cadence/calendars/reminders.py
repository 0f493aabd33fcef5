"""Remind each attendee of a meeting once, MEETING_REMINDER_HOURS before it starts.

The sweep (every 15 minutes, cadence/schedule.py) asks the providers for each active user's
meetings starting within the window. Cost: users x providers calls per sweep, each a few
queries; fine for hundreds of users. When it is not, providers should answer "who attends what
in this window" in one query per meeting kind instead of per user.

Exactly once: per (user, event uid, event start) the sweep inserts a MeetingReminder row with
ON CONFLICT DO NOTHING ... RETURNING, in the same transaction as the in-app notice; only the
rows this run inserted are reminded. A second beat, a retried task or a concurrent worker finds
the rows taken (on PostgreSQL a concurrent insert waits for the first to commit, then skips).
"""

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from approvals.models import Notification
from approvals.notifications import event_key, notify_about
from cadence.calendar_events import CalendarEvent
from cadence.calendars.models import MeetingReminder
from cadence.calendars.providers import events_for
from mailing.rendering import reading_as

log = logging.getLogger(__name__)


def send_meeting_reminders(now: dt.datetime | None = None) -> int:
    """Returns how many reminders this run sent."""
    now = now or timezone.now()
    until = now + dt.timedelta(hours=settings.MEETING_REMINDER_HOURS)
    sent = 0
    for user in get_user_model().objects.filter(is_active=True).order_by("pk"):
        try:
            due = [e for e in events_for(user, now, until) if now < e.start <= until and not e.cancelled]
            if due:
                sent += _remind(user, due, now)
        except Exception:  # one user's broken meeting must not stop everyone else's reminders
            log.exception("Meeting reminders for %s failed", user)
    return sent


def _remind(user, events: list[CalendarEvent], now) -> int:
    with transaction.atomic():
        claimed = _claim(user, events, now)
        for event in events:
            if event.uid in claimed:
                # In the person's own language and time zone (mailing.language), like every notice.
                with reading_as(user):
                    text = reminder_text(event)
                notify_about(
                    Notification.Kind.MEETING_REMINDER,
                    [user],
                    text,
                    event.url or reverse("calendar-page"),
                    key=event_key("meeting-reminder", event.uid, event.start.isoformat()),
                )
    return len(claimed)


def _claim(user, events: list[CalendarEvent], now) -> set[str]:
    """Insert one row per event, skipping taken ones; the uids this call inserted (the
    providers' events are one per uid, see events_for)."""
    table = connection.ops.quote_name(MeetingReminder._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s)"] * len(events))
    start_field = MeetingReminder._meta.get_field("event_start")
    params = []
    for event in events:
        params += [
            user.pk,
            event.uid,
            start_field.get_db_prep_value(event.start, connection),
            start_field.get_db_prep_value(now, connection),
        ]
    sql = (
        f"INSERT INTO {table} (user_id, event_uid, event_start, sent_at) VALUES {values} "
        "ON CONFLICT (user_id, event_uid, event_start) DO NOTHING RETURNING event_uid"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {uid for (uid,) in cursor.fetchall()}


def reminder_text(event: CalendarEvent) -> str:
    local = timezone.localtime(event.start)
    when = f"{date_format(local, 'DATETIME_FORMAT')} ({timezone.get_current_timezone_name()})"
    if event.location:
        return _("Reminder: “%(meeting)s” starts %(when)s — %(where)s.") % {
            "meeting": event.summary,
            "when": when,
            "where": event.location,
        }
    return _("Reminder: “%(meeting)s” starts %(when)s.") % {"meeting": event.summary, "when": when}
