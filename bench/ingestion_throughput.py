"""Rows per second through Pagar's bulk outcomes endpoint, against a plain PostgreSQL COPY.

Run:  .venv/bin/python bench/ingestion_throughput.py [--rows 300000] [--batch 10000]
          [--admin-url postgres://postgres@127.0.0.1:5432/postgres] [--database pagar_bench_ingest] [--port 8412]

What it does, in one run:
1. (Re)creates the scratch database, migrates it, and makes a running experiment (two arms, a
   binary and a mean metric) and a service key for the chat touchpoint.
2. Starts the app under gunicorn (DEBUG off, as in production) and POSTs the rows over real HTTP
   in batches (each an idempotent, atomic batch: every row checked, raw rows bulk-inserted and
   the daily sufficient statistics locked and added to in the same transaction), once as CSV and
   once as JSON (different units, so nothing is a duplicate).
3. COPYs the same rows (psycopg ``cursor.copy``) into a plain, unindexed table, in the same batch
   sizes, one transaction per batch: the floor of what PostgreSQL itself costs; then again into a
   table with Observation's indexes and unique constraint (what the storage alone costs).
Prints rows/s for each and the ratio, checks that every row landed, and writes
bench/results/ingestion_throughput.txt. The scratch database is dropped at the end (--keep keeps it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "ingestion_throughput.txt"
PYTHON = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PLAIN_COPY = (
    "COPY bench_plain_observation (experiment_id, variant_id, metric_id, unit_id, value, observed_at) FROM STDIN"
)


def scratch_database(admin_url: str, name: str) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(admin_url: str, name: str):
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def app_environment(database_url: str, var_dir: str, port: int) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY="bench-only-not-a-secret",
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        PAGAR_VAR_DIR=var_dir,
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return env


def set_up_experiment(env: dict, rows: int) -> dict:
    """Migrate, then make the experiment, its token user and the rows (in a child Python, which
    owns the Django setup). Returns the token, the row lists and the ids COPY needs."""
    subprocess.run([str(PYTHON), "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    code = f"""
import datetime as dt, json, sys
import django
django.setup()
from django.contrib.auth.models import User
from django.utils import timezone
from experiments.service_keys import create_key
from experiments.live.hashing import arm_for
from experiments.models import Experiment, ExperimentEvent, ExperimentMetric, Metric, Status, Touchpoint, Variant

