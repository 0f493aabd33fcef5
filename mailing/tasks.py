"""Thin Celery task: the work lives in mailing.outbox."""

from celery import shared_task


@shared_task(name="mailing.deliver_outbox", ignore_result=True)
def deliver_outbox():
    from mailing.outbox import deliver_pending

    return deliver_pending()
