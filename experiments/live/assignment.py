"""Which arm a unit gets: the experiment's fence applied to a per-process copy of its settings.

Every call reads the experiment's status (one small indexed query), so a stop takes effect on the
very next call. Everything else (arms and weights, exposure cap, segments, touchpoints) comes
from a cache keyed on the experiment's `updated_at`, which every change moves (amendments too),
and its `config_version`, which status changes, rollouts and reverts bump.

Only a running experiment enrols; any other status answers "not enrolled" with the control arm,
the experience customers have today, unless the winning arm of a won experiment is rolled out
(experiments.rollouts): then everyone in its touchpoints and segments gets that arm, with reason
`rolled_out` and, once promoted, the standard's code; not enrolled, so never counted for the
sample-ratio test. Enrolled units are counted through the assignment buffer,
never by a database write in the call, and only for a service key in scope: a person asking
gets a preview (the same answer, not counted), so nobody can shift an experiment's counts by hand.
"""

from dataclasses import dataclass, replace

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from experiments import access, service_keys
from experiments.live import assignment_buffer
from experiments.live.hashing import arm_for, is_exposed
from experiments.live.units import BadUnitId, clean_unit_id
from experiments.models import Experiment, Rollout, Segment, ServiceKeyAction, Status, Touchpoint, Variant

ITEM_FIELDS = ("unit", "segment", "touchpoint")

# Reasons (machine words) and what each means.
ENROLLED = "enrolled"
NOT_RUNNING = "not_running"
TOUCHPOINT_MISSING = "touchpoint_missing"
TOUCHPOINT_OUTSIDE = "touchpoint_outside_scope"
SEGMENT_MISSING = "segment_missing"
SEGMENT_OUTSIDE = "segment_outside_scope"
OUTSIDE_CAP = "outside_exposure_cap"
ROLLED_OUT = "rolled_out"
REASONS = (
    ENROLLED,
    NOT_RUNNING,
    TOUCHPOINT_MISSING,
    TOUCHPOINT_OUTSIDE,
    SEGMENT_MISSING,
    SEGMENT_OUTSIDE,
    OUTSIDE_CAP,
    ROLLED_OUT,
)
# Where a rollout may be made (experiments.rollouts): concluded as won, or promoted.
ROLLOUT_STATUSES = frozenset({Status.CONCLUDED, Status.PROMOTED})
# Where a rollout in force is served: archiving a rolled-out experiment does not take it back
# (only a revert does).
SERVES_ROLLOUT = ROLLOUT_STATUSES | {Status.ARCHIVED}


@dataclass(frozen=True)
class Assignment:
    experiment: str
    unit: str
    enrolled: bool
    variant: str | None  # the arm to serve; the control arm when not enrolled
    reason: str
    message: str
    counted: bool = False  # True when a service key's call counts the unit (a person's is a preview)
    standard: str | None = None  # the standard's code when a promoted experiment's arm is rolled out

    def as_dict(self) -> dict:
        return {
            "experiment": self.experiment,
            "unit": self.unit,
            "enrolled": self.enrolled,
            "variant": self.variant,
            "reason": self.reason,
            "message": self.message,
            "counted": self.counted,
            "standard": self.standard,
        }


@dataclass(frozen=True)
class ExperimentConfig:
    """What assignment needs to know about an experiment, as of `stamp`."""

    pk: int
    key: str
    stamp: tuple  # (updated_at, config_version) it was read at: the cache's key
    exposure_cap_pct: float
    weights: tuple[tuple[str, int], ...]  # (arm key, weight) in the variants' stored order
    variant_ids: dict[str, int]
    control: str | None
    segments: frozenset[str]
    touchpoints: frozenset[str]
    rolled_out: str | None = None  # the arm rolled out to everyone in scope (experiments.rollouts)
    standard: str | None = None  # the standard's code on that rollout, once promoted


