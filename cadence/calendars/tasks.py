"""Thin Celery tasks: the work lives in cadence.calendars.reminders."""

from celery import shared_task


@shared_task(name="calendars.send_meeting_reminders", ignore_result=True)
def send_meeting_reminders():
    from cadence.calendars.reminders import send_meeting_reminders as sweep

    sweep()
