"""Open a response item when a check stops an experiment, finds a sample-ratio mismatch or cannot
read its data: one item per event (the check), for the experiment's response owner, due in
RESPONSE_DUE_BUSINESS_DAYS business days. Runs inside the check's transaction."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from approvals.business_days import add_business_days
from approvals.models import Notification, TouchpointCharter
from approvals.notifications import tell
from cadence.duties.models import ResponseItem
from experiments import charter
from experiments.models import Check

WHAT_TO_DO = {
    ResponseItem.Kind.STOPPED: gettext_lazy(
        "Roll back the change for every customer who saw it, check nothing else was harmed, then close this item "
        "with what you did."
    ),
    ResponseItem.Kind.SRM: gettext_lazy(
        "The split between the arms is not what was planned, so the results cannot be trusted: find and fix the "
        "assignment or the data feed (the service key named above is a first place to look), then close this item "
        "with what you found."
    ),
    ResponseItem.Kind.DATA_ERROR: gettext_lazy(
        "Fix the data or the setup so the next check can read it, or explain why it is expected, then close this "
        "item with what you did."
    ),
}


def touchpoint_owners(experiment) -> list:
    """The owners of the experiment's touchpoints (approvals.TouchpointCharter)."""
    charters = TouchpointCharter.objects.filter(touchpoint__in=experiment.touchpoints.all()).select_related("owner")
    return sorted({c.owner for c in charters if c.owner.is_active}, key=lambda u: u.username)


def responder_for(experiment):
    """The response owner (experiments.charter); with none named, the touchpoint owner, else the
    experiment's owner: somebody always answers, and the roles page flags the gap."""
    return charter.response_owner_of(experiment) or next(iter(touchpoint_owners(experiment)), None) or experiment.owner


def kind_of(check: Check, srm_failed: bool) -> str:
    if check.action == Check.Action.ERROR:
        return ResponseItem.Kind.DATA_ERROR
    return ResponseItem.Kind.SRM if srm_failed else ResponseItem.Kind.STOPPED


def open_for_check(experiment, check: Check, *, srm_failed: bool = False) -> ResponseItem:
    """The item for this check, opened once (a retried task or a second report finds it and returns it)."""
    key = f"check:{check.pk}"
    existing = ResponseItem.objects.filter(event_key=key).first()
    if existing is not None:
        return existing
    kind = kind_of(check, srm_failed)
    now = timezone.now()
    owner = responder_for(experiment)
    try:
        with transaction.atomic():
            item = ResponseItem.objects.create(
                experiment=experiment,
                check_record=check,
                event_key=key,
                kind=kind,
                owner=owner,
                what_happened=check.sentence,
                what_to_do=str(WHAT_TO_DO[kind]),
                opened_at=now,
                due_at=add_business_days(now, settings.RESPONSE_DUE_BUSINESS_DAYS),
            )
    except IntegrityError:  # opened by a concurrent report of the same event
        return ResponseItem.objects.get(event_key=key)
    tell(
        "response",
        [owner],
        key=f"response:{item.pk}",
        url=item.get_absolute_url(),
        kind=Notification.Kind.RESPONSE,
        experiment=experiment,
        context={"kind": ResponseItem.Kind(item.kind).label, "due_at": item.due_at, "details": check.words},
    )
    return item
