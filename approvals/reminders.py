"""Remind approvers of requests that wait too long, and escalate to the touchpoints' backups.

Each request gets at most one reminder and one escalation: the beat claims it with a conditional
UPDATE (only if not yet sent), so two beats running at once never send twice.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from approvals import slots as slot_rules
from approvals.business_days import business_days_between
from approvals.models import ApprovalRequest
from approvals.notifications import Kind, decision_url, tell
from approvals.services import people_who_can_decide
from experiments import roles


def _claim(request: ApprovalRequest, field: str, now) -> bool:
    return (
        ApprovalRequest.objects.filter(
            pk=request.pk, status=ApprovalRequest.State.OPEN, **{f"{field}__isnull": True}
        ).update(**{field: now})
        == 1
    )


def send_reminders(now=None) -> dict:
    """Returns how many reminders and escalations this run sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    remind_after = settings.APPROVAL_REMINDER_BUSINESS_DAYS
    escalate_after = settings.APPROVAL_ESCALATION_BUSINESS_DAYS
    sent = {"reminders": 0, "escalations": 0}
    waiting = ApprovalRequest.objects.filter(status=ApprovalRequest.State.OPEN).select_related("experiment")
    for request in waiting:
        waited = business_days_between(timezone.localdate(request.opened_at), today)
        experiment = request.experiment
        if waited > remind_after and request.reminded_at is None:
            with transaction.atomic():
                if _claim(request, "reminded_at", now):
                    tell(
                        "approval_reminder",
                        people_who_can_decide(request),
                        key=f"reminder:request:{request.pk}",
                        url=decision_url(request),
                        kind=Kind.REMINDER,
                        experiment=experiment,
                        request=request,
                        context={"waited": waited},
                    )
                    sent["reminders"] += 1
        if waited > escalate_after and request.escalated_at is None:
            with transaction.atomic():
                if _claim(request, "escalated_at", now):
                    tell(
                        "approval_escalation",
                        _escalation_to(request),
                        key=f"escalation:request:{request.pk}",
                        url=decision_url(request),
                        kind=Kind.ESCALATION,
                        experiment=experiment,
                        request=request,
                        context={"waited": waited},
                    )
                    sent["escalations"] += 1
    return sent


def _escalation_to(request: ApprovalRequest):
    User = get_user_model()
    backups = slot_rules.backups_for(request.experiment) - request.experiment.authors()
    if backups:
        return list(User.objects.filter(pk__in=backups))
    # No charter names a backup: the administrators hear about it instead of nobody.
    return roles.administrators()
