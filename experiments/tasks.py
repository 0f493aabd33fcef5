"""Thin Celery tasks of the monitoring sweep: ids in, the work in experiments.live.

Both survive a dead worker: acknowledged only once done and given back to the queue when the
worker is lost, so another worker runs them again (each look is claimed once, the sweep is
idempotent); and the next sweep queues every due look again anyway.
"""

import datetime as dt

from celery import shared_task
from django.db import OperationalError


SURVIVES_A_DEAD_WORKER = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(name="experiments.monitoring_sweep", ignore_result=True, **SURVIVES_A_DEAD_WORKER)
def monitoring_sweep():
    from experiments.live.monitoring import sweep

    return sweep()


# A lock timeout or a dropped connection is worth another try; the look is claimed once anyway.
@shared_task(
    name="experiments.check_experiment",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    **SURVIVES_A_DEAD_WORKER,
)
def check_experiment(experiment_id: int, look_date_iso: str):
    from experiments.live.monitoring import run_check

    check = run_check(experiment_id, dt.date.fromisoformat(look_date_iso))
    return check.pk if check is not None else None


# A chunk of the sweep's looks: the ids in, the work in experiments.live.monitoring.run_checks.
# Retried on a lock timeout or a dropped connection; the looks already taken are not taken again.
@shared_task(
    name="experiments.check_experiments",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    **SURVIVES_A_DEAD_WORKER,
)
def check_experiments(experiment_ids: list[int], look_date_iso: str):
    from experiments.live.monitoring import run_checks

    run_checks(experiment_ids, dt.date.fromisoformat(look_date_iso))
