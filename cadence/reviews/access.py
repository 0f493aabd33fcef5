"""Who may see a review meeting, vote on an item, record its decision, open it early or mark who is
present, and when. Pages, API and services all ask here; each rule is one function.

A refusal is a `Refusal`: the message for the person (a str, so "" means allowed) with its HTTP
status: 403 when the person may not do this at all, 409 when the meeting or item is not in a state
that allows it (agenda not sent, not open yet, no quorum, decided or voted already)."""

import zoneinfo

from django.db.models import Q
from django.http import Http404
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from cadence.reviews.models import AgendaItem, Attendance, Decision, ReviewMeeting, Vote
from experiments import roles

FORBIDDEN, CONFLICT = 403, 409


class Refusal(str):
    """Why something is refused (the text shown) and the HTTP status that goes with it."""

    status_code: int

    def __new__(cls, message: str, status_code: int = FORBIDDEN):
        refusal = super().__new__(cls, message)
        refusal.status_code = status_code
        return refusal


def visible_meetings(user):
    """The board, standards keepers, each series' chair and members; everything for a superuser."""
    qs = ReviewMeeting.objects.select_related("series", "series__chair")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser or roles.has_role(user, roles.BOARD) or roles.has_role(user, roles.STANDARDS_KEEPER):
        return qs
    return qs.filter(Q(series__chair=user) | Q(series__members=user)).distinct()


def get_meeting_for(user, pk) -> ReviewMeeting:
    try:
        return visible_meetings(user).get(pk=pk)
    except (ReviewMeeting.DoesNotExist, ValueError):
        raise Http404(_("No such review meeting.")) from None


def get_item_for(user, pk) -> AgendaItem:
    try:
        item = AgendaItem.objects.select_related("meeting__series", "experiment", "standard").get(pk=pk)
    except (AgendaItem.DoesNotExist, ValueError):
        raise Http404(_("No such agenda item.")) from None
    get_meeting_for(user, item.meeting_id)
    return item


def is_chair(user, meeting: ReviewMeeting) -> bool:
    return user.is_authenticated and (user.is_superuser or meeting.series.chair_id == user.pk)


def is_board_member(user, series) -> bool:
    return user.is_authenticated and (series.chair_id == user.pk or series.members.filter(pk=user.pk).exists())


def agenda_refusal(meeting: ReviewMeeting) -> Refusal | str:
    """Votes are cast on the agenda the board was sent, not on one still being put together."""
    if meeting.agenda_sent_at is None:
        return Refusal(_("Votes open when the agenda is sent."), CONFLICT)
    return ""


def vote_refusal(user, item: AgendaItem, *, page: dict | None = None) -> Refusal | str:
    """Why `user` may not vote on `item` now, or "" when they may.

    `page` is for a page showing every item just read with its decision and votes: what it holds
    (board membership) is asked once, and the rows' own loaded relations answer the rest. Without
    it (casting a vote) everything is read fresh, since a cached relation may be stale."""
    series = item.meeting.series
    if page is not None:
        if "member" not in page:
            page["member"] = is_board_member(user, series)
        member = page["member"]
    else:
        member = is_board_member(user, series)
    if not member:
        return Refusal(_("Only members of the review board vote."))
    if item.experiment_id and user.pk in item.experiment.authors():
        return Refusal(_("You proposed this experiment (owner or co-author), so you do not vote on it."))
    not_sent = agenda_refusal(item.meeting)
    if not_sent:
        return not_sent
    decided = item.decided is not None if page is not None else Decision.objects.filter(item=item).exists()
    if decided:
        return Refusal(_("This item is decided; votes are closed."), CONFLICT)
    voted = (
        any(v.voter_id == user.pk for v in item.votes.all())
        if page is not None
        else item.votes.filter(voter=user).exists()
    )
    if voted:
        return Refusal(_("You have already voted on this item; a vote is recorded once."), CONFLICT)
    return ""


def local_time(meeting: ReviewMeeting, moment) -> str:
    """A moment as the board reads it, e.g. "Tue 5 Jan 10:00", in the series' time zone."""
    return dateformat.format(moment.astimezone(zoneinfo.ZoneInfo(meeting.series.timezone)), "D j M H:i")


