"""The decision at one look of an experiment: the risk-aware rule, checked every day.

Per metric (``MetricSpec``) and treatment arm:

- success metric: one-sided superiority, H0: effect <= 0, at alpha / (S x T) (S success metrics,
  T treatment arms);
- guardrail metric: one-sided non-inferiority, H0: effect <= -margin, at alpha / T;
- every metric: a deterioration (harm) test, H0: effect >= 0, at ``harm_alpha``.

With a planned maximum (``Design.planned_units``) each test is group sequential with alpha spending
over the information fraction; a metric marked ``open_ended`` (or any metric when nothing is
planned) uses the always-valid mixture test instead. Effects are oriented so positive = better.

The look's decision, in this order: sample ratio mismatch -> stop (invalid); any harm boundary
crossed -> stop (lost: roll back); a treatment with >= 1 success metric crossed, every guardrail
non-inferior and the minimum runtime passed -> conclude (won); planned maximum reached ->
conclude (lost if a success metric crossed but a guardrail blocked the ship, else inconclusive:
no effect shown); otherwise continue.

Reported per metric: estimate, a repeated confidence interval at the current boundary (it lies
wholly beyond the null exactly when the boundary is crossed, and covers the true effect at every
look at once with probability >= its level), the stagewise-ordering p-value (<= the alpha spent so
far exactly when the boundary is crossed), the plain nominal p-value of the same z, and the
boundary. Mixture tests report 1/Lambda as the p-value and the confidence sequence as interval.
"""

from __future__ import annotations

import math
from dataclasses import MISSING, asdict, dataclass, field, fields
from enum import Enum

from scipy.special import ndtr

from .boundaries import DEFAULT_STEP, KeptStates, boundary_state, normalise_fractions
from .counts import data_units
from .effects import NotEnoughData, compare
from .inputs import ARM_KINDS, StatsInputError, as_arm
from .frozen import made
from .msprt import mixing_variance, mixture_test
from .once import once
from .phrases import count, joined, lowered, number, phrase, reading, worded
from .spending import spending_function
from .srm import SRM_ALPHA, SRM_MIN_UNITS, SrmResult, srm_test
from .verdicts import LookAction, LookOutcome, MetricRole, MetricStatus
from .wording import effect_reading_fields, with_unit

SUCCESS, GUARDRAIL = MetricRole.SUCCESS, MetricRole.GUARDRAIL
# Units per arm per metric below which no test runs (the normal approximation needs a few).
MIN_UNITS = 10
# Total units at which an open-ended mixture test is tightest when nothing better is known.
DEFAULT_MIXTURE_UNITS = 10_000


def _is_number(value) -> bool:
    """A finite int or float, not a bool."""
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def _probability(field_name: str, value, high: float = 0.5) -> float:
    if not _is_number(value) or not 0 < value < high:
        raise StatsInputError(field_name, f"must be a number between 0 and {high:g}")
    return float(value)


@dataclass(frozen=True)
class MetricSpec:
    """What a metric is and how it is judged."""

    name: str
    kind: str  # "mean" | "binary" | "nps"
    role: MetricRole | str  # a plain string is turned into its MetricRole
    lower_is_better: bool = False
    margin: float | None = None  # guardrails: non-inferiority margin (> 0) in effect units
    relative: bool = False  # effect in % of control instead of metric units
    label: str | None = None  # how a manager calls it, e.g. "complaint rate"
    unit: str | None = None  # mean metrics: e.g. "minutes"
    open_ended: bool = False  # no planned maximum for this metric: mixture test

    def __post_init__(self):
        where = f"metrics[{self.name}]"
        if not isinstance(self.name, str) or not self.name:
            raise StatsInputError("metrics.name", "every metric needs a name")
        if self.kind not in ("mean", "binary", "nps"):
            raise StatsInputError(f"{where}.kind", "must be mean, binary or nps")
        if self.role not in tuple(MetricRole):
            raise StatsInputError(f"{where}.role", "must be success or guardrail")
        object.__setattr__(self, "role", MetricRole(self.role))  # frozen: the one normalising write
        if self.role == GUARDRAIL:
            m = self.margin
            if isinstance(m, bool) or not isinstance(m, (int, float)) or not math.isfinite(m) or m <= 0:
                raise StatsInputError(f"{where}.margin", "a guardrail needs a positive non-inferiority margin")

    @property
    def display_name(self) -> str:
        return self.label or self.name

    @once
    def title(self) -> str:
        """The display name starting a sentence."""
        return self.display_name[:1].upper() + self.display_name[1:]

    @once
    def margin_text(self) -> str:
        """ "0.5 points": a guardrail's margin as its sentences say it."""
        return with_unit(self.margin, self)

    @once
    def margin_amount(self) -> dict:
        """The margin as a phrase's value (worded when read, like ``margin_text``)."""
        return {"amount": self.margin, "unit": self.unit_text.strip(), "signed": False}

    @once
    def result_fields(self) -> dict:
        """What every ``MetricResult`` of this metric says about the metric itself."""
        return {
            "metric": self.name,
            "label": self.display_name,
            "role": self.role,
            "relative": self.relative,
            "unit": self.unit_text.strip(),
            "margin": self.margin,
            "lower_is_better": self.lower_is_better,
            "kind": self.kind,
            "value_unit": self.unit or "",
        }

    @property
    def unit_text(self) -> str:
        if self.relative:
            return "%"
        if self.kind == "binary":
            return " points"
        if self.kind == "nps":
            return " NPS points"
        return f" {self.unit}" if self.unit else ""