class AssignmentInputError(ValueError):
    """Bad input: `errors` maps each field (e.g. "unit", "units[3].segment") to what is wrong."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items()))
        self.errors = errors


class ExperimentNotFound(Http404):
    pass


def arm_weights(variants) -> list[tuple[str, int]]:
    """(arm key, weight) pairs for `hashing.arm_for`, in the order given. Pass the variants in
    their stored order (`experiment.variants.all()`: control first, then as created) so every
    caller hashes a unit to the same arm."""
    return [(variant.key, variant.weight) for variant in variants]


# --- the per-process caches ------------------------------------------------------------------

_configs: dict[int, ExperimentConfig] = {}
_raw_configs: dict[int, tuple[tuple, ExperimentConfig]] = {}
_catalogue: dict[str, frozenset[str]] = {"segment": frozenset(), "touchpoint": frozenset()}
_CATALOGUE_MODELS = {"segment": Segment, "touchpoint": Touchpoint}


def clear_caches() -> None:
    """Forget cached experiments and catalogue keys (tests; the cache otherwise renews itself)."""
    _configs.clear()
    _raw_configs.clear()
    for kind in _catalogue:
        _catalogue[kind] = frozenset()


def _load_config(pk: int) -> ExperimentConfig:
    key, cap, updated_at, version = Experiment.objects.values_list(
        "key", "exposure_cap_pct", "updated_at", "config_version"
    ).get(pk=pk)
    variants = list(Variant.objects.filter(experiment_id=pk))
    control = next((v.key for v in variants if v.is_control), variants[0].key if variants else None)
    rollout = Rollout.objects.filter(experiment_id=pk, reverted_at__isnull=True).select_related("variant").first()
    return ExperimentConfig(
        pk=pk,
        key=key,
        stamp=(updated_at, version),
        exposure_cap_pct=float(cap),
        weights=tuple(arm_weights(variants)),
        variant_ids={v.key: v.pk for v in variants},
        control=control,
        segments=frozenset(Segment.objects.filter(experiments=pk).values_list("key", flat=True)),
        touchpoints=frozenset(Touchpoint.objects.filter(experiments=pk).values_list("key", flat=True)),
        rolled_out=rollout.variant.key if rollout else None,
        standard=(rollout.standard or None) if rollout else None,
    )


def _config(pk: int, key: str, stamp: tuple) -> ExperimentConfig:
    cached = _configs.get(pk)
    if cached is not None and cached.stamp == stamp and cached.key == key:
        return cached
    # Loaded with the stamp it was read at: if a change lands meanwhile, the next call's status
    # read shows a newer stamp and loads again.
    config = _load_config(pk)
    _configs[pk] = config
    return config


def _in_catalogue(kind: str, key: str) -> bool:
    if key in _catalogue[kind]:
        return True
    # A key not seen yet may have been added in the admin since: look once more.
    keys = frozenset(_CATALOGUE_MODELS[kind].objects.values_list("key", flat=True))
    _catalogue[kind] = keys
    return key in keys


# --- input -----------------------------------------------------------------------------------


def _clean_unit(value, field: str, errors: dict):
    try:
        return clean_unit_id(value)
    except BadUnitId as problem:
        missing = "Required: the id of the unit (customer, session, ...) to assign."
        errors[field] = [missing if problem.missing else problem.message]
        return None


def _clean_key(value, field: str, errors: dict):
    """An optional segment or touchpoint key (empty = not given)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        errors[field] = ["Must be a string: a catalogue key."]
        return None
    return value


def _clean_items(items, prefix: str | None) -> list[tuple[str, str | None, str | None]]:
    """Each item's (unit, segment, touchpoint); all errors of all items raised together."""
    errors: dict[str, list[str]] = {}
    cleaned = []
    for index, item in enumerate(items):
        at = "" if prefix is None else f"{prefix}[{index}]."
        if not isinstance(item, dict):
            errors[at.rstrip(".")] = ["Must be an object with 'unit' and optionally 'segment' and 'touchpoint'."]
            continue
        for extra in sorted(set(item) - set(ITEM_FIELDS)):
            errors[f"{at}{extra}"] = ["Unknown field; an entry takes unit, segment and touchpoint."]
        cleaned.append(
            (
                _clean_unit(item.get("unit"), f"{at}unit", errors),
                _clean_key(item.get("segment"), f"{at}segment", errors),
                _clean_key(item.get("touchpoint"), f"{at}touchpoint", errors),
            )
        )
    if errors:
        raise AssignmentInputError(errors)
    return cleaned


