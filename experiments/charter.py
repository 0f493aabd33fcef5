"""The touchpoint charter's rules: who holds which duty on an experiment. The one place per rule;
lifecycle.relations, experiments.access, approvals.access, the monitoring alerts and the digest ask here.

A touchpoint with no charter entries for a duty keeps the old global rule (the role groups in
experiments.roles); a touchpoint WITH entries for a duty restricts that duty to the people named.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _

from experiments import roles
from experiments.models import CharterDuty, Duty, Experiment

# Relations (lifecycle.relations) the charter adds; none equals a role name.
BUILDER = "touchpoint_builder"
OPERATOR = "touchpoint_operator"


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def _entries(experiment: Experiment, duty: str):
    return CharterDuty.objects.filter(touchpoint__in=experiment.touchpoints.all(), duty=duty)


def _signal_entries(experiment: Experiment):
    """Signal-owner entries that cover this experiment: touchpoint-wide, or for a metric it uses."""
    metrics = experiment.metrics.values("metric_id")
    return _entries(experiment, Duty.SIGNAL_OWNER).filter(Q(metric__isnull=True) | Q(metric__in=metrics))


def is_signal_owner(user, experiment: Experiment) -> bool:
    """Named signal owner of one of its touchpoints (or its metrics there); with nobody named, the
    global signal-owner group, as before charters."""
    return roles.SIGNAL_OWNER in relations(user, experiment)


def signal_owners_of(experiment: Experiment) -> list:
    """Who gets this experiment's alerts and digest lines."""
    User = get_user_model()
    entries = _signal_entries(experiment)
    if entries.exists():
        people = User.objects.filter(pk__in=entries.values("user_id"), is_active=True)
    else:
        people = User.objects.filter(groups__name=roles.SIGNAL_OWNER, is_active=True)
    return list(people.distinct().order_by("username"))


def is_operator(user, experiment: Experiment) -> bool:
    """Named to operate it (send data, stop) on one of its touchpoints."""
    return OPERATOR in relations(user, experiment)


def is_builder(user, experiment: Experiment) -> bool:
    return BUILDER in relations(user, experiment)


def _relation_entries(experiment: Experiment) -> list[tuple]:
    return list(
        CharterDuty.objects.filter(
            touchpoint__in=experiment.touchpoints.all(), duty__in=[Duty.SIGNAL_OWNER, Duty.OPERATE, Duty.BUILD]
        ).values_list("duty", "user_id", "metric_id")
    )


def remember_relations(experiment: Experiment) -> None:
    """Read the charter's entries on the experiment once for a page that asks `relations` many
    times (the experiment's page: its moves, panels and links), kept on this instance only."""
    experiment._pagar_charter_entries = _relation_entries(experiment)


def relations(user, experiment: Experiment) -> set[str]:
    """The charter's relations for lifecycle.relations: the signal-owner role only where it holds.
    One query for the charter's entries on its touchpoints (pages ask this for every move shown)."""
    if not _signed_in(user):
        return set()
    entries = getattr(experiment, "_pagar_charter_entries", None)
    if entries is None:
        entries = _relation_entries(experiment)
    found = set()
    signal = [(who, metric) for duty, who, metric in entries if duty == Duty.SIGNAL_OWNER]
    if any(metric is not None for _who, metric in signal):
        used = {row.metric_id for row in experiment.metrics.all()}
        signal = [(who, metric) for who, metric in signal if metric is None or metric in used]
    named = {who for who, _metric in signal}
    # Named for this experiment: they alone own its signals. Nobody named: the global group, as before.
    if user.pk in named or (not named and roles.has_role(user, roles.SIGNAL_OWNER)):
        found.add(roles.SIGNAL_OWNER)
    if (Duty.OPERATE, user.pk) in {(duty, who) for duty, who, _metric in entries}:
        found.add(OPERATOR)
    if (Duty.BUILD, user.pk) in {(duty, who) for duty, who, _metric in entries}:
        found.add(BUILDER)
    return found


def may_operate(user, experiment: Experiment) -> bool:
    """Send data and stop: its signal owners and named operators (authors and admins: experiments.access)."""
    return bool({roles.SIGNAL_OWNER, OPERATOR} & relations(user, experiment))


def design_refusal(user, touchpoints) -> str:
    """Why `user` may not propose on these touchpoints ("" when they may): a touchpoint whose
    charter names designers takes proposals from them alone."""
    if user is None or getattr(user, "is_superuser", False):
        return ""
    closed = []
    for touchpoint in touchpoints:
        designers = CharterDuty.objects.filter(touchpoint=touchpoint, duty=Duty.DESIGN)
        if designers.exists() and not designers.filter(user=user).exists():
            closed.append(touchpoint.name)
    if not closed:
        return ""
    return _("Only the designers named in the charter may propose on %(touchpoints)s.") % {
        "touchpoints": ", ".join(closed)
    }


def may_design_somewhere(user) -> bool:
    """Named a designer on some touchpoint (asked once per request: kept on the user, as roles are)."""
    if not _signed_in(user):
        return False
    if not hasattr(user, "_pagar_designs"):
        user._pagar_designs = CharterDuty.objects.filter(user=user, duty=Duty.DESIGN).exists()
    return user._pagar_designs


def update_refusal(user, experiment: Experiment) -> str:
    """Why `user` may not amend it ("" when they may): a charter naming updaters restricts amendments to them."""
    entries = _entries(experiment, Duty.UPDATE)
    if entries.exists() and not entries.filter(user=user).exists():
        return _("Only the updaters named in the touchpoint's charter may amend this experiment.")
    return ""


def response_owner_of(experiment: Experiment):
    """The person who responds when a signal fires: the experiment's own, else its touchpoints'
    first named response owner; None is a gap (the roles page flags it)."""
    override = getattr(experiment, "response_owner_override", None) if experiment.pk else None
    if override is not None and override.user.is_active:
        return override.user
    entry = (
        _entries(experiment, Duty.RESPONSE_OWNER)
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("touchpoint__name", "pk")
        .first()
    )
    return entry.user if entry else None
