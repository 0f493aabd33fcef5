"""Who may do what in approvals: the one module of permission predicates. Pages, API views,
services and tasks all ask here; each `*_refusal` returns the DomainError to raise (None: allowed)
and each `may_*` is the same rule as a yes/no for showing a button."""

from django.utils.translation import gettext as _

from approvals import slots as slot_rules
from approvals.models import ApprovalRequest
from experiments import charter, lifecycle, roles
from experiments.models import Status

AMENDABLE_STATUSES = (Status.APPROVED, Status.RUNNING)


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def amend_refusal(user, experiment):
    if not _signed_in(user) or user.pk not in experiment.authors():
        return lifecycle.NotPermitted(_("Only the owner and co-authors may amend this experiment."))
    if refusal := charter.update_refusal(user, experiment):
        return lifecycle.NotPermitted(refusal)
    if experiment.status not in AMENDABLE_STATUSES:
        return lifecycle.IllegalMove(
            _("Only approved or running experiments are amended; this one is %(status)s.")
            % {"status": experiment.get_status_display().lower()}
        )
    return None


def may_amend(user, experiment) -> bool:
    return amend_refusal(user, experiment) is None


def restart_refusal(user, experiment):
    if not _signed_in(user) or (user.pk not in experiment.authors() and not charter.is_signal_owner(user, experiment)):
        return lifecycle.NotPermitted(_("Only the authors or a signal owner may ask to restart this experiment."))
    if experiment.status != Status.STOPPED:
        return lifecycle.IllegalMove(
            _("Only a stopped experiment is restarted; this one is %(status)s.")
            % {"status": experiment.get_status_display().lower()}
        )
    return None


def may_request_restart(user, experiment) -> bool:
    return restart_refusal(user, experiment) is None


def can_decide(user, request: ApprovalRequest) -> bool:
    """Whether `user` could vote on `request` now (the inbox's batched form: approvals.views.waiting)."""
    if request.status != ApprovalRequest.State.OPEN or not _signed_in(user) or user.pk in request.experiment.authors():
        return False
    if request.decisions.filter(approver=user).exists():
        return False
    return any(slot_rules.qualifies(user, s, request) for s in slot_rules.waiting_on(request))


def may_discuss(user, request: ApprovalRequest) -> bool:
    """Authors, anyone who could fill one of the request's slots, and administrators."""
    if not _signed_in(user):
        return False
    if user.is_superuser or user.pk in request.experiment.authors():
        return True
    return any(slot_rules.qualifies(user, s, request) for s in request.required_slots)


def may_export_all(user) -> bool:
    """Every experiment's decision records: standards keepers and administrators."""
    return _signed_in(user) and (user.is_superuser or roles.has_role(user, roles.STANDARDS_KEEPER))
