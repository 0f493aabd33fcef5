"""A daily check's cost does not grow with raw outcome rows: it reads DailyStat only.

Run:  .venv/bin/python bench/check_scaling.py [--big 10000000] [--runs 15] [--keep]

On PostgreSQL (scratch database `pagar_bench_checks`, dropped and re-created; PGHOST, PGPORT and
PGUSER say where, default postgres@127.0.0.1:5432): one running experiment (3 binary metrics,
2 arms, 28 days of data) with 100,000 raw Observation rows loaded with COPY and their DailyStat
and AssignmentCount; `run_check` is timed on fresh look dates (a Check is append-only, one per
look date), median of --runs after one untimed warm-up look. Then --big more raw rows for the same
experiment are loaded with COPY, its DailyStat and assignment counts rebuilt from all rows (as
ingestion would have kept them), and the check is timed again. After each load the database is
vacuumed and checkpointed, as a quiet production database would be, so the timing measures the
check rather than the load's aftermath. Prints both and writes bench/results/check_scaling.txt.

The plan is sized so the experiment keeps running at both sizes (tiny effects to detect), and
the data have no effect, so every timed look is a plain "continue". About 2.5 GB of disk at the
default size; the database is dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = "postgres://{user}@{host}:{port}".format(
    user=os.environ.get("PGUSER", "postgres"),
    host=os.environ.get("PGHOST", "127.0.0.1"),
    port=os.environ.get("PGPORT", "5432"),
)
DATABASE = "pagar_bench_checks"
os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

DAYS = 28
METRICS = {"fcr": 70, "complaint-rate": 3, "escalation-rate": 8}  # key -> % of units with value 1
SMALL = 100_000


def recreate_database():
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        admin.execute(f"CREATE DATABASE {DATABASE}")


def drop_database():
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")


def build_experiment(today: dt.date, looks: int):
    """A running experiment whose 28 days of data lie behind it, followed by `looks` past days to
    take the timed looks on (a look date is never in the future); it ends in 30 days."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from experiments.models import Experiment, ExperimentEvent, ExperimentMetric, IngestBatch, Metric, Status, Variant

    owner = User.objects.create_user("bench_owner", email="owner@example.test")
    start = today - dt.timedelta(days=DAYS + 2 + looks)
    experiment = Experiment.objects.create(
        key="bench-check-scaling",
        title="Check scaling",
        hypothesis_change="x",
        hypothesis_audience="y",
        hypothesis_effect="z",
        hypothesis_rationale="w",
        owner=owner,
        exposure_cap_pct=50,
        planned_start=start,
        planned_end=today + dt.timedelta(days=30),
        min_runtime_days=7,
        expected_daily_traffic=100_000,
        status=Status.RUNNING,
    )
    for key, control in (("control", True), ("short", False)):
        Variant.objects.create(experiment=experiment, key=key, name=key, is_control=control, weight=50)
    # Effects this small need tens of millions of units: the plan is never reached here.
    ExperimentMetric.objects.create(
        experiment=experiment,
        metric=Metric.objects.get(key="fcr"),
        role="success",
        minimum_detectable_effect=0.05,
        baseline_rate=70,
    )
    for key, margin, base in (("complaint-rate", 0.05, 3), ("escalation-rate", 0.1, 8)):
        ExperimentMetric.objects.create(
            experiment=experiment,
            metric=Metric.objects.get(key=key),
            role="guardrail",
            non_inferiority_margin=margin,
            baseline_rate=base,
        )
    started_at = timezone.make_aware(dt.datetime.combine(start, dt.time(6, 0)))
    ExperimentEvent.objects.create(
        experiment=experiment, action="start", from_status="approved", to_status="running", created_at=started_at
    )
    batch = IngestBatch.objects.create(
        created_by=owner,
        idempotency_key="bench",
        kind="outcomes",
        body_sha256="0" * 64,
        accepted=True,
        status_code=201,
        response={},
        created_at=started_at,
    )
    return experiment, batch, start


