"""Approval requests and decisions. Web, API and admin actions decide through `decide`.

Every decision locks the experiment's row first, so two approvers at the same moment (or one
double click) are taken one after the other: the second sees the first's outcome and is refused
with a 409 conflict. One vote per approver per request is also a database constraint.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from approvals import access
from approvals import slots as slot_rules
from approvals.acknowledgement import refuse_unacknowledged_plan
from approvals.models import (
    ApprovalRequest,
    Decision,
    RequestComment,
    Snapshot,
    TouchpointCharter,
)
from approvals.notifications import Kind, decision_url, experiment_edit_url, tell
from approvals.snapshots import AMENDABLE, contract_of, diff_rows, freeze
from experiments import contract as policy_contract
from experiments import lifecycle
from experiments.models import (
    Experiment,
    ExperimentEvent,
    ExperimentMetric,
    Metric,
    Segment,
    Status,
    Touchpoint,
)

State = ApprovalRequest.State
RequestKind = ApprovalRequest.Kind
Verdict = Decision.Verdict

# The lifecycle actions that are approvers' decisions: web and API send them to decide().
DECISION_ACTIONS = lifecycle.DECISION_ACTIONS
# Whole sentences, so that each language words them its own way.
NOT_YOURS_TO_DECIDE = {
    Verdict.APPROVE: gettext_lazy("You may not approve this experiment."),
    Verdict.REJECT: gettext_lazy("You may not reject this experiment."),
    Verdict.REQUEST_CHANGES: gettext_lazy("You may not request changes to this experiment."),
}
ALREADY_DECIDED = gettext_lazy("You have already decided on this request; your first decision stands.")
# Statuses after which no amendment or restart can apply any more.
ENDED = frozenset({Status.COMPLETED, Status.CONCLUDED, Status.PROMOTED, Status.ARCHIVED, Status.WITHDRAWN})
# A closed request's status after each verdict ends it.
CLOSING = {
    Verdict.APPROVE: State.APPROVED,
    Verdict.REJECT: State.REJECTED,
    Verdict.REQUEST_CHANGES: State.CHANGES_REQUESTED,
}


class DecisionConflict(lifecycle.TransitionConflict):
    """Someone decided first (or this person already did): answered with 409."""


# --- opening requests ------------------------------------------------------------------------


def people_who_can_decide(request: ApprovalRequest):
    """Everyone who could fill a still-open slot (authors never)."""
    User = get_user_model()
    experiment = request.experiment
    authors = experiment.authors()
    ids = set()
    for slot in slot_rules.waiting_on(request):
        if slot["kind"] == "role":
            ids.update(User.objects.filter(groups__name=slot["role"], is_active=True).values_list("pk", flat=True))
        else:
            ids.update(slot.get("user_ids", []))
    return list(User.objects.filter(pk__in=ids - authors))


def _authors(experiment):
    return list(get_user_model().objects.filter(pk__in=experiment.authors()))


def _close_open(experiment, status, kinds=None, now=None):
    qs = ApprovalRequest.objects.filter(experiment=experiment, status=State.OPEN)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return qs.update(status=status, closed_at=now or timezone.now())


def open_request(experiment: Experiment, kind: str, actor, *, data=None, base=None, reason="") -> ApprovalRequest:
    """Freeze a snapshot and open a request on it; any open request of the same kind is superseded."""
    now = timezone.now()
    _close_open(experiment, State.SUPERSEDED, kinds=[kind], now=now)
    snapshot = freeze(experiment, actor, data)
    request = ApprovalRequest.objects.create(
        experiment=experiment,
        kind=kind,
        snapshot=snapshot,
        base_snapshot=base,
        required_slots=slot_rules.required_slots(experiment),
        reason=reason,
        opened_by=actor,
        opened_at=now,
    )
    kind_of_notice = {
        RequestKind.PROPOSAL: Kind.SUBMITTED,
        RequestKind.AMENDMENT: Kind.AMENDMENT_REQUESTED,
        RequestKind.RESTART: Kind.RESTART_REQUESTED,
    }[kind]
    tell(
        kind_of_notice,
        people_who_can_decide(request),
        key=f"{kind_of_notice}:request:{request.pk}",
        url=decision_url(request),
        experiment=experiment,
        request=request,
        actor=actor,
        context={"details": reason},
    )
    return request


def after_move(experiment: Experiment, action: str, actor, event: ExperimentEvent):
    """Registered on the lifecycle (approvals.hooks): requests follow the status, in the move's transaction."""
    if action == "submit":
        open_request(experiment, RequestKind.PROPOSAL, actor)
    elif action == "reopen":
        # An approved experiment edited before it started: every approver decides again, on the
        # diff against the contract they approved.
        open_request(experiment, RequestKind.PROPOSAL, actor, base=approved_snapshot(experiment), reason=event.reason)
    elif action in DECISION_ACTIONS:
        # Only decide() makes these moves (the lifecycle delegates them there), verdict recorded first.
        _close_open(experiment, CLOSING[action], kinds=[RequestKind.PROPOSAL], now=event.created_at)
    elif action == "withdraw" or event.to_status in ENDED:
        # Nothing is left to amend or restart: requests still open would wait (and remind) forever.
        _close_open(experiment, State.WITHDRAWN, now=event.created_at)


