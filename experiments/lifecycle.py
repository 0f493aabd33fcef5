"""The experiment's one transition function. Every entry point (web, API, tasks) calls `transition`.

Allowed moves are data (MOVES); who may make each move is data too (`actors`). A move is applied
with a conditional UPDATE on the status it was checked against, so two people acting at once
leave exactly one outcome; the loser gets `TransitionConflict`.

Other apps add their rules through registered hooks (guards, delegates, after-move hooks), in
their AppConfig.ready: this module imports none of them.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from experiments import charter, errors, hooks, lessons, roles
from experiments.models import Experiment, ExperimentEvent, Outcome, Status
from experiments.stats.phrases import worded

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
    asks_lesson: bool = False  # the form offers a lesson (experiments.lessons says when it is required)
    style: str = "secondary"
    by_edit: bool = False  # made by saving an edit, never offered as a button


def _move(action, label, sources, target, actors, **kw):
    return Move(action, label, frozenset(sources), target, frozenset(actors), **kw)


MOVES = {
    m.action: m
    for m in [
        _move(
            "submit",
            gettext_lazy("Submit for approval"),
            {Status.DRAFT, Status.CHANGES_REQUESTED},
            Status.PENDING_APPROVAL,
            {OWNER},
            style="primary",
        ),
        # Editing an approved experiment before it starts withdraws its approval (approvals app).
        _move(
            "reopen",
            gettext_lazy("Send back for approval"),
            {Status.APPROVED},
            Status.PENDING_APPROVAL,
            {OWNER},
            by_edit=True,
        ),
        _move(
            "withdraw",
            gettext_lazy("Withdraw"),
            {Status.DRAFT, Status.PENDING_APPROVAL, Status.CHANGES_REQUESTED, Status.APPROVED},
            Status.WITHDRAWN,
            {OWNER},
        ),
        _move(
            "approve", gettext_lazy("Approve"), {Status.PENDING_APPROVAL}, Status.APPROVED, {APPROVER}, style="primary"
        ),
        _move(
            "request_changes",
            gettext_lazy("Request changes"),
            {Status.PENDING_APPROVAL},
            Status.CHANGES_REQUESTED,
            {APPROVER},
            needs_reason=True,
        ),
        _move(
            "reject",
            gettext_lazy("Reject"),
            {Status.PENDING_APPROVAL},
            Status.REJECTED,
            {APPROVER},
            needs_reason=True,
            style="danger",
        ),
        _move(
            "start",
            gettext_lazy("Start"),
            {Status.APPROVED},
            Status.RUNNING,
            {OWNER, roles.SIGNAL_OWNER, charter.BUILDER, SYSTEM, OPERATOR},
            style="primary",
        ),
        _move(
            "stop",
            gettext_lazy("Stop"),
            {Status.RUNNING},
            Status.STOPPED,
            {OWNER, APPROVER, roles.SIGNAL_OWNER, charter.OPERATOR, SYSTEM, OPERATOR},
            needs_reason=True,
            asks_lesson=True,
            style="danger",
        ),
        # Running again after the checks stopped it needs an approved restart request (approvals app).
        _move(
            "restart",
            gettext_lazy("Restart"),
            {Status.STOPPED},
            Status.RUNNING,
            {OWNER, roles.SIGNAL_OWNER, OPERATOR},
            style="primary",
        ),
        _move(
            "complete",
            gettext_lazy("Mark completed"),
            {Status.RUNNING},
            Status.COMPLETED,
            {OWNER, roles.SIGNAL_OWNER, SYSTEM, OPERATOR},
        ),
        _move(
            "conclude",
            gettext_lazy("Conclude"),
            {Status.STOPPED, Status.COMPLETED},
            Status.CONCLUDED,
            {OWNER, roles.SIGNAL_OWNER, SYSTEM, OPERATOR},
            needs_outcome=True,
            asks_lesson=True,
        ),
        # No person promotes: the review's promote decision does, creating the standard in the same
        # transaction; the review app's guard on "promote" asks for that decision.
        _move(
            "promote",
            gettext_lazy("Promote to standard"),
            {Status.CONCLUDED},
            Status.PROMOTED,
            {SYSTEM},
            style="primary",
        ),
        _move(
            "archive",
            gettext_lazy("Archive"),
            {Status.CONCLUDED, Status.REJECTED, Status.WITHDRAWN},
            Status.ARCHIVED,
            {OWNER, roles.STANDARDS_KEEPER, SYSTEM, OPERATOR},
        ),
    ]
}


# The approvers' moves: votes first (the approvals app registers itself as their delegate).
DECISION_ACTIONS = frozenset({"approve", "reject", "request_changes"})

# Separation of duties: the approver's decisions, refused to authors with a message that says why.
SELF_DECISION_MESSAGES = {
    "approve": _("You cannot approve an experiment you own or co-author."),
    "request_changes": _("You cannot request changes on an experiment you own or co-author."),
    "reject": _("You cannot reject an experiment you own or co-author."),
}

# Moves no person makes, with the refusal that says who does.
SYSTEM_ONLY_MESSAGES = {
    "promote": _(
        "An experiment is promoted only by the monthly promotion review's decision, which creates its standard."
    ),
}

# The lifecycle's refusals are the one domain error type (experiments.errors), under the names
# this module has always used.
TransitionError = errors.DomainError
UnknownAction = errors.UnknownAction
NotPermitted = errors.NotPermitted
IllegalMove = errors.IllegalMove
TransitionConflict = errors.Conflict
PolicyViolation = errors.PolicyViolation


# --- extension points (other apps register in AppConfig.ready; see experiments.hooks) ----------


def register_guard(action: str, owner: str, fn, *, hides_move: bool = False):
    """fn(experiment, actor, outcome) raises a TransitionError to refuse `action`."""
    hooks.registry.add(f"guard:{action}", owner, fn, hides_move=hides_move)


def register_delegate(action: str, owner: str, fn):
    """`action` is first another app's record: transition() hands it to fn(experiment, actor,
    action, reason), which records it and makes the move with `make_move` when it is due."""
    hooks.registry.add(f"delegate:{action}", owner, fn)


def register_after_move(owner: str, fn):
    hooks.registry.add("after_move", owner, fn)


def register_relations(owner: str, fn):
    hooks.registry.add("relations", owner, fn)


def delegated_actions() -> set[str]:
    return {action for action in MOVES if hooks.registry.one(f"delegate:{action}")}


# --- who and what --------------------------------------------------------------------------------


def relations(user, experiment: Experiment) -> set[str]:
    """Which actor kinds `user` counts as for `experiment` (None is the scheduler)."""
    if user is None:
        return {SYSTEM}
    if not user.is_authenticated or not user.is_active:
        return set()
    # The signal-owner role holds where the touchpoint's charter says so (experiments.charter).
    found = set(roles.role_names(user)) - {roles.SIGNAL_OWNER}
    found |= charter.relations(user, experiment)
    is_author = user.pk in experiment.authors()
    if is_author:
        found.add(OWNER)
    if user.is_superuser:
        found.add(OPERATOR)
    # Separation of duties: an author never counts as approver, whatever else they are.
    if not is_author:
        if experiment.approver_id == user.pk:
            found.add(APPROVER)
        for hook in hooks.registry.get("relations"):
            found |= hook.fn(user, experiment)
    return found


def may_perform(user, experiment: Experiment, action: str) -> bool:
    move = MOVES.get(action)
    return move is not None and bool(move.actors & relations(user, experiment))


def _refused(experiment, move, actor) -> bool:
    for hook in hooks.registry.get(f"guard:{move.action}"):
        if hook.options.get("hides_move"):
            try:
                hook.fn(experiment, actor, "")
            except errors.DomainError:
                return True
    return False


def available_moves(user, experiment: Experiment) -> list[Move]:
    """The moves this user could make now (status, permission and the guards that hide a button)."""
    mine = relations(user, experiment)
    return [
        m
        for m in MOVES.values()
        if experiment.status in m.sources and m.actors & mine and not m.by_edit and not _refused(experiment, m, user)
    ]


def _check_guards(experiment: Experiment, move: Move, actor, outcome: str):
    """The experiment's own guards, then every guard another app registered for the move."""
    if move.action in ("submit", "reopen"):  # reopen: an approved experiment edited goes back to pending
        from experiments.policy import blocking_problems

        problems = blocking_problems(experiment)
        if problems:
            raise PolicyViolation(_("The proposal breaks the guardrail policy: fix the fields listed."), problems)
    if move.action == "submit" and actor is not None:
        refusal = charter.design_refusal(actor, experiment.touchpoints.all())
        if refusal:
            raise NotPermitted(refusal)
    if move.action == "conclude":
        from experiments.verdicts import guard_conclude  # verdicts imports lifecycle (its errors)

        guard_conclude(experiment, actor, outcome)
    if move.action == "promote" and experiment.outcome != Outcome.WON:
        raise IllegalMove(_("Only an experiment concluded as won can be promoted to a standard."))
    for hook in hooks.registry.get(f"guard:{move.action}"):
        hook.fn(experiment, actor, outcome)


