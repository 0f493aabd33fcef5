"""Close a response item with what was done. Pages and the API call `close`."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cadence.duties import access
from cadence.duties.models import ResponseItem
from experiments import errors


def close(item: ResponseItem, user, *, action: str, what_was_done: str) -> ResponseItem:
    """Raises a DomainError naming the field when the input is bad, NotPermitted/IllegalMove from
    cadence.duties.access; a conditional UPDATE makes two closings at once leave one."""
    what_was_done = (what_was_done or "").strip()
    problems = []
    if action not in ResponseItem.Action.values:
        choices = ", ".join(ResponseItem.Action.values)
        problems.append({"field": "action", "message": _("Choose one of %(choices)s.") % {"choices": choices}})
    if not what_was_done:
        problems.append({"field": "what_was_done", "message": _("Say what was done.")})
    refusal = access.close_refusal(user, item)
    if refusal is not None:
        raise refusal
    if problems:
        raise errors.Invalid(_("The response cannot be closed: fix the fields listed."), problems)
    now = timezone.now()
    with transaction.atomic():
        closed = ResponseItem.objects.filter(pk=item.pk, state=ResponseItem.State.OPEN).update(
            state=ResponseItem.State.CLOSED, closed_at=now, closed_by=user, action=action, what_was_done=what_was_done
        )
        if closed != 1:
            raise errors.Conflict(_("Someone closed this response at the same moment; reload to see what they did."))
    item.refresh_from_db()
    return item
