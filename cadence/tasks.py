from celery import shared_task

from cadence.heartbeat import record_heartbeat


@shared_task(name="cadence.heartbeat", ignore_result=True)
def heartbeat():
    hostname = getattr(heartbeat.request, "hostname", "") or ""
    record_heartbeat(worker=hostname)
