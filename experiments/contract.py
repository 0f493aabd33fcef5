"""The experiment's contract (what the approvers decide on) and THE check of it against the policy.

A contract is the snapshot dict `contract_of` builds: a proposal, an edit after submit, an
amendment's proposed contract, a rerun draft and a restart are all checked by `contract_problems`,
so every door refuses with the same field-named problems. The policy page, the policy API and the
proposal form read `policy_summary`, built from the same rules and the same `PolicyRules`.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from experiments import roles
from experiments.hooks import registry
from experiments.models import Experiment, GuardrailPolicy, NeverTestArea, SensitiveCategory, Touchpoint

# --- the contract ----------------------------------------------------------------------------


def _number(value):
    return None if value is None else float(value)


def metric_row(row) -> dict:
    return {
        "metric": row.metric.key,
        "role": row.role,
        "effect_unit": row.effect_unit,
        "minimum_detectable_effect": _number(row.minimum_detectable_effect),
        "non_inferiority_margin": _number(row.non_inferiority_margin),
        "baseline_rate": _number(row.baseline_rate),
        "baseline_mean": _number(row.baseline_mean),
        "baseline_sd": _number(row.baseline_sd),
    }


AI_SAFEGUARD_FIELDS = ("ai_disclosure", "human_fallback", "bias_note")


def contract_of(experiment: Experiment) -> dict:
    policy = GuardrailPolicy.current()
    # The AI safeguards join the contract only when written, so contracts frozen before they
    # existed still equal the experiment's own (no approval is reopened for nothing).
    safeguards = {name: getattr(experiment, name).strip() for name in AI_SAFEGUARD_FIELDS}
    return {
        **{name: text for name, text in safeguards.items() if text},
        "title": experiment.title,
        "hypothesis": experiment.hypothesis_sentence,
        "touchpoints": sorted(experiment.touchpoints.values_list("key", flat=True)),
        "segments": sorted(experiment.segments.values_list("key", flat=True)),
        "sensitive_categories": sorted(experiment.sensitive_categories.values_list("key", flat=True)),
        # Quantized: a value fresh from a form ("20") and one read back ("20.00") are one contract.
        "exposure_cap_pct": str(Decimal(experiment.exposure_cap_pct).quantize(Decimal("0.01"))),
        "planned_start": experiment.planned_start.isoformat(),
        "planned_end": experiment.planned_end.isoformat(),
        "min_runtime_days": experiment.min_runtime_days,
        "approver": experiment.approver.get_username() if experiment.approver_id else None,
        "variants": [
            {"key": v.key, "name": v.name, "is_control": v.is_control, "weight": v.weight}
            for v in experiment.variants.all()
        ],
        "metrics": [metric_row(r) for r in experiment.metrics.select_related("metric").order_by("metric__key")],
        "rules": {
            "alpha": experiment.alpha,
            "power": experiment.power,
            "expected_daily_traffic": experiment.expected_daily_traffic,
            "max_duration_days": policy.max_duration_days,
            "max_exposure_pct": str(policy.max_exposure_pct),
        },
    }


# --- the policy, read once per check -----------------------------------------------------------


@dataclass
class Area:
    name: str
    why: str
    touchpoints: frozenset  # keys; empty = every touchpoint
    keywords: tuple

    def hit(self, contract: dict) -> tuple[str, str] | None:
        """(field, keyword) when the contract falls in this area; keyword "" for a closed touchpoint."""
        if self.touchpoints and not self.touchpoints & set(contract.get("touchpoints") or []):
            return None
        if not self.keywords:
            return ("touchpoints", "") if self.touchpoints else None
        for field_name in ("title", "hypothesis"):
            text = (contract.get(field_name) or "").lower()
            for keyword in self.keywords:
                if re.search(rf"\b{re.escape(keyword.lower())}\b", text):
                    return field_name, keyword
        return None


@dataclass
class PolicyRules:
    """Everything the check needs from the admin-edited policy, loaded in a few queries."""

    max_duration_days: int
    max_exposure_pct: Decimal
    mandatory: dict  # metric key -> name, for every experiment
    touchpoints: dict  # key -> (name, {metric key: name}), in name order
    sensitive: dict  # key -> (name, description, needs standards keeper)
    never_test: list = field(default_factory=list)
    # key -> (name, {metric key: name} one of which must be a guardrail, needs the AI safeguards)
    ai_guardrails: dict = field(default_factory=dict)


def load_rules(policy: GuardrailPolicy | None = None) -> PolicyRules:
    policy = policy or GuardrailPolicy.current()
    touchpoints = {
        tp.key: (tp.name, {m.key: m.name for m in tp.mandatory_guardrails.all()})
        for tp in Touchpoint.objects.prefetch_related("mandatory_guardrails").order_by("name")
    }
    areas = [
        Area(a.name, a.why, frozenset(t.key for t in a.touchpoints.all()), tuple(a.keyword_list))
        for a in NeverTestArea.objects.filter(is_active=True).prefetch_related("touchpoints")
    ]
    return PolicyRules(
        max_duration_days=policy.max_duration_days,
        max_exposure_pct=Decimal(policy.max_exposure_pct),
        mandatory={m.key: m.name for m in policy.mandatory_guardrails.all()},
        touchpoints=touchpoints,
        sensitive={c.key: (c.name, c.description, c.needs_standards_keeper) for c in SensitiveCategory.objects.all()},
        never_test=areas,
        ai_guardrails={
            c.key: (c.name, {m.key: m.name for m in c.guardrail_one_of.all()}, c.needs_ai_safeguards)
            for c in SensitiveCategory.objects.prefetch_related("guardrail_one_of")
            if c.needs_ai_safeguards or c.guardrail_one_of.all()
        },
    )


# --- the rules ---------------------------------------------------------------------------------


def _problem(field_name, message):
    return {"field": field_name, "message": message}


def percent(value) -> str:
    """50.00 -> "50", 12.50 -> "12.5"."""
    return f"{Decimal(str(value)).normalize():f}"


def _date(value):
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def duration_days(contract: dict) -> int | None:
    start, end = _date(contract.get("planned_start")), _date(contract.get("planned_end"))
    return (end - start).days + 1 if start and end else None


@dataclass
class Context:
    rules: PolicyRules
    authors: set | None
    today: dt.date
    base: dict | None


def _metrics(contract, ctx):
    rows = contract.get("metrics") or []
    problems = []
    if not any(r.get("role") == "success" for r in rows):
        problems.append(_problem("metrics", _("Add at least one success metric with its minimum detectable effect.")))
    if not any(r.get("role") == "guardrail" for r in rows):
        problems.append(_problem("metrics", _("Add at least one guardrail metric with its non-inferiority margin.")))
    return problems


def _touchpoint_named(contract, ctx):
    if contract.get("touchpoints"):
        return []
    return [_problem("touchpoints", _("Name at least one touchpoint the experiment changes."))]


def _mandatory_guardrails(contract, ctx):
    guardrails = {r.get("metric") for r in contract.get("metrics") or [] if r.get("role") == "guardrail"}
    chosen = set(contract.get("touchpoints") or [])
    everywhere = _("%(metric)s is a mandatory guardrail for the guardrail policy; add it as a guardrail.")
    on_touchpoint = _("%(metric)s is a mandatory guardrail for the %(touchpoint)s touchpoint; add it as a guardrail.")
    required = {key: everywhere % {"metric": name} for key, name in ctx.rules.mandatory.items()}
    for tp_name, metrics in (v for k, v in ctx.rules.touchpoints.items() if k in chosen):
        for key, name in metrics.items():
            required.setdefault(key, on_touchpoint % {"metric": name, "touchpoint": tp_name})
    return [_problem("metrics", message) for key, message in required.items() if key not in guardrails]


def _never_test(contract, ctx):
    problems = []
    for area in ctx.rules.never_test:
        hit = area.hit(contract)
        if hit is None:
            continue
        field_name, keyword = hit
        if keyword:
            message = _("“%(keyword)s” falls under “%(area)s”, which is never experimented on: %(why)s")
        else:
            message = _("“%(area)s” is never experimented on: %(why)s")
        problems.append(_problem(field_name, message % {"keyword": keyword, "area": area.name, "why": area.why}))
    return problems


def _ai_guardrails(contract, ctx):
    """A category such as "Uses AI" asks for a guardrail on the path to a human (one of its list)
    and for the safeguards the approvers and the standards keeper read: each missing one named."""
    guardrails = {r.get("metric") for r in contract.get("metrics") or [] if r.get("role") == "guardrail"}
    problems = []
    asked = [
        ctx.rules.ai_guardrails[k] for k in contract.get("sensitive_categories") or [] if k in ctx.rules.ai_guardrails
    ]
    for name, one_of, _safeguards in asked:
        if one_of and not guardrails & set(one_of):
            message = _("%(category)s needs one of these as a guardrail: %(metrics)s.")
            problems.append(_problem("metrics", message % {"category": name, "metrics": ", ".join(one_of.values())}))
    if any(safeguards for _name, _one_of, safeguards in asked):
        name = next(n for n, _one_of, safeguards in asked if safeguards)
        wanted = {
            "ai_disclosure": _("%(category)s needs a disclosure: what customers are told about the AI."),
            "human_fallback": _("%(category)s needs a named human fallback: who takes over from the AI."),
            "bias_note": _("%(category)s needs a bias and fairness note for the standards keeper to review."),
        }
        for field_name, message in wanted.items():
            if not (contract.get(field_name) or "").strip():
                problems.append(_problem(field_name, message % {"category": name}))
    return problems


def _dates(contract, ctx):
    start, end = _date(contract.get("planned_start")), _date(contract.get("planned_end"))
    if not (start and end):
        return []
    problems = []
    days = duration_days(contract)
    if end <= start:
        problems.append(_problem("planned_end", _("The planned end must be after the planned start.")))
    elif days > ctx.rules.max_duration_days:
        message = _("The planned duration is %(days)s days; the policy allows at most %(max)s.")
        problems.append(_problem("planned_end", message % {"days": days, "max": ctx.rules.max_duration_days}))
    # A start already agreed (a running experiment's, or a stopped one's) has passed by design;
    # only a new start date must lie ahead.
    agreed = ctx.base is not None and _date(ctx.base.get("planned_start")) == start
    if start < ctx.today and not agreed:
        problems.append(_problem("planned_start", _("The planned start is in the past; choose today or later.")))
    return problems


def _min_runtime(contract, ctx):
    days, minimum = duration_days(contract), contract.get("min_runtime_days")
    # An end not after the start is already reported by _dates.
    if days is None or days <= 1 or not minimum or minimum <= days:
        return []
    message = _("The minimum runtime (%(min)s days) is longer than the planned duration (%(days)s days).")
    return [_problem("min_runtime_days", message % {"min": minimum, "days": days})]


def _exposure(contract, ctx):
    try:
        pct = Decimal(str(contract.get("exposure_cap_pct")))
    except InvalidOperation:
        return []
    if not pct.is_finite() or pct <= ctx.rules.max_exposure_pct:
        return []
    return [
        _problem(
            "exposure_cap_pct",
            _("Exposure cap %(pct)s%% is above the policy maximum of %(max)s%%.")
            % {"pct": percent(pct), "max": percent(ctx.rules.max_exposure_pct)},
        )
    ]


def _approver(contract, ctx):
    username = contract.get("approver")
    user = get_user_model().objects.filter(username=username).first() if username else None
    if user is None:
        return [_problem("approver", _("Name the approver who will decide on this proposal."))]
    if ctx.authors is not None and user.pk in ctx.authors:
        return [_problem("approver", _("The approver cannot be the owner or a co-author of the experiment."))]
    if not user.is_active:
        # A deactivated approver can never decide, so the request would wait forever.
        message = _("%(user)s's account is deactivated; name an approver who can sign in.")
        return [_problem("approver", message % {"user": username})]
    if not roles.has_role(user, roles.APPROVER) and not user.is_superuser:
        return [_problem("approver", _("%(user)s does not hold the approver role.") % {"user": username})]
    return []


def _variants(contract, ctx):
    rows = contract.get("variants") or []
    controls = [v for v in rows if v.get("is_control")]
    problems = []
    if len(controls) != 1:
        problems.append(_problem("variants", _("Mark exactly one variant as the control.")))
    if len(rows) - len(controls) < 1:
        problems.append(_problem("variants", _("Add at least one treatment variant besides the control.")))
    return problems


RULES = (
    _metrics,
    _touchpoint_named,
    _mandatory_guardrails,
    _never_test,
    _ai_guardrails,
    _dates,
    _min_runtime,
    _exposure,
    _approver,
    _variants,
)
# The limits a form can show before the rest of the proposal exists (the calculator uses them).
LIMIT_RULES = (_dates, _min_runtime, _exposure)


def _context(rules, authors, policy, today, base):
    if rules is None:
        rules = policy if isinstance(policy, PolicyRules) else load_rules(policy)
    return Context(rules=rules, authors=authors, today=today or timezone.localdate(), base=base)


def contract_problems(
    contract: dict, *, authors: set[int] | None = None, policy=None, today=None, base: dict | None = None
) -> list[dict]:
    """Every way `contract` leaves the policy, as [{"field", "message"}]; empty means inside it.

    authors: the owner's and co-authors' user ids (the approver may be none of them).
    policy: a GuardrailPolicy or already loaded PolicyRules (default: the policy in force).
    base: the contract in force when this one changes it (amendment, restart): its planned start
    may already have passed, a new one may not.
    """
    ctx = _context(None, authors, policy, today, base)
    return [problem for rule in RULES for problem in rule(contract, ctx)]


def limit_problems(contract: dict, *, policy=None, today=None) -> list[dict]:
    """The duration, runtime and exposure rules alone, for a proposal still being written."""
    ctx = _context(None, None, policy, today, None)
    return [problem for rule in LIMIT_RULES for problem in rule(contract, ctx)]


def experiment_problems(experiment: Experiment, policy=None) -> list[dict]:
    return contract_problems(contract_of(experiment), authors=experiment.authors(), policy=policy)


def added_approvals(contract: dict, policy=None) -> list[dict]:
    """Information, not problems: the approvals the contract's sensitive categories add."""
    rules = policy if isinstance(policy, PolicyRules) else load_rules(policy)
    found = []
    for key in contract.get("sensitive_categories") or []:
        name, _description, needs_keeper = rules.sensitive.get(key, (key, "", False))
        if needs_keeper:
            message = _("%(category)s adds a standards keeper's approval.") % {"category": name}
            found.append({"category": key, "message": message})
    return found


