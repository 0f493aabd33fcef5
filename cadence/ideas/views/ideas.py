"""Idea pages: the backlog, submitting and editing an idea, its page with comments, votes and ratings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.utils.translation import gettext as _

from approvals.models import Notification
from approvals.notifications import tell
from cadence.ideas.backlog import backlog, may_edit
from cadence.ideas.forms import SORTS, BacklogFilterForm, CommentForm, IdeaForm, RatingForm
from cadence.ideas.models import Idea, IdeaRating, IdeaVote, ScoringModel
from cadence.ideas.scoring import criterion_averages, rate


@login_required
def idea_list(request):
    form = BacklogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    sort = filters.get("sort") or "score"
    ideas = backlog(
        q=filters.get("q", ""),
        status=filters.get("status", ""),
        touchpoint=filters.get("touchpoint"),
        pain_point=filters.get("pain_point", ""),
        sort=sort,
    )
    page = Paginator(ideas, 25).get_page(request.GET.get("page"))
    voted = set(
        IdeaVote.objects.filter(user=request.user, idea__in=[i.pk for i in page.object_list]).values_list(
            "idea_id", flat=True
        )
    )
    filtered = any(filters.get(k) for k in ("q", "status", "touchpoint", "pain_point"))
    return render(
        request,
        "ideas/list.html",
        {
            "form": form,
            "page": page,
            "sort": sort,
            "sorts": SORTS,
            "voted": voted,
            "filtered": filtered,
        },
    )


@login_required
def idea_create(request):
    form = IdeaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.instance.author = request.user
        idea = form.save()
        messages.success(request, _("Idea submitted. It goes on the agenda of the next ideas slot."))
        return redirect(idea)
    return render(request, "ideas/form.html", {"form": form, "idea": None})


@login_required
def idea_edit(request, pk):
    idea = get_object_or_404(Idea, pk=pk)
    if not may_edit(request.user, idea):
        raise PermissionDenied(_("Only the author edits an idea, and only while it is open."))
    form = IdeaForm(request.POST or None, instance=idea)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Idea saved."))
        return redirect(idea)
    return render(request, "ideas/form.html", {"form": form, "idea": idea})


@login_required
def idea_detail(request, pk, *, comment_form=None, rating_form=None, status=200):
    idea = get_object_or_404(Idea.objects.select_related("touchpoint", "segment", "author", "experiment"), pk=pk)
    model = ScoringModel.current()
    mine = IdeaRating.objects.filter(idea=idea, rater=request.user).first()
    if rating_form is None and model is not None:
        initial = mine.values if mine and mine.model_id == model.pk else None
        rating_form = RatingForm(model=model, initial=initial)
    decisions = idea.decisions.select_related("meeting__series", "decided_by", "owner", "experiment")
    return render(
        request,
        "ideas/detail.html",
        {
            "idea": idea,
            "model": model,
            "averages": criterion_averages(idea, model),
            "ratings": idea.ratings.select_related("rater", "model"),
            "my_rating": mine,
            "rating_form": rating_form,
            "comment_form": comment_form or CommentForm(),
            "comments": idea.comments.select_related("author"),
            "vote_count": idea.votes.count(),
            "has_voted": idea.votes.filter(user=request.user).exists(),
            "can_edit": may_edit(request.user, idea),
            "decisions": decisions,
        },
        status=status,
    )


@login_required
@require_POST
def idea_vote(request, pk):
    idea = get_object_or_404(Idea, pk=pk)
    toggle_vote(idea, request.user)
    return redirect(request.POST.get("next") if _safe_next(request) else idea)


def toggle_vote(idea, user) -> bool:
    """One vote per person: voting again takes it back. True when the user now votes for it."""
    with transaction.atomic():
        deleted, _count = IdeaVote.objects.filter(idea=idea, user=user).delete()
        if deleted:
            return False
        IdeaVote.objects.get_or_create(idea=idea, user=user)
        return True


def _safe_next(request) -> bool:
    target = request.POST.get("next", "")
    return target.startswith("/ideas/") and "//" not in target


@login_required
@require_POST
def idea_comment(request, pk):
    idea = get_object_or_404(Idea, pk=pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return idea_detail(request, pk, comment_form=form, status=400)
    with transaction.atomic():
        form.instance.idea, form.instance.author = idea, request.user
        form.save()
        if idea.author_id != request.user.pk:
            tell(
                "idea_comment",
                [idea.author],
                key=f"idea-comment:{form.instance.pk}",
                url=f"{idea.get_absolute_url()}#comments",
                kind=Notification.Kind.IDEA,
                actor=request.user,
                context={"idea_title": idea.title, "details": form.instance.body},
            )
    messages.success(request, _("Comment added."))
    return redirect(idea)


@login_required
@require_POST
def idea_rate(request, pk):
    idea = get_object_or_404(Idea, pk=pk)
    model = ScoringModel.current()
    if model is None:
        raise PermissionDenied(_("No scoring model is set up."))
    form = RatingForm(request.POST, model=model)
    if form.is_valid():
        try:
            rate(idea, request.user, form.cleaned_data, model)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
    if not form.is_valid():
        return idea_detail(request, pk, rating_form=form, status=400)
    messages.success(request, _("Your rating is saved; the idea's score is the average over its raters."))
    return redirect(idea)
