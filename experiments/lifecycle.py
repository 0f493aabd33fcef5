"""The experiment's one transition function. Every entry point (web, API, tasks) calls `transition`.

Allowed moves are data (MOVES); who may make each move is data too (`actors`). A move is applied
with a conditional UPDATE on the status it was checked against, so two people acting at once
leave exactly one outcome; the loser gets `TransitionConflict`.
"""
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from experiments import roles
from experiments.models import Experiment, ExperimentEvent, Outcome, Status

# Relations a user can have to an experiment; "system" is the scheduler (no user).
# They share one set with role names (roles.py), so none may equal a role name: "approver" did,
# and then everyone holding the approver role counted as the named approver, authors included.
OWNER = "owner"
APPROVER = "named_approver"
SYSTEM = "system"
OPERATOR = "operator"  # superusers acting for operations (start/stop/conclude by hand)


@dataclass(frozen=True)
class Move:
    action: str
    label: str
    sources: frozenset
    target: str
    actors: frozenset
    needs_reason: bool = False
    needs_outcome: bool = False
    style: str = "secondary"


def _move(action, label, sources, target, actors, **kw):
    return Move(action, label, frozenset(sources), target, frozenset(actors), **kw)


MOVES = {
    m.action: m
    for m in [
        _move("submit", "Submit for approval", {Status.DRAFT, Status.CHANGES_REQUESTED}, Status.PENDING_APPROVAL, {OWNER}, style="primary"),
        _move("withdraw", "Withdraw", {Status.DRAFT, Status.PENDING_APPROVAL, Status.CHANGES_REQUESTED, Status.APPROVED}, Status.WITHDRAWN, {OWNER}),
        _move("approve", "Approve", {Status.PENDING_APPROVAL}, Status.APPROVED, {APPROVER}, style="primary"),
        _move("request_changes", "Request changes", {Status.PENDING_APPROVAL}, Status.CHANGES_REQUESTED, {APPROVER}, needs_reason=True),
        _move("reject", "Reject", {Status.PENDING_APPROVAL}, Status.REJECTED, {APPROVER}, needs_reason=True, style="danger"),
        _move("start", "Start", {Status.APPROVED}, Status.RUNNING, {OWNER, roles.SIGNAL_OWNER, SYSTEM, OPERATOR}, style="primary"),
        _move("stop", "Stop", {Status.RUNNING}, Status.STOPPED, {OWNER, APPROVER, roles.SIGNAL_OWNER, SYSTEM, OPERATOR}, needs_reason=True, style="danger"),
        # Running again after the checks stopped it needs an approved restart request (approvals app).
        _move("restart", "Restart", {Status.STOPPED}, Status.RUNNING, {OWNER, roles.SIGNAL_OWNER, OPERATOR}, style="primary"),
        _move("complete", "Mark completed", {Status.RUNNING}, Status.COMPLETED, {OWNER, roles.SIGNAL_OWNER, SYSTEM, OPERATOR}),
        _move("conclude", "Conclude", {Status.STOPPED, Status.COMPLETED}, Status.CONCLUDED, {OWNER, roles.SIGNAL_OWNER, SYSTEM, OPERATOR}, needs_outcome=True),
        _move("promote", "Promote to standard", {Status.CONCLUDED}, Status.PROMOTED, {roles.BOARD, roles.STANDARDS_KEEPER, SYSTEM}, style="primary"),
        _move("archive", "Archive", {Status.CONCLUDED, Status.REJECTED, Status.WITHDRAWN}, Status.ARCHIVED, {OWNER, roles.STANDARDS_KEEPER, SYSTEM, OPERATOR}),
    ]
}


# Separation of duties: the approver's decisions, refused to authors with a message that says why.
SELF_DECISION_MESSAGES = {
    "approve": "You cannot approve an experiment you own or co-author.",
    "request_changes": "You cannot request changes on an experiment you own or co-author.",
    "reject": "You cannot reject an experiment you own or co-author.",
}


