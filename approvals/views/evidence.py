"""What an approver needs to decide a request, gathered for a whole page of requests at once (the
inbox, its API) in a number of queries that does not grow with the page or the data; the detail
page and the API's single request ask for a page of one, so every entry point shares each rule."""

from dataclasses import dataclass, field

from approvals import slots as slot_rules
from approvals.acknowledgement import plan_needs_acknowledgement, plan_verdict
from approvals.models import ApprovalRequest, Decision
from approvals.snapshots import diff_rows
from experiments import hooks, policy
from experiments.models import Experiment
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
    proposal_sections: list = field(default_factory=list)  # other apps' notes (standards, bias review)
    last_decision: Decision | None = None  # a resubmission: the decision that sent it back
    my_last_request: Decision | None = None  # the viewer's own earlier verdict with what they asked
    can_decide: bool = False
    can_comment: bool = False

    @property
    def experiment(self):
        return self.request.experiment

    @property
    def comments(self):
        return self.request.comments.all()

    @property
    def risk_flags(self):
        return list(self.experiment.sensitive_categories.all())

    @property
    def is_resubmission(self) -> bool:
        return self.last_decision is not None

    @property
    def needs_acknowledgement(self) -> bool:
        return plan_needs_acknowledgement(self.plan, self.plan_error)

    @property
    def plan_verdict(self) -> str:
        return plan_verdict(self.plan, self.plan_error)

    @property
    def metrics(self):
        """Success metrics first, then guardrails (prefetched with their metric)."""
        return sorted(self.experiment.metrics.all(), key=lambda row: (row.role != "success", row.metric.name))

    @property
    def standards_touched(self) -> list:
        """The standards in force on its scope, from the standards app's section (items: Relevant)."""
        return [relevant for section in self.proposal_sections for relevant in section.get("items", [])]


def resubmission_base(request: ApprovalRequest, earlier: list[Decision]) -> Decision | None:
    """The decision a proposal comes back from: the latest verdict on an earlier, closed request of
    the same kind. `earlier`: decisions on the experiment's requests, any order."""
    if request.base_snapshot_id is not None:
        return None  # an amendment or a reopened proposal: diffed against its base instead
    before = [
        d
        for d in earlier
        if d.request_id != request.pk and d.request.kind == request.kind and d.created_at <= request.opened_at
    ]
    return max(before, key=lambda d: (d.created_at, d.pk), default=None)


def request_diff(request: ApprovalRequest, earlier: list[Decision] | None = None) -> list[dict]:
    """The change the approvers decide on: an amendment against the approved contract, a proposal
    edited after submission against the version decided on before, a resubmission against the
    version its last decision was on. A first submission: nothing."""
    if request.base_snapshot_id is not None:
        return diff_rows(request.base_snapshot.data, request.snapshot.data)
    if earlier is None:
        earlier = list(earlier_decisions([request]).get(request.experiment_id, []))
    last = resubmission_base(request, earlier)
    return diff_rows(last.snapshot.data, request.snapshot.data) if last else []


def earlier_decisions(requests) -> dict[int, list[Decision]]:
    """Experiment pk -> every decision on its closed requests (one query for a page)."""
    found: dict[int, list[Decision]] = {}
    rows = Decision.objects.filter(
        request__experiment__in={r.experiment_id for r in requests}, request__closed_at__isnull=False
    ).select_related("request__experiment", "snapshot", "approver")
    for decision in rows:
        found.setdefault(decision.request.experiment_id, []).append(decision)
    return found


def _nearest_overlaps(experiments: list[Experiment]) -> dict[int, tuple[list, bool]]:
    """Experiment pk -> (its first OVERLAPS_SHOWN overlaps, whether there are more), in two queries:
    the overlap rule (experiments.policy) asked once for the whole page, then the shown ones."""
    found: dict[int, tuple[list, bool]] = {e.pk: ([], False) for e in experiments}
    asked = [e for e in experiments if e.touchpoints.all()]
    if not asked:
        return found
    nearest: dict[int, list[tuple]] = {}
    for other_pk, planned_start, for_pk in policy.overlapping_pairs(asked):
        nearest.setdefault(for_pk, []).append((planned_start, other_pk))
    shown = {for_pk: sorted(rows)[: OVERLAPS_SHOWN + 1] for for_pk, rows in nearest.items()}
    others = Experiment.objects.select_related("owner").in_bulk({pk for rows in shown.values() for _s, pk in rows})
    for for_pk, rows in shown.items():
        listed = [others[pk] for _start, pk in rows]
        found[for_pk] = (listed[:OVERLAPS_SHOWN], len(listed) > OVERLAPS_SHOWN)
    return found


def evidence_for_page(requests, *, viewer=None, with_plan: bool = True) -> list[Evidence]:
    """The evidence for each of `requests` (prefetched as approvals.views.waiting.preloaded_for_cards does:
    experiment touchpoints, segments, metrics, variants, decisions), in a few queries in all."""
    requests = list(requests)
    if not requests:
        return []
    experiments = list({r.experiment_id: r.experiment for r in requests}.values())
    earlier = earlier_decisions(requests)
    sections = hooks.proposal_sections_of_many(experiments) if with_plan else {}
    overlaps = _nearest_overlaps(experiments) if with_plan else {}
    found = []
    for request in requests:
        decisions = earlier.get(request.experiment_id, [])
        item = Evidence(
            request=request,
            waiting_on=slot_rules.waiting_on(request),
            diff=request_diff(request, decisions),
            last_decision=resubmission_base(request, decisions),
        )
        if viewer is not None:
            mine = [d for d in decisions if d.approver_id == viewer.pk and d.comment and d.request_id != request.pk]
            item.my_last_request = max(mine, key=lambda d: (d.created_at, d.pk), default=None)
        if with_plan:
            try:
                item.plan = plan_for_experiment(request.experiment)
            except PlanningError as exc:
                item.plan_error = exc.message
            item.overlapping, item.more_overlapping = overlaps[request.experiment_id]
            item.proposal_sections = sections[request.experiment_id]
        found.append(item)
    return found


def evidence_for(request: ApprovalRequest, *, viewer=None, with_plan: bool = True) -> Evidence:
    """One request's evidence: the page rule for a page of one."""
    return evidence_for_page([request], viewer=viewer, with_plan=with_plan)[0]
