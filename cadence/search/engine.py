"""Search across everything: experiments (title, hypothesis, lesson, results summary), standards,
ideas and meeting minutes (the review's decisions, the ideas slot's follow-ups).

One function, `search`, for the page and the API. It chooses by `connection.vendor`: PostgreSQL
full-text search with ranking (SearchVector, SearchQuery, SearchRank) in production, every word
found in some field (icontains) on SQLite. Each kind starts from what the person may see (the
existing visibility predicates), so a hit never shows what its page would refuse."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, FloatField, OuterRef, Q, Subquery, Value
from django.urls import reverse
from django.utils.translation import gettext as _

from cadence.ideas.models import Idea, SlotMeeting
from cadence.reviews.access import visible_meetings
from cadence.reviews.models import Decision
from cadence.standards.models import Standard
from experiments.access import visible_experiments
from experiments.models import Check, Experiment

EXPERIMENT, STANDARD, IDEA, MINUTES = "experiment", "standard", "idea", "minutes"
KINDS = (EXPERIMENT, STANDARD, IDEA, MINUTES)
PER_KIND = 25  # the best hits of each kind; a newcomer refines with the filters
SNIPPET_CHARS = 240


@dataclass(frozen=True)
class Filters:
    """Everything but the words. A filter a kind cannot meet leaves that kind out: only experiments
    have an outcome; ideas have no metric."""

    touchpoint: str = ""  # a touchpoint key
    metric: str = ""  # a metric key
    outcomes: tuple = ()  # experiments' outcomes (experiments.filters' values, "none": not concluded)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kinds: tuple = KINDS


@dataclass
class Hit:
    kind: str
    title: str
    url: str
    snippet: str
    date: dt.date | None
    rank: float = 0.0
    status: str = ""
    outcome: str = ""
    result: str = ""  # an experiment's latest check sentence: what it found
    lesson: str = ""
    extra: dict = field(default_factory=dict)


def _uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def _matching(qs, weighted_fields: dict, words: str):
    """`qs` annotated with `rank` and kept to what matches `words` (weighted_fields: path -> A..D)."""
    if _uses_full_text():
        vector = None
        for path, weight in weighted_fields.items():
            part = SearchVector(path, weight=weight, config="english")
            vector = part if vector is None else vector + part
        query = SearchQuery(words, search_type="websearch", config="english")
        return qs.annotate(search=vector, rank=SearchRank(vector, query)).filter(search=query)
    wanted = Q()
    for word in words.split():
        any_field = Q()
        for path in weighted_fields:
            any_field |= Q(**{f"{path}__icontains": word})
        wanted &= any_field
    return qs.filter(wanted).annotate(rank=Value(0.0, output_field=FloatField()))


def _snippet(*texts) -> str:
    text = " ".join(t.strip() for t in texts if t and t.strip())
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1].rstrip() + "…"


def _dates(qs, path: str, filters: Filters):
    if filters.date_from:
        qs = qs.filter(**{f"{path}__gte": filters.date_from})
    if filters.date_to:
        qs = qs.filter(**{f"{path}__lte": filters.date_to})
    return qs


def _outcome_q(outcomes) -> Q:
    from experiments.filters import NO_OUTCOME  # the experiments list's outcome filter, reused

    wanted = Q(outcome__in=[o for o in outcomes if o != NO_OUTCOME])
    if NO_OUTCOME in outcomes:
        wanted |= Q(outcome="")
    return wanted


def _experiments(user, words: str, filters: Filters) -> list[Hit]:
    latest_sentence = Check.objects.filter(experiment=OuterRef("pk")).order_by("-look_date", "-pk").values("sentence")
    qs = Experiment.objects.filter(pk__in=visible_experiments(user).values("pk"))
    if filters.touchpoint:
        qs = qs.filter(pk__in=Experiment.objects.filter(touchpoints__key=filters.touchpoint).values("pk"))
    if filters.metric:
        qs = qs.filter(pk__in=Experiment.objects.filter(metrics__metric__key=filters.metric).values("pk"))
    if filters.outcomes:
        qs = qs.filter(_outcome_q(filters.outcomes))
    qs = _dates(qs, "planned_start", filters)
    qs = qs.annotate(result_summary=Subquery(latest_sentence[:1]), lesson_text=F("lesson__learned"))
    fields = {
        "title": "A",
        "key": "A",
        "hypothesis_change": "B",
        "hypothesis_effect": "B",
        "hypothesis_audience": "C",
        "hypothesis_rationale": "C",
        "lesson__learned": "B",
        "lesson__differently": "B",
        "result_summary": "C",
    }
    found = _matching(qs, fields, words).order_by("-rank", "-updated_at", "-pk")[:PER_KIND]
    return [
        Hit(
            kind=EXPERIMENT,
            title=e.title,
            url=e.get_absolute_url(),
            snippet=_snippet(e.hypothesis_sentence),
            date=e.planned_start,
            rank=e.rank,
            status=e.status,
            outcome=e.outcome,
            result=e.result_summary or "",
            lesson=e.lesson_text or "",
            extra={"key": e.key, "status_label": e.get_status_display(), "outcome_label": e.get_outcome_display()},
        )
        for e in found
    ]


def _standards(user, words: str, filters: Filters) -> list[Hit]:
    qs = Standard.objects.all() if user.is_authenticated else Standard.objects.none()  # every signed-in person
    if filters.touchpoint:
        qs = qs.filter(pk__in=Standard.objects.filter(touchpoints__key=filters.touchpoint).values("pk"))
    if filters.metric:
        supported = Standard.objects.filter(supporting_experiments__metrics__metric__key=filters.metric)
        qs = qs.filter(pk__in=supported.values("pk"))
    qs = _dates(qs, "effective_date", filters)
    found = _matching(qs, {"statement": "A"}, words).order_by("-rank", "-effective_date", "-pk")[:PER_KIND]
    return [
        Hit(
            kind=STANDARD,
            title=f"{s.code}: {_snippet(s.statement)[:120]}",
            url=s.get_absolute_url(),
            snippet=_snippet(s.statement),
            date=s.effective_date,
            rank=s.rank,
            status=s.status,
            extra={"status_label": s.get_status_display()},
        )
        for s in found
    ]


def _ideas(user, words: str, filters: Filters) -> list[Hit]:
    if filters.metric:
        return []
    qs = Idea.objects.all() if user.is_authenticated else Idea.objects.none()  # the backlog is open to all
    if filters.touchpoint:
        qs = qs.filter(touchpoint__key=filters.touchpoint)
    qs = _dates(qs, "created_at__date", filters)
    fields = {"title": "A", "hypothesis": "B", "expected_effect": "B", "decline_reason": "C"}
    found = _matching(qs, fields, words).order_by("-rank", "-created_at", "-pk")[:PER_KIND]
    return [
        Hit(
            kind=IDEA,
            title=i.title,
            url=i.get_absolute_url(),
            snippet=_snippet(i.hypothesis, i.expected_effect),
            date=i.created_at.date(),
            rank=i.rank,
            status=i.status,
            extra={"status_label": i.get_status_display()},
        )
        for i in found
    ]


def _review_minutes(user, words: str, filters: Filters) -> list[Hit]:
    """The review's minutes: each decision with its note, on the item's experiment or standard."""
    qs = Decision.objects.filter(item__meeting__in=visible_meetings(user).values("pk"))
    if filters.touchpoint:
        qs = qs.filter(
            Q(item__experiment__in=Experiment.objects.filter(touchpoints__key=filters.touchpoint).values("pk"))
            | Q(item__standard__in=Standard.objects.filter(touchpoints__key=filters.touchpoint).values("pk"))
        )
    if filters.metric:
        qs = qs.filter(item__experiment__in=Experiment.objects.filter(metrics__metric__key=filters.metric).values("pk"))
    qs = _dates(qs, "item__meeting__starts_at__date", filters).select_related(
        "item__meeting__series", "item__experiment", "item__standard"
    )
    fields = {"note": "A", "item__experiment__title": "B", "item__standard__statement": "B", "kind": "D"}
    found = _matching(qs, fields, words).order_by("-rank", "-created_at", "-pk")[:PER_KIND]
    return [
        Hit(
            kind=MINUTES,
            title=_("%(meeting)s: %(decision)s — %(subject)s")
            % {
                "meeting": d.item.meeting.series.name,
                "decision": d.get_kind_display(),
                "subject": d.item.subject_label,
            },
            url=reverse("review-minutes", kwargs={"pk": d.item.meeting_id}),
            snippet=_snippet(d.note),
            date=d.item.meeting.starts_at.date(),
            rank=d.rank,
        )
        for d in found
    ]


def _slot_minutes(user, words: str, filters: Filters) -> list[Hit]:
    """The ideas slot's minutes: the follow-ups written when a meeting closed."""
    if filters.metric or filters.touchpoint:
        return []
    qs = SlotMeeting.objects.exclude(follow_ups="") if user.is_authenticated else SlotMeeting.objects.none()
    qs = _dates(qs, "starts_at__date", filters).select_related("series")
    found = _matching(qs, {"follow_ups": "A", "series__name": "C"}, words).order_by("-rank", "-starts_at")
    return [
        Hit(
            kind=MINUTES,
            title=str(m),
            url=m.get_absolute_url(),
            snippet=_snippet(m.follow_ups),
            date=m.starts_at.date(),
            rank=m.rank,
        )
        for m in found[:PER_KIND]
    ]


def search(user, words: str, filters: Filters | None = None) -> list[Hit]:
    """What `user` may see that matches `words`, best first (by rank on PostgreSQL, newest first on SQLite)."""
    filters = filters or Filters()
    words = " ".join((words or "").split())
    if not words or not user.is_authenticated:
        return []
    hits = []
    if EXPERIMENT in filters.kinds:
        hits += _experiments(user, words, filters)
    if not filters.outcomes:  # only experiments have an outcome
        if STANDARD in filters.kinds:
            hits += _standards(user, words, filters)
        if IDEA in filters.kinds:
            hits += _ideas(user, words, filters)
        if MINUTES in filters.kinds:
            hits += _review_minutes(user, words, filters) + _slot_minutes(user, words, filters)
    oldest = dt.date.min
    return sorted(hits, key=lambda h: (h.rank, h.date or oldest), reverse=True)
