"""The backlog query shared by the backlog page and the API: filters, search and sort orders."""

from django.db.models import Count, F, Q

from cadence.ideas.models import Idea, IdeaStatus


def backlog(*, q="", status="", touchpoint=None, pain_point="", sort="score"):
    """status "" = open (new or parked), "all" = any; touchpoint a Touchpoint or its key."""
    ideas = Idea.objects.select_related("touchpoint", "segment", "author", "experiment").annotate(
        vote_count=Count("votes", distinct=True)
    )
    if status == "all":
        pass
    elif status:
        ideas = ideas.filter(status=status)
    else:
        ideas = ideas.filter(status__in=[IdeaStatus.NEW, IdeaStatus.PARKED])
    if touchpoint:
        ideas = ideas.filter(touchpoint__key=getattr(touchpoint, "key", touchpoint))
    if pain_point:
        ideas = ideas.filter(pain_point=pain_point)
    q = (q or "").strip()
    if q:
        ideas = ideas.filter(Q(title__icontains=q) | Q(hypothesis__icontains=q))
    if sort == "newest":
        return ideas.order_by("-created_at", "-pk")
    if sort == "votes":
        return ideas.order_by("-vote_count", F("score").desc(nulls_last=True), "-created_at")
    return ideas.order_by(F("score").desc(nulls_last=True), "-vote_count", "-created_at")


def may_edit(user, idea: Idea) -> bool:
    """The author (or a superuser) edits the idea while it is still open."""
    return user.is_authenticated and idea.is_open and (user.is_superuser or user.pk == idea.author_id)