def recorded_decision_guard(action: str):
    """The guard on an approver's move (registered in approvals.hooks): the move is made only on
    the record. Approve needs every required slot of the open proposal filled by a recorded
    decision; reject and request changes need this person's recorded verdict. So no entry point,
    code included, can approve without the decisions."""

    def guard(experiment: Experiment, actor, outcome: str = ""):
        request = slot_rules.open_request(experiment, RequestKind.PROPOSAL)
        if request is None:
            raise lifecycle.IllegalMove(_("There is no open approval request to decide on."))
        if action == Verdict.APPROVE:
            waiting = slot_rules.waiting_on(request)
            if waiting:
                missing = ", ".join(str(slot["label"]) for slot in waiting)
                raise lifecycle.IllegalMove(
                    _("Approval is given decision by decision; still needed: %(missing)s.") % {"missing": missing}
                )
        elif actor is None or not request.decisions.filter(approver=actor, verdict=action).exists():
            raise lifecycle.IllegalMove(_("This verdict is made by recording the approver's decision first."))

    return guard


def restart_is_approved(experiment: Experiment) -> bool:
    """An approved restart request, decided after the latest stop."""
    last_stop = (
        experiment.events.filter(to_status=Status.STOPPED)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    approved = experiment.approval_requests.filter(kind=RequestKind.RESTART, status=State.APPROVED)
    if last_stop is not None:
        approved = approved.filter(closed_at__gt=last_stop)
    return approved.exists()


# --- deciding ----------------------------------------------------------------------------------


def _refuse_if_author(user, experiment, verdict):
    if user.pk in experiment.authors():
        raise lifecycle.NotPermitted(lifecycle.SELF_DECISION_MESSAGES[verdict])


def decide(target, user, verdict: str, comment: str = "", *, acknowledged_plan: bool = False) -> Decision:
    """Record `user`'s verdict on the request given, or, given an experiment, on its open proposal
    (the lifecycle's approve/reject/request_changes buttons concern the proposal only).

    Approve: fills the user's slot; when every slot is filled the request is approved (a proposal
    moves the experiment to approved, an amendment is applied, a restart is allowed). Reject and
    request changes end the request at once and, for proposals, make the lifecycle move.
    acknowledged_plan: the approver ticked that they approve an infeasible plan knowingly
    (approvals.acknowledgement; without it such an approval is refused, from every door).
    """
    if verdict not in CLOSING:
        raise lifecycle.UnknownAction(
            _("'%(verdict)s' is not a decision. Use one of: %(choices)s.")
            % {"verdict": verdict, "choices": ", ".join(CLOSING)}
        )
    comment = (comment or "").strip()
    if verdict != Verdict.APPROVE and not comment:
        label = lifecycle.MOVES[verdict].label
        raise lifecycle.TransitionError(
            _("%(move)s needs a reason.") % {"move": label},
            [{"field": "reason", "message": _("This action needs a reason.")}],
        )
    given = target if isinstance(target, ApprovalRequest) else None
    experiment_id = given.experiment_id if given else target.pk

    with transaction.atomic():
        experiment = Experiment.objects.select_for_update().get(pk=experiment_id)
        if user is None or not user.is_authenticated or not user.is_active:
            raise lifecycle.NotPermitted(str(NOT_YOURS_TO_DECIDE[verdict]))
        _refuse_if_author(user, experiment, verdict)
        request = _request_to_decide(experiment, given, user, verdict)
        slot = slot_rules.slot_for(user, request)
        if slot is None:
            raise lifecycle.NotPermitted(str(NOT_YOURS_TO_DECIDE[verdict]))
        if request.decisions.filter(approver=user).exists():
            raise DecisionConflict(str(ALREADY_DECIDED))
        if verdict == Verdict.APPROVE and slot["key"] in slot_rules.filled_slot_keys(request):
            raise DecisionConflict(
                _("The %(slot)s approval is already given; your approval is not needed.")
                % {"slot": slot_rules.slot_label(slot).lower()}
            )
        if verdict == Verdict.APPROVE:
            refuse_unacknowledged_plan(experiment, acknowledged_plan)
        now = timezone.now()
        try:
            with transaction.atomic():
                decision = Decision.objects.create(
                    request=request,
                    snapshot=request.snapshot,
                    approver=user,
                    slot=slot["key"],
                    verdict=verdict,
                    comment=comment,
                    created_at=now,
                )
        except IntegrityError:
            raise DecisionConflict(str(ALREADY_DECIDED)) from None
        decision.event = None  # the lifecycle move, when this verdict makes one
        if verdict == Verdict.APPROVE and slot_rules.waiting_on(request):
            return decision  # more approvals to come
        decision.event = _close(request, experiment, user, verdict, comment, now)
    return decision


def decide_move(experiment: Experiment, actor, action: str, reason: str, *, acknowledged_plan: bool = False):
    """The lifecycle's delegate for the approvers' moves (approvals.hooks): a vote, recorded first."""
    return decide(experiment, actor, action, reason, acknowledged_plan=acknowledged_plan).event


def _request_to_decide(experiment, given, user, verdict) -> ApprovalRequest:
    if given is not None:
        request = ApprovalRequest.objects.get(pk=given.pk)
    else:
        request = slot_rules.open_request(experiment, RequestKind.PROPOSAL)
        if request is None and experiment.status == Status.PENDING_APPROVAL:
            # Pending since before approvals were recorded: open its request now, on today's contract.
            request = open_request(experiment, RequestKind.PROPOSAL, experiment.owner)
    if request is None:
        latest = experiment.approval_requests.filter(kind=RequestKind.PROPOSAL).order_by("-opened_at", "-pk").first()
        mine = latest.decisions.filter(approver=user).first() if latest is not None else None
        # A second click after one's own decision ended the request: say so, not "cannot approve".
        if mine is not None and experiment.status == lifecycle.MOVES[mine.verdict].target:
            raise DecisionConflict(str(ALREADY_DECIDED))
        label = lifecycle.MOVES[verdict].label.lower()
        raise lifecycle.IllegalMove(
            _("Cannot %(action)s an experiment that is %(status)s.")
            % {"action": label, "status": str(experiment.get_status_display()).lower()}
        )
    if request.status != State.OPEN:
        if request.decisions.filter(approver=user).exists():
            raise DecisionConflict(str(ALREADY_DECIDED))
        raise DecisionConflict(
            _("This request was already %(state)s by someone else; reload to see the outcome.")
            % {"state": str(request.get_status_display()).lower()}
        )
    return request


def _close(request, experiment, user, verdict, comment, now):
    event = None
    if request.kind == RequestKind.PROPOSAL:
        # The move's own hook (after_move) closes the request in the same transaction.
        event = lifecycle.make_move(experiment, verdict, user, reason=comment)
    else:
        claimed = ApprovalRequest.objects.filter(pk=request.pk, status=State.OPEN).update(
            status=CLOSING[verdict], closed_at=now
        )
        if claimed != 1:
            raise DecisionConflict(
                _("Someone else decided this request at the same moment; reload to see the outcome.")
            )
        if request.kind == RequestKind.AMENDMENT and verdict == Verdict.APPROVE:
            apply_contract(experiment, request.snapshot.data)
    notice = {
        Verdict.APPROVE: Kind.APPROVED,
        Verdict.REJECT: Kind.REJECTED,
        Verdict.REQUEST_CHANGES: Kind.CHANGES_REQUESTED,
    }[verdict]
    # Changes requested: straight to the form; otherwise the experiment, where the decision shows.
    url = experiment_edit_url(experiment) if notice == Kind.CHANGES_REQUESTED else experiment.get_absolute_url()
    tell(
        notice,
        _authors(experiment),
        key=f"{notice}:request:{request.pk}",
        url=url,
        experiment=experiment,
        request=request,
        actor=user,
        context={"details": comment},
    )
    return event


# --- edits, amendments, restarts -----------------------------------------------------------


def resubmit_after_edit(experiment: Experiment, actor) -> ApprovalRequest:
    """An edit of a submitted experiment: approvals given so far are withdrawn (the old request is
    superseded) and it waits again, on a new snapshot, for every required approval."""
    with transaction.atomic():
        current = Experiment.objects.select_for_update().get(pk=experiment.pk)
        if actor.pk not in current.authors():
            raise lifecycle.NotPermitted(_("Only the owner and co-authors may edit this experiment."))
        if current.status != Status.PENDING_APPROVAL:
            raise lifecycle.IllegalMove(
                "Only an experiment pending approval is resubmitted after an edit; this one is "
                f"{current.get_status_display().lower()}."
            )
        edited = policy_contract.contract_of(current)
        _refuse_outside_policy(edited, current, _("The edit breaks the guardrail policy: nothing was saved."))
        previous = slot_rules.open_request(current, RequestKind.PROPOSAL)
        # The approvers decide on the diff against the version they were looking at.
        request = open_request(current, RequestKind.PROPOSAL, actor, base=previous.snapshot if previous else None)
        ExperimentEvent.objects.create(
            experiment=current,
            action="resubmit",
            from_status=current.status,
            to_status=current.status,
            actor=actor,
            reason="Edited after submission; approvals given so far are withdrawn.",
            created_at=request.opened_at,
        )
    return request


def after_edit(experiment: Experiment, actor) -> ApprovalRequest | None:
    """Called by every edit entry point after saving, in the same transaction. An experiment
    waiting for approval whose contract now differs from the one the approvers are looking at is
    resubmitted; a save that changed nothing in the contract leaves the approvals standing. An
    approved experiment that has not started goes back to pending approval, its approval withdrawn."""
    if experiment.status == Status.APPROVED:
        approved = approved_snapshot(experiment)
        if approved is not None and approved.data == contract_of(experiment):
            return None
        lifecycle.make_move(experiment, "reopen", actor, reason=_("Edited after approval; the approval is withdrawn."))
        return slot_rules.open_request(experiment, RequestKind.PROPOSAL)
    if experiment.status != Status.PENDING_APPROVAL:
        return None
    waiting = slot_rules.open_request(experiment, RequestKind.PROPOSAL)
    if waiting is not None and waiting.snapshot.data == contract_of(experiment):
        return None
    return resubmit_after_edit(experiment, actor)


def approved_snapshot(experiment: Experiment) -> Snapshot | None:
    """The contract in force: the latest approved proposal or amendment."""
    request = (
        experiment.approval_requests.filter(
            status=State.APPROVED, kind__in=[RequestKind.PROPOSAL, RequestKind.AMENDMENT]
        )
        .order_by("-closed_at", "-pk")
        .select_related("snapshot")
        .first()
    )
    return request.snapshot if request else None


def request_amendment(experiment: Experiment, actor, changes: dict, reason: str = "") -> ApprovalRequest:
    """Ask to change an approved or running experiment's scope, exposure, duration or metrics.

    The experiment keeps running under its approved contract until the amendment is approved.
    """
    unknown = sorted(set(changes) - set(AMENDABLE))
    if unknown:
        raise lifecycle.TransitionError(
            _("An amendment may change only scope, exposure, duration or metrics."),
            [{"field": f, "message": _("Cannot be amended; propose a new experiment.")} for f in unknown],
        )
    with transaction.atomic():
        current = Experiment.objects.select_for_update().get(pk=experiment.pk)
        refusal = access.amend_refusal(actor, current)
        if refusal:
            raise refusal
        base = approved_snapshot(current) or freeze(current, None)
        proposed = dict(base.data)
        proposed.update(_clean_changes(changes))
        if not diff_rows(base.data, proposed):
            raise lifecycle.TransitionError(
                _("The amendment changes nothing."),
                [{"field": "changes", "message": _("Nothing differs from the approved contract.")}],
            )
        # The proposed contract, not just the changed fields: today's policy holds for all of it.
        refusal = _("The amendment breaks the guardrail policy: fix the fields listed.")
        _refuse_outside_policy(proposed, current, refusal, base=base.data)
        return open_request(current, RequestKind.AMENDMENT, actor, data=proposed, base=base, reason=reason)


def _clean_changes(changes: dict) -> dict:
    clean, problems = {}, []
    for field, value in changes.items():
        if field in ("touchpoints", "segments"):
            model = Touchpoint if field == "touchpoints" else Segment
            keys = sorted(set(value))
            missing = set(keys) - set(model.objects.filter(key__in=keys).values_list("key", flat=True))
            if missing:
                problems.append(
                    {"field": field, "message": _("Unknown: %(keys)s.") % {"keys": ", ".join(sorted(missing))}}
                )
            clean[field] = keys
        elif field == "exposure_cap_pct":
            try:
                pct = Decimal(str(value))
                if not (Decimal("0.01") <= pct <= 100):
                    raise InvalidOperation
                clean[field] = str(pct.quantize(Decimal("0.01")))
            except (InvalidOperation, ValueError):
                problems.append({"field": field, "message": _("A percentage between 0.01 and 100.")})
        elif field in ("planned_start", "planned_end"):
            try:
                clean[field] = dt.date.fromisoformat(str(value)).isoformat()
            except ValueError:
                problems.append({"field": field, "message": _("A date as YYYY-MM-DD.")})
        elif field == "metrics":
            known = set(Metric.objects.values_list("key", flat=True))
            rows = sorted(value, key=lambda r: r.get("metric", ""))
            for row in rows:
                if row.get("metric") not in known or row.get("role") not in ("success", "guardrail"):
                    problems.append(
                        {"field": "metrics", "message": _("Unknown metric or role in %(row)s.") % {"row": row}}
                    )
            clean[field] = rows
    if problems:
        raise lifecycle.TransitionError(_("The amendment has invalid values."), problems)
    return clean


def apply_contract(experiment: Experiment, data: dict):
    """Make the amendable parts of the experiment match an approved snapshot."""
    Experiment.objects.filter(pk=experiment.pk).update(
        exposure_cap_pct=Decimal(data["exposure_cap_pct"]),
        planned_start=dt.date.fromisoformat(data["planned_start"]),
        planned_end=dt.date.fromisoformat(data["planned_end"]),
        updated_at=timezone.now(),
    )
    experiment.touchpoints.set(Touchpoint.objects.filter(key__in=data["touchpoints"]))
    experiment.segments.set(Segment.objects.filter(key__in=data["segments"]))
    current = {m["metric"]: m for m in data["metrics"]}
    experiment.metrics.exclude(metric__key__in=current).delete()
    metrics = {m.key: m for m in Metric.objects.filter(key__in=current)}
    for key, row in current.items():
        fields = {k: v for k, v in row.items() if k != "metric"}
        ExperimentMetric.objects.update_or_create(experiment=experiment, metric=metrics[key], defaults=fields)
    experiment.refresh_from_db()


def request_restart(experiment: Experiment, actor, reason: str) -> ApprovalRequest:
    """Ask to run again an experiment the checks stopped; the restart move waits for its approval."""
    reason = (reason or "").strip()
    if not reason:
        raise lifecycle.TransitionError(
            _("A restart needs a reason."), [{"field": "reason", "message": _("Say why it is safe to run again.")}]
        )
    with transaction.atomic():
        current = Experiment.objects.select_for_update().get(pk=experiment.pk)
        refusal = access.restart_refusal(actor, current)
        if refusal:
            raise refusal
        # Running again is running under today's policy; its start date has passed by design.
        now_contract = policy_contract.contract_of(current)
        message = _(
            "Running it again would break today's guardrail policy: propose a rerun that fixes the fields listed."
        )
        _refuse_outside_policy(now_contract, current, message, base=now_contract)
        return open_request(current, RequestKind.RESTART, actor, base=approved_snapshot(current), reason=reason)


def _refuse_outside_policy(contract: dict, experiment: Experiment, message: str, base: dict | None = None):
    problems = policy_contract.contract_problems(contract, authors=experiment.authors(), base=base)
    if problems:
        raise lifecycle.PolicyViolation(message, problems)


# --- discussion and suggestions ------------------------------------------------------------


def add_comment(request: ApprovalRequest, user, body: str) -> RequestComment:
    body = (body or "").strip()
    if not body:
        raise lifecycle.TransitionError(
            _("A comment needs some text."), [{"field": "body", "message": _("Write the comment.")}]
        )
    if not access.may_discuss(user, request):
        raise lifecycle.NotPermitted(_("Only the authors and this request's approvers may comment on it."))
    if request.status != State.OPEN:
        raise lifecycle.IllegalMove(
            f"This request is {request.get_status_display().lower()}; the discussion is closed."
        )
    return RequestComment.objects.create(request=request, author=user, body=body, created_at=timezone.now())


def suggested_approver(touchpoints):
    """The proposal form's suggestion: the charter owner of the first chartered touchpoint."""
    charter = (
        TouchpointCharter.objects.filter(touchpoint__in=touchpoints, owner__is_active=True)
        .select_related("owner")
        .order_by("touchpoint__name")
        .first()
    )
    return charter.owner if charter else None
