from django.db.models import F
from django.utils import timezone

from cadence.models import SchedulerHeartbeat

HEARTBEAT = "scheduler"


def record_heartbeat(worker: str = "") -> SchedulerHeartbeat:
    now = timezone.now()
    updated = SchedulerHeartbeat.objects.filter(name=HEARTBEAT).update(
        last_run_at=now, runs=F("runs") + 1, worker=worker
    )
    if not updated:
        SchedulerHeartbeat.objects.get_or_create(
            name=HEARTBEAT, defaults={"last_run_at": now, "runs": 1, "worker": worker}
        )
    return SchedulerHeartbeat.objects.get(name=HEARTBEAT)


def last_heartbeat() -> SchedulerHeartbeat | None:
    return SchedulerHeartbeat.objects.filter(name=HEARTBEAT).first()
