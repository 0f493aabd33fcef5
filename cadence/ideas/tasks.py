"""Thin Celery tasks: the work lives in cadence.ideas.agenda and cadence.ideas.notices."""
from celery import shared_task


@shared_task(name="ideas.send_slot_agenda", ignore_result=True)
def send_slot_agenda(series_id: int):
    from cadence.ideas.agenda import prepare_next_meeting

    prepare_next_meeting(series_id)


@shared_task(name="ideas.send_agenda_email", ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_agenda_email(meeting_id: int):
    from cadence.ideas.models import SlotMeeting
    from cadence.ideas.notices import agenda_email

    meeting = SlotMeeting.objects.select_related("series__facilitator").filter(pk=meeting_id).first()
    if meeting is not None:
        agenda_email(meeting).send()
