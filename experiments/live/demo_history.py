"""Demo only: play the past weeks of the demo's running experiments, so a newcomer sees charts,
check histories and an automatic stop on the first run.

Each past day is replayed through the real code as if it were that day: the signal owner sends
the previous day's figures per arm (ingestion), then the monitoring slot takes that day's look
(run_check). The clock is set back with a patch of django.utils.timezone.now, which every part of
Pagar reads the time from.
"""

import datetime as dt
import hashlib
import json
import math
import random
from contextlib import contextmanager
from unittest import mock

from django.utils import timezone

from experiments.live.ingestion import ingest_daily_figures
from experiments.live.monitoring import next_slot_after, run_check
from experiments.models import Experiment, Metric, Segment, Status

# Units per arm per day in the demo (8,000 eligible a day, 20% exposure, two arms).
UNITS_PER_ARM = 800


@contextmanager
def as_of(moment: dt.datetime):
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


def local_moment(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _figures(metric: Metric, n: int, truth, rng: random.Random) -> dict:
    """One arm's day: `truth` is a rate in % (binary) or (mean, sd) (mean metrics)."""
    if metric.kind == Metric.Kind.BINARY:
        p = truth / 100
        successes = round(n * p + rng.gauss(0, 1) * math.sqrt(n * p * (1 - p)))
        return {"n": n, "successes": min(max(successes, 0), n)}
    mean, sd = truth
    day_mean = max(mean + rng.gauss(0, 1) * sd / math.sqrt(n), 0.1)
    total = n * day_mean
    return {"n": n, "sum": round(total, 3), "sum_sq": round(total * total / n + (n - 1) * sd * sd, 3)}


# The demo's rate figures come split by customer segment (exploration on the page): the parts add
# up exactly to the day's figures, so the whole population and every check stay as they were.
DEMO_SEGMENTS = (("new-customers", 0.3), ("loyal-customers", 0.25))


def _by_segment(row: dict, rng: random.Random) -> list[dict]:
    """A binary metric's row as one row per demo segment plus one for the rest (same totals)."""
    if set(row) - {"experiment", "arm", "metric", "day", "n", "successes"}:
        return [row]
    n_left, s_left, parts = row["n"], row["successes"], []
    for segment, share in DEMO_SEGMENTS:
        n = round(row["n"] * share)
        low, high = max(0, s_left - (n_left - n)), min(s_left, n)
        successes = min(max(round(row["successes"] * n / row["n"] + rng.gauss(0, 1)), low), high) if n else 0
        parts.append({**row, "n": n, "successes": successes, "segment": segment})
        n_left, s_left = n_left - n, s_left - successes
    return [*parts, {**row, "n": n_left, "successes": s_left}]


def play(experiment, sender, truths: dict, days: int, seed: int) -> int:
    """Replay `days` past days of a running experiment (started `days` days ago). `truths`:
    metric key -> {arm key: truth}. Returns the number of checks taken; stops early if a check
    ends the experiment, as it would have."""
    rng = random.Random(seed)
    segment_rng = random.Random(seed + 1)  # its own stream: the figures themselves do not change
    started = timezone.localdate() - dt.timedelta(days=days)
    metrics = {m.metric.key: m.metric for m in experiment.metrics.select_related("metric")}
    checks = 0
    real_now = timezone.now()
    has_segments = Segment.objects.filter(key__in=[key for key, _ in DEMO_SEGMENTS]).count() == len(DEMO_SEGMENTS)
    if experiment.next_check_at is None:
        # The replay's first look is the day after the start: due then, not caught up late.
        Experiment.objects.filter(pk=experiment.pk).update(next_check_at=next_slot_after(started))
        experiment.refresh_from_db()
    for offset in range(1, days + 1):
        today = started + dt.timedelta(days=offset)
        yesterday = today - dt.timedelta(days=1)
        slot = next_slot_after(yesterday)  # today's monitoring slot
        if slot > real_now:
            break  # today's slot has not come yet: beat takes that look
        rows = []
        for key, arms in truths.items():
            for arm, truth in arms.items():
                n = UNITS_PER_ARM + rng.randint(-40, 40)
                row = {
                    "experiment": experiment.key,
                    "arm": arm,
                    "metric": key,
                    "day": yesterday.isoformat(),
                    **_figures(metrics[key], n, truth, rng),
                }
                rows.extend(_by_segment(row, segment_rng) if has_segments else [row])
        body = json.dumps(rows, sort_keys=True).encode()
        with as_of(slot - dt.timedelta(hours=1)):
            answer = ingest_daily_figures(
                sender, rows, f"demo-{experiment.key}-{yesterday}", hashlib.sha256(body).hexdigest()
            )
            if answer.status != 201:
                raise RuntimeError(f"demo figures for {experiment.key} on {yesterday} were refused: {answer.payload}")
        with as_of(slot):
            run_check(experiment.pk, today)
        checks += 1
        experiment.refresh_from_db()
        if experiment.status != Status.RUNNING:
            break
    return checks