user = User.objects.create_superuser("bench", "bench@example.test", "bench-pass-123")
token = create_key(user, "bench", actions=["send_data"], touchpoint=Touchpoint.objects.get(key="chat"))[1]
today = timezone.localdate()
started = timezone.now() - dt.timedelta(days=10)
out = {{"token": token, "experiments": {{}}}}
for key in ("bench-csv", "bench-json"):
    e = Experiment.objects.create(
        key=key, title="Throughput bench", hypothesis_change="x", hypothesis_audience="y", hypothesis_effect="z",
        hypothesis_rationale="w", owner=user, exposure_cap_pct=100, planned_start=today - dt.timedelta(days=10),
        planned_end=today + dt.timedelta(days=20), status=Status.RUNNING,
    )
    e.touchpoints.set(Touchpoint.objects.filter(key="chat"))
    arms = [Variant.objects.create(experiment=e, key="control", name="Control", is_control=True, weight=50),
            Variant.objects.create(experiment=e, key="treatment", name="Treatment", weight=50)]
    metrics = {{m.key: m for m in Metric.objects.filter(key__in=["fcr", "csat"])}}
    ExperimentMetric.objects.create(
        experiment=e, metric=metrics["fcr"], role="success", minimum_detectable_effect=2, baseline_rate=70
    )
    ExperimentMetric.objects.create(
        experiment=e, metric=metrics["csat"], role="guardrail",
        non_inferiority_margin=0.1, baseline_mean=4, baseline_sd=1,
    )
    ExperimentEvent.objects.create(
        experiment=e, action="start", from_status="approved", to_status="running", actor=user, created_at=started
    )
    weights = [(v.key, v.weight) for v in e.variants.all()]
    variant_ids = {{v.key: v.pk for v in arms}}
    base = (timezone.now() - dt.timedelta(days=9)).replace(microsecond=0)
    rows = []
    for i in range({rows} // 2):
        unit = f"cust-{{i}}"
        arm = arm_for(key, weights, unit)
        when = (base + dt.timedelta(seconds=(i * 7) % (8 * 86400))).isoformat().replace("+00:00", "Z")
        rows.append([unit, arm, "fcr", i % 3 == 0 and 1 or 0, when])
        rows.append([unit, arm, "csat", 1 + i % 5, when])
    metric_ids = {{k: m.pk for k, m in metrics.items()}}
    out["experiments"][key] = {{"id": e.pk, "variants": variant_ids, "metrics": metric_ids, "rows": rows}}
json.dump(out, sys.stdout)
"""
    done = subprocess.run([str(PYTHON), "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"setting up the experiment failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(GUNICORN), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "300"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/outcomes/")  # any answer (403 without a token) means it is up
            conn.getresponse().read()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"gunicorn did not answer on port {port}: {server.stderr.read().decode()[-2000:]}")


def csv_body(key: str, rows: list) -> bytes:
    lines = ["experiment,unit,arm,metric,value,time"] + [f"{key},{u},{a},{m},{v},{t}" for u, a, m, v, t in rows]
    return ("\n".join(lines) + "\n").encode()


def json_body(key: str, rows: list) -> bytes:
    return json.dumps(
        {
            "rows": [
                {"experiment": key, "unit": u, "arm": a, "metric": m, "value": v, "time": t} for u, a, m, v, t in rows
            ]
        }
    ).encode()


def post_batches(port: int, token: str, bodies: list[bytes], content_type: str) -> tuple[float, list[float]]:
    """POST each body in turn; the seconds from the first request to the last answer, and per batch."""
    started = time.perf_counter()
    each = []
    for number, body in enumerate(bodies, start=1):
        sent = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        conn.request(
            "POST",
            "/api/outcomes/",
            body,
            {
                "Content-Type": content_type,
                "Authorization": f"Key {token}",
                "Idempotency-Key": f"{content_type}-{number}",
            },
        )
        response = conn.getresponse()
        answer = response.read()
        if response.status != 201:
            raise SystemExit(f"batch {number} answered {response.status}: {answer[:2000]!r}")
        conn.close()
        each.append(time.perf_counter() - sent)
    return time.perf_counter() - started, each


def copy_batches(database_url: str, experiment: dict, batches: list[list], *, indexed: bool) -> float:
    """COPY the same rows into a plain table (or one with Observation's indexes), one transaction per batch."""
    with psycopg.connect(database_url) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_plain_observation")
        if indexed:
            conn.execute("CREATE TABLE bench_plain_observation (LIKE experiments_observation INCLUDING ALL)")
            conn.execute("ALTER TABLE bench_plain_observation ALTER COLUMN batch_id DROP NOT NULL")
        else:
            conn.execute(
                "CREATE TABLE bench_plain_observation (experiment_id bigint, variant_id bigint, metric_id bigint, "
                "unit_id varchar(200), value double precision, observed_at timestamptz)"
            )
        conn.commit()
        converted = [
            [
                (
                    experiment["id"],
                    experiment["variants"][a],
                    experiment["metrics"][m],
                    u,
                    float(v),
                    dt.datetime.fromisoformat(t),
                )
                for u, a, m, v, t in batch
            ]
            for batch in batches
        ]
        started = time.perf_counter()
        for batch in converted:
            with conn.cursor() as cursor, cursor.copy(PLAIN_COPY) as copy:
                for row in batch:
                    copy.write_row(row)
            conn.commit()
        elapsed = time.perf_counter() - started
        stored = conn.execute("SELECT count(*) FROM bench_plain_observation").fetchone()[0]
        assert stored == sum(len(b) for b in batches), stored
    return elapsed


def stored_counts(database_url: str, experiment_id: int) -> tuple[int, int]:
    with psycopg.connect(database_url) as conn:
        observations = conn.execute(
            "SELECT count(*) FROM experiments_observation WHERE experiment_id = %s", [experiment_id]
        ).fetchone()[0]
        counted = conn.execute(
            "SELECT coalesce(sum(n), 0) FROM experiments_dailystat WHERE experiment_id = %s", [experiment_id]
        ).fetchone()[0]
    return observations, int(counted)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="pagar_bench_ingest")
    parser.add_argument("--port", type=int, default=8412)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    database_url = scratch_database(args.admin_url, args.database)
    var_dir = tempfile.mkdtemp(prefix="pagar-bench-")
    env = app_environment(database_url, var_dir, args.port)
    print(f"Setting up {args.database} and {args.rows:,} rows per format ...", flush=True)
    setup = set_up_experiment(env, args.rows)
    server = start_gunicorn(env, args.port, args.workers)
    lines = []
    try:
        timings = {}
        for fmt, key, content_type, encode in [
            ("CSV", "bench-csv", "text/csv", csv_body),
            ("JSON", "bench-json", "application/json", json_body),
        ]:
            experiment = setup["experiments"][key]
            rows = experiment["rows"]
            batches = [rows[i : i + args.batch] for i in range(0, len(rows), args.batch)]
            bodies = [encode(key, batch) for batch in batches]
            seconds, each = post_batches(args.port, setup["token"], bodies, content_type)
            observations, counted = stored_counts(database_url, experiment["id"])
            assert observations == counted == len(rows), (observations, counted, len(rows))
            timings[fmt] = (len(rows), seconds, sum(len(b) for b in bodies))
            print(
                f"  {fmt}: {len(rows):,} rows in {seconds:.2f} s; per batch " + " ".join(f"{t:.2f}" for t in each),
                flush=True,
            )
        csv_rows = setup["experiments"]["bench-csv"]["rows"]
        csv_batches = [csv_rows[i : i + args.batch] for i in range(0, len(csv_rows), args.batch)]
        copy_seconds = copy_batches(database_url, setup["experiments"]["bench-csv"], csv_batches, indexed=False)
        indexed_seconds = copy_batches(database_url, setup["experiments"]["bench-csv"], csv_batches, indexed=True)
        print(f"  COPY: {copy_seconds:.2f} s plain, {indexed_seconds:.2f} s with Observation's indexes", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.keep:
            drop_database(args.admin_url, args.database)

    with psycopg.connect(args.admin_url) as conn:
        server_version = conn.execute("SHOW server_version").fetchone()[0]
    copy_rate = len(csv_rows) / copy_seconds
    lines.append("Pagar ingestion throughput: POST /api/outcomes/ (gunicorn, real HTTP) vs plain PostgreSQL COPY")
    lines.append(
        f"{dt.date.today().isoformat()} · Python {platform.python_version()} · PostgreSQL {server_version} · "
        f"{os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f} at the end: other work shares them) · "
        f"{args.workers} gunicorn sync workers, one client sending batches one after another"
    )
    lines.append(
        f"{args.rows:,} rows per run in batches of {args.batch:,} "
        f"(2 metrics x {args.rows // 2:,} units, 2 arms, 9 days)"
    )
    lines.append("")
    lines.append(f"{'path':<52} {'rows':>9} {'seconds':>8} {'rows/s':>9} {'x COPY':>7}")
    for fmt, (count, seconds, size) in timings.items():
        rate = count / seconds
        label = f"POST /api/outcomes/ as {fmt} ({size / count:.0f} bytes/row)"
        lines.append(f"{label:<52} {count:>9,} {seconds:>8.2f} {rate:>9,.0f} {copy_rate / rate:>6.1f}x")
    label = "COPY into a plain unindexed table (psycopg)"
    lines.append(f"{label:<52} {len(csv_rows):>9,} {copy_seconds:>8.2f} {copy_rate:>9,.0f} {1:>6.1f}x")
    indexed_rate = len(csv_rows) / indexed_seconds
    label = "COPY into a table with Observation's indexes"
    ratio = copy_rate / indexed_rate
    lines.append(f"{label:<52} {len(csv_rows):>9,} {indexed_seconds:>8.2f} {indexed_rate:>9,.0f} {ratio:>6.1f}x")
    lines.append("")
    lines.append(
        "The endpoint's rows each pass every check (experiment, permission, arm by hashing, range, window, duplicates "
        "against the unique index), are bulk-inserted with their batch record and constraints, and are added into "
        "DailyStat under row locks, all in one transaction per batch; COPY does none of that."
    )
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(f"Written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
