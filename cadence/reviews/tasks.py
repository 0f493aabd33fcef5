"""Thin Celery tasks; the work is in cadence.reviews.preparation and .sending. send_invitation is
no longer queued (the invitation goes through the outbox) and stays for tasks queued before."""

from celery import shared_task


@shared_task(name="reviews.prepare_agendas", ignore_result=True)
def prepare_agendas(series_id: int | None = None):
    from cadence.reviews.preparation import prepare_due_agendas

    prepare_due_agendas(series_id=series_id)


@shared_task(bind=True, name="reviews.send_invitation", ignore_result=True, max_retries=5)
def send_invitation(self, meeting_id: int, recipients: list[str] | None = None):
    """To each attendee separately; a retry goes only to `recipients`, those that failed."""
    from cadence.reviews.models import ReviewMeeting
    from cadence.reviews.sending import invitation_email
    from mailing.sending import send_with_retry

    meeting = ReviewMeeting.objects.filter(pk=meeting_id).select_related("series", "series__chair").first()
    if meeting is not None:
        send_with_retry(self, invitation_email(meeting), recipients, meeting_id=meeting_id)
