"""First exposures an SDK reports: counted exactly as the server's own assignment counts.

The client assigned in-process; the server does not take its word for the arm. For each entry it
applies the same rule (experiments.live.assignment.decide) to the experiment's current settings
and records an enrolled unit through the assignment buffer, into the same AssignedUnit and
AssignmentCount rows the count-agreement check reads (experiments.live.count_agreement). A unit
is counted once per experiment (the buffer keeps the first, the table ignores repeats), so a
batch sent twice counts nothing new. All or nothing: every entry is checked before any is counted.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from experiments import service_keys
from experiments.live import assignment, assignment_buffer
from experiments.live.assignment import AssignmentInputError, ExperimentNotFound
from experiments.models import ServiceKey, ServiceKeyAction

ENTRY_FIELDS = ("experiment", "unit", "segment", "touchpoint", "variant")


@dataclass(frozen=True)
class ExposureReport:
    received: int
    counted: int  # enrolled now by the server's rule: recorded (a repeat is recorded once)
    not_enrolled: int  # outside the fence now (stopped, outside the cap, ...): nothing counted
    disagreements: list  # indices whose `variant` differs from the server's arm (stale config)

    def as_dict(self) -> dict:
        return {
            "received": self.received,
            "counted": self.counted,
            "not_enrolled": self.not_enrolled,
            "disagreements": self.disagreements,
        }


def _clean(entries) -> list[tuple[str, str, str | None, str | None, str | None]]:
    if not isinstance(entries, list):
        raise AssignmentInputError({"exposures": [_("Must be a list of objects with 'experiment' and 'unit'.")]})
    if not entries:
        raise AssignmentInputError({"exposures": [_("Give at least one exposure.")]})
    limit = settings.ASSIGNMENT_BATCH_MAX
    if len(entries) > limit:
        raise AssignmentInputError(
            {
                "exposures": [
                    _("At most %(limit)s exposures per request; this one has %(count)s.")
                    % {"limit": limit, "count": len(entries)}
                ]
            }
        )
    errors: dict[str, list[str]] = {}
    experiments, items, variants = [], [], []
    for index, entry in enumerate(entries):
        at = f"exposures[{index}]"
        if not isinstance(entry, dict):
            errors[at] = [_("Must be an object with 'experiment', 'unit' and optionally 'segment', 'touchpoint'.")]
            experiments.append(None)
            variants.append(None)
            items.append({})
            continue
        for extra in sorted(set(entry) - set(ENTRY_FIELDS)):
            errors[f"{at}.{extra}"] = [
                _("Unknown field; an exposure takes experiment, unit, segment, touchpoint, variant.")
            ]
        experiment = entry.get("experiment")
        if not experiment or not isinstance(experiment, str):
            errors[f"{at}.experiment"] = [_("Required: the experiment's key.")]
        variant = entry.get("variant")
        if variant is not None and not isinstance(variant, str):
            errors[f"{at}.variant"] = [_("Must be a string: the arm the client served.")]
        experiments.append(experiment)
        variants.append(variant)
        items.append({field: entry.get(field) for field in ("unit", "segment", "touchpoint")})
    try:
        cleaned = assignment.clean_items(items, "exposures")
    except AssignmentInputError as error:
        errors.update(error.errors)
    if errors:
        raise AssignmentInputError(dict(sorted(errors.items())))
    return [
        (e, unit, segment, touchpoint, v)
        for e, (unit, segment, touchpoint), v in zip(experiments, cleaned, variants, strict=True)
    ]


def record_exposures(key: ServiceKey, entries) -> ExposureReport:
    """Check every entry (field errors, experiments the key may not see or assign in), then count
    the enrolled units. AssignmentInputError (400), NotPermitted (403)."""
    service_keys.require_action(key, ServiceKeyAction.ASSIGN)
    cleaned = _clean(entries)
    rules, errors = {}, {}
    for index, (experiment, _unit, segment, touchpoint, _variant) in enumerate(cleaned):
        if experiment not in rules:
            try:
                rules[experiment] = assignment.rule_for(experiment, key.created_by)
            except ExperimentNotFound:
                rules[experiment] = None
            else:
                config = rules[experiment][0]
                service_keys.require_scope(key, ServiceKeyAction.ASSIGN, config.pk, config.key, config.touchpoints)
        if rules[experiment] is None:
            errors[f"exposures[{index}].experiment"] = [
                _("No experiment '%(key)s' that this key may see.") % {"key": experiment}
            ]
            continue
        for field, message in assignment.unknown_catalogue_keys(rules[experiment][0], segment, touchpoint).items():
            errors[f"exposures[{index}].{field}"] = [message]
    if errors:
        raise AssignmentInputError(errors)
    day = timezone.localdate()
    counted, not_enrolled, disagreements = 0, 0, []
    for index, (experiment, unit, segment, touchpoint, variant) in enumerate(cleaned):
        config, status = rules[experiment]
        answer = assignment.decide(config, status, unit, segment, touchpoint)
        if variant is not None and variant != answer.variant:
            disagreements.append(index)
        if not answer.enrolled:
            not_enrolled += 1
            continue
        assignment_buffer.record(config.pk, unit, config.variant_ids[answer.variant], day, key.pk)
        counted += 1
    return ExposureReport(len(cleaned), counted, not_enrolled, disagreements)