# --- moving --------------------------------------------------------------------------------------


def _check_inputs(move: Move, reason: str, outcome: str):
    if move.needs_reason and not reason:
        raise TransitionError(
            _("%(move)s needs a reason.") % {"move": move.label},
            [{"field": "reason", "message": _("This action needs a reason.")}],
        )
    if move.needs_outcome:
        if outcome not in Outcome.values:
            choices = ", ".join(Outcome.values)
            raise TransitionError(
                _("%(move)s needs an outcome: one of %(choices)s.") % {"move": move.label, "choices": choices},
                [{"field": "outcome", "message": _("Choose one of %(choices)s.") % {"choices": choices}}],
            )
    elif outcome:
        raise TransitionError(
            _("%(move)s does not take an outcome.") % {"move": move.label},
            [{"field": "outcome", "message": _("Leave empty for this action.")}],
        )


def _move_for(action: str) -> Move:
    move = MOVES.get(action)
    if move is None:
        raise UnknownAction(
            _("'%(action)s' is not an experiment action. Use one of: %(actions)s.")
            % {"action": action, "actions": ", ".join(MOVES)},
            field="action",
        )
    return move


def _reason_words(reason: str | dict) -> tuple[str, dict | None]:
    """(the reason's words as recorded, its phrase or None): the scheduler gives phrases (a check's
    sentence) so each reader's timeline words them in their language (ExperimentEvent.display_reason)."""
    if isinstance(reason, dict):
        return worded(reason).strip(), reason
    return (reason or "").strip(), None


