"""Thin Celery tasks of the daily monitoring slot: ids in, the work in experiments.live."""

import datetime as dt

from celery import shared_task
from django.db import OperationalError


@shared_task(name="experiments.monitoring_sweep", ignore_result=True)
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
)
def check_experiment(experiment_id: int, look_date_iso: str):
    from experiments.live.monitoring import run_check

    check = run_check(experiment_id, dt.date.fromisoformat(look_date_iso))
    return check.pk if check is not None else None
