"""Who may see a review meeting, vote on an item and record its decision. Pages and API both ask here."""
from django.db.models import Q
from django.http import Http404

from cadence.reviews.models import AgendaItem, Decision, ReviewMeeting
from experiments import roles


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
        raise Http404("No such review meeting.") from None


def get_item_for(user, pk) -> AgendaItem:
    try:
        item = AgendaItem.objects.select_related("meeting__series", "experiment", "standard").get(pk=pk)
    except (AgendaItem.DoesNotExist, ValueError):
        raise Http404("No such agenda item.") from None
    get_meeting_for(user, item.meeting_id)
    return item


def is_chair(user, meeting: ReviewMeeting) -> bool:
    return user.is_authenticated and (user.is_superuser or meeting.series.chair_id == user.pk)


def vote_refusal(user, item: AgendaItem, *, page: dict | None = None) -> str:
    """Why `user` may not vote on `item` now, or "" when they may.

    `page` is for a page showing every item just read with its decision and votes: what it holds
    (board membership) is asked once, and the rows' own loaded relations answer the rest. Without
    it (casting a vote) everything is read fresh, since a cached relation may be stale."""
    series = item.meeting.series
    if page is not None:
        if "member" not in page:
            page["member"] = user.is_authenticated and (series.chair_id == user.pk or series.members.filter(pk=user.pk).exists())
        member = page["member"]
    else:
        member = user.is_authenticated and (series.chair_id == user.pk or series.members.filter(pk=user.pk).exists())
    if not member:
        return "Only members of the review board vote."
    if item.experiment_id and user.pk in item.experiment.authors():
        return "You proposed this experiment (owner or co-author), so you do not vote on it."
    decided = item.decided is not None if page is not None else Decision.objects.filter(item=item).exists()
    if decided:
        return "This item is decided; votes are closed."
    voted = any(v.voter_id == user.pk for v in item.votes.all()) if page is not None else item.votes.filter(voter=user).exists()
    if voted:
        return "You have already voted on this item; a vote is recorded once."
    return ""


def decide_refusal(user, item: AgendaItem) -> str:
    if not is_chair(user, item.meeting):
        return "Only the chair of the review records the decision."
    if Decision.objects.filter(item=item).exists():
        return "This item is decided already; decisions are final and kept as they are."
    return ""