class TransitionError(Exception):
    """A refused move. `message` is written for the person who asked."""

    status_code = 400

    def __init__(self, message: str, problems=None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


class UnknownAction(TransitionError):
    status_code = 400


class NotPermitted(TransitionError):
    status_code = 403


class IllegalMove(TransitionError):
    status_code = 409


class TransitionConflict(TransitionError):
    status_code = 409


class PolicyViolation(TransitionError):
    status_code = 400


def relations(user, experiment: Experiment) -> set[str]:
    """Which actor kinds `user` counts as for `experiment` (None is the scheduler)."""
    if user is None:
        return {SYSTEM}
    if not user.is_authenticated or not user.is_active:
        return set()
    found = set(roles.role_names(user))
    is_author = user.pk in experiment.authors()
    if is_author:
        found.add(OWNER)
    # Separation of duties: an author never counts as approver, whatever else they are.
    if not is_author and (experiment.approver_id == user.pk or _holds_approval_slot(user, experiment)):
        found.add(APPROVER)
    if user.is_superuser:
        found.add(OPERATOR)
    return found


def _holds_approval_slot(user, experiment: Experiment) -> bool:
    """Approval policies may require more people than the named approver (approvals.slots)."""
    if experiment.status != Status.PENDING_APPROVAL:
        return False
    from approvals.slots import is_required_approver

    return is_required_approver(user, experiment)


def may_perform(user, experiment: Experiment, action: str) -> bool:
    move = MOVES.get(action)
    return move is not None and bool(move.actors & relations(user, experiment))


def available_moves(user, experiment: Experiment) -> list[Move]:
    """The moves this user could make now (status, permission and the restart guard allow)."""
    mine = relations(user, experiment)
    moves = [m for m in MOVES.values() if experiment.status in m.sources and m.actors & mine]
    if any(m.action == "restart" for m in moves):
        from approvals.services import restart_is_approved

        if not restart_is_approved(experiment):
            moves = [m for m in moves if m.action != "restart"]
    return moves


def _check_guards(experiment: Experiment, move: Move, outcome: str):
    if move.action == "submit":
        from experiments.policy import blocking_problems

        problems = blocking_problems(experiment)
        if problems:
            raise PolicyViolation("The proposal breaks the guardrail policy: fix the fields listed.", problems)
    if move.action == "restart":
        from approvals.services import restart_is_approved

        if not restart_is_approved(experiment):
            raise IllegalMove("A stopped experiment restarts only after its restart request is approved.")
    if move.action == "promote" and experiment.outcome != Outcome.WON:
        raise IllegalMove("Only an experiment concluded as won can be promoted to a standard.")


# Approvers' moves are votes: they are recorded as decisions (approvals.services.decide), and the
# move happens only once every required approval is in. No entry point can skip the record.
DECISION_ACTIONS = frozenset({"approve", "reject", "request_changes"})


def transition(
    experiment: Experiment, action: str, actor, *, reason: str = "", outcome: str = "", decided: bool = False
) -> ExperimentEvent | None:
    """Apply `action` by `actor` (a user, or None for the scheduler). Returns the event written.

    Raises a TransitionError subclass and changes nothing when the move is not allowed.
    An approver's move is cast as a vote; it returns None while other approvals are still due.
    `decided` is for decide() alone: the vote is already recorded.
    """
    move = MOVES.get(action)
    if move is None:
        raise UnknownAction(f"'{action}' is not an experiment action. Use one of: {', '.join(MOVES)}.")
    if action in DECISION_ACTIONS and not decided:
        if outcome:
            raise TransitionError(f"{move.label} does not take an outcome.", [{"field": "outcome", "message": "Leave empty for this action."}])
        from approvals.services import decide

        event = decide(experiment, actor, action, reason).event
        if event is not None:
            experiment.status, experiment.updated_at = event.to_status, event.created_at
        return event
    reason = (reason or "").strip()
    if move.needs_reason and not reason:
        raise TransitionError(f"{move.label} needs a reason.", [{"field": "reason", "message": "This action needs a reason."}])
    if move.needs_outcome:
        if outcome not in Outcome.values:
            raise TransitionError(
                f"{move.label} needs an outcome: one of {', '.join(Outcome.values)}.",
                [{"field": "outcome", "message": f"Choose one of {', '.join(Outcome.values)}."}],
            )
    elif outcome:
        raise TransitionError(f"{move.label} does not take an outcome.", [{"field": "outcome", "message": "Leave empty for this action."}])

    with transaction.atomic():
        current = Experiment.objects.select_for_update().get(pk=experiment.pk)
        if not move.actors & relations(actor, current):
            if move.action in SELF_DECISION_MESSAGES and actor is not None and actor.pk in current.authors():
                raise NotPermitted(SELF_DECISION_MESSAGES[move.action])
            raise NotPermitted(f"You may not {move.label.lower()} this experiment.")
        if current.status not in move.sources:
            raise IllegalMove(
                f"Cannot {move.label.lower()} an experiment that is {current.get_status_display().lower()}."
            )
        _check_guards(current, move, outcome)
        now = timezone.now()
        fields = {"status": move.target, "updated_at": now}
        if move.needs_outcome:
            fields["outcome"] = outcome
        claimed = Experiment.objects.filter(pk=current.pk, status=current.status).update(**fields)
        if claimed != 1:
            raise TransitionConflict("Someone else changed this experiment at the same moment; reload and try again.")
        event = ExperimentEvent.objects.create(
            experiment=current,
            action=action,
            from_status=current.status,
            to_status=move.target,
            outcome=outcome if move.needs_outcome else "",
            actor=actor,
            reason=reason,
            created_at=now,
        )
        # Approval requests follow the status in the same transaction (submit opens one, etc.).
        from approvals.services import after_move

        after_move(current, action, actor, event)
    experiment.status = move.target
    experiment.updated_at = now
    if move.needs_outcome:
        experiment.outcome = outcome
    return event


def record_creation(experiment: Experiment, actor) -> ExperimentEvent:
    """The first line of the timeline: the draft was created."""
    return ExperimentEvent.objects.create(
        experiment=experiment,
        action="create",
        from_status="",
        to_status=experiment.status,
        actor=actor,
        created_at=timezone.now(),
    )