def transition(
    experiment: Experiment,
    action: str,
    actor,
    *,
    reason: str | dict = "",
    outcome: str = "",
    lesson: str = "",
    lesson_differently: str = "",
    acknowledged_plan: bool = False,
) -> ExperimentEvent | None:
    """Apply `action` by `actor` (a user, or None for the scheduler). Every entry point calls this.
    `acknowledged_plan` goes to the approvers' delegate: the approver approves an infeasible plan knowingly.

    Raises a TransitionError subclass and changes nothing when the move is not allowed. A move
    another app records first (an approver's vote) is handed to it; it returns None while that
    record does not make the move yet (other approvals are still due).
    """
    move = _move_for(action)
    delegate = hooks.registry.one(f"delegate:{action}")
    if delegate is None:
        return make_move(
            experiment,
            action,
            actor,
            reason=reason,
            outcome=outcome,
            lesson=lesson,
            lesson_differently=lesson_differently,
        )
    reason = _reason_words(reason)[0]
    _check_inputs(move, reason, outcome)
    lessons.check(experiment, action, actor, outcome=outcome, learned=lesson, differently=lesson_differently)
    event = delegate.fn(experiment, actor, action, reason, acknowledged_plan=acknowledged_plan)
    if event is not None:
        experiment.status, experiment.updated_at = event.to_status, event.created_at
    return event