def copy_observations(experiment, batch, start: dt.date, first_unit: int, units: int) -> float:
    """COPY one row per unit and metric (units first_unit.. first_unit+units-1). Unit i is in arm
    i % 2 and on day (i // 2) % 28; its values depend on i // 2 only, so both arms have the same
    rates. The rows are consistent by construction, so the load skips the per-row foreign-key
    triggers (session_replication_role), as a bulk restore does."""
    from django.db import connection

    from experiments.models import Metric

    arms = list(experiment.variants.order_by("-is_control", "pk").values_list("pk", flat=True))
    metric_ids = {key: Metric.objects.get(key=key).pk for key in METRICS}
    midnight = dt.datetime.combine(start, dt.time(0, 0), tzinfo=dt.UTC)
    columns = "experiment_id, variant_id, metric_id, unit_id, value, observed_at, batch_id"
    began = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
        raw.execute("SET session_replication_role = replica")
        with raw.copy(f"COPY experiments_observation ({columns}) FROM STDIN") as copy:
            chunk = 200_000
            for block in range(first_unit, first_unit + units, chunk):
                out = io.StringIO()
                for i in range(block, min(block + chunk, first_unit + units)):
                    arm, pair = arms[i % 2], i // 2
                    day = pair % DAYS
                    at = (midnight + dt.timedelta(days=day, seconds=(pair * 7) % 86_400)).isoformat()
                    for key, pct in METRICS.items():
                        value = 1 if pair % 100 < pct else 0
                        out.write(f"{experiment.pk}\t{arm}\t{metric_ids[key]}\tu{i}\t{value}\t{at}\t{batch.pk}\n")
                copy.write(out.getvalue())
        raw.execute("SET session_replication_role = DEFAULT")
    return time.perf_counter() - began


def rebuild_sufficient_statistics(experiment, start: dt.date, total_units: int):
    """DailyStat from every raw row (what ingestion keeps up to date), and the assignment counts."""
    from django.db import connection

    from experiments.models import AssignmentCount, DailyStat

    DailyStat.objects.filter(experiment=experiment).delete()
    AssignmentCount.objects.filter(experiment=experiment).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO experiments_dailystat
                (experiment_id, variant_id, metric_id, day, n, total, total_sq, promoters, detractors,
                 last_observed_at, updated_at)
            SELECT experiment_id, variant_id, metric_id, (observed_at AT TIME ZONE 'UTC')::date, count(*), sum(value),
                   sum(value * value), 0, 0, max(observed_at), now()
            FROM experiments_observation WHERE experiment_id = %s
            GROUP BY experiment_id, variant_id, metric_id, (observed_at AT TIME ZONE 'UTC')::date
            """,
            [experiment.pk],
        )
    arms = list(experiment.variants.order_by("-is_control", "pk"))
    rows = []
    for arm_index, arm in enumerate(arms):
        pairs = (total_units - arm_index + 1) // 2  # units i = 2 * pair + arm_index below the total
        for day in range(DAYS):
            count = len(range(day, pairs, DAYS))
            rows.append(
                AssignmentCount(experiment=experiment, variant=arm, day=start + dt.timedelta(days=day), count=count)
            )
    AssignmentCount.objects.bulk_create(rows)


class DatabaseTime:
    """Counts the queries run and the seconds spent waiting on the database for them."""

    def __init__(self):
        self.queries, self.seconds = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - began
            self.queries += 1


def time_checks(experiment, look_dates) -> tuple[list[float], list[float], int, str]:
    """Seconds of each whole run_check, seconds of it spent in the database (every query: the row
    lock, the daily sums, assignment counts, earlier checks, the Check written), queries per
    check, the last decision."""
    from django.db import connection

    from experiments.live.monitoring import run_check
    from experiments.models import Check

    seconds, in_database, queries, sentence = [], [], 0, ""
    for look_date in look_dates:
        timer = DatabaseTime()
        with connection.execute_wrapper(timer):
            began = time.perf_counter()
            check = run_check(experiment.pk, look_date)
            seconds.append(time.perf_counter() - began)
        assert isinstance(check, Check) and check.action == "continue", check and check.sentence
        in_database.append(timer.seconds)
        queries, sentence = timer.queries, check.sentence
    return seconds, in_database, queries, sentence


def pages_read(experiment, look_date) -> int:
    """Buffers (8 kB pages) the check's DailyStat query touches: the same at any raw-row count."""
    from django.db.models import Max, Sum

    from experiments.models import DailyStat

    query = (
        DailyStat.objects.filter(experiment=experiment, day__lte=look_date)
        .values("metric_id", "variant_id")
        .annotate(n=Sum("n"), total=Sum("total"), total_sq=Sum("total_sq"), last=Max("last_observed_at"))
    )
    plan = query.explain(analyze=True, buffers=True, format="json")
    top = __import__("json").loads(plan)[0]["Plan"]
    return top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)


