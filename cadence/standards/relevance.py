"""Which standards bear on a proposal: THE one rule, read by the proposal form, the ideas slot, the
approver's card, the experiment page and the API (/api/standards/relevant/, /api/experiments/<key>/standards/).

A standard in force (active or under review) is relevant when it shares a touchpoint with the
proposal, or when its supporting experiments proved it on a metric the proposal measures. It is
*on scope* when it shares a touchpoint and a segment (no segments = all customers): a loss or a
stop of this proposal would contradict it (cadence.standards.flags flags exactly these). A proposal
re-tests it when its authors say so (a Citation) or when it is on scope and aims at the same
success metric (detected).
"""

from dataclasses import dataclass, field

from django.db.models import Q

from cadence.standards.models import Citation, Standard
from experiments.models import ExperimentMetric, MetricRole, Touchpoint


def segments_overlap(standard_segments, segments) -> bool:
    """No segments on either side means all customers, which overlaps every segment."""
    return not standard_segments or not segments or bool(set(standard_segments) & set(segments))


@dataclass(frozen=True)
class Scope:
    """What a proposal covers, by catalogue keys: built from an experiment, a form or a query."""

    touchpoints: frozenset = frozenset()
    segments: frozenset = frozenset()
    metrics: frozenset = frozenset()  # every metric it measures
    success_metrics: frozenset = frozenset()

    @classmethod
    def of(cls, touchpoints=(), segments=(), metrics=(), success_metrics=()) -> "Scope":
        return cls(frozenset(touchpoints), frozenset(segments), frozenset(metrics), frozenset(success_metrics))

    @classmethod
    def of_experiment(cls, experiment) -> "Scope":
        # A list that prefetched the metrics (the inbox) pays no query here.
        prefetched = "metrics" in getattr(experiment, "_prefetched_objects_cache", {})
        metrics = experiment.metrics.all() if prefetched else experiment.metrics.select_related("metric")
        rows = [(r.metric.key, r.role) for r in metrics]
        return cls.of(
            touchpoints=[t.key for t in experiment.touchpoints.all()],
            segments=[s.key for s in experiment.segments.all()],
            metrics=[key for key, _role in rows],
            success_metrics=[key for key, role in rows if role == MetricRole.SUCCESS],
        )


@dataclass
class Relevant:
    standard: Standard
    touchpoints: list = field(default_factory=list)  # names shared with the proposal
    metrics: list = field(default_factory=list)  # names the standard was proven on that the proposal measures
    on_scope: bool = False
    retest_declared: bool = False
    retest_detected: bool = False

    @property
    def retests(self) -> bool:
        return self.retest_declared or self.retest_detected


def proven_metrics(standards) -> dict[int, dict[str, str]]:
    """standard pk -> {metric key: name}: the success metrics its supporting experiments measured."""
    found: dict[int, dict[str, str]] = {s.pk: {} for s in standards}
    rows = ExperimentMetric.objects.filter(
        role=MetricRole.SUCCESS, experiment__supported_standards__in=list(found)
    ).values_list("experiment__supported_standards", "metric__key", "metric__name")
    for standard_pk, key, name in rows:
        if standard_pk in found:
            found[standard_pk][key] = name
    return found


def relevant_standards(scope: Scope, *, experiment=None) -> list[Relevant]:
    """The standards in force that bear on `scope`, those it would contradict first.

    experiment: the proposal itself, when saved: its declared re-tests count, and the standards it
    supports are left out (a standard does not bear on its own evidence).
    """
    return relevant_standards_many([(scope, experiment)])[0]


def _per_experiment(pairs) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for experiment_id, standard_id in pairs:
        found.setdefault(experiment_id, set()).add(standard_id)
    return found


