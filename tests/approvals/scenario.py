"""One world for the route-by-role sweeps: an experiment in each state the approval routes care about."""

from dataclasses import dataclass

from approvals import services
from approvals.models import ApprovalRequest, Notification
from experiments.lifecycle import transition
from experiments.models import Experiment
from tests.approvals.web import open_request
from tests.factories import make_experiment

ROLES = [
    "proposer",
    "co_author",
    "approver",
    "other_approver",
    "signal_owner",
    "standards_keeper",
    "admin_user",
    "outsider",
    "anonymous",
]


@dataclass
class World:
    pending: Experiment  # owner proposer, co-author co_author, named approver approver
    pending_request: ApprovalRequest
    draft: Experiment  # private to proposer, with a request opened on it
    draft_request: ApprovalRequest
    approved: Experiment
    stopped: Experiment
    notification: Notification  # belongs to approver


def build_world(proposer, co_author, approver, signal_owner) -> World:
    pending = make_experiment(proposer, approver)
    pending.co_authors.add(co_author)
    transition(pending, "submit", proposer)
    draft = make_experiment(proposer, approver)
    draft_request = services.open_request(draft, ApprovalRequest.Kind.PROPOSAL, proposer)
    approved = make_experiment(proposer, approver)
    transition(approved, "submit", proposer)
    services.decide(approved, approver, "approve")
    stopped = make_experiment(proposer, approver)
    transition(stopped, "submit", proposer)
    services.decide(stopped, approver, "approve")
    transition(stopped, "start", proposer)
    transition(stopped, "stop", signal_owner, reason="Guardrail crossed", lesson="We learned what the data showed.")
    return World(
        pending=pending,
        pending_request=open_request(pending),
        draft=draft,
        draft_request=draft_request,
        approved=approved,
        stopped=stopped,
        notification=Notification.objects.filter(user=approver, experiment=pending).first(),
    )
