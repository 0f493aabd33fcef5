"""Which approvals an experiment needs (slots), and whom each slot accepts.

A slot is a dict: {"key": unique within the request, "label": for people, "kind": named_approver |
touchpoint_owner | role, plus "user_ids" (named/touchpoint) or "role"}. Each approver fills at most one.
"""

import json

from django.db.models import BooleanField, Expression, F, Q
from django.utils.translation import gettext as _

from approvals.models import ApprovalPolicy, ApprovalRequest, Decision, TouchpointCharter
from experiments import roles
from experiments.models import Experiment

Req = ApprovalPolicy.Requirement


def matching_policies(experiment: Experiment):
    touchpoint_ids = list(experiment.touchpoints.values_list("pk", flat=True))
    category_ids = list(experiment.sensitive_categories.values_list("pk", flat=True))
    return ApprovalPolicy.objects.filter(is_active=True).filter(
        Q(touchpoint__isnull=True) | Q(touchpoint__in=touchpoint_ids),
        Q(sensitive_category__isnull=True) | Q(sensitive_category__in=category_ids),
    )


def required_slots(experiment: Experiment) -> list[dict]:
    slots = []
    if experiment.approver_id:
        slots.append(
            {
                "key": "named_approver",
                "label": "Named approver",
                "kind": Req.NAMED_APPROVER,
                "user_ids": [experiment.approver_id],
            }
        )
    policies = list(matching_policies(experiment))
    role_counts: dict[str, int] = {}
    if experiment.sensitive_categories.filter(needs_standards_keeper=True).exists():
        role_counts[roles.STANDARDS_KEEPER] = 1
    wants_owner = False
    for policy in policies:
        if policy.requirement == Req.ROLE:
            role_counts[policy.role] = max(role_counts.get(policy.role, 0), policy.count)
        elif policy.requirement == Req.TOUCHPOINT_OWNER:
            wants_owner = True
    if wants_owner:
        authors = experiment.authors()
        charters = TouchpointCharter.objects.filter(touchpoint__in=experiment.touchpoints.all()).select_related(
            "touchpoint"
        )
        for charter in charters:
            if charter.owner_id == experiment.approver_id:
                continue  # the named approver's one vote already speaks for this touchpoint
            people = [pk for pk in (charter.owner_id, charter.backup_id) if pk and pk not in authors]
            slots.append(
                {
                    "key": f"touchpoint_owner:{charter.touchpoint.key}",
                    "label": f"Owner of the {charter.touchpoint.name} touchpoint",
                    "touchpoint": charter.touchpoint.name,
                    "kind": Req.TOUCHPOINT_OWNER,
                    "user_ids": people,
                }
            )
    for role, count in sorted(role_counts.items()):
        for n in range(1, count + 1):
            suffix = f" ({n} of {count})" if count > 1 else ""
            slots.append(
                {
                    "key": f"role:{role}:{n}",
                    "label": f"{roles.ALL_ROLES.get(role, role)}{suffix}",
                    "of": [n, count],
                    "kind": Req.ROLE,
                    "role": role,
                }
            )
    return slots


def qualifies(user, slot: dict, request: ApprovalRequest | None = None) -> bool:
    if slot["kind"] == Req.ROLE:
        return roles.has_role(user, slot["role"])
    if user.pk in slot.get("user_ids", []):
        return True
    # Once a request is escalated, the touchpoints' backups may stand in for the named approver.
    if slot["kind"] == Req.NAMED_APPROVER and request is not None and request.escalated_at is not None:
        return user.pk in backups_for(request.experiment)
    return False