clean_items = _clean_items  # the SDK's exposures (experiments.live.sdk_exposures) clean theirs alike


def unknown_catalogue_keys(config: ExperimentConfig, segment: str | None, touchpoint: str | None) -> dict:
    """{field: message} for a segment or touchpoint key the catalogue does not know (empty: fine)."""
    unknown = {}
    if segment is not None and segment not in config.segments and not _in_catalogue("segment", segment):
        unknown["segment"] = f"Unknown segment '{segment}'; see /api/segments/ for the keys."
    if touchpoint is not None and touchpoint not in config.touchpoints and not _in_catalogue("touchpoint", touchpoint):
        unknown["touchpoint"] = f"Unknown touchpoint '{touchpoint}'; see /api/touchpoints/ for the keys."
    return unknown


def _check_catalogue(cleaned, config: ExperimentConfig, prefix: str | None) -> None:
    errors: dict[str, list[str]] = {}
    for index, (_unit, segment, touchpoint) in enumerate(cleaned):
        at = "" if prefix is None else f"{prefix}[{index}]."
        for field, message in unknown_catalogue_keys(config, segment, touchpoint).items():
            errors[f"{at}{field}"] = [message]
    if errors:
        raise AssignmentInputError(errors)


# --- the rules -------------------------------------------------------------------------------


def _listed(keys) -> str:
    return ", ".join(sorted(keys))


def decide(config: ExperimentConfig, status: str, unit: str, segment: str | None, touchpoint: str | None) -> Assignment:
    """The fence, in order: running (or rolled out), touchpoint, segment, exposure cap; then the arm.
    A rolled-out arm goes to everyone inside the touchpoints and segments, whatever the cap."""

    def not_enrolled(reason, message):
        return Assignment(config.key, unit, False, config.control, reason, message)

    rolled_out = config.rolled_out is not None and status in SERVES_ROLLOUT
    if status != Status.RUNNING and not rolled_out:
        label = Status(status).label.lower() if status in Status.values else status
        return not_enrolled(NOT_RUNNING, f"The experiment is {label}, not running: serve the current experience.")
    if config.touchpoints:
        if touchpoint is None:
            return not_enrolled(
                TOUCHPOINT_MISSING,
                f"The experiment runs only on {_listed(config.touchpoints)}: give the touchpoint to enrol the unit.",
            )
        if touchpoint not in config.touchpoints:
            return not_enrolled(
                TOUCHPOINT_OUTSIDE,
                f"Touchpoint '{touchpoint}' is outside the experiment's scope ({_listed(config.touchpoints)}).",
            )
    if config.segments:
        if segment is None:
            return not_enrolled(
                SEGMENT_MISSING,
                f"The experiment is limited to {_listed(config.segments)}: give the unit's segment to enrol it.",
            )
        if segment not in config.segments:
            return not_enrolled(
                SEGMENT_OUTSIDE, f"Segment '{segment}' is outside the experiment's scope ({_listed(config.segments)})."
            )
    if rolled_out:
        if config.standard:
            message = _("Rolled out as standard %(standard)s: serve arm '%(arm)s' to everyone.") % {
                "standard": config.standard,
                "arm": config.rolled_out,
            }
        else:
            message = _("The winning arm is rolled out: serve arm '%(arm)s' to everyone.") % {"arm": config.rolled_out}
        return Assignment(config.key, unit, False, config.rolled_out, ROLLED_OUT, message, standard=config.standard)
    if not is_exposed(config.key, config.exposure_cap_pct, unit):
        return not_enrolled(OUTSIDE_CAP, f"The unit falls outside the {config.exposure_cap_pct:g}% exposure cap.")
    arm = arm_for(config.key, config.weights, unit)
    return Assignment(config.key, unit, True, arm, ENROLLED, f"Enrolled: serve arm '{arm}'.")