@dataclass(frozen=True)
class Design:
    """The plan an experiment's looks are judged against."""

    weights: dict  # arm -> planned allocation weight
    control: str
    alpha: float = 0.05
    harm_alpha: float = 0.01
    planned_units: int | None = None  # total units over all arms at the planned maximum
    min_runtime_days: float = 0.0
    spending: str = "obrien_fleming"
    srm_alpha: float = SRM_ALPHA
    srm_min_units: int = SRM_MIN_UNITS
    min_units: int = MIN_UNITS
    mixture_units: int | None = None  # where open-ended mixture tests are tightest (total units)
    step: float = DEFAULT_STEP

    def __post_init__(self):
        if not isinstance(self.weights, dict) or len(self.weights) < 2:
            raise StatsInputError("weights", "need a control and at least one treatment arm")
        for arm, w in self.weights.items():
            if isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(w) or w <= 0:
                raise StatsInputError(f"weights.{arm}", "must be a positive number")
        if self.control not in self.weights:
            raise StatsInputError("control", "must be one of the arms")
        _probability("alpha", self.alpha)
        _probability("harm_alpha", self.harm_alpha)
        _probability("srm_alpha", self.srm_alpha)
        units = self.planned_units
        if units is not None and (isinstance(units, bool) or not isinstance(units, int) or units <= 0):
            raise StatsInputError("planned_units", "must be a positive whole number of units")
        if (
            not isinstance(self.min_runtime_days, (int, float))
            or not math.isfinite(self.min_runtime_days)
            or self.min_runtime_days < 0
        ):
            raise StatsInputError("min_runtime_days", "must be a number of days, 0 or more")
        spending_function(self.spending)

    @property
    def treatments(self) -> list[str]:
        return [arm for arm in self.weights if arm != self.control]


@dataclass(frozen=True)
class MetricResult:
    metric: str
    label: str
    role: MetricRole
    treatment: str
    status: MetricStatus
    said: dict = field(hash=False)  # the sentence, a phrase worded when read (``sentence``): see ``phrases``
    method: str = ""  # "group_sequential" | "mixture" | ""
    relative: bool = False
    unit: str = ""
    estimate: float | None = None  # oriented: positive = better
    change: float | None = None  # the raw treatment - control change (a rise is positive)
    interval: tuple[float, float] | None = None  # oriented repeated CI / confidence sequence
    interval_level: float | None = None
    z: float | None = None  # of the role's test (success: vs 0; guardrail: vs -margin)
    boundary: float | None = None  # z the role's test must reach now (None: infinite)
    boundary_effect: float | None = None  # the oriented estimate that would just reach it
    p_value: float | None = None  # stagewise-ordering (group sequential) or 1/Lambda (mixture)
    nominal_p_value: float | None = None  # one-sided normal p of z, ignoring the repeated looks
    alpha: float | None = None  # one-sided level of the role's test
    alpha_spent: float | None = None  # cumulative alpha allowed by this look
    margin: float | None = None
    lower_is_better: bool = False  # the engine turned the effect round: raw change = -estimate
    kind: str = ""  # "mean" | "binary" | "nps": how each arm's value reads
    value_unit: str = ""  # a mean metric's own unit (e.g. "minutes"), also when judged relative
    control_value: float | None = None  # each arm's rate (%), mean or NPS (CUPED-adjusted when used)
    treatment_value: float | None = None
    harm: bool = False
    harm_z: float | None = None
    harm_boundary: float | None = None
    harm_p_value: float | None = None
    harm_interval: tuple[float, float] | None = None
    harm_interval_level: float | None = None
    cuped_theta: float | None = None
    n_control: int | None = None
    n_treatment: int | None = None
    reason_said: dict | None = field(
        default=None, hash=False
    )  # NOT_ENOUGH_DATA: why no test ran, a phrase (no final full stop)

    @property
    def sentence(self) -> str:
        return worded(self.said)

    @property
    def reason(self) -> str | None:
        """Why no test ran, in the active language's plain words."""
        return worded(self.reason_said) if self.reason_said is not None else None


