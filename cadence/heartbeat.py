from django.db.models import F
from django.utils import timezone

from cadence.models import SchedulerHeartbeat

HEARTBEAT = "scheduler"
SWEEP = "monitoring sweep"  # written by each monitoring sweep (experiments' after_sweep hook)


def record_heartbeat(worker: str = "", name: str = HEARTBEAT) -> SchedulerHeartbeat:
    now = timezone.now()
    updated = SchedulerHeartbeat.objects.filter(name=name).update(last_run_at=now, runs=F("runs") + 1, worker=worker)
    if not updated:
        SchedulerHeartbeat.objects.get_or_create(name=name, defaults={"last_run_at": now, "runs": 1, "worker": worker})
    return SchedulerHeartbeat.objects.get(name=name)


def last_heartbeat(name: str = HEARTBEAT) -> SchedulerHeartbeat | None:
    return SchedulerHeartbeat.objects.filter(name=name).first()


def record_sweep(now, report) -> SchedulerHeartbeat:
    """The after_sweep hook: the last monitoring sweep, shown on the operations page."""
    return record_heartbeat(name=SWEEP)
