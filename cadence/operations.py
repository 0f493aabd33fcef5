"""The operations view of the monitoring sweep: the last sweep, the looks taken late, and the
looks overdue now. One rule (`due_looks` past the grace) feeds both the /operations/ page and the footer's light."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from cadence.heartbeat import SWEEP, last_heartbeat
from experiments.live.monitoring import count_due_looks, due_looks
from experiments.models import Check, Experiment

LATE_LOOKS_SHOWN = 50


@dataclass(frozen=True)
class OverdueLook:
    experiment: Experiment
    look_date: dt.date
    due_at: dt.datetime
    overdue_by: dt.timedelta


def grace() -> dt.timedelta:
    return dt.timedelta(minutes=settings.MONITORING_GRACE_MINUTES)


def overdue_looks(now: dt.datetime | None = None) -> list[OverdueLook]:
    """Looks due more than MONITORING_GRACE_MINUTES ago and not taken yet, oldest first."""
    now = now or timezone.now()
    return [
        OverdueLook(experiment, look_date, due, now - due)
        for experiment, look_date, due in due_looks(now, due_before=now - grace())
    ]


def overdue_look_count(now: dt.datetime | None = None) -> int:
    """How many `overdue_looks` there are (the footer's light), counted by the database."""
    now = now or timezone.now()
    return count_due_looks(now, due_before=now - grace())


def last_sweep():
    """The last monitoring sweep that ran (a SchedulerHeartbeat), or None."""
    return last_heartbeat(SWEEP)


def late_looks(limit: int = LATE_LOOKS_SHOWN):
    """The latest checks taken late, with their reasons, newest first."""
    return Check.objects.filter(late=True).select_related("experiment").order_by("-created_at", "-pk")[:limit]
