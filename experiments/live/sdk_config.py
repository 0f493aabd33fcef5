"""What an SDK needs to assign in-process: the assignment rule of each experiment in a service
key's scope, as the server's own assignment (experiments.live.assignment) applies it.

Listed: every experiment in scope that is approved, running, or ended but not archived (so a
client learns of a start and of a stop and serves control), and any with a rollout in force
(archived ones too: archiving does not take a rollout back). Each rule carries its
`config_version` (bumped by status changes, rollouts and reverts). The ETag is the SHA-256 of the
document itself, so an unchanged configuration answers 304 whatever made the request.
"""

import hashlib
import json

from django.db.models import Exists, OuterRef, Prefetch, Q

from experiments.live.assignment import SERVES_ROLLOUT
from experiments.models import Experiment, Rollout, ServiceKey, Status

# The hashing the client must apply (experiments.live.hashing): SHA-256 of "<seed>:<salt>:<unit>".
ALGORITHM = "sha256-first8-v1"
EXPOSURE_SALT = "exposure"
ARM_SALT = "arm"
LISTED_STATUSES = (
    Status.APPROVED,
    Status.RUNNING,
    Status.STOPPED,
    Status.COMPLETED,
    Status.CONCLUDED,
    Status.PROMOTED,
)


def experiments_in_scope(key: ServiceKey):
    """The experiments the key may assign in, as a queryset (one touchpoint or a list)."""
    if key.touchpoint_id is not None:
        return Experiment.objects.filter(touchpoints=key.touchpoint_id)
    return Experiment.objects.filter(pk__in=[experiment.pk for experiment in key.experiments.all()])


def _rule(experiment: Experiment) -> dict:
    variants = list(experiment.variants.all())  # stored order: control first (arm_for's order)
    control = next((v.key for v in variants if v.is_control), variants[0].key if variants else None)
    in_force = experiment.rollouts_in_force[0] if experiment.rollouts_in_force else None
    serving = in_force is not None and experiment.status in SERVES_ROLLOUT
    return {
        "key": experiment.key,
        "status": experiment.status,
        "version": experiment.config_version,
        "salt": {"seed": experiment.key, "exposure": EXPOSURE_SALT, "arm": ARM_SALT},
        "exposure_cap_pct": float(experiment.exposure_cap_pct),
        "variants": [{"key": v.key, "weight": v.weight, "is_control": v.is_control} for v in variants],
        "control": control,
        "touchpoints": sorted(t.key for t in experiment.touchpoints.all()),
        "segments": sorted(s.key for s in experiment.segments.all()),
        "rolled_out": in_force.variant.key if serving else None,
        "standard": (in_force.standard or None) if serving else None,
    }


def config_for(key: ServiceKey) -> dict:
    """The configuration document for this key (a fixed number of queries, whatever the count)."""
    in_force = Rollout.objects.filter(reverted_at__isnull=True).select_related("variant")
    listed = (
        experiments_in_scope(key)
        .filter(
            Q(status__in=LISTED_STATUSES)
            | Q(Exists(in_force.filter(experiment=OuterRef("pk"))), status__in=SERVES_ROLLOUT)
        )
        .order_by("key")
        .prefetch_related(
            "variants",
            "touchpoints",
            "segments",
            Prefetch("rollouts", queryset=in_force, to_attr="rollouts_in_force"),
        )
    )
    return {"algorithm": ALGORITHM, "experiments": [_rule(experiment) for experiment in listed]}


def etag_of(document: dict) -> str:
    body = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
