"""Deterministic assignment by hashing: the same experiment and unit always land in the same place.

The same algorithm as the Pagar server's (experiments/live/hashing.py; a test holds the two to the
same source and the same answers): "sha256-first8-v1", a unit's number in [0, 1) is the first 8
bytes of SHA-256 of "<seed>:<salt>:<unit>", big-endian, divided by 2^64.

Two independent hashes (salted differently): one decides exposure (is the unit inside the
approved cap?), the other the arm among the allocation weights.
"""

import hashlib

ALGORITHM = "sha256-first8-v1"
SCALE = float(1 << 64)


def unit_fraction(experiment_key: str, salt: str, unit_id: str) -> float:
    """A uniform number in [0, 1) from the first 8 bytes of SHA-256 of key:salt:unit."""
    digest = hashlib.sha256(f"{experiment_key}:{salt}:{unit_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / SCALE


def is_exposed(experiment_key: str, exposure_cap_pct: float, unit_id: str, salt: str = "exposure") -> bool:
    """Inside the exposure cap (a percentage of all units)?"""
    return unit_fraction(experiment_key, salt, unit_id) * 100 < float(exposure_cap_pct)


def arm_for(experiment_key: str, weights: list[tuple[str, float]], unit_id: str, salt: str = "arm") -> str:
    """The arm `unit_id` gets among (arm key, weight) pairs, taken in the order given."""
    if not weights:
        raise ValueError("weights: an experiment needs at least one arm")
    total = float(sum(weight for _, weight in weights))
    if total <= 0:
        raise ValueError("weights: must add up to more than 0")
    point = unit_fraction(experiment_key, salt, unit_id) * total
    running = 0.0
    for key, weight in weights:
        running += float(weight)
        if point < running:
            return key
    return weights[-1][0]  # floating-point edge: the last arm
