"""When and by whom the slot's decisions may be taken. Pages, API and services ask here.

Refusals are `experiments.lifecycle` errors: NotPermitted (403) for someone who is not the
facilitator, IllegalMove (409) for a meeting not in a state to decide (closed, not open yet)."""

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from cadence.ideas.models import SlotMeeting
from experiments.lifecycle import IllegalMove, NotPermitted, TransitionError


def is_facilitator(user, meeting: SlotMeeting) -> bool:
    return meeting.may_decide(user)


def local_time(meeting: SlotMeeting, moment) -> str:
    """A moment as attendees read it, e.g. "Tue 5 Jan 10:00", in the series' time zone."""
    return dateformat.format(moment.astimezone(meeting.series.tz), "D j M H:i")


def decisions_open(meeting: SlotMeeting, now=None) -> bool:
    """Decisions are taken in the meeting: from its start, or once the facilitator opened it early."""
    return meeting.opened_early_at is not None or (now or timezone.now()) >= meeting.starts_at


def _meeting_problem(message: str) -> list[dict]:
    return [{"field": "meeting", "message": message}]


def decide_refusal(user, meeting: SlotMeeting, now=None) -> TransitionError | None:
    """Why `user` may not record a decision in `meeting` now, or None."""
    if not is_facilitator(user, meeting):
        return NotPermitted(_("Only the slot's facilitator records decisions."))
    if meeting.is_closed:
        message = _("This meeting is closed; decide in the next slot.")
        return IllegalMove(message, _meeting_problem(message))
    if not decisions_open(meeting, now):
        message = _("Decisions open at the meeting's start, %(start)s; the facilitator may open it early.") % {
            "start": local_time(meeting, meeting.starts_at)
        }
        return IllegalMove(message, _meeting_problem(message))
    return None


def open_early_refusal(user, meeting: SlotMeeting, now=None) -> TransitionError | None:
    if not is_facilitator(user, meeting):
        return NotPermitted(_("Only the slot's facilitator opens the meeting early."))
    if meeting.is_closed:
        return IllegalMove(_("This meeting is closed."))
    if meeting.opened_early_at is not None:
        return IllegalMove(_("The meeting is open already."))
    if (now or timezone.now()) >= meeting.starts_at:
        return IllegalMove(_("The meeting has started; decisions are open."))
    return None


def meeting_state(meeting: SlotMeeting, now=None) -> str:
    """One line for the meeting page: where the meeting stands."""
    if meeting.is_closed:
        return _("Closed: the minutes were sent.")
    if meeting.opened_early_at is not None:
        by = meeting.opened_early_by
        name = (by.get_full_name() or by.get_username()) if by else _("the facilitator")
        return _("Open: opened early by %(name)s at %(when)s; decisions allowed.") % {
            "name": name,
            "when": local_time(meeting, meeting.opened_early_at),
        }
    if decisions_open(meeting, now):
        return _("Open: the meeting has started; decisions allowed.")
    sent = _("Agenda sent") if meeting.agenda_sent_at else _("Agenda not sent yet")
    return _("%(sent)s; decisions allowed from the start, %(start)s.") % {
        "sent": sent,
        "start": local_time(meeting, meeting.starts_at),
    }