def _state(experiment_key: str, user):
    """(pk, status, stamp): the one query made on every call. 404 if `user` may not see it."""
    experiments = Experiment.objects.all() if user is None else access.visible_experiments(user)
    fields = ("pk", "status", "updated_at", "config_version")
    rows = list(experiments.filter(key=experiment_key).values_list(*fields).order_by()[:1])
    if not rows:
        raise ExperimentNotFound(_("No such experiment."))
    pk, status, updated_at, version = rows[0]
    return pk, status, (updated_at, version)


def rule_for(experiment_key: str, user=None) -> tuple[ExperimentConfig, str]:
    """The experiment's cached rule and its status now (one query). ExperimentNotFound (404) when
    `user` may not see it."""
    pk, status, stamp = _state(experiment_key, user)
    return _config(pk, experiment_key, stamp), status


def rule_from_row(pk: int, experiment_key: str, raw_stamp: tuple) -> ExperimentConfig:
    """The cached rule for a caller that read (updated_at, config_version) itself, without the ORM
    (the fast assignment view): kept apart, since a raw read's values may differ in type."""
    held = _raw_configs.get(pk)
    if held is not None and held[0] == raw_stamp and held[1].key == experiment_key:
        return held[1]
    # Loaded after the read: a change landing in between shows a newer stamp on the next call.
    config = _load_config(pk)
    _raw_configs[pk] = (raw_stamp, config)
    return config


def _assign_cleaned(experiment_key, cleaned, user, prefix, service_key, count) -> list[Assignment]:
    config, status = rule_for(experiment_key, user)
    if service_key is not None:
        service_keys.require_scope(service_key, ServiceKeyAction.ASSIGN, config.pk, config.key, config.touchpoints)
    _check_catalogue(cleaned, config, prefix)
    day = timezone.localdate()
    key_id = None if service_key is None else service_key.pk
    answers = []
    for unit, segment, touchpoint in cleaned:
        answer = decide(config, status, unit, segment, touchpoint)
        if answer.enrolled and count:
            assignment_buffer.record(config.pk, unit, config.variant_ids[answer.variant], day, key_id)
            answer = replace(answer, counted=True)
        answers.append(answer)
    return answers


def assign(
    experiment_key: str,
    unit,
    segment: str | None = None,
    touchpoint: str | None = None,
    *,
    user=None,
    service_key=None,
    count: bool | None = None,
) -> Assignment:
    """The arm `unit` gets in the experiment now, and why. With `user`, only experiments that user
    may see (ExperimentNotFound, a 404, otherwise). Bad input raises AssignmentInputError.

    With `service_key`, the experiment must be in the key's scope (NotPermitted otherwise) and an
    enrolled unit is counted; without one the answer is a preview unless `count` says otherwise
    (code of Pagar itself: tests, the demo)."""
    cleaned = _clean_items([{"unit": unit, "segment": segment, "touchpoint": touchpoint}], None)
    counted = service_key is not None if count is None else count
    return _assign_cleaned(experiment_key, cleaned, user, None, service_key, counted)[0]


def assign_many(
    experiment_key: str, items, *, user=None, service_key=None, count: bool | None = None
) -> list[Assignment]:
    """`assign` for a list of {"unit", "segment", "touchpoint"} objects, answered in the same order.
    All or nothing: one bad entry refuses the whole list, naming each bad field (units[3].unit)."""
    if not isinstance(items, list):
        raise AssignmentInputError(
            {"units": ["Must be a list of objects with 'unit' (and optionally 'segment', 'touchpoint')."]}
        )
    if not items:
        raise AssignmentInputError({"units": ["Give at least one unit."]})
    limit = settings.ASSIGNMENT_BATCH_MAX
    if len(items) > limit:
        raise AssignmentInputError({"units": [f"At most {limit} units per request; this one has {len(items)}."]})
    cleaned = _clean_items(items, "units")
    counted = service_key is not None if count is None else count
    return _assign_cleaned(experiment_key, cleaned, user, "units", service_key, counted)
