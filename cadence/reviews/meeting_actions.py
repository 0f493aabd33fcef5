"""The chair's actions on the meeting itself: opening it for decisions before its start, and marking
who is present (for the quorum). Both are recorded: who and when."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadence.reviews import access
from cadence.reviews.decisions import ReviewRefusal
from cadence.reviews.models import Attendance, ReviewMeeting


def _refuse(refusal):
    if refusal:
        raise ReviewRefusal(refusal, status_code=refusal.status_code)


def open_early(meeting: ReviewMeeting, user) -> ReviewMeeting:
    """Decisions allowed from now on, before the start; recorded on the meeting."""
    _refuse(access.open_early_refusal(user, meeting))
    now = timezone.now()
    claimed = ReviewMeeting.objects.filter(pk=meeting.pk, opened_early_at__isnull=True).update(
        opened_early_at=now, opened_early_by=user
    )
    if not claimed:  # the chair clicked twice at once: the first one opened it
        raise ReviewRefusal(_("The meeting is open already."), status_code=access.CONFLICT)
    meeting.opened_early_at, meeting.opened_early_by = now, user
    return meeting


@transaction.atomic
def mark_present(meeting: ReviewMeeting, user, members) -> list[Attendance]:
    """Record board members as present (once each; marking again changes nothing)."""
    _refuse(access.attendance_refusal(user, meeting))
    board = access.board_ids(meeting.series)
    outsiders = [m.get_username() for m in members if m.pk not in board]
    if outsiders:
        raise ReviewRefusal(_("Not on the review board: %(names)s.") % {"names": ", ".join(outsiders)}, field="members")
    now = timezone.now()
    return [
        Attendance.objects.get_or_create(
            meeting=meeting, member=member, defaults={"marked_by": user, "created_at": now}
        )[0]
        for member in members
    ]
