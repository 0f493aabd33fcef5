"""What an approver needs to decide one request, gathered once for the inbox, the detail page and the API."""

from dataclasses import dataclass, field

from approvals import slots as slot_rules
from approvals.models import ApprovalRequest
from approvals.snapshots import diff_rows
from experiments import hooks, policy
from experiments.planning import PlanningError, plan_for_experiment

# A card lists the nearest overlaps; the experiment's page (and its policy endpoint) lists them all.
OVERLAPS_SHOWN = 10


@dataclass
class Evidence:
    request: ApprovalRequest
    waiting_on: list[dict]
    diff: list[dict]
    plan: object = None
    plan_error: str = ""
    overlapping: list = field(default_factory=list)  # the first OVERLAPS_SHOWN
    more_overlapping: bool = False
    can_decide: bool = False
    can_comment: bool = False

    @property
    def experiment(self):
        return self.request.experiment

    @property
    def comments(self):
        return self.request.comments.all()

    @property
    def proposal_sections(self):
        """Other apps' notes on the proposal (standards: those in force on its scope)."""
        return hooks.proposal_sections(self.experiment)

    @property
    def risk_flags(self):
        return list(self.experiment.sensitive_categories.all())


def request_diff(request: ApprovalRequest) -> list[dict]:
    """The change the approvers decide on: an amendment against the approved contract, a proposal
    edited after submission against the version decided on before. A first submission: nothing."""
    if request.base_snapshot_id is None:
        return []
    return diff_rows(request.base_snapshot.data, request.snapshot.data)


def evidence_for(request: ApprovalRequest, *, with_plan: bool = True) -> Evidence:
    found = Evidence(request=request, waiting_on=slot_rules.waiting_on(request), diff=request_diff(request))
    if with_plan:
        try:
            found.plan = plan_for_experiment(request.experiment)
        except PlanningError as exc:
            found.plan_error = exc.message
        nearest = list(policy.overlapping_experiments(request.experiment)[: OVERLAPS_SHOWN + 1])
        found.overlapping, found.more_overlapping = nearest[:OVERLAPS_SHOWN], len(nearest) > OVERLAPS_SHOWN
    return found
