"""The weekly ideas slot: its meetings, the meeting page (agenda, decisions, minutes)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cadence.ideas import agenda as agendas
from cadence.ideas import access
from cadence.ideas.decisions import close_meeting, decide, open_early, save_follow_ups, wip_warning
from cadence.ideas.forms import DecisionForm, FollowUpsForm
from cadence.ideas.models import Idea, SlotMeeting, SlotSeries
from cadence.ideas.notices import minutes_text
from experiments.lifecycle import NotPermitted, TransitionError


@login_required
def meeting_list(request):
    now = timezone.now()
    series = SlotSeries.objects.filter(active=True).select_related("facilitator")
    meetings = SlotMeeting.objects.select_related("series")
    return render(
        request,
        "ideas/meetings.html",
        {
            "series": series,
            "upcoming": meetings.filter(ends_at__gte=now).order_by("starts_at")[:10],
            "past": meetings.filter(ends_at__lt=now).order_by("-starts_at")[:20],
        },
    )


@login_required
@require_POST
def open_next_meeting(request, series_pk):
    """The facilitator opens the next meeting now (its agenda is built; sent by the schedule)."""
    series = get_object_or_404(SlotSeries, pk=series_pk)
    if not (request.user.is_superuser or request.user.pk == series.facilitator_id):
        raise PermissionDenied(_("Only the slot's facilitator opens its meetings."))
    meeting = agendas.next_meeting(series)
    agendas.build_agenda(meeting)
    return redirect(meeting)


def _meeting(pk):
    return get_object_or_404(SlotMeeting.objects.select_related("series__facilitator", "closed_by"), pk=pk)


@login_required
def meeting_detail(request, pk, *, forms=None, follow_ups_form=None, status=200):
    meeting = _meeting(pk)
    may_decide = meeting.may_decide(request.user)
    refusal = access.decide_refusal(request.user, meeting) if may_decide else None  # not open yet, closed
    decisions = {}
    for d in meeting.decisions.select_related("owner", "experiment", "decided_by"):
        decisions.setdefault(d.idea_id, d)
    items = []
    loads, owner_choices = {}, None  # counted once per page, not once per agenda item
    for item in meeting.agenda.select_related("idea__touchpoint", "idea__segment", "idea__author", "idea__experiment"):
        decision = decisions.get(item.idea_id)
        open_here = decision is None and item.idea.is_open and not meeting.is_closed
        form = (forms or {}).get(item.idea_id)
        if form is None and open_here and may_decide and refusal is None:
            if owner_choices is None:
                owner_choices = list(DecisionForm().fields["owner"].choices)
            form = DecisionForm(prefix=f"idea-{item.idea_id}", owner_choices=owner_choices)
        items.append(
            {
                "item": item,
                "idea": item.idea,
                "decision": decision,
                "form": form,
                "wip_warning": wip_warning(meeting, item.idea, loads) if open_here else "",
            }
        )
    return render(
        request,
        "ideas/meeting.html",
        {
            "meeting": meeting,
            "series": meeting.series,
            "items": items,
            "may_decide": may_decide,
            "decide_refusal": refusal.message if refusal is not None and not meeting.is_closed else "",
            "may_open_early": may_decide and access.open_early_refusal(request.user, meeting) is None,
            "state": access.meeting_state(meeting),
            "decided_count": len(decisions),
            "follow_ups_form": follow_ups_form or FollowUpsForm(initial={"follow_ups": meeting.follow_ups}),
            "minutes": minutes_text(meeting),
            "decision_rows": list(meeting.decisions.select_related("idea", "owner", "experiment", "decided_by")),
        },
        status=status,
    )


@login_required
@require_POST
def meeting_build_agenda(request, pk):
    meeting = _meeting(pk)
    if not meeting.may_decide(request.user):
        raise PermissionDenied(_("Only the slot's facilitator rebuilds the agenda."))
    before = meeting.agenda.count()
    agendas.build_agenda(meeting)
    added = meeting.agenda.count() - before
    messages.success(
        request,
        ngettext(
            "Agenda brought up to date: %(count)d idea added.",
            "Agenda brought up to date: %(count)d ideas added.",
            added,
        )
        % {"count": added},
    )
    return redirect(meeting)


@login_required
@require_POST
def meeting_decide(request, pk, idea_pk):
    meeting = _meeting(pk)
    refusal = access.decide_refusal(request.user, meeting)
    if isinstance(refusal, NotPermitted):
        raise PermissionDenied(refusal.message)
    idea = get_object_or_404(Idea, pk=idea_pk)
    form = DecisionForm(request.POST, prefix=f"idea-{idea.pk}")
    status = 400
    if refusal is not None:  # closed, or not open yet: the page says when decisions open
        form.is_valid()
        form.add_error(None, refusal.message)
        status = refusal.status_code
    elif form.is_valid():
        data = form.cleaned_data
        try:
            decision = decide(
                meeting,
                idea,
                request.user,
                data["action"],
                owner=data["owner"],
                parked_until=data["parked_until"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except TransitionError as refused:
            form.add_error(None, refused.message)
            status = refused.status_code
        else:
            if decision.wip_warning:
                messages.warning(request, _("Work in progress: %(warning)s") % {"warning": decision.wip_warning})
            if decision.experiment:
                messages.success(
                    request,
                    _("“%(title)s” is now the draft %(key)s, owned by %(owner)s.")
                    % {
                        "title": idea.title,
                        "key": decision.experiment.key,
                        "owner": decision.owner.get_full_name() or decision.owner.get_username(),
                    },
                )
            else:
                messages.success(
                    request,
                    _("“%(title)s”: %(decision)s recorded.")
                    % {"title": idea.title, "decision": decision.get_action_display().lower()},
                )
            return redirect(f"{meeting.get_absolute_url()}#idea-{idea.pk}")
    return meeting_detail(request, pk, forms={idea.pk: form}, status=status)


@login_required
@require_POST
def meeting_open_early(request, pk):
    meeting = _meeting(pk)
    try:
        open_early(meeting, request.user)
    except NotPermitted as refused:
        raise PermissionDenied(refused.message) from None
    except TransitionError as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The meeting is open: decisions may be recorded now."))
    return redirect(meeting)


@login_required
@require_POST
def meeting_follow_ups(request, pk):
    meeting = _meeting(pk)
    form = FollowUpsForm(request.POST)
    form.is_valid()
    try:
        save_follow_ups(meeting, request.user, form.cleaned_data.get("follow_ups", ""))
    except ValidationError as exc:
        form.add_error("follow_ups", exc.message_dict.get("follow_ups"))
        return meeting_detail(request, pk, follow_ups_form=form, status=400)
    if "close" in request.POST:
        close_meeting(meeting, request.user)
        messages.success(request, _("Meeting closed; the minutes were sent to everyone invited and to the new owners."))
    else:
        messages.success(request, _("Follow-ups saved."))
    return redirect(meeting)
