"""The facilitator's decisions in the slot: turn an idea into a draft experiment, park it until a
date, or decline it with a reason. Each decision is an append-only row; the idea follows it."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from cadence.ideas import access
from cadence.ideas.drafting import draft_from_idea
from cadence.ideas.models import (
    DecisionAction,
    Idea,
    IdeaStatus,
    MeetingStatus,
    SlotDecision,
    SlotMeeting,
)
from experiments import roles
from experiments.lifecycle import IllegalMove
from experiments.models import ACTIVE_STATUSES, Experiment


def wip_load(meeting: SlotMeeting, touchpoint) -> int:
    """Running + approved experiments on the touchpoint, plus proposals this meeting already made for it."""
    active = Experiment.objects.filter(status__in=ACTIVE_STATUSES, touchpoints=touchpoint).distinct().count()
    proposed_here = SlotDecision.objects.filter(
        meeting=meeting, action=DecisionAction.PROPOSE, idea__touchpoint=touchpoint
    ).count()
    return active + proposed_here


def wip_warning(meeting: SlotMeeting, idea: Idea, loads: dict | None = None) -> str:
    """Non-empty when one more proposal would put the idea's touchpoint over the series' limit.
    `loads` (touchpoint id -> load) lets a page with many ideas count each touchpoint once."""
    limit = meeting.series.wip_limit_per_touchpoint
    if loads is None:
        loads = {}
    if idea.touchpoint_id not in loads:
        loads[idea.touchpoint_id] = wip_load(meeting, idea.touchpoint)
    load = loads[idea.touchpoint_id]
    if load + 1 <= limit:
        return ""
    return gettext(
        "%(touchpoint)s already has %(load)d of %(limit)d (running, approved and proposed in this slot); "
        "this proposal makes %(after)d."
    ) % {"touchpoint": idea.touchpoint.name, "load": load, "limit": limit, "after": load + 1}


def may_own_proposals(user) -> bool:
    return user.is_active and (user.is_superuser or roles.has_role(user, roles.PROPOSER))


@transaction.atomic
def decide(
    meeting: SlotMeeting,
    idea: Idea,
    actor,
    action: str,
    *,
    owner=None,
    parked_until: dt.date | None = None,
    reason: str = "",
) -> SlotDecision:
    """Record one decision (facilitator or superuser, once the meeting is open: access.decide_refusal).
    Raises that refusal (NotPermitted 403, IllegalMove 409) or a ValidationError keyed by field."""
    meeting = SlotMeeting.objects.select_for_update(of=("self",)).select_related("series").get(pk=meeting.pk)
    refusal = access.decide_refusal(actor, meeting)
    if refusal:
        raise refusal
    idea = Idea.objects.select_for_update(of=("self",)).select_related("touchpoint", "segment").get(pk=idea.pk)
    reason = (reason or "").strip()
    if not meeting.agenda.filter(idea=idea).exists():
        raise ValidationError({"idea": gettext("This idea is not on the meeting's agenda.")})
    if not idea.is_open:
        raise ValidationError(
            {"idea": gettext("This idea is already %(status)s.") % {"status": idea.get_status_display().lower()}}
        )
    if action not in DecisionAction.values:
        raise ValidationError(
            {"action": gettext("“%(action)s” is not a decision; choose propose, park or decline.") % {"action": action}}
        )

    now = timezone.now()
    decision = SlotDecision(meeting=meeting, idea=idea, action=action, decided_by=actor, decided_at=now, reason=reason)
    if action == DecisionAction.PROPOSE:
        if owner is None:
            raise ValidationError({"owner": gettext("Name the person who owns the proposal.")})
        if not may_own_proposals(owner):
            raise ValidationError(
                {"owner": gettext("%(person)s does not hold the proposer role.") % {"person": owner.get_username()}}
            )
        decision.wip_warning = wip_warning(meeting, idea)
        decision.owner = owner
        decision.experiment = draft_from_idea(idea, owner, actor)
        idea.status, idea.experiment, idea.parked_until = IdeaStatus.PROPOSED, decision.experiment, None
        idea.save(update_fields=["status", "experiment", "parked_until", "updated_at"])
    elif action == DecisionAction.PARK:
        today = timezone.localdate()
        if parked_until is None:
            raise ValidationError({"parked_until": gettext("Give the date it comes back on the agenda.")})
        if parked_until <= today:
            raise ValidationError({"parked_until": gettext("The date must be after today.")})
        decision.parked_until = parked_until
        idea.status, idea.parked_until = IdeaStatus.PARKED, parked_until
        idea.save(update_fields=["status", "parked_until", "updated_at"])
    else:
        if not reason:
            raise ValidationError({"reason": gettext("Say why the idea is declined; its author reads it.")})
        idea.status, idea.decline_reason, idea.parked_until = IdeaStatus.DECLINED, reason, None
        idea.save(update_fields=["status", "decline_reason", "parked_until", "updated_at"])
    decision.save()
    if decision.experiment is not None:
        _tell_the_draft_owner(decision, actor)
    return decision


def _tell_the_draft_owner(decision: SlotDecision, actor) -> None:
    """The new draft is the owner's work: tell them (unless they made it themselves)."""
    from approvals.notifications import experiment_edit_url, tell

    draft = decision.experiment
    if decision.owner_id == actor.pk:
        return
    tell(
        "draft_assigned",
        [decision.owner],
        key=f"draft:{draft.pk}",
        url=experiment_edit_url(draft),
        kind="idea",
        experiment=draft,
        actor=actor,
        context={"idea_title": decision.idea.title},
    )


@transaction.atomic
def close_meeting(meeting: SlotMeeting, actor, follow_ups: str | None = None) -> SlotMeeting:
    """Keep the minutes and send them (facilitator or superuser); closing twice is refused."""
    from cadence.ideas.notices import send_minutes

    meeting = (
        SlotMeeting.objects.select_for_update(of=("self",)).select_related("series__facilitator").get(pk=meeting.pk)
    )
    if not meeting.may_decide(actor):
        raise PermissionDenied(gettext("Only the slot's facilitator closes the meeting."))
    if meeting.is_closed:
        raise ValidationError({"meeting": gettext("This meeting is already closed; its minutes were sent.")})
    if follow_ups is not None:
        meeting.follow_ups = follow_ups.strip()
    meeting.status, meeting.closed_at, meeting.closed_by = MeetingStatus.CLOSED, timezone.now(), actor
    meeting.save(update_fields=["follow_ups", "status", "closed_at", "closed_by"])
    send_minutes(meeting)
    return meeting


def open_early(meeting: SlotMeeting, actor) -> SlotMeeting:
    """The facilitator lets decisions be taken before the start; recorded (who, when) on the meeting."""
    refusal = access.open_early_refusal(actor, meeting)
    if refusal:
        raise refusal
    now = timezone.now()
    claimed = SlotMeeting.objects.filter(pk=meeting.pk, opened_early_at__isnull=True).update(
        opened_early_at=now, opened_early_by=actor
    )
    if not claimed:  # opened twice at once: the first one did it
        raise IllegalMove(gettext("The meeting is open already."))
    meeting.opened_early_at, meeting.opened_early_by = now, actor
    return meeting


def save_follow_ups(meeting: SlotMeeting, actor, text: str) -> SlotMeeting:
    if not meeting.may_decide(actor):
        raise PermissionDenied(gettext("Only the slot's facilitator writes the follow-ups."))
    if meeting.is_closed:
        raise ValidationError({"follow_ups": gettext("The meeting is closed; its minutes are final.")})
    meeting.follow_ups = text.strip()
    meeting.save(update_fields=["follow_ups"])
    return meeting
