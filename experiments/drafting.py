"""New drafts copied from a past experiment: a rerun the review asks for (cadence.reviews.rerun) and a
template a proposer starts from (a past experiment here, a standard in cadence.standards.drafting).

The copy is made inside today's policy where a copy can be: dates from next week, duration and
exposure within the limits, the minimum runtime within the duration. What only the owner can fix
(a missing mandatory guardrail's margin, an approver who left) the contract check reports at submit.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from experiments import access, contract
from experiments.errors import DomainError
from experiments.keys import cut_at_word
from experiments.lifecycle import record_creation
from experiments.models import Experiment, ExperimentMetric, Variant
from experiments.models.experiment import RESERVED_KEYS

COPIED_FIELDS = (
    "title",
    "hypothesis_change",
    "hypothesis_audience",
    "hypothesis_effect",
    "hypothesis_rationale",
    "owner",
    "team",
    "exposure_cap_pct",
    "min_runtime_days",
    "approver",
    "alpha",
    "power",
    "expected_daily_traffic",
    "ai_disclosure",
    "human_fallback",
    "bias_note",
)


KEY_MAX_LENGTH = Experiment._meta.get_field("key").max_length


def free_key(text: str, suffix: str = "", *, fallback: str = "experiment") -> str:
    """The one rule for a new experiment's key: `text` slugified, cut at a word boundary so that
    `-suffix` and a `-2`, `-3`… counter still fit the key's length, unused and not a reserved page address."""
    words = slugify(text) or fallback
    n = 1
    while True:
        tail = "-".join(part for part in (suffix, str(n) if n > 1 else "") if part)
        room = KEY_MAX_LENGTH - (len(tail) + 1 if tail else 0)
        key = "-".join(part for part in (cut_at_word(words, room), tail) if part)
        if key not in RESERVED_KEYS and not Experiment.objects.filter(key=key).exists():
            return key
        n += 1


def copy_as_draft(original: Experiment, actor, *, key: str, title: str, owner=None, **changed) -> Experiment:
    """A draft with the original's hypothesis, scope, variants, metrics and margins; `owner` and
    `changed` fields replace the original's."""
    rules = contract.load_rules()
    start = timezone.localdate() + dt.timedelta(days=7)
    days = min(original.duration_days or 28, rules.max_duration_days)
    fields = {name: getattr(original, name) for name in COPIED_FIELDS}
    fields["title"] = title[:200]
    fields["exposure_cap_pct"] = min(original.exposure_cap_pct, rules.max_exposure_pct)
    fields["min_runtime_days"] = min(original.min_runtime_days, days)
    if owner is not None:
        fields["owner"] = owner
    fields.update(changed)
    copy = Experiment.objects.create(
        key=key, planned_start=start, planned_end=start + dt.timedelta(days=days - 1), **fields
    )
    copy.co_authors.set(
        original.co_authors.exclude(pk=copy.owner_id) if owner is not None else original.co_authors.all()
    )
    copy.touchpoints.set(original.touchpoints.all())
    copy.segments.set(original.segments.all())
    copy.sensitive_categories.set(original.sensitive_categories.all())
    for variant in original.variants.all():
        Variant.objects.create(
            experiment=copy,
            key=variant.key,
            name=variant.name,
            description=variant.description,
            is_control=variant.is_control,
            weight=variant.weight,
        )
    for row in original.metrics.all():
        ExperimentMetric.objects.create(
            experiment=copy,
            metric=row.metric,
            role=row.role,
            effect_unit=row.effect_unit,
            minimum_detectable_effect=row.minimum_detectable_effect,
            non_inferiority_margin=row.non_inferiority_margin,
            baseline_rate=row.baseline_rate,
            baseline_mean=row.baseline_mean,
            baseline_sd=row.baseline_sd,
            data_source=row.data_source,
        )
    record_creation(copy, actor)
    return copy


class CannotStartFrom(DomainError):
    status_code = 403
    code = "permission_denied"


def may_start_from(user, source: Experiment) -> bool:
    """A proposer may start from any experiment they may see, except a draft (not yet a history)."""
    return access.can_propose(user) and source.status != "draft"


@transaction.atomic
def draft_from_experiment(source: Experiment, actor, *, title: str = "") -> Experiment:
    """A new draft of `actor`'s with `source`'s scope, metrics and margins, linked as "based on"."""
    if not may_start_from(actor, source):
        raise CannotStartFrom(_("Only proposers start a proposal from a past experiment, and not from a draft."))
    # The proposer cannot approve their own proposal: the source's approver stays only if not them.
    approver = source.approver if source.approver_id != actor.pk else None
    return copy_as_draft(
        source,
        actor,
        key=free_key(source.key, "next"),
        title=title or _("%(title)s (based on %(key)s)") % {"title": source.title, "key": source.key},
        owner=actor,
        approver=approver,
        based_on=source,
    )
