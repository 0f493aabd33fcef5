"""The running board: running experiments (and those a check stopped lately), problems first.

The board ranks every running experiment the person can see, so the ranking is done by the
database: `with_light_rank` annotates each experiment with the rank of its light (red 0, amber 1,
green 2) from stored columns only (its status, its newest check's action, its newest data time)
and `now`. Only the rows shown are then loaded and worded in Python by presentation.light.
The two forms of the light rule are proven to agree case by case in
tests/experiments/live/test_board_light_rank.py.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from experiments.live.presentation import (
    LIGHT_RANK,
    RECENT_STOP,
    STALE_AFTER,
    BoardRow,
    board_row,
    freshness_of,
    freshness_by_experiment,
    latest_checks,
)
from experiments.models import Check, DailyStat, Status


def _newest(field: str) -> Subquery:
    """An experiment's newest non-empty `field` of its DailyStat rows: one seek on the
    (experiment, field) index."""
    rows = DailyStat.objects.filter(experiment=OuterRef("pk"), **{f"{field}__isnull": False})
    return Subquery(rows.order_by(F(field).desc()).values(field)[:1])


def _newest_check() -> QuerySet:
    """An experiment's checks, newest first (the check_newest_first index)."""
    return Check.objects.filter(experiment=OuterRef("pk")).order_by("-look_date", "-pk")


def with_light_rank(experiments: QuerySet, *, now: dt.datetime) -> QuerySet:
    """`experiments` annotated with `latest_action` (its newest check's action), `data_newest`
    (presentation.Freshness.newest: the latest observation time, else the latest ingestion) and
    `light_rank`, the rank of presentation.light's colour for a running or check-stopped one."""
    amber, green = LIGHT_RANK["amber"], LIGHT_RANK["green"]
    return experiments.annotate(
        latest_action=Subquery(_newest_check().values("action")[:1]),
        data_newest=Coalesce(_newest("last_observed_at"), _newest("updated_at")),
    ).annotate(
        light_rank=Case(
            When(status=Status.STOPPED, then=Value(LIGHT_RANK["red"])),
            When(data_newest__isnull=True, then=Value(amber)),  # no data yet
            When(data_newest__lt=now - STALE_AFTER, then=Value(amber)),  # stale data
            When(latest_action=Check.Action.ERROR, then=Value(amber)),  # the last check could not run
            default=Value(green),
            output_field=IntegerField(),
        )
    )


def on_the_board(visible: QuerySet, *, now: dt.datetime) -> QuerySet:
    """The board's experiments among `visible`, ranked problems first, then by planned end:
    the running ones, and the stopped ones whose newest check is a stop made in the last
    RECENT_STOP (a person's stop after the check is not the checks' news). Read from each
    experiment's newest check (one index seek), never by scanning all the checks."""
    slim = visible.select_related(None).prefetch_related(None).only("pk", "key", "title", "status", "planned_end")
    return (
        with_light_rank(slim, now=now)
        .annotate(latest_check_at=Subquery(_newest_check().values("created_at")[:1]))
        .filter(
            Q(status=Status.RUNNING)
            | Q(
                status=Status.STOPPED,
                latest_action=Check.Action.STOP,
                latest_check_at__gte=now - RECENT_STOP,
            )
        )
        .order_by("light_rank", "planned_end", "pk")
    )


def board_rows(experiments, *, now: dt.datetime) -> list[BoardRow]:
    """The rows shown (a page of on_the_board), worded; two queries whatever their number."""
    experiments = list(experiments)
    ids = [e.pk for e in experiments]
    latest = latest_checks(ids)
    fresh = freshness_by_experiment(ids)
    rows = []
    for experiment in experiments:
        watched = freshness_of(experiment, fresh.get(experiment.pk, (None, None)), now=now)
        rows.append(board_row(experiment, latest.get(experiment.pk), watched, now=now))
    return rows


def running_board(visible: QuerySet, *, limit: int, now: dt.datetime | None = None) -> tuple[list[BoardRow], int]:
    """The dashboard's board: its first `limit` rows and how many there are; four queries."""
    now = now or timezone.now()
    ranked = on_the_board(visible, now=now)
    return board_rows(ranked[:limit], now=now), ranked.count()
