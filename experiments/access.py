"""Who may see, edit, send data for and override checks on which experiment: the experiments app's
permission predicates. Pages, API views, forms and tasks all ask here (who may make each lifecycle
move is the lifecycle's `relations`, declared with its moves)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from experiments import charter, roles
from experiments.models import Experiment, Override, Status


def visible_experiments(user):
    """Drafts are private to their authors; everything past draft is visible to every signed-in user."""
    qs = Experiment.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    # Co-authorship as a subquery rather than a join: no row repeats, so no DISTINCT over every
    # column, and lists can use the indexes to order and cut a page.
    co_authored = Experiment.co_authors.through.objects.filter(user=user).values("experiment_id")
    return qs.filter(~Q(status=Status.DRAFT) | Q(owner=user) | Q(pk__in=co_authored))


def can_propose(user) -> bool:
    """Proposers, and designers named in a touchpoint's charter (which touchpoints: charter.design_refusal)."""
    return user.is_authenticated and (
        user.is_superuser or roles.has_role(user, roles.PROPOSER) or charter.may_design_somewhere(user)
    )


def can_edit(user, experiment: Experiment) -> bool:
    return experiment.is_editable and user.is_authenticated and user.pk in experiment.authors()


def may_send_data(user, experiment: Experiment) -> bool:
    """Authors, its signal owners and operators (experiments.charter) and superusers send data; nobody else does."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.pk in experiment.authors() or charter.may_operate(user, experiment)


def may_file_override(user, experiment: Experiment) -> bool:
    """Who may disagree with a check that stopped it (experiments.overrides): its authors and its signal owners."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.pk in experiment.authors() or charter.is_signal_owner(user, experiment)


def may_answer_override(user, override: Override) -> bool:
    """Who may agree to or decline an override: a standards keeper who is neither the requester nor an author."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return (
        roles.has_role(user, roles.STANDARDS_KEEPER)
        and user.pk != override.requested_by_id
        and user.pk not in override.experiment.authors()
    )


def get_experiment_for(user, key: str, *, edit: bool = False) -> Experiment:
    """The one lookup for experiment views: 404 if the user may not see it, 403 if not edit it."""
    try:
        experiment = visible_experiments(user).select_related("owner", "approver").get(key=key)
    except Experiment.DoesNotExist:
        raise Http404("No such experiment.") from None
    if edit and not can_edit(user, experiment):
        if experiment.status == Status.RUNNING:
            raise PermissionDenied(
                f"This experiment is {experiment.get_status_display().lower()}: change its scope, exposure, duration "
                "or metrics through an amendment, which its approvers decide on."
            )
        if not experiment.is_editable:
            raise PermissionDenied(
                f"This experiment is {experiment.get_status_display().lower()} and can no longer be edited."
            )
        raise PermissionDenied(_("Only the owner and co-authors may edit this experiment."))
    return experiment


def may_create_service_key(user, experiments, touchpoint=None) -> bool:
    """Experiment-scoped keys: the authors of every experiment listed (or a superuser). A key for a
    whole touchpoint reaches experiments of other teams: superusers only."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if touchpoint is not None or not experiments:
        return False
    return all(user.pk in experiment.authors() for experiment in experiments)


def may_revoke_service_key(user, key) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or key.created_by_id == user.pk))


def _author_or_administrator(user, experiment: Experiment) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.pk in experiment.authors()


def may_roll_out(user, experiment: Experiment) -> bool:
    """Who may roll a won experiment's winning arm out to everyone, or revert it (experiments.rollouts):
    its owner and co-authors, and administrators."""
    return _author_or_administrator(user, experiment)


def may_record_lesson(user, experiment: Experiment) -> bool:
    """Who writes or corrects an ended experiment's lesson afterwards: its authors (or a superuser)."""
    from experiments.lessons import ENDED_STATUSES

    return experiment.status in ENDED_STATUSES and _author_or_administrator(user, experiment)