class OpenSlot(Expression):
    """`qualifies` in SQL, for many requests at once: true when one of an approval request's
    required slots is not yet filled by an approval and accepts a person who holds `roles` (role
    slots), is `user_id` (named and touchpoint-owner slots), or, with `kind`, any slot of that kind
    (the escalation rule; the caller says which requests it applies to). The slots are unnested
    in the database (PostgreSQL jsonb_array_elements, SQLite json_each), never read into Python."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, *, roles=(), user_id=None, kind=None):
        super().__init__(output_field=BooleanField())
        self.roles, self.user_id, self.kind = sorted(roles), user_id, kind
        self.slots, self.request = F("required_slots"), F("pk")

    def get_source_expressions(self):
        return [self.slots, self.request]

    def set_source_expressions(self, exprs):
        self.slots, self.request = exprs

    def _sql(self, compiler, connection, *, elements, field, has_user):
        slots_sql, slots_params = compiler.compile(self.slots)
        request_sql, request_params = compiler.compile(self.request)
        accepts, accept_params = [], []
        if self.kind is not None:
            accepts.append(f"{field('kind')} = %s")
            accept_params.append(self.kind)
        if self.roles:
            accepts.append(f"({field('kind')} = %s AND {field('role')} IN ({', '.join(['%s'] * len(self.roles))}))")
            accept_params += [Req.ROLE, *self.roles]
        if self.user_id is not None:
            sql, params = has_user(self.user_id)
            accepts.append(sql)
            accept_params += params
        if not accepts:
            return "1 = 0", []
        quote = connection.ops.quote_name
        vote = quote(Decision._meta.db_table)
        column = {name: quote(Decision._meta.get_field(name).column) for name in ("request", "slot", "verdict")}
        sql = (
            f"EXISTS (SELECT 1 FROM {elements(slots_sql)} WHERE ({' OR '.join(accepts)}) AND NOT EXISTS ("
            f"SELECT 1 FROM {vote} pagar_vote WHERE pagar_vote.{column['request']} = {request_sql} "
            f"AND pagar_vote.{column['verdict']} = %s AND pagar_vote.{column['slot']} = {field('key')}))"
        )
        return sql, [*slots_params, *accept_params, *request_params, Decision.Verdict.APPROVE]

    def as_sql(self, compiler, connection):  # PostgreSQL: the JSONField is jsonb
        return self._sql(
            compiler,
            connection,
            elements=lambda slots: f"jsonb_array_elements({slots}) AS pagar_slot(value)",
            field=lambda name: f"(pagar_slot.value ->> '{name}')",
            has_user=lambda pk: ("(pagar_slot.value -> 'user_ids') @> %s::jsonb", [json.dumps([pk])]),
        )

    def as_sqlite(self, compiler, connection):
        return self._sql(
            compiler,
            connection,
            elements=lambda slots: f"json_each({slots}) AS pagar_slot",
            field=lambda name: f"json_extract(pagar_slot.value, '$.{name}')",
            has_user=lambda pk: (
                "EXISTS (SELECT 1 FROM json_each(pagar_slot.value, '$.user_ids') AS pagar_user "
                "WHERE pagar_user.value = %s)",
                [pk],
            ),
        )


def might_wait(*, roles=(), user_id=None) -> Q:
    """A necessary condition of `OpenSlot(roles=..., user_id=...)` or of the escalation rule, which
    PostgreSQL answers from an index (approvals migration 0008): a slot naming `user_id`, a role
    slot of one of `roles`, or an escalation. It only narrows; OpenSlot decides."""
    hint = Q(required_slots__contains=[{"user_ids": [user_id]}]) | Q(escalated_at__isnull=False)
    for role in sorted(roles):
        hint |= Q(required_slots__contains=[{"kind": Req.ROLE, "role": role}])
    return hint


def backups_for(experiment: Experiment) -> set[int]:
    return set(
        TouchpointCharter.objects.filter(touchpoint__in=experiment.touchpoints.all(), backup__isnull=False).values_list(
            "backup_id", flat=True
        )
    )


def filled_slot_keys(request: ApprovalRequest) -> set[str]:
    # .all() so the inbox's prefetched decisions are used rather than one query per request.
    return {d.slot for d in request.decisions.all() if d.verdict == "approve"}


def slot_for(user, request: ApprovalRequest) -> dict | None:
    """The first slot `user` could fill on `request` (unfilled ones first), or None."""
    filled = filled_slot_keys(request)
    candidates = [s for s in request.required_slots if qualifies(user, s, request)]
    for slot in candidates:
        if slot["key"] not in filled:
            return slot
    return candidates[0] if candidates else None


def open_request(experiment: Experiment, kind: str | None = None) -> ApprovalRequest | None:
    qs = experiment.approval_requests.filter(status=ApprovalRequest.State.OPEN)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-opened_at", "-pk").first()


def is_required_approver(user, experiment: Experiment) -> bool:
    """Whether `user` holds a slot on the experiment's open proposal (lifecycle asks this)."""
    if not user.is_authenticated or user.pk in experiment.authors():
        return False
    request = open_request(experiment, ApprovalRequest.Kind.PROPOSAL)
    return request is not None and any(qualifies(user, s, request) for s in request.required_slots)


def waiting_on(request: ApprovalRequest) -> list[dict]:
    """The slots not yet filled, each labelled in the reader's language (``slot_label``)."""
    filled = filled_slot_keys(request)
    return [{**s, "label": slot_label(s)} for s in request.required_slots if s["key"] not in filled]


def slot_label(slot: dict) -> str:
    """A slot's name in the reader's language. The stored ``label`` is the site's words when the
    request opened; slots stored before their parts were kept are shown with it."""
    kind = slot.get("kind")
    if kind == Req.NAMED_APPROVER:
        return _("Named approver")
    if kind == Req.TOUCHPOINT_OWNER and slot.get("touchpoint"):
        return _("Owner of the %(touchpoint)s touchpoint") % {"touchpoint": slot["touchpoint"]}
    if kind == Req.ROLE and slot.get("role") in roles.ALL_ROLES:
        role = str(roles.ALL_ROLES[slot["role"]])
        n, count = slot.get("of") or (1, 1)
        return role if count <= 1 else _("%(role)s (%(n)s of %(count)s)") % {"role": role, "n": n, "count": count}
    return slot.get("label", "")


def policy_sentences() -> list[str]:
    """The approval policies in force, in words, for the policy page and /api/policy/."""
    sentences = []
    for policy in ApprovalPolicy.objects.filter(is_active=True).select_related("touchpoint", "sensitive_category"):
        if policy.touchpoint and policy.sensitive_category:
            where = _("An experiment on %(touchpoint)s in the sensitive category %(category)s") % {
                "touchpoint": policy.touchpoint.name,
                "category": policy.sensitive_category.name,
            }
        elif policy.touchpoint:
            where = _("An experiment on %(touchpoint)s") % {"touchpoint": policy.touchpoint.name}
        elif policy.sensitive_category:
            where = _("An experiment in the sensitive category %(category)s") % {
                "category": policy.sensitive_category.name
            }
        else:
            where = _("Every experiment")
        if policy.requirement == Req.ROLE:
            needs = _("%(count)s approval(s) from holders of the %(role)s role") % {
                "count": policy.count,
                "role": roles.ALL_ROLES.get(policy.role, policy.role),
            }
        elif policy.requirement == Req.TOUCHPOINT_OWNER:
            needs = _("the approval of each touchpoint's owner (or backup)")
        else:
            needs = _("the named approver's approval")
        sentences.append(
            _("%(where)s needs %(needs)s (%(policy)s).") % {"where": where, "needs": needs, "policy": policy.name}
        )
    return sentences