_RESULT_FIELDS = frozenset(f.name for f in fields(MetricResult))
_RESULT_DEFAULTS = {f.name: f.default for f in fields(MetricResult) if f.default is not MISSING}


def _metric_result(values: dict) -> MetricResult:
    """``MetricResult(**values)``: the same object, made without ~40 frozen ``object.__setattr__``."""
    fields = values if len(values) == len(_RESULT_FIELDS) else {**_RESULT_DEFAULTS, **values}
    if fields.keys() != _RESULT_FIELDS:
        raise TypeError(f"MetricResult fields missing or unknown: {sorted(fields.keys() ^ _RESULT_FIELDS)}")
    return made(MetricResult, fields)


@dataclass(frozen=True)
class LookResult:
    action: LookAction
    outcome: LookOutcome | None  # None while it continues
    said: dict  # the sentence, a phrase worded when read (``sentence``)
    information_fraction: float | None
    look: int  # number of looks carrying information so far
    srm: SrmResult
    metrics: tuple[MetricResult, ...] = field(default_factory=tuple)
    winner: str | None = None  # the treatment that won

    @property
    def sentence(self) -> str:
        return worded(self.said)

    @property
    def not_enough_data_said(self) -> dict | None:
        """Why the look could not test anything yet: the first metric's reason (a phrase) when it
        continues and no metric had enough data; else None."""
        waiting = self.action == LookAction.CONTINUE and self.metrics
        if waiting and all(m.status == MetricStatus.NOT_ENOUGH_DATA for m in self.metrics):
            return self.metrics[0].reason_said
        return None

    @property
    def not_enough_data_reason(self) -> str | None:
        said = self.not_enough_data_said
        return worded(said) if said is not None else None

    def as_dict(self) -> dict:
        """JSON-able (infinite numbers become None, statuses their plain strings). The phrases are
        kept (``said``) to be worded in each reader's language; ``sentence`` and ``reason`` are
        their words in the active language, for readers of the record as it was written."""
        record = _jsonable(asdict(self))
        record["sentence"] = self.sentence
        for metric, result in zip(record["metrics"], self.metrics, strict=True):
            metric["sentence"] = result.sentence
            metric["reason"] = result.reason
        return record


