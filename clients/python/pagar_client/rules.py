"""The fence, as the Pagar server applies it (experiments/live/assignment.py `decide`), on one
experiment's rule from GET /api/sdk/config/.

In order: running (or rolled out), touchpoint, segment, exposure cap; then the arm. A rolled-out
arm goes to everyone inside the touchpoints and segments, whatever the cap. Reasons are the
server's machine words; only `enrolled` answers count as exposures.
"""

import re
from dataclasses import dataclass

from .hashing import arm_for, is_exposed

ENROLLED = "enrolled"
NOT_RUNNING = "not_running"
TOUCHPOINT_MISSING = "touchpoint_missing"
TOUCHPOINT_OUTSIDE = "touchpoint_outside_scope"
SEGMENT_MISSING = "segment_missing"
SEGMENT_OUTSIDE = "segment_outside_scope"
OUTSIDE_CAP = "outside_exposure_cap"
ROLLED_OUT = "rolled_out"
# Not a server reason: the experiment is not in this client's configuration (unknown, archived,
# or outside the key's scope). Serve the current experience.
NOT_IN_CONFIG = "not_in_config"
SERVES_ROLLOUT = frozenset({"concluded", "promoted", "archived"})
UNIT_MAX_LENGTH = 200
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def clean_unit(value) -> str:
    """The unit id as the server stores and hashes it (experiments/live/units.py): surrounding
    whitespace dropped, whole numbers as text. ValueError for what the server would refuse."""
    if value is None or value == "":
        raise ValueError("unit: required")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("unit: must be a string (or a whole number)")
    unit = str(value).strip()
    if not unit:
        raise ValueError("unit: must not be blank")
    if CONTROL_CHARACTERS.search(unit):
        raise ValueError("unit: must not contain control characters")
    if len(unit) > UNIT_MAX_LENGTH:
        raise ValueError(f"unit: at most {UNIT_MAX_LENGTH} characters; this one has {len(unit)}")
    return unit


@dataclass(frozen=True)
class Assignment:
    experiment: str
    unit: str
    enrolled: bool
    variant: str | None  # the arm to serve; the control arm when not enrolled
    reason: str
    version: int | None = None  # the rule's version this answer came from


@dataclass(frozen=True)
class Rule:
    """One experiment's rule, ready to apply (built once per configuration fetch)."""

    key: str
    status: str
    version: int
    seed: str
    exposure_salt: str
    arm_salt: str
    exposure_cap_pct: float
    weights: tuple  # ((arm key, weight), ...) in the server's hashing order
    control: str | None
    touchpoints: frozenset
    segments: frozenset
    rolled_out: str | None

    @classmethod
    def from_config(cls, rule: dict) -> "Rule":
        salt = rule["salt"]
        return cls(
            key=rule["key"],
            status=rule["status"],
            version=rule["version"],
            seed=salt["seed"],
            exposure_salt=salt["exposure"],
            arm_salt=salt["arm"],
            exposure_cap_pct=float(rule["exposure_cap_pct"]),
            weights=tuple((v["key"], v["weight"]) for v in rule["variants"]),
            control=rule["control"],
            touchpoints=frozenset(rule["touchpoints"]),
            segments=frozenset(rule["segments"]),
            rolled_out=rule.get("rolled_out"),
        )


def decide(rule: Rule, unit: str, segment: str | None = None, touchpoint: str | None = None) -> Assignment:
    """The arm `unit` gets under `rule`, and why (the server's reasons)."""

    def answer(enrolled, variant, reason):
        return Assignment(rule.key, unit, enrolled, variant, reason, rule.version)

    rolled_out = rule.rolled_out is not None and rule.status in SERVES_ROLLOUT
    if rule.status != "running" and not rolled_out:
        return answer(False, rule.control, NOT_RUNNING)
    if rule.touchpoints:
        if touchpoint is None:
            return answer(False, rule.control, TOUCHPOINT_MISSING)
        if touchpoint not in rule.touchpoints:
            return answer(False, rule.control, TOUCHPOINT_OUTSIDE)
    if rule.segments:
        if segment is None:
            return answer(False, rule.control, SEGMENT_MISSING)
        if segment not in rule.segments:
            return answer(False, rule.control, SEGMENT_OUTSIDE)
    if rolled_out:
        return answer(False, rule.rolled_out, ROLLED_OUT)
    if not is_exposed(rule.seed, rule.exposure_cap_pct, unit, rule.exposure_salt):
        return answer(False, rule.control, OUTSIDE_CAP)
    return answer(True, arm_for(rule.seed, rule.weights, unit, rule.arm_salt), ENROLLED)
