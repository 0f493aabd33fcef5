"""Thin Celery tasks: the work lives in cadence.duties.reminders."""

from celery import shared_task


@shared_task(name="duties.remind_responders", ignore_result=True)
def remind_responders():
    from cadence.duties.reminders import send_reminders

    return send_reminders()
