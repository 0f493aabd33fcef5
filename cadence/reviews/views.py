"""Review pages: the list of meetings, one meeting (agenda, evidence, votes, decisions), and the
vote / decide / build-agenda actions. Refusals re-show the page with the reason at the field."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cadence.reviews import access
from cadence.reviews.agenda import build_agenda
from cadence.reviews.decisions import ReviewRefusal, cast_vote, decide, tally
from cadence.reviews.forms import AttendanceForm, DecisionForm, VoteForm
from cadence.reviews.meeting_actions import mark_present, open_early
from cadence.reviews.models import Decision


@login_required
def review_list(request):
    meetings = access.visible_meetings(request.user).prefetch_related("items")
    return render(request, "reviews/list.html", {"meetings": meetings})


def meeting_items(meeting, user, bound=None):
    """Each item with its votes, tally and the forms this user may use (`bound` = (item pk, form name, form))."""
    rows = []
    chair = access.is_chair(user, meeting)
    # When and with whom decisions may be taken holds for every item: asked once per page.
    meeting_refusal = (access.timing_refusal(meeting) or access.quorum_refusal(meeting)) if chair else ""
    page, keeper_choices = {}, None  # asked once per page, not once per item
    items = meeting.items.select_related(
        "experiment__owner", "standard__owner", "decision__decided_by", "decision__standard", "decision__rerun"
    ).prefetch_related("votes__voter", "experiment__co_authors")
    for item in items:
        item.meeting = meeting
        vote_form = decide_form = None
        vote_refusal = access.vote_refusal(user, item, page=page)
        if not vote_refusal:
            vote_form = VoteForm(prefix=f"item{item.pk}")
        decide_refusal = meeting_refusal if chair and not item.decided else ""
        if chair and not item.decided and not meeting_refusal:
            decide_form = DecisionForm(item=item, prefix=f"item{item.pk}", keeper_choices=keeper_choices)
            if keeper_choices is None and "keeper" in decide_form.fields:
                keeper_choices = list(decide_form.fields["keeper"].choices)
        if bound and bound[0] == item.pk:
            if bound[1] == "vote":
                vote_form = bound[2]
            else:
                decide_form = bound[2]
        rows.append(
            {
                "item": item,
                "votes": item.votes.all(),
                "tally": tally(item),
                "vote_form": vote_form,
                "vote_refusal": vote_refusal,
                "decide_form": decide_form,
                "decide_refusal": decide_refusal,
            }
        )
    return rows


def render_meeting(request, meeting, bound=None, status=200, attendance_form=None):
    is_chair = access.is_chair(request.user, meeting)
    present, required = access.quorum(meeting)
    if is_chair and attendance_form is None:
        attendance_form = AttendanceForm(meeting=meeting)
    return render(
        request,
        "reviews/meeting.html",
        {
            "meeting": meeting,
            "rows": meeting_items(meeting, request.user, bound),
            "is_chair": is_chair,
            "members": meeting.series.members.all(),
            "state": access.meeting_state(meeting),
            "quorum_present": present,
            "quorum_required": required,
            "quorum_met": present >= required,
            "present_names": access.present_names(meeting),
            "may_open_early": is_chair and not access.open_early_refusal(request.user, meeting),
            "attendance_form": attendance_form if is_chair else None,
        },
        status=status,
    )


@login_required
def review_meeting(request, pk):
    return render_meeting(request, access.get_meeting_for(request.user, pk))


@login_required
@require_POST
def review_build_agenda(request, pk):
    meeting = access.get_meeting_for(request.user, pk)
    if not access.is_chair(request.user, meeting):
        raise PermissionDenied(_("Only the chair of the review builds its agenda."))
    build_agenda(meeting)
    messages.success(request, _("Agenda built from the programme as it stands now."))
    return redirect(meeting)


@login_required
@require_POST
def review_open_early(request, pk):
    meeting = access.get_meeting_for(request.user, pk)
    try:
        open_early(meeting, request.user)
    except ReviewRefusal as refusal:
        if refusal.status_code == 403:
            raise PermissionDenied(refusal.message) from None
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("The meeting is open: decisions may be recorded now."))
    return redirect(meeting)


@login_required
@require_POST
def review_attendance(request, pk):
    meeting = access.get_meeting_for(request.user, pk)
    refusal = access.attendance_refusal(request.user, meeting)
    if refusal:
        raise PermissionDenied(refusal)
    form = AttendanceForm(request.POST, meeting=meeting)
    if form.is_valid():
        try:
            mark_present(meeting, request.user, form.cleaned_data["members"])
        except ReviewRefusal as refusal:
            form.add_error("members", refusal.message)
        else:
            messages.success(request, _("Attendance recorded."))
            return redirect(meeting)
    return render_meeting(request, meeting, status=400, attendance_form=form)


@login_required
@require_POST
def review_vote(request, pk):
    item = access.get_item_for(request.user, pk)
    form = VoteForm(request.POST, prefix=f"item{item.pk}")
    status = 400
    if form.is_valid():
        try:
            cast_vote(item, request.user, form.cleaned_data["choice"], form.cleaned_data["comment"])
        except ReviewRefusal as refusal:
            form.add_error(refusal.field or None, refusal.message)
            status = refusal.status_code
        else:
            messages.success(request, _("Your vote on %(item)s is recorded.") % {"item": item.subject_label})
            return redirect(f"{item.meeting.get_absolute_url()}#item-{item.pk}")
    return render_meeting(request, item.meeting, (item.pk, "vote", form), status=status)


@login_required
@require_POST
def review_decide(request, pk):
    item = access.get_item_for(request.user, pk)
    refusal = access.decide_refusal(request.user, item)
    if refusal and refusal.status_code == 403:
        raise PermissionDenied(refusal)
    form = DecisionForm(request.POST, item=item, prefix=f"item{item.pk}")
    status = 400
    if refusal:  # not open yet, no quorum, decided already: the page says why, at the form
        form.is_valid()
        form.add_error(None, refusal)
        status = refusal.status_code
    elif form.is_valid():
        data = form.cleaned_data
        try:
            decision = decide(
                item,
                request.user,
                data["decision"],
                note=data["note"],
                statement=data["statement"],
                keeper=data.get("keeper"),
                rereview=data["rereview_date"],
                lesson=data.get("lesson", ""),
            )
        except ReviewRefusal as refused:
            form.add_error(refused.field if refused.field in form.fields else None, refused.message)
            status = refused.status_code
            item.refresh_from_db()
        else:
            messages.success(request, _decided_message(decision, item))
            return redirect(f"{item.meeting.get_absolute_url()}#item-{item.pk}")
    return render_meeting(request, item.meeting, (item.pk, "decide", form), status=status)


def _decided_message(decision, item) -> str:
    if decision.kind == Decision.Kind.PROMOTE:
        return _("Promoted: %(code)s is in the standards catalogue.") % {"code": decision.standard.code}
    if decision.kind == Decision.Kind.RERUN:
        return _("More evidence asked: draft %(key)s created for %(owner)s.") % {
            "key": decision.rerun.key,
            "owner": decision.rerun.owner.get_full_name() or decision.rerun.owner,
        }
    return _("Decision recorded for %(item)s: %(decision)s.") % {
        "item": item.subject_label,
        "decision": decision.get_kind_display().lower(),
    }
