"""The daily monitoring sweep at volume: 1,000 running experiments x 5 metrics x 28 days.

Run:  .venv/bin/python bench/sweep.py [--experiments 1000] [--workers 2] [--keep]

On PostgreSQL (database `pagar_he` by default, dropped and re-created; BENCH_DATABASE_URL says
otherwise) and Redis (db 10 by default; BENCH_BROKER_URL). Seeds N running experiments (2 arms,
1 success + 4 guardrail metrics: 3 binary, 2 mean), each with 28 days of DailyStat and
AssignmentCount up to today and 25 earlier looks recorded (Check rows with their information
fractions), traffic varying per experiment so that no two share a plan or look fractions. Then
takes three looks, each timed:

1. `manage.py run_checks --date D-2`: with no boundary state kept (every experiment's 26 looks
   of boundaries computed from scratch), which also keeps each experiment's state;
2. `manage.py run_checks --date D-1`: each look extends the kept state;
3. the sweep through Celery with --workers worker processes (one `celery worker` with that
   concurrency, started and warmed before the clock starts): `monitoring.sweep()` queues the due
   looks of D in chunks; the time runs until the last check of D is recorded.

The checks read DailyStat only (never raw Observation rows: bench/check_scaling.py shows a check
costs the same at 100 thousand and 10 million raw rows), so the sweep is flat in raw rows.
Prints each figure, the load average and the machine, and writes bench/results/sweep.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", f"{SERVER}/pagar_he")
BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/10")
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["CELERY_BROKER_URL"] = BROKER_URL
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DB_CONN_MAX_AGE", "60")

DAYS = 28
PRIOR_LOOKS = 25
# key -> (role, kind, margin or MDE, baseline: rate % or (mean, sd))
METRICS = {
    "fcr": ("success", 2.0, 70.0),
    "complaint-rate": ("guardrail", 0.5, 3.0),
    "escalation-rate": ("guardrail", 1.0, 8.0),
    "csat": ("guardrail", 0.1, (4.1, 0.9)),
    "ces": ("guardrail", 0.2, (3.4, 1.6)),
}


def recreate_database():
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(f"{DATABASE_URL.rsplit('/', 1)[0]}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")


# Where manage.py and the worker run from: this tree, or (--code-root) another checkout of Pagar,
# e.g. the commit before this work, to measure "before" on the same seeded volume.
CODE_ROOT = ROOT


def manage(*args, check=True) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(CODE_ROOT / "manage.py"), *args],
        cwd=CODE_ROOT,
        capture_output=True,
        text=True,
        check=check,
    )


def seed(count: int, today: dt.date, seed_value: int = 15) -> dict:
    """`count` running experiments with 28 days of data up to `today` and 25 looks taken."""
    import numpy as np
    from django.contrib.auth.models import User
    from django.utils import timezone

    from experiments.live.look_inputs import planned_units
    from experiments.models import (
        AssignmentCount,
        Check,
        DailyStat,
        Experiment,
        ExperimentEvent,
        ExperimentMetric,
        Metric,
        Status,
        Variant,
    )

    rng = np.random.default_rng(seed_value)
    owner = User.objects.create_user("sweep_owner", email="owner@example.test")
    approver = User.objects.create_user("sweep_approver", email="approver@example.test")
    start = today - dt.timedelta(days=DAYS - 1)
    started_at = timezone.make_aware(dt.datetime.combine(start, dt.time(6, 0)))
    metrics = {key: Metric.objects.get(key=key) for key in METRICS}
    experiments = Experiment.objects.bulk_create(
        Experiment(
            key=f"sweep-{i:04d}",
            title=f"Sweep bench {i}",
            hypothesis_change="x",
            hypothesis_audience="y",
            hypothesis_effect="z",
            hypothesis_rationale="w",
            owner=owner,
            approver=approver,
            exposure_cap_pct=50,
            planned_start=start,
            planned_end=start + dt.timedelta(days=41),
            min_runtime_days=7,
            expected_daily_traffic=8000 + 40 * (i % 50),  # 50 different plans
            status=Status.RUNNING,
            next_check_at=started_at,
        )
        for i in range(count)
    )
    variants = Variant.objects.bulk_create(
        Variant(experiment=e, key=key, name=key, is_control=key == "control", weight=50)
        for e in experiments
        for key in ("control", "short")
    )
    rows = []
    for e in experiments:
        for key, (role, effect, base) in METRICS.items():
            fields = {"experiment": e, "metric": metrics[key], "role": role}
            fields["minimum_detectable_effect" if role == "success" else "non_inferiority_margin"] = effect
            if isinstance(base, tuple):
                fields.update(baseline_mean=base[0], baseline_sd=base[1])
            else:
                fields["baseline_rate"] = base
            rows.append(ExperimentMetric(**fields))
    ExperimentMetric.objects.bulk_create(rows)
    ExperimentEvent.objects.bulk_create(
        ExperimentEvent(
            experiment=e, action="start", from_status="approved", to_status="running", created_at=started_at
        )
        for e in experiments
    )

    plans: dict[int, int | None] = {}
    stats, counts, checks = [], [], []
    now = timezone.now()
    arms = {
        e.pk: sorted((v for v in variants if v.experiment_id == e.pk), key=lambda v: not v.is_control)
        for e in experiments
    }
    for e in experiments:
        if e.expected_daily_traffic not in plans:
            plans[e.expected_daily_traffic] = planned_units(e)
        total = plans[e.expected_daily_traffic]
        # the plan's units over 40 days, give or take 10 % a day: 28 days never reach the maximum
        per_day = total / 40
        cumulative = 0
        for day_index in range(DAYS):
            day = start + dt.timedelta(days=day_index)
            units = int(per_day * (0.9 + 0.2 * rng.random()))
            control = int(rng.binomial(units, 0.5))
            for arm, n in zip(arms[e.pk], (control, units - control), strict=True):
                cumulative += n
                counts.append(AssignmentCount(experiment=e, variant=arm, day=day, count=n))
                for key, (_role, _effect, base) in METRICS.items():
                    if isinstance(base, tuple):
                        mean, sd = base
                        s = float(n * mean + np.sqrt(n) * sd * rng.standard_normal())
                        s2 = float(sd * sd * rng.chisquare(n - 1) + s * s / n)
                    else:
                        s = float(rng.binomial(n, base / 100))
                        s2 = s
                    stats.append(
                        DailyStat(
                            experiment=e,
                            variant=arm,
                            metric=metrics[key],
                            day=day,
                            n=n,
                            total=s,
                            total_sq=s2,
                            last_observed_at=timezone.make_aware(dt.datetime.combine(day, dt.time(23, 0))),
                            updated_at=now,
                        )
                    )
            if day_index < PRIOR_LOOKS:
                checks.append(
                    Check(
                        experiment=e,
                        look_date=day,
                        look=day_index + 1,
                        action="continue",
                        sentence="Continue (seeded look).",
                        information_fraction=cumulative / total,
                        days_elapsed=float(day_index),
                        created_at=started_at + dt.timedelta(days=day_index),
                    )
                )
    DailyStat.objects.bulk_create(stats, batch_size=5000)
    AssignmentCount.objects.bulk_create(counts, batch_size=5000)
    Check.objects.bulk_create(checks, batch_size=5000)
    Experiment.objects.filter(pk__in=[e.pk for e in experiments]).update(
        next_check_at=timezone.make_aware(dt.datetime.combine(start + dt.timedelta(days=PRIOR_LOOKS), dt.time(6, 0)))
    )
    return {"daily_stats": len(stats), "assignment_counts": len(counts), "checks": len(checks), "plans": len(plans)}


def checks_on(day: dt.date) -> int:
    from experiments.models import Check

    return Check.objects.filter(look_date=day).exclude(action="error").count()


def time_run_checks(day: dt.date) -> tuple[float, int]:
    began = time.perf_counter()
    manage("run_checks", "--date", day.isoformat())
    return time.perf_counter() - began, checks_on(day)


def start_worker(concurrency: int) -> subprocess.Popen:
    env = dict(os.environ)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--concurrency",
            str(concurrency),
            "--pool",
            "prefork",
            "--loglevel",
            "WARNING",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=CODE_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(tempfile.gettempdir()) / "pagar-sweep-worker.log", "w"),  # noqa: SIM115
    )


def time_celery_sweep(day: dt.date, workers: int) -> tuple[float, int, int]:
    """(seconds until every due look of `day` is recorded, checks recorded, looks queued)."""
    from django.db import connections

    from config.celery import app

    app.control.purge()
    worker = start_worker(workers)
    try:
        time.sleep(10)  # the worker and its processes up before the clock starts
        # The sweep runs as beat would run it, in the code under test; the clock starts when it does.
        script = (
            "import datetime as dt, time; from django.utils import timezone; "
            "from experiments.live.monitoring import sweep; "
            f"now = timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat('{day.isoformat()}'), dt.time(12)));"
            "began = time.time(); report = sweep(now); print(began, len(report['queued']))"
        )
        began_text, due_text = manage("shell", "-c", script).stdout.split()[-2:]
        began, due = float(began_text), int(due_text)
        while True:
            done = checks_on(day)
            if done >= due or time.time() - began > 1200:
                break
            time.sleep(0.2)
        return time.time() - began, done, due
    finally:
        worker.terminate()
        worker.wait(30)
        connections.close_all()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--seed-only", action="store_true", help="seed the volume and stop (for profiling)")
    parser.add_argument("--code-root", type=Path, help="time another checkout of Pagar (e.g. the code before)")
    parser.add_argument("--out", default="sweep.txt", help="file name in bench/results")
    args = parser.parse_args(argv)
    global CODE_ROOT
    if args.code_root:
        CODE_ROOT = args.code_root.resolve()

    recreate_database()
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v0"], cwd=ROOT, check=True)
    import django

    django.setup()
    from django.utils import timezone

    from django.db import connection

    today = timezone.localdate()
    lines = [
        f"Pagar daily sweep at volume: PostgreSQL ({DATABASE_URL.rsplit('/', 1)[1]}), Redis broker "
        f"({BROKER_URL.rsplit('/', 1)[1] and 'db ' + BROKER_URL.rsplit('/', 1)[1]})",
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{platform.platform()}",
    ]

    def say(line: str):
        print(line, flush=True)
        lines.append(line)

    if CODE_ROOT != ROOT:
        lines.append(f"code timed: {CODE_ROOT} (seeded by this tree)")
    for line in lines:
        print(line)
    began = time.perf_counter()
    seeded = seed(args.experiments, today)
    say(
        f"seeded {args.experiments:,} running experiments x {len(METRICS)} metrics x {DAYS} days in "
        f"{time.perf_counter() - began:.0f} s: {seeded['daily_stats']:,} DailyStat rows, "
        f"{seeded['assignment_counts']:,} AssignmentCount rows, {seeded['checks']:,} earlier looks, "
        f"{seeded['plans']} distinct plans"
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    if args.seed_only:
        return

    scratch_day, kept_day, celery_day = (today - dt.timedelta(days=n) for n in (2, 1, 0))
    seconds, done = time_run_checks(scratch_day)
    say(f"run_checks, no boundary state kept (look 26, from scratch): {seconds:6.1f} s for {done:,} checks")
    seconds, done = time_run_checks(kept_day)
    say(f"run_checks, boundary state kept (look 27):                {seconds:6.1f} s for {done:,} checks")
    seconds, done, due = time_celery_sweep(celery_day, args.workers)
    say(
        f"Celery sweep, {args.workers} worker processes, state kept (look 28): {seconds:6.1f} s for {done:,} "
        f"checks ({due:,} due)   target < 60 s"
    )
    load = os.getloadavg()
    say(
        f"load average at the end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs "
        "(the machine is shared; figures move with it)"
    )
    say("issue 15's figures before this work: run_checks 250 s, Celery with 2 worker processes 392 s")
    out = ROOT / "bench" / "results" / args.out
    out.write_text("\n".join(lines) + "\n")
    if not args.keep:
        from django.db import connections

        connections.close_all()


if __name__ == "__main__":
    main()
