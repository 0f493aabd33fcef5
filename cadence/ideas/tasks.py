"""Thin Celery tasks: the work lives in cadence.ideas.agenda and cadence.ideas.notices.
send_agenda_email is no longer queued (the invitation goes through the outbox) and stays for tasks
queued before."""

from celery import shared_task


@shared_task(name="ideas.send_slot_agenda", ignore_result=True)
def send_slot_agenda(series_id: int):
    from cadence.ideas.agenda import prepare_next_meeting

    prepare_next_meeting(series_id)


@shared_task(bind=True, name="ideas.send_agenda_email", ignore_result=True, max_retries=5)
def send_agenda_email(self, meeting_id: int, recipients: list[str] | None = None):
    """To each participant separately; a retry goes only to `recipients`, those that failed."""
    from cadence.ideas.models import SlotMeeting
    from cadence.ideas.notices import agenda_email
    from mailing.sending import send_with_retry

    meeting = SlotMeeting.objects.select_related("series__facilitator").filter(pk=meeting_id).first()
    if meeting is not None:
        send_with_retry(self, agenda_email(meeting), recipients, meeting_id=meeting_id)