# --- the policy, said once for the page, the API and the form ----------------------------------


def policy_summary(policy=None) -> dict:
    rules = policy if isinstance(policy, PolicyRules) else load_rules(policy)
    keeper = _("a standards keeper's approval")
    return {
        "max_duration_days": rules.max_duration_days,
        "max_exposure_pct": percent(rules.max_exposure_pct),
        "mandatory_guardrails": [{"key": k, "name": n} for k, n in rules.mandatory.items()],
        "touchpoints": [
            {"key": key, "name": name, "mandatory_guardrails": [{"key": k, "name": n} for k, n in metrics.items()]}
            for key, (name, metrics) in rules.touchpoints.items()
        ],
        "sensitive_categories": [
            {
                "key": key,
                "name": name,
                "description": description,
                "adds_approvals": [keeper] if needs_keeper else [],
                "guardrail_one_of": [
                    {"key": k, "name": n} for k, n in rules.ai_guardrails.get(key, ("", {}, False))[1].items()
                ],
                "needs_ai_safeguards": rules.ai_guardrails.get(key, ("", {}, False))[2],
            }
            for key, (name, description, needs_keeper) in rules.sensitive.items()
        ],
        "never_test": [
            {"name": a.name, "why": a.why, "touchpoints": sorted(a.touchpoints), "keywords": list(a.keywords)}
            for a in rules.never_test
        ],
        "rules": rule_statements(rules),
        "approval_rules": [sentence for hook in registry.get("policy_approvals") for sentence in hook.fn()],
    }


def rule_statements(rules: PolicyRules) -> list[str]:
    """The rules in words, in the order the check applies them."""
    return [
        _(
            "At least one success metric (with its minimum detectable effect) and one guardrail metric "
            "(with its non-inferiority margin)."
        ),
        _("At least one touchpoint named."),
        _("The mandatory guardrails of the policy and of each chosen touchpoint carried as guardrails."),
        _("Nothing on the never-test list: those areas are never experimented on."),
        _("The planned end after the planned start; at most %(days)s days in all.") % {"days": rules.max_duration_days},
        _("A new planned start today or later."),
        _("A minimum runtime no longer than the planned duration."),
        _("An exposure cap of at most %(pct)s%% of eligible traffic.") % {"pct": percent(rules.max_exposure_pct)},
        _("A named approver who is active, holds the approver role and is not an author."),
        _("Exactly one control variant and at least one treatment."),
        _("Sensitive categories are allowed but add approvals (listed below)."),
        _(
            "An experiment using AI carries a guardrail on containment or handoff to a human, and states "
            "its disclosure, a named human fallback and a bias and fairness note."
        ),
        _(
            "These rules hold at every door: the proposal, an edit after submitting, an amendment, "
            "a restart and a rerun."
        ),
    ]
