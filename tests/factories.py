"""Builders for test data. Catalogue rows come from the seed migration (real content)."""

import datetime as dt
import hashlib
import itertools
import uuid

from django.contrib.auth.models import Group, User
from django.utils import timezone

from experiments.lifecycle import record_creation
from experiments.models import Experiment, ExperimentMetric, ServiceKey, Metric, Segment, Touchpoint, Variant

PASSWORD = "pagar-test-pass-1"
_seq = itertools.count(1)


def make_user(username, *role_names, superuser=False):
    user = User.objects.create_user(
        username=username,
        email=f"{username}@example.test",
        password=PASSWORD,
        first_name=username.replace("_", " ").title(),
        is_superuser=superuser,
        is_staff=superuser,
    )
    for name in role_names:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def make_experiment(owner, approver=None, *, status=None, key=None, touchpoints=("chat",), segments=(), **overrides):
    """A complete, policy-compliant proposal (draft unless `status` is forced)."""
    today = timezone.localdate()
    n = next(_seq)
    fields = {
        "key": key or f"exp-{n}",
        "title": f"Shorter chat greeting {n}",
        "hypothesis_change": "shorten the chat greeting to one sentence",
        "hypothesis_audience": "customers who open chat from the help centre",
        "hypothesis_effect": "first-contact resolution rises by 2 points",
        "hypothesis_rationale": "agents reach the question sooner",
        "owner": owner,
        "team": "Customer care",
        "exposure_cap_pct": 20,
        "planned_start": today + dt.timedelta(days=1),
        "planned_end": today + dt.timedelta(days=28),
        "min_runtime_days": 7,
        "approver": approver,
        # Enough traffic that the default plan fits its 28 days (an infeasible one needs an acknowledgement to approve).
        "expected_daily_traffic": 10000,
    }
    fields.update(overrides)
    experiment = Experiment.objects.create(**fields)
    experiment.touchpoints.set(Touchpoint.objects.filter(key__in=touchpoints))
    experiment.segments.set(Segment.objects.filter(key__in=segments))
    Variant.objects.create(experiment=experiment, key="control", name="Current greeting", is_control=True, weight=50)
    Variant.objects.create(experiment=experiment, key="short", name="One-sentence greeting", weight=50)
    ExperimentMetric.objects.create(
        experiment=experiment,
        metric=Metric.objects.get(key="fcr"),
        role="success",
        minimum_detectable_effect=2,
        baseline_rate=70,
    )
    guardrails = {"complaint-rate": 0.5, "escalation-rate": 1.0}
    for key, margin in guardrails.items():
        ExperimentMetric.objects.create(
            experiment=experiment,
            metric=Metric.objects.get(key=key),
            role="guardrail",
            non_inferiority_margin=margin,
            baseline_rate=3 if key == "complaint-rate" else 8,
        )
    record_creation(experiment, owner)
    if status is not None:
        Experiment.objects.filter(pk=experiment.pk).update(status=status)
        experiment.refresh_from_db()
    return experiment


def make_service_key(
    user, experiments=None, *, touchpoint=None, actions=("assign", "send_data"), name="test service", **fields
):
    """A service key made by `user` and its secret, written straight to the database (so a test can
    give anyone a key); scoped to `experiments`, else `touchpoint`, else every experiment there is now."""
    from experiments import service_keys

    prefix = uuid.uuid4().hex[:8]
    secret = f"{service_keys.SECRET_START}_{prefix}_{uuid.uuid4().hex}"
    key = ServiceKey.objects.create(
        name=name,
        prefix=prefix,
        secret_sha256=hashlib.sha256(secret.encode()).hexdigest(),
        created_by=user,
        touchpoint=touchpoint,
        can_assign="assign" in actions,
        can_send_data="send_data" in actions,
        expires_at=fields.pop("expires_at", timezone.now() + dt.timedelta(days=30)),
        **fields,
    )
    if touchpoint is None:
        key.experiments.set(Experiment.objects.all() if experiments is None else experiments)
    return key, secret


def refusal_fields(response) -> set:
    """The fields an API refusal ({"detail", "code", "problems"}) names, nested ones dotted
    ("metrics.0.effect"); None for a problem with the request as a whole."""
    body = response.json()
    assert set(body) >= {"detail", "code", "problems"}, body
    return {problem["field"] for problem in body["problems"]}
