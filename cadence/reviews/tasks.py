"""Thin Celery tasks; the work is in cadence.reviews.preparation and .sending."""
from celery import shared_task


@shared_task(name="reviews.prepare_agendas", ignore_result=True)
def prepare_agendas(series_id: int | None = None):
    from cadence.reviews.preparation import prepare_due_agendas

    prepare_due_agendas(series_id=series_id)


@shared_task(name="reviews.send_invitation", ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation(meeting_id: int):
    from cadence.reviews.models import ReviewMeeting
    from cadence.reviews.sending import invitation_email

    meeting = ReviewMeeting.objects.filter(pk=meeting_id).select_related("series", "series__chair").first()
    if meeting is not None:
        message = invitation_email(meeting)
        if message.to:
            message.send()