def _jsonable(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _one_sided(
    estimate: float,
    variance: float,
    null: float,
    alpha: float,
    looks,
    design: Design,
    spec: MetricSpec,
    n_total: int,
    kept: KeptStates | None = None,
):
    """(z, crossed, boundary, p, nominal p, interval, level, alpha spent, method) of H0: effect <= null,
    for an oriented ``estimate`` with ``variance`` (numbers, so the harm test needs no flipped Effect)."""
    se = math.sqrt(variance)
    z = (estimate - null) / se
    nominal = float(ndtr(-z))
    if design.planned_units is None or spec.open_ended:
        reference_units = design.mixture_units or design.planned_units or DEFAULT_MIXTURE_UNITS
        tau2 = mixing_variance(alpha, variance * n_total / reference_units)
        result = mixture_test(estimate, variance, tau2, alpha, null=null)
        crossed = z >= result.z_threshold
        p = result.p_value if z > 0 else 1.0
        return z, crossed, result.z_threshold, p, nominal, result.interval, 1 - alpha, None, "mixture"
    if kept is not None:
        state = kept.state(looks, alpha, design.spending, design.step)
    else:
        state = boundary_state(looks, alpha, design.spending, design.step)
    b = state.boundary
    crossed = z >= b
    half = b * se
    interval = (estimate - half, estimate + half)
    p = state.stagewise_p_value(z)
    return z, crossed, b, p, nominal, interval, 1 - 2 * alpha, state.alpha_spent, "group_sequential"


def _not_enough_data_reason(spec: MetricSpec, control, treatment, treatment_name: str, design: Design, fractions):
    """(why this metric cannot be tested at this look yet or None when it can, the normalised looks;
    None when the arms are too small, which is said before the fractions are read)."""
    for arm_name, arm in ((design.control, control), (treatment_name, treatment)):
        if arm.n < design.min_units:
            said = phrase(
                "each arm needs at least %(min)s units and %(arm)s has %(n)s",
                min=count(design.min_units),
                arm=arm_name,
                n=count(arm.n),
            )
            return said, None
    looks = normalise_fractions(fractions)
    if not looks and design.planned_units is not None and not spec.open_ended:
        return phrase("no information has accrued yet"), looks
    return None, looks


def _role_test(spec: MetricSpec, design: Design, success_count: int) -> tuple[float, float]:
    """(alpha, null) of the role's one-sided test: success vs 0 at alpha / (S x T), guardrail vs
    -margin at alpha / T."""
    treatments = len(design.weights) - 1
    if spec.role == SUCCESS:
        return design.alpha / (max(success_count, 1) * treatments), 0.0
    return design.alpha / treatments, -spec.margin


def _harm_said(spec: MetricSpec, fields: dict, estimate: float) -> dict:
    """ "Stop: <what harmed>" (several harms are joined by their inner phrases: see _rule_harm)."""
    words = {
        "name": spec.display_name,
        "moved": reading(fields, "moved_text"),
        "interval": reading(fields, "interval_phrase"),
    }
    if spec.role == GUARDRAIL and -estimate > spec.margin:
        harmed = phrase(
            "%(name)s %(moved)s: clearly worse than control (%(interval)s), beyond the agreed margin of %(margin)s.",
            margin=spec.margin_amount,
            **words,
        )
    else:
        harmed = phrase("%(name)s %(moved)s: clearly worse than control (%(interval)s).", **words)
    return phrase("Stop: %(said)s", said=harmed)


def _undecided_tail(spec: MetricSpec, final: bool) -> dict:
    if spec.role == SUCCESS:
        return phrase("no improvement shown") if final else phrase("not yet enough evidence of an improvement")
    if final:
        return phrase("not shown to stay within the agreed margin of %(margin)s", margin=spec.margin_amount)
    return phrase("not yet shown to stay within the agreed margin of %(margin)s", margin=spec.margin_amount)


def _status_and_said(spec: MetricSpec, name: str, fields: dict, crossed: bool, final: bool):
    """Status and sentence (a phrase) of a metric whose harm boundary was not crossed."""
    words = {"name": name, "amount": reading(fields, "amount_text"), "interval": reading(fields, "interval_phrase")}
    if crossed and spec.role == SUCCESS:
        return MetricStatus.SUPERIOR, phrase("%(name)s improved: %(amount)s (%(interval)s).", **words)
    if crossed:
        said = phrase(
            "%(name)s stayed within the agreed margin of %(margin)s: %(amount)s (%(interval)s).",
            margin=spec.margin_amount,
            **words,
        )
        return MetricStatus.NON_INFERIOR, said
    return MetricStatus.UNDECIDED, phrase(
        "%(name)s %(amount)s (%(interval)s); %(tail)s.", tail=_undecided_tail(spec, final), **words
    )


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def evaluate_metric(
    spec: MetricSpec,
    control,
    treatment,
    design: Design,
    fractions,
    *,
    treatment_name: str = "treatment",
    success_count: int = 1,
    final: bool = False,
    kept: KeptStates | None = None,
) -> MetricResult:
    """One metric, one treatment arm vs control, at the look whose information fractions (all
    looks so far, this one last) are ``fractions``. ``control``/``treatment`` are arm statistics
    (objects from ``inputs`` or dicts of their fields). ``kept``: the experiment's boundary states
    from its previous look, extended here (see ``KeptStates``)."""
    arm_kind = ARM_KINDS.get(spec.kind)
    if type(control) is not arm_kind or type(treatment) is not arm_kind:  # dicts, or refused
        control = as_arm(spec.kind, control, f"metrics[{spec.name}].{design.control}")
        treatment = as_arm(spec.kind, treatment, f"metrics[{spec.name}].{treatment_name}")
    base = {**spec.result_fields, "treatment": treatment_name, "n_control": control.n, "n_treatment": treatment.n}
    name = spec.title

    reason, looks = _not_enough_data_reason(spec, control, treatment, treatment_name, design, fractions)
    effect = None
    if reason is None:
        try:
            effect = compare(
                control.summary(), treatment.summary(), relative=spec.relative, lower_is_better=spec.lower_is_better
            )
        except NotEnoughData as not_enough:
            reason = not_enough.said
    if effect is None:
        said = phrase("%(name)s: not enough data yet — %(reason)s.", name=name, reason=reason)
        return _metric_result({**base, "status": MetricStatus.NOT_ENOUGH_DATA, "said": said, "reason_said": reason})

    n_total = control.n + treatment.n
    alpha, null = _role_test(spec, design, success_count)
    estimate, variance = effect.estimate, effect.variance
    role_test = _one_sided(estimate, variance, null, alpha, looks, design, spec, n_total, kept)
    z, crossed, b, p, nominal, interval, level, spent, method = role_test
    # Harm: H0 effect >= 0 is the superiority test of the flipped effect.
    harm_test = _one_sided(-estimate, variance, 0.0, design.harm_alpha, looks, design, spec, n_total, kept)
    hz, harm, hb, hp, _nominal, h_interval, h_level, _spent, _method = harm_test
    harm_interval = (-h_interval[1], -h_interval[0])

    if harm:
        fields = effect_reading_fields(spec, effect, harm_interval, h_level, harm=True)
        status, said = MetricStatus.HARM, _harm_said(spec, fields, effect.estimate)
    else:
        fields = effect_reading_fields(spec, effect, interval, level)
        status, said = _status_and_said(spec, name, fields, crossed, final)

    return _metric_result(
        {
            **base,
            "status": status,
            "said": said,
            "method": method,
            "estimate": estimate,
            "change": effect.raw(estimate),
            "interval": interval,
            "interval_level": level,
            "z": z,
            "boundary": _finite(b),
            "boundary_effect": null + b * effect.se if math.isfinite(b) else None,
            "p_value": p,
            "nominal_p_value": nominal,
            "alpha": alpha,
            "alpha_spent": spent,
            "harm": harm,
            "harm_z": hz,
            "harm_boundary": _finite(hb),
            "harm_p_value": hp,
            "harm_interval": harm_interval,
            "harm_interval_level": h_level,
            "cuped_theta": effect.cuped_theta,
            "control_value": effect.control_mean,
            "treatment_value": effect.treatment_mean,
            "reason_said": None,
        }
    )


def information_fraction(unit_counts: dict, planned_units: int | None) -> float | None:
    if planned_units is None:
        return None
    return min(sum(unit_counts.values()) / planned_units, 1.0)


# --- one look, step by step ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Progress:
    """Where the look stands against the plan."""

    fraction: float | None  # this look's information fraction (None: nothing planned)
    fractions: tuple  # every look's fraction so far, this one last (1.0 if it is the final look)
    looks: int  # looks carrying information so far
    reached: bool  # the planned maximum is reached, or this is the final look


@dataclass(frozen=True)
class _Decision:
    action: LookAction
    outcome: LookOutcome | None
    said: dict
    winner: str | None = None


@dataclass(frozen=True)
class _Standing:
    """A treatment with at least one success metric crossed, and the guardrails that block it."""

    treatment: str
    metrics: tuple  # all its MetricResults
    winners: list  # its SUPERIOR success metrics
    failing: list  # its guardrails not shown NON_INFERIOR


@dataclass(frozen=True)
class _Look:
    """What the decision rules read."""

    design: Design
    srm: SrmResult
    results: tuple
    progress: _Progress
    days_elapsed: float

    @property
    def many(self) -> bool:
        return len(self.design.treatments) > 1

    def standings(self) -> list[_Standing]:
        standings = []
        for treatment in self.design.treatments:
            mine = tuple(r for r in self.results if r.treatment == treatment)
            winners = [r for r in mine if r.status == MetricStatus.SUPERIOR]
            failing = [r for r in mine if r.role == GUARDRAIL and r.status != MetricStatus.NON_INFERIOR]
            if winners:
                standings.append(_Standing(treatment, mine, winners, failing))
        return standings

    def blocked(self) -> _Standing | None:
        return next((s for s in self.standings() if s.failing), None)


def _check_days_elapsed(days_elapsed) -> None:
    if not _is_number(days_elapsed) or days_elapsed < 0:
        raise StatsInputError("days_elapsed", "must be a number of days, 0 or more")


def _units_in_data(specs) -> dict:
    """Units per arm in the statistics the tests use (the most any metric counted in the arm)."""
    return data_units(specs, lambda spec, arm, stats: as_arm(spec.kind, stats, f"metrics[{spec.name}].{arm}").n)


def _progress(design: Design, units: dict, previous_fractions, final: bool) -> _Progress:
    """``units``: the units per arm in the data the tests use; the information fraction comes from
    these, never from another count (assigned units go to the sample-ratio check only)."""
    t = information_fraction(units, design.planned_units)
    previous = tuple(previous_fractions)
    normalise_fractions(previous + ((t,) if t is not None else ()))  # validates: no NaN, no shrinking
    reached = final or (t is not None and t >= 1)
    fractions = previous + ((1.0 if final else t,) if t is not None else ())
    looks = len(normalise_fractions(fractions)) if t is not None else 0
    return _Progress(t, fractions, looks, reached)


def _checked_metrics(design: Design, metrics) -> list[tuple[MetricSpec, dict]]:
    """The (MetricSpec, {arm: statistics}) pairs, each named once with exactly the design's arms."""
    specs = []
    seen = set()
    for index, item in enumerate(metrics):
        try:
            spec, arms = item
        except (TypeError, ValueError):
            raise StatsInputError(f"metrics[{index}]", "must be a (MetricSpec, {arm: statistics}) pair") from None
        if not isinstance(spec, MetricSpec):
            raise StatsInputError(f"metrics[{index}]", "must start with a MetricSpec")
        if spec.name in seen:
            raise StatsInputError(f"metrics[{spec.name}]", "appears twice")
        seen.add(spec.name)
        if not isinstance(arms, dict) or set(arms) != set(design.weights):
            arms_text = sorted(design.weights)
            raise StatsInputError(f"metrics[{spec.name}]", f"needs statistics for exactly the arms {arms_text}")
        specs.append((spec, arms))
    return specs


def _evaluate_metrics(design: Design, specs, progress: _Progress, kept=None) -> tuple[MetricResult, ...]:
    """Every metric of every treatment arm, treatment by treatment."""
    success_count = sum(1 for spec, _ in specs if spec.role == SUCCESS)
    return tuple(
        evaluate_metric(
            spec,
            arms[design.control],
            arms[treatment],
            design,
            progress.fractions,
            treatment_name=treatment,
            success_count=success_count,
            final=progress.reached,
            kept=kept,
        )
        for treatment in design.treatments
        for spec, arms in specs
    )


def _but(standing: _Standing) -> dict:
    """ "<a success sentence> But <the first failing guardrail's sentence>" """
    return phrase("%(win)s But %(failing)s", win=standing.winners[0].said, failing=lowered(standing.failing[0].said))


def _treatment_prefixed(look: _Look, treatment: str, said: dict) -> dict:
    """ "treatment B: <said>" when there are several treatments; else just what is said."""
    return joined(f"{treatment}:", said) if look.many else said


# The decision rules, in the order they are tried: the first that decides, decides.


def _rule_invalid(look: _Look) -> _Decision | None:
    """A sample ratio mismatch stops it: nothing else can be trusted."""
    if look.srm.failed:
        return _Decision(LookAction.STOP, LookOutcome.INVALID, phrase("Stop (invalid): %(srm)s", srm=look.srm.said()))
    return None


def _rule_harm(look: _Look) -> _Decision | None:
    """Any metric clearly worse than control stops it (roll back)."""
    harmful = [r for r in look.results if r.status == MetricStatus.HARM]
    if not harmful:
        return None
    # Each harm's phrase is "Stop: <what harmed>": joined, they say only what harmed.
    harmed = _treatment_prefixed(look, harmful[0].treatment, joined(*(r.said["v"]["said"] for r in harmful)))
    return _Decision(LookAction.STOP, LookOutcome.LOST, phrase("Stop and roll back: %(said)s", said=harmed))


def _rule_win(look: _Look) -> _Decision | None:
    """The first treatment with a success metric crossed and every guardrail non-inferior wins,
    once the minimum runtime has passed (until then it continues, saying so)."""
    clear = next((s for s in look.standings() if not s.failing), None)
    if clear is None:
        return None
    design = look.design
    if look.days_elapsed < design.min_runtime_days:
        waiting = phrase(
            "The minimum runtime of %(minimum)s days has not passed yet (day %(day)s).",
            minimum=number(design.min_runtime_days),
            day=number(look.days_elapsed),
        )
        return _Decision(
            LookAction.CONTINUE, None, phrase("Continue: %(said)s", said=joined(clear.winners[0].said, waiting))
        )
    parts = [phrase("%(arm)s won.", arm=clear.treatment)] if look.many else []
    parts += [r.said for r in clear.winners]
    if any(r.role == GUARDRAIL for r in clear.metrics):
        parts.append(phrase("Every guardrail stayed within its margin."))
    said = phrase("Conclude (won): %(said)s", said=joined(*parts))
    return _Decision(LookAction.CONCLUDE, LookOutcome.WON, said, clear.treatment)


def _rule_planned_maximum(look: _Look) -> _Decision | None:
    """At the planned maximum (or the final look) it concludes: lost when a success metric crossed
    but a guardrail blocked the ship, else inconclusive."""
    if not look.progress.reached:
        return None
    blocked = look.blocked()
    if blocked is not None:
        said = _treatment_prefixed(look, blocked.treatment, _but(blocked))
        return _Decision(LookAction.CONCLUDE, LookOutcome.LOST, phrase("Conclude (lost): %(said)s", said=said))
    shown = [r.said for r in look.results if r.role == SUCCESS]
    said = phrase(
        "Conclude (no effect shown): the planned maximum was reached. %(shown)s",
        shown=joined(*shown) if shown else phrase("No success metric was set."),
    )
    return _Decision(LookAction.CONCLUDE, LookOutcome.INCONCLUSIVE, said)


def _rule_continue(look: _Look) -> _Decision:
    t = look.progress.fraction
    blocked = look.blocked()
    said = _but(blocked) if blocked is not None else phrase("no win and no harm shown yet.")
    if t is None:
        return _Decision(LookAction.CONTINUE, None, phrase("Continue: %(said)s", said=said))
    said = phrase("Continue at %(share)s%% of the planned units: %(said)s", share=number(100 * t), said=said)
    return _Decision(LookAction.CONTINUE, None, said)


DECISION_RULES = (_rule_invalid, _rule_harm, _rule_win, _rule_planned_maximum)


def _decide(look: _Look) -> _Decision:
    for rule in DECISION_RULES:
        decision = rule(look)
        if decision is not None:
            return decision
    return _rule_continue(look)


def evaluate_look(
    design: Design,
    metrics,
    unit_counts: dict,
    *,
    previous_fractions=(),
    days_elapsed: float = 0.0,
    final: bool = False,
    kept: KeptStates | None = None,
) -> LookResult:
    """Decide one look.

    ``metrics``: a list of (MetricSpec, {arm: statistics}) pairs with cumulative statistics.
    ``unit_counts``: units assigned to each arm so far (for the SRM check). The information
    fraction comes from the units in ``metrics`` (the most any metric counted per arm), the data
    the tests use. ``previous_fractions``: the information fractions of all earlier looks, in
    order (store ``LookResult.information_fraction`` each time); the boundaries depend on them.
    ``final``: this is the last look (e.g. the planned days ran out): it spends all remaining alpha.
    ``kept``: the boundary states kept after the previous look; each is extended by this look (the
    same boundaries as computing every look afresh) and left in it to keep for the next one.
    """
    _check_days_elapsed(days_elapsed)
    srm = srm_test(unit_counts, design.weights, alpha=design.srm_alpha, min_units=design.srm_min_units)
    specs = _checked_metrics(design, metrics)
    progress = _progress(design, _units_in_data(specs), previous_fractions, final)
    results = _evaluate_metrics(design, specs, progress, kept)
    decision = _decide(_Look(design, srm, results, progress, days_elapsed))
    return LookResult(
        decision.action,
        decision.outcome,
        decision.said,
        progress.fraction,
        progress.looks,
        srm,
        results,
        decision.winner,
    )
