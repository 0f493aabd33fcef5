from datetime import timedelta

from django.utils import timezone

from cadence.heartbeat import last_heartbeat
from cadence.operations import overdue_look_count

# The heartbeat task runs every minute; three missed beats mean beat or the worker is down.
STALE_AFTER = timedelta(minutes=3)


def scheduler(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    beat = last_heartbeat()
    return {
        "scheduler_heartbeat": beat,
        "scheduler_alive": beat is not None and timezone.now() - beat.last_run_at < STALE_AFTER,
        # Looks due past their grace and not taken: the light turns amber (cheap: one query).
        "overdue_look_count": overdue_look_count(),
    }
