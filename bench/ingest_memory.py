"""Peak memory of one POST /api/outcomes/ per MB of body: junk bodies and large valid batches.

Run:  .venv/bin/python bench/ingest_memory.py [--junk-mb 4] [--valid-mb 32]
          [--admin-url postgres://postgres@127.0.0.1:5432/postgres] [--database pagar_bench_memory] [--keep]

Four cases, each in a fresh Python process so one case's peak does not hide another's:
- 4 MB of junk JSON, `{"rows":[1,1,1,...]}` (2 million non-object rows: the batch is refused 413
  for its row count, found while streaming, with no row kept);
- 4 MB of junk CSV, a header row then empty lines (refused 400: no rows);
- 32 MB (INGEST_MAX_BODY_BYTES) of valid outcome rows as JSON, then as CSV, with INGEST_MAX_ROWS
  raised for the run so that every row is checked and written (201).

The child builds the body first, then measures only the request: Python's own allocations
(tracemalloc's peak) and the process's resident memory (Linux VmHWM after resetting it, minus the
RSS before). It goes through Django's test client (no network), against PostgreSQL with the app's
production settings (DEBUG off). Prints a table and writes bench/results/ingest_memory.txt. The
scratch database is dropped at the end (--keep keeps it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "ingest_memory.txt"
PYTHON = ROOT / ".venv" / "bin" / "python"
MB = 1024 * 1024
CASES = ("junk-json", "junk-csv", "valid-json", "valid-csv")


# --- the parent: a scratch database, one child per case ---------------------------------------


def scratch_database(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(admin_url: str, name: str):
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(database_url: str, var_dir: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="bench-only-not-a-secret",
        DEBUG="0",
        ALLOWED_HOSTS="testserver",
        PAGAR_VAR_DIR=var_dir,
        LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return env


def run_child(env: dict, case: str, size_mb: float) -> dict:
    done = subprocess.run(
        [str(PYTHON), __file__, "--child", case, "--size-mb", str(size_mb)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"case {case} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--junk-mb", type=float, default=4)
    parser.add_argument("--valid-mb", type=float, default=32)
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="pagar_bench_memory")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--child", choices=CASES, help=argparse.SUPPRESS)
    parser.add_argument("--size-mb", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.size_mb)
        return

    database_url = scratch_database(args.admin_url, args.database)
    try:
        with tempfile.TemporaryDirectory() as var_dir:
            env = environment(database_url, var_dir)
            migrate = [str(PYTHON), "manage.py", "migrate", "--no-input", "-v", "0"]
            subprocess.run(migrate, cwd=ROOT, env=env, check=True)
            results = []
            for case in CASES:
                size = args.junk_mb if case.startswith("junk") else args.valid_mb
                results.append(run_child(env, case, size))
                print(f"  {case}: done", file=sys.stderr)
    finally:
        if not args.keep:
            drop_database(args.admin_url, args.database)
    report(results)


def report(results: list[dict]):
    lines = [
        "Pagar data in: peak memory of one POST /api/outcomes/ per MB of body",
        f"{time.strftime('%Y-%m-%d')} · Python {platform.python_version()} · PostgreSQL · Django test client,"
        " DEBUG off, one fresh process per case",
        "",
        f"{'case':<12}{'body MB':>9}{'rows':>11}{'status':>8}{'seconds':>9}"
        f"{'py peak MB':>12}{'per MB':>8}{'RSS +MB':>9}{'per MB':>8}",
    ]
    for r in results:
        body_mb = r["body_bytes"] / MB
        lines.append(
            f"{r['case']:<12}{body_mb:>9.1f}{r['rows']:>11,}{r['status']:>8}{r['seconds']:>9.1f}"
            f"{r['py_peak'] / MB:>12.1f}{r['py_peak'] / MB / body_mb:>8.2f}"
            f"{r['rss_delta'] / MB:>9.1f}{r['rss_delta'] / MB / body_mb:>8.2f}"
        )
    lines += [
        "",
        "py peak: tracemalloc's peak of Python allocations during the request (the body itself, built",
        "before, is not counted). RSS +MB: the process's peak resident memory during the request minus",
        "its resident memory before it (Linux VmHWM, reset before the request). Seconds are with",
        "tracemalloc on, which slows Python allocation several-fold.",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(text)


# --- a child: one case, measured --------------------------------------------------------------


def child(case: str, size_mb: float):
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import tracemalloc
    import uuid

    from django.conf import settings
    from rest_framework.test import APIClient

    user, experiment = experiment_for(case)
    body, rows, content_type = body_for(case, experiment, int(size_mb * MB))
    if case.startswith("valid"):
        settings.INGEST_MAX_ROWS = max(settings.INGEST_MAX_ROWS, rows)  # every row checked and written
    client = APIClient()
    client.force_authenticate(user)
    # The first request imports the views (statistics libraries included): not the body's cost.
    warm_up = client.generic(
        "POST",
        "/api/outcomes/",
        b"experiment,unit\n",
        content_type="text/csv",
        secure=True,
        HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
    )
    assert warm_up.status_code == 400, warm_up.status_code

    rss_before = _status_kb("VmRSS") * 1024
    _reset_peak_rss()
    tracemalloc.start()
    started = time.monotonic()
    response = client.generic(
        "POST", "/api/outcomes/", body, content_type=content_type, secure=True, HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex
    )
    seconds = time.monotonic() - started
    _, py_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_delta = _status_kb("VmHWM") * 1024 - rss_before
    print(
        json.dumps(
            {
                "case": case,
                "body_bytes": len(body),
                "rows": rows,
                "status": response.status_code,
                "seconds": seconds,
                "py_peak": py_peak,
                "rss_delta": rss_delta,
            }
        )
    )


def _status_kb(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {name} in /proc/self/status")


def _reset_peak_rss():
    Path("/proc/self/clear_refs").write_text("5")  # Linux: VmHWM starts again from the current RSS


def experiment_for(case: str):
    import datetime as dt

    from django.contrib.auth.models import User
    from django.utils import timezone

    from experiments.models import Experiment, ExperimentEvent, ExperimentMetric, Metric, Status, Touchpoint, Variant

    user, _ = User.objects.get_or_create(username="bench", defaults={"is_staff": True, "is_superuser": True})
    today = timezone.localdate()
    experiment = Experiment.objects.create(
        key=f"bench-{case}",
        title="Memory bench",
        hypothesis_change="x",
        hypothesis_audience="y",
        hypothesis_effect="z",
        hypothesis_rationale="w",
        owner=user,
        exposure_cap_pct=100,
        planned_start=today - dt.timedelta(days=10),
        planned_end=today + dt.timedelta(days=20),
        status=Status.RUNNING,
    )
    experiment.touchpoints.set(Touchpoint.objects.filter(key="chat"))
    Variant.objects.create(experiment=experiment, key="control", name="Control", is_control=True, weight=50)
    Variant.objects.create(experiment=experiment, key="treatment", name="Treatment", weight=50)
    ExperimentMetric.objects.create(
        experiment=experiment,
        metric=Metric.objects.get(key="fcr"),
        role="success",
        minimum_detectable_effect=2,
        baseline_rate=70,
    )
    ExperimentEvent.objects.create(
        experiment=experiment,
        action="start",
        from_status="approved",
        to_status="running",
        actor=user,
        created_at=timezone.now() - dt.timedelta(days=10),
    )
    return user, experiment


def body_for(case: str, experiment, size: int) -> tuple[bytes, int, str]:
    """(body of about `size` bytes, rows in it, Content-Type)."""
    if case == "junk-json":
        count = (size - len('{"rows":[]}')) // 2
        return b'{"rows":[' + b"1," * (count - 1) + b"1]}", count, "application/json"
    if case == "junk-csv":
        header = b"experiment,unit,arm,metric,value,time\n"
        return header + b"\n" * (size - len(header)), 0, "text/csv"
    return valid_rows(case, experiment, size)


def valid_rows(case: str, experiment, size: int) -> tuple[bytes, int, str]:
    import datetime as dt

    from django.utils import timezone

    from experiments.live.hashing import arm_for

    weights = [(v.key, v.weight) for v in experiment.variants.all()]
    base = (timezone.now() - dt.timedelta(days=9)).replace(microsecond=0)
    as_json = case == "valid-json"
    parts = [b'{"rows":[' if as_json else b"experiment,unit,arm,metric,value,time\n"]
    total = len(parts[0]) + 3
    rows = 0
    while True:
        unit = f"cust-{rows}"
        when = (base + dt.timedelta(seconds=(rows * 7) % (8 * 86400))).isoformat().replace("+00:00", "Z")
        fields = {
            "experiment": experiment.key,
            "unit": unit,
            "arm": arm_for(experiment.key, weights, unit),
            "metric": "fcr",
            "value": rows % 3 == 0 and 1 or 0,
            "time": when,
        }
        line = (json.dumps(fields) + ",") if as_json else ",".join(str(v) for v in fields.values()) + "\n"
        encoded = line.encode()
        if total + len(encoded) > size:
            break
        parts.append(encoded)
        total += len(encoded)
        rows += 1
    if as_json:
        parts[-1] = parts[-1].rstrip(b",")
        parts.append(b"]}")
    return b"".join(parts), rows, "application/json" if as_json else "text/csv"


if __name__ == "__main__":
    main()