def make_move(
    experiment: Experiment,
    action: str,
    actor,
    *,
    reason: str | dict = "",
    outcome: str = "",
    lesson: str = "",
    lesson_differently: str = "",
) -> ExperimentEvent:
    """Check and make the move itself: permission, status, guards, then a conditional UPDATE.

    A delegate (approvals.decide) calls this once its record is written; the guards it
    registered refuse the move when that record is missing, so calling this directly from code
    cannot skip it.
    """
    move = _move_for(action)
    reason, reason_said = _reason_words(reason)
    _check_inputs(move, reason, outcome)
    with transaction.atomic():
        current = Experiment.objects.select_for_update().get(pk=experiment.pk)
        if not move.actors & relations(actor, current):
            if move.action in SELF_DECISION_MESSAGES and actor is not None and actor.pk in current.authors():
                raise NotPermitted(SELF_DECISION_MESSAGES[move.action])
            if move.action in SYSTEM_ONLY_MESSAGES:
                raise NotPermitted(SYSTEM_ONLY_MESSAGES[move.action])
            raise NotPermitted(_("You may not %(move)s this experiment.") % {"move": move.label.lower()})
        if current.status not in move.sources:
            raise IllegalMove(
                _("Cannot %(move)s an experiment that is %(status)s.")
                % {"move": move.label.lower(), "status": current.get_status_display().lower()}
            )
        _check_guards(current, move, actor, outcome)
        # A stop or a lost/invalid ending needs a lesson from the person ending it (experiments.lessons).
        lessons.check(current, action, actor, outcome=outcome, learned=lesson, differently=lesson_differently)
        now = timezone.now()
        # The version SDKs see (experiments.live.sdk_config): a status change reaches them on refresh.
        fields = {"status": move.target, "updated_at": now, "config_version": current.config_version + 1}
        if move.needs_outcome:
            fields["outcome"] = outcome
        claimed = Experiment.objects.filter(pk=current.pk, status=current.status).update(**fields)
        if claimed != 1:
            raise TransitionConflict(
                _("Someone else changed this experiment at the same moment; reload and try again.")
            )
        event = ExperimentEvent.objects.create(
            experiment=current,
            action=action,
            from_status=current.status,
            to_status=move.target,
            outcome=outcome if move.needs_outcome else "",
            actor=actor,
            reason=reason,
            reason_said=reason_said,
            created_at=now,
        )
        lessons.record(current, actor, learned=lesson, differently=lesson_differently)
        current.status, current.updated_at = move.target, now
        current.config_version += 1
        for hook in hooks.registry.get("after_move"):
            hook.fn(current, action, actor, event)
    experiment.status = move.target
    experiment.updated_at = now
    experiment.config_version = current.config_version
    if move.needs_outcome:
        experiment.outcome = outcome
    return event


def key_is_free(experiment: Experiment) -> bool:
    """Whether the experiment's key may still change: until the proposal is first submitted, so
    while it is new or a draft (a submitted proposal never becomes a draft again). The form, the
    edit view and the API ask this one rule."""
    return experiment.pk is None or experiment.status == Status.DRAFT


def after_edit(experiment: Experiment, actor) -> list:
    """Every edit entry point calls this after saving, in the same transaction: apps that keep a
    record of the contract (approvals) react. Returns what they report (e.g. a reopened request)."""
    return [found for hook in hooks.registry.get("after_edit") if (found := hook.fn(experiment, actor)) is not None]


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
