"""What approvals adds to the experiments lifecycle, registered once in ApprovalsConfig.ready.

experiments imports nothing from approvals: the approvers' moves are handed here (votes are
recorded first), their guards refuse a move without the record, requests follow every move, and
the experiment page and form get the approvals panel and hints.
"""

from django.utils.translation import gettext as _

from experiments import hooks, lifecycle
from experiments.models import Status

OWNER = "approvals"


def _holds_slot(user, experiment) -> set[str]:
    from approvals.slots import is_required_approver

    if experiment.status != Status.PENDING_APPROVAL:
        return set()
    return {lifecycle.APPROVER} if is_required_approver(user, experiment) else set()


def _restart_guard(experiment, actor, outcome=""):
    from approvals.services import restart_is_approved

    if not restart_is_approved(experiment):
        raise lifecycle.IllegalMove(_("A stopped experiment restarts only after its restart request is approved."))


def _after_move(experiment, action, actor, event):
    from approvals.services import after_move

    after_move(experiment, action, actor, event)


def _after_edit(experiment, actor):
    from approvals.services import after_edit

    return after_edit(experiment, actor)


def _notify(kind, experiment, users, message, key):
    from approvals.notifications import notify

    notify(kind, experiment, users, message, key=key)


def _detail_panel(experiment, user):
    from approvals.views.panel import approval_panel

    return "approvals", approval_panel(experiment, user)


def _edit_context(experiment, form):
    from approvals.views.form_hints import form_hints

    return form_hints(experiment, form)


def _proposal_sections(experiment):
    from approvals.bias_review import proposal_sections

    return proposal_sections(experiment)


def _proposal_sections_many(experiments):
    from approvals.bias_review import proposal_sections_of_many

    return proposal_sections_of_many(experiments)


def _policy_approvals():
    from approvals.slots import policy_sentences

    return policy_sentences()


def register():
    from approvals import services

    for action in lifecycle.DECISION_ACTIONS:
        lifecycle.register_delegate(action, OWNER, services.decide_move)
        lifecycle.register_guard(action, OWNER, services.recorded_decision_guard(action))
    lifecycle.register_guard("restart", OWNER, _restart_guard, hides_move=True)
    lifecycle.register_after_move(OWNER, _after_move)
    lifecycle.register_relations(OWNER, _holds_slot)
    hooks.registry.add("after_edit", OWNER, _after_edit)
    hooks.registry.add("notify", OWNER, _notify)
    hooks.registry.add("detail_panel", OWNER, _detail_panel)
    hooks.registry.add("edit_context", OWNER, _edit_context)
    hooks.registry.add("policy_approvals", OWNER, _policy_approvals)
    hooks.registry.add("proposal_sections", OWNER, _proposal_sections, many=_proposal_sections_many)
