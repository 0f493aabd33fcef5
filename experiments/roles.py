"""Organisation roles are Django groups; these names are the contract between data and code."""

from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy

PROPOSER = "proposer"
APPROVER = "approver"
SIGNAL_OWNER = "signal_owner"
STANDARDS_KEEPER = "standards_keeper"
BOARD = "board"

ALL_ROLES = {
    PROPOSER: gettext_lazy("Proposer"),
    APPROVER: gettext_lazy("Approver"),
    SIGNAL_OWNER: gettext_lazy("Signal owner"),
    STANDARDS_KEEPER: gettext_lazy("Standards keeper"),
    BOARD: gettext_lazy("Review board"),
}


def role_names(user) -> set[str]:
    """The user's roles, cached on the user object for the request."""
    if not user or not user.is_authenticated:
        return set()
    cached = getattr(user, "_pagar_roles", None)
    if cached is None:
        cached = set(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))
        user._pagar_roles = cached
    return cached


def has_role(user, role: str) -> bool:
    return role in role_names(user)


def ensure_role_groups():
    for name in ALL_ROLES:
        Group.objects.get_or_create(name=name)


def administrators() -> list:
    """Who hears about work that no charter names anyone for (escalations with no backup or owner)."""
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(is_superuser=True, is_active=True))