def local_start(meeting: ReviewMeeting) -> str:
    return local_time(meeting, meeting.starts_at)


def decisions_open(meeting: ReviewMeeting, now=None) -> bool:
    """Decisions are taken in the meeting: from its start, or once the chair opened it early."""
    return meeting.opened_early_at is not None or (now or timezone.now()) >= meeting.starts_at


def timing_refusal(meeting: ReviewMeeting, now=None) -> Refusal | str:
    if decisions_open(meeting, now):
        return ""
    return Refusal(
        _("Decisions open at the meeting's start, %(start)s; the chair may open it early.")
        % {"start": local_start(meeting)},
        CONFLICT,
    )


def board_ids(series) -> set[int]:
    return set(series.members.values_list("pk", flat=True)) | {series.chair_id}


def present_members(meeting: ReviewMeeting) -> set[int]:
    """Board members (chair included) present: those who voted on any item of this meeting, and
    those the chair marked present."""
    board = board_ids(meeting.series)
    voted = set(Vote.objects.filter(item__meeting=meeting).values_list("voter_id", flat=True))
    marked = set(Attendance.objects.filter(meeting=meeting).values_list("member_id", flat=True))
    return (voted | marked) & board


def present_names(meeting: ReviewMeeting) -> list[str]:
    from django.contrib.auth import get_user_model

    people = get_user_model().objects.filter(pk__in=present_members(meeting)).order_by("first_name", "username")
    return [p.get_full_name() or p.get_username() for p in people]


def quorum(meeting: ReviewMeeting) -> tuple[int, int]:
    """(members present or voted, members required): the series' quorum, or the whole board when
    the board is smaller (a quorum no board can reach would block every decision)."""
    return len(present_members(meeting)), min(meeting.series.quorum, len(board_ids(meeting.series)))


def quorum_refusal(meeting: ReviewMeeting) -> Refusal | str:
    present, required = quorum(meeting)
    if present >= required:
        return ""
    return Refusal(
        _(
            "No quorum: %(present)d of the %(required)d board members needed are present or have voted; "
            "the chair marks who is present."
        )
        % {"present": present, "required": required},
        CONFLICT,
    )


def decide_refusal(user, item: AgendaItem, now=None) -> Refusal | str:
    meeting = item.meeting
    if not is_chair(user, meeting):
        return Refusal(_("Only the chair of the review records the decision."))
    if Decision.objects.filter(item=item).exists():
        return Refusal(_("This item is decided already; decisions are final and kept as they are."), CONFLICT)
    return timing_refusal(meeting, now) or quorum_refusal(meeting)


def open_early_refusal(user, meeting: ReviewMeeting, now=None) -> Refusal | str:
    if not is_chair(user, meeting):
        return Refusal(_("Only the chair of the review opens the meeting early."))
    if meeting.opened_early_at is not None:
        return Refusal(_("The meeting is open already."), CONFLICT)
    if (now or timezone.now()) >= meeting.starts_at:
        return Refusal(_("The meeting has started; decisions are open."), CONFLICT)
    if meeting.agenda_sent_at is None:
        return Refusal(_("Send the agenda before opening the meeting."), CONFLICT)
    return ""


def attendance_refusal(user, meeting: ReviewMeeting) -> Refusal | str:
    if not is_chair(user, meeting):
        return Refusal(_("Only the chair of the review marks who is present."))
    return ""


def meeting_state(meeting: ReviewMeeting, now=None) -> str:
    """One line for the meeting page: where the meeting stands."""
    if meeting.agenda_sent_at is None:
        return _("Agenda not sent yet: votes open when it is sent; decisions at the start, %(start)s.") % {
            "start": local_start(meeting)
        }
    if meeting.opened_early_at is not None:
        by = meeting.opened_early_by
        name = (by.get_full_name() or by.get_username()) if by else _("the chair")
        return _("Open: opened early by %(name)s at %(when)s; decisions allowed.") % {
            "name": name,
            "when": local_time(meeting, meeting.opened_early_at),
        }
    if decisions_open(meeting, now):
        return _("Open: the meeting has started; decisions allowed.")
    return _("Agenda sent: votes open; decisions allowed from the start, %(start)s.") % {"start": local_start(meeting)}
