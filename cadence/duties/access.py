"""Who may see and close response items: the one module of their permission predicates. Pages, API
views and services all ask here."""

from django.utils.translation import gettext as _

from cadence.duties.models import ResponseItem
from cadence.duties.opening import touchpoint_owners
from experiments import access as experiment_access
from experiments import lifecycle


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def visible_items(user):
    """Items on experiments the user can see (everything past draft, for every signed-in user)."""
    if not _signed_in(user):
        return ResponseItem.objects.none()
    experiments = experiment_access.visible_experiments(user)
    return ResponseItem.objects.filter(experiment__in=experiments.values("pk")).select_related("experiment", "owner")


def may_close(user, item: ResponseItem) -> bool:
    """The response owner, the touchpoint owners it escalates to, and administrators."""
    if not _signed_in(user):
        return False
    return user.is_superuser or user.pk == item.owner_id or user in touchpoint_owners(item.experiment)


def close_refusal(user, item: ResponseItem):
    """The DomainError to raise when `user` may not close `item` now (None: allowed)."""
    if not may_close(user, item):
        return lifecycle.NotPermitted(
            _("Only the response owner, the touchpoint's owner or an administrator may close this response.")
        )
    if item.state != ResponseItem.State.OPEN:
        return lifecycle.IllegalMove(_("This response is closed already."))
    return None
