"""Who holds which role on which touchpoint, and the gaps: the roles page and its API read this."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from approvals.models import TouchpointCharter
from experiments import roles
from experiments.models import CharterDuty, Duty, ExperimentResponseOwner, Touchpoint

GAP_NO_RESPONSE_OWNER = "no_response_owner"
GAP_NO_OWNER = "no_owner"
GAP_NO_SIGNAL_OWNER = "no_signal_owner"
GAP_TEXT = {
    GAP_NO_RESPONSE_OWNER: _("No response owner: when a check stops an experiment here, nobody is named to act."),
    GAP_NO_OWNER: _("No owner in the charter: escalations go to the administrators."),
    GAP_NO_SIGNAL_OWNER: _("No signal owner named: every holder of the global signal-owner role watches it."),
}


@dataclass
class Holder:
    user: object
    metric: object = None

    @property
    def label(self) -> str:
        name = self.user.get_full_name() or self.user.get_username()
        return f"{name} ({self.metric.name})" if self.metric else name


@dataclass
class TouchpointRoles:
    touchpoint: object
    owner: object = None
    backup: object = None
    duties: dict = field(default_factory=dict)  # duty value -> [Holder]
    gaps: list = field(default_factory=list)  # gap codes

    @property
    def duty_rows(self):
        return [(label, self.duties.get(value, [])) for value, label in Duty.choices]

    @property
    def gap_texts(self):
        return [GAP_TEXT[gap] for gap in self.gaps]


def touchpoint_roles() -> list[TouchpointRoles]:
    charters = {c.touchpoint_id: c for c in TouchpointCharter.objects.select_related("owner", "backup")}
    rows = {tp.pk: TouchpointRoles(tp) for tp in Touchpoint.objects.order_by("name")}
    for pk, row in rows.items():
        if pk in charters:
            row.owner, row.backup = charters[pk].owner, charters[pk].backup
    for entry in CharterDuty.objects.select_related("user", "metric").order_by("user__username", "pk"):
        if entry.touchpoint_id in rows:
            rows[entry.touchpoint_id].duties.setdefault(entry.duty, []).append(Holder(entry.user, entry.metric))
    for row in rows.values():
        if not row.duties.get(Duty.RESPONSE_OWNER):
            row.gaps.append(GAP_NO_RESPONSE_OWNER)
        if row.owner is None:
            row.gaps.append(GAP_NO_OWNER)
        if not row.duties.get(Duty.SIGNAL_OWNER):
            row.gaps.append(GAP_NO_SIGNAL_OWNER)
    return list(rows.values())


def global_role_holders() -> list[tuple[str, list]]:
    """The organisation roles (groups): who holds each, the fallback where a charter names nobody."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return [
        (label, list(User.objects.filter(groups__name=name, is_active=True).order_by("username")))
        for name, label in roles.ALL_ROLES.items()
    ]


def experiment_response_owners():
    return ExperimentResponseOwner.objects.select_related("experiment", "user").order_by("experiment__key")