def relevant_standards_many(asked: list[tuple[Scope, object]]) -> list[list[Relevant]]:
    """`relevant_standards` for many (scope, experiment or None) at once, in the same few queries
    whatever their number (the approver's inbox asks for a page of proposals)."""
    asked = [(scope, experiment) for scope, experiment in asked]
    wanted = [(scope, experiment) for scope, experiment in asked if scope.touchpoints or scope.metrics]
    if not wanted:
        return [[] for _ in asked]
    saved = [experiment.pk for _scope, experiment in wanted if experiment is not None and experiment.pk]
    declared: dict[int, set[int]] = {}
    supports: dict[int, set[int]] = {}
    if saved:
        declared = _per_experiment(
            Citation.objects.filter(experiment_id__in=saved, kind=Citation.Kind.RETESTS).values_list(
                "experiment_id", "standard_id"
            )
        )
        supports = _per_experiment(
            Standard.supporting_experiments.through.objects.filter(experiment_id__in=saved).values_list(
                "experiment_id", "standard_id"
            )
        )
    touchpoints = set().union(*(scope.touchpoints for scope, _e in wanted))
    metrics = set().union(*(scope.metrics for scope, _e in wanted))
    # Only standards that could bear on some scope are loaded (the rule below decides which do):
    # the catalogue may hold hundreds, and a page may ask for many proposals.
    on_touchpoints = Standard.touchpoints.through.objects.filter(touchpoint__key__in=touchpoints)
    # From the standards' supporting experiments (a few each) to their metrics, not from every
    # experiment's metrics to the standards: the index on the metrics' experiment answers it.
    proven_on_metrics = Standard.supporting_experiments.through.objects.filter(
        experiment__metrics__role=MetricRole.SUCCESS, experiment__metrics__metric__key__in=metrics
    )
    near = (
        Q(pk__in=on_touchpoints.values("standard_id"))
        | Q(pk__in=proven_on_metrics.values("standard_id"))
        | Q(pk__in=set().union(*declared.values()))
    )
    candidates = list(
        Standard.objects.in_force()
        .filter(near)
        .prefetch_related("touchpoints", "segments")
        .select_related("owner")
        .order_by("pk")
    )
    proven = proven_metrics(candidates)
    # Each candidate's touchpoints and segments read once, not once per scope asked about.
    loaded = [
        (standard, [(t.key, t.name) for t in standard.touchpoints.all()], [s.key for s in standard.segments.all()])
        for standard in candidates
    ]
    answers = []
    for scope, experiment in asked:
        if not (scope.touchpoints or scope.metrics):
            answers.append([])
            continue
        pk = experiment.pk if experiment is not None else None
        answers.append(_relevant_in(scope, loaded, proven, declared.get(pk, set()), supports.get(pk, set())))
    return answers


def _relevant_in(scope: Scope, loaded, proven, declared: set[int], supported: set[int]) -> list[Relevant]:
    """THE rule: which of the loaded candidates (standard, its touchpoints as (key, name), its
    segment keys) bear on `scope`, and how."""
    found = []
    for standard, touchpoints, segment_keys in loaded:
        if standard.pk in supported:
            continue
        shared_tps = [name for key, name in touchpoints if key in scope.touchpoints]
        proven_on = proven[standard.pk]  # may name many metrics; the scope names a few
        shared_metrics = [proven_on[key] for key in sorted(scope.metrics) if key in proven_on]
        if not (shared_tps or shared_metrics or standard.pk in declared):
            continue
        on_scope = bool(shared_tps) and segments_overlap(segment_keys, scope.segments)
        same_aim = bool(scope.success_metrics & set(proven[standard.pk]))
        found.append(
            Relevant(
                standard=standard,
                touchpoints=shared_tps,
                metrics=shared_metrics,
                on_scope=on_scope,
                retest_declared=standard.pk in declared,
                retest_detected=on_scope and same_aim,
            )
        )
    return sorted(found, key=lambda r: (not r.retests, not r.on_scope, r.standard.pk))


def relevant_to_experiment(experiment) -> list[Relevant]:
    return relevant_standards(Scope.of_experiment(experiment), experiment=experiment)


def relevant_to_experiments(experiments) -> dict[int, list[Relevant]]:
    """`relevant_to_experiment` for a page of experiments (prefetch their touchpoints, segments and
    metrics__metric first, or each costs its own queries)."""
    experiments = list(experiments)
    answers = relevant_standards_many([(Scope.of_experiment(e), e) for e in experiments])
    return {experiment.pk: answer for experiment, answer in zip(experiments, answers, strict=True)}


def relevant_to_idea(idea) -> list[Relevant]:
    """An idea names one touchpoint and perhaps a segment, no metrics yet."""
    return relevant_standards(
        Scope.of(touchpoints=[idea.touchpoint.key], segments=[idea.segment.key] if idea.segment_id else [])
    )


def touchpoint_keys(ids) -> list[str]:
    return list(Touchpoint.objects.filter(pk__in=ids).values_list("key", flat=True))