def sums_from_raw_rows(experiment) -> float:
    """What the same sums would cost read from the raw rows (what DailyStat saves each check)."""
    from django.db.models import Count, Sum

    from experiments.models import Observation

    began = time.perf_counter()
    list(
        Observation.objects.filter(experiment=experiment)
        .values("metric_id", "variant_id")
        .annotate(n=Count("id"), total=Sum("value"))
    )
    return time.perf_counter() - began


def table_size(name: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size(%s))", [name])
        return cursor.fetchone()[0]


def settle():
    """Leave the database as a quiet production one is after a load, so the timing measures the
    check and not the load's aftermath."""
    from django.db import connection

    with connection.cursor() as cursor:
        # The rebuilt daily sums (deleted and inserted again) compacted: both sizes read as few pages.
        cursor.execute("VACUUM FULL ANALYZE experiments_dailystat")
        # Vacuum the loaded rows now, or autovacuum's pass over them competes with the timing.
        cursor.execute("VACUUM ANALYZE")
        # Flush the load's dirty pages now, or their background writes slow every commit (a check
        # commits once).
        cursor.execute("CHECKPOINT")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", type=int, default=10_000_000, help="raw rows added before the second timing")
    parser.add_argument("--runs", type=int, default=15, help="timed checks per size (fresh look dates)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    args = parser.parse_args()

    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from experiments.models import DailyStat, Observation

    call_command("migrate", verbosity=0)
    experiment, batch, start = build_experiment(timezone.localdate(), 2 * (args.runs + 1))
    looks = [start + dt.timedelta(days=DAYS + 2 + k) for k in range(2 * (args.runs + 1))]
    lines = []

    def report(text=""):
        print(text, flush=True)
        lines.append(text)

    def measure(look_dates) -> float:
        # The first look pays for the plan and boundaries (cached per process); not timed.
        warm, _, _, _ = time_checks(experiment, look_dates[:1])
        report(f"  first look after the load (untimed warm-up): {1000 * warm[0]:.0f} ms")
        seconds, in_database, queries, sentence = time_checks(experiment, look_dates[1:])
        stats = DailyStat.objects.filter(experiment=experiment).count()
        report(
            f"  {Observation.objects.count():>12,} raw rows ({table_size('experiments_observation')}), "
            f"{stats} DailyStat rows: "
            f"run_check median {1000 * statistics.median(seconds):.1f} ms "
            f"(min {1000 * min(seconds):.1f}, max {1000 * max(seconds):.1f}; {queries} queries per check); "
            f"of which in the database median {1000 * statistics.median(in_database):.1f} ms"
        )
        report(
            f"  the DailyStat query touches {pages_read(experiment, look_dates[-1])} pages; "
            f"the same sums from the raw rows would take {sums_from_raw_rows(experiment):.2f} s"
        )
        report(f"  decision: {sentence}")
        return statistics.median(seconds)

    report(f"Pagar daily check vs raw outcome rows: PostgreSQL, database {DATABASE}, {args.runs} timed checks per size")
    report(f"one running experiment, 2 arms x 3 binary metrics x {DAYS} days of data; a check reads DailyStat only")
    report()
    small_units = -(-SMALL // len(METRICS))
    took = copy_observations(experiment, batch, start, 0, small_units)
    rebuild_sufficient_statistics(experiment, start, small_units)
    settle()
    small_rows = Observation.objects.count()
    report(f"loaded {small_rows:,} raw rows with COPY in {took:.1f} s")
    small = measure(looks[: args.runs + 1])

    big_units = -(-args.big // len(METRICS))
    took = copy_observations(experiment, batch, start, small_units, big_units)
    began = time.perf_counter()
    rebuild_sufficient_statistics(experiment, start, small_units + big_units)
    rebuilt = time.perf_counter() - began
    settle()
    big_rows = Observation.objects.count()
    report(
        f"loaded {big_rows - small_rows:,} more raw rows with COPY in {took:.0f} s "
        f"(DailyStat rebuilt from all rows in {rebuilt:.0f} s)"
    )
    big = measure(looks[args.runs + 1 :])

    report()
    report(f"median check time with {big_rows:,} raw rows / with {small_rows:,}: {big / small:.2f}x")
    report(
        f"(load average during the run: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs; "
        "the machine was shared, so single timings are noisy: compare the medians and the pages)"
    )
    out = ROOT / "bench" / "results" / "check_scaling.txt"
    out.write_text("\n".join(lines) + "\n")
    print(f"written to {out.relative_to(ROOT)}")
    if not args.keep:
        drop_database()


if __name__ == "__main__":
    main()
