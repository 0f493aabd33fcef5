"""Remind response owners of items past their due time, and escalate to the touchpoint owners,
as approvals.reminders does for approvers: each item is claimed with a conditional UPDATE, so two
beats never send the same reminder or escalation twice."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from approvals.business_days import add_business_days
from approvals.notifications import Kind, tell
from cadence.duties.models import ResponseItem
from cadence.duties.opening import touchpoint_owners
from experiments import roles


def _claim(item: ResponseItem, field: str, now) -> bool:
    return (
        ResponseItem.objects.filter(pk=item.pk, state=ResponseItem.State.OPEN, **{f"{field}__isnull": True}).update(
            **{field: now}
        )
        == 1
    )


def escalation_due_at(item: ResponseItem):
    return add_business_days(item.due_at, settings.RESPONSE_ESCALATION_BUSINESS_DAYS)


def escalation_to(item: ResponseItem) -> list:
    """The touchpoint owners (not the response owner themself); with none, the administrators."""
    owners = [user for user in touchpoint_owners(item.experiment) if user.pk != item.owner_id]
    return owners or roles.administrators()


def send_reminders(now=None) -> dict:
    """Returns how many reminders and escalations this run sent."""
    now = now or timezone.now()
    sent = {"reminders": 0, "escalations": 0}
    waiting = ResponseItem.objects.filter(state=ResponseItem.State.OPEN, due_at__lte=now).select_related(
        "experiment", "owner"
    )
    for item in waiting:
        url = item.get_absolute_url()
        if item.reminded_at is None:
            with transaction.atomic():
                if _claim(item, "reminded_at", now):
                    tell(
                        "response_reminder",
                        [item.owner],
                        key=f"reminder:response:{item.pk}",
                        url=url,
                        kind=Kind.REMINDER,
                        experiment=item.experiment,
                        context={"kind": ResponseItem.Kind(item.kind).label},
                    )
                    sent["reminders"] += 1
        if item.escalated_at is None and escalation_due_at(item) <= now:
            with transaction.atomic():
                if _claim(item, "escalated_at", now):
                    tell(
                        "response_escalation",
                        escalation_to(item),
                        key=f"escalation:response:{item.pk}",
                        url=url,
                        kind=Kind.ESCALATION,
                        experiment=item.experiment,
                        context={
                            "kind": ResponseItem.Kind(item.kind).label,
                            "owner": item.owner.get_full_name() or item.owner.get_username(),
                        },
                    )
                    sent["escalations"] += 1
    return sent
