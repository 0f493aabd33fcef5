"""Assignment API latency and throughput against the real stack: gunicorn, PostgreSQL, service key auth.

Run:  .venv/bin/python bench/assignment_latency.py [--requests 20000] [--batches 300] [--clients 4]

Seeds one running experiment (50% exposure cap, two arms) and the owner's service key in DATABASE_URL
(default: a scratch database `pagar_bench`, created if missing), starts gunicorn (gthread workers,
keep-alive) on 127.0.0.1:8411, and drives it from client processes, each on one keep-alive
connection, for a fixed number of requests:

- GET /api/experiments/<key>/assignment/?unit=...&touchpoint=chat, one unit per request: from one
  client (latency without queueing) and from --clients clients (throughput);
- POST /api/assignments/ with --batch-size units per request, from --clients clients.

Every unit id is new, so half of them are enrolled and go through the counting buffer. After
gunicorn stops (its workers flush at exit) the bench checks that AssignedUnit holds exactly the
enrolled units and that AssignmentCount adds up to them. Prints p50/p99 latency and rates and
writes them to bench/results/assignment_latency.txt.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EXPERIMENT = "bench-assignment"
CAP_PCT = 50
HOST = "127.0.0.1"
RESULTS = ROOT / "bench" / "results" / "assignment_latency.txt"


def server_environment(database_url: str, var_dir: Path) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=env.get("SECRET_KEY", "bench-only-not-a-secret"),
        DEBUG="0",
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback; production sits behind TLS
        PAGAR_VAR_DIR=str(var_dir),
        DB_CONN_MAX_AGE=env.get("DB_CONN_MAX_AGE", "60"),  # persistent connections, as in production
        LOG_LEVEL="WARNING",
        STATIC_ROOT=str(var_dir / "static"),  # the API serves no pages; an empty folder will do
    )
    return env


def ensure_database(database_url: str) -> None:
    """Create the scratch database if it does not exist (PostgreSQL only)."""
    import psycopg

    parts = urlparse(database_url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def seed() -> str:
    """The running experiment, fresh counts, and a service key for it. Returns the key's secret."""
    import datetime as dt

    from django.contrib.auth.models import User
    from django.utils import timezone

    from experiments.service_keys import create_key
    from experiments.models import AssignedUnit, AssignmentCount, Experiment, Status, Touchpoint, Variant

    owner, _ = User.objects.get_or_create(username="bench-owner")
    today = timezone.localdate()
    experiment, _ = Experiment.objects.update_or_create(
        key=EXPERIMENT,
        defaults={
            "title": "Assignment benchmark",
            "hypothesis_change": "shorten the chat greeting",
            "hypothesis_audience": "chat customers",
            "hypothesis_effect": "first-contact resolution rises",
            "hypothesis_rationale": "agents reach the question sooner",
            "owner": owner,
            "exposure_cap_pct": CAP_PCT,
            "planned_start": today,
            "planned_end": today + dt.timedelta(days=28),
            "status": Status.RUNNING,
        },
    )
    experiment.touchpoints.set(Touchpoint.objects.filter(key="chat"))
    experiment.variants.all().delete()
    Variant.objects.create(experiment=experiment, key="control", name="Current", is_control=True, weight=50)
    Variant.objects.create(experiment=experiment, key="short", name="Short", weight=50)
    AssignedUnit.objects.filter(experiment=experiment).delete()
    AssignmentCount.objects.filter(experiment=experiment).delete()
    return create_key(owner, "bench", actions=["assign"], experiments=[experiment])[1]  # the owner's key


def start_gunicorn(env: dict, port: int, workers: int, threads: int, token: str) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "config.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--keep-alive",
        "30",
        "--graceful-timeout",
        "20",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=2)
            # No touchpoint: answered, but not enrolled, so the counting check is not disturbed.
            connection.request(
                "GET",
                f"/api/experiments/{EXPERIMENT}/assignment/?unit=probe",
                headers={"Authorization": f"Key {token}"},
            )
            connection.getresponse().read()
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn exited at start; see its output above") from None
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 30 s")


def drive(job) -> tuple[list[float], int]:
    """One client process: its share of the requests on one keep-alive connection."""
    kind, prefix, port, token, first, count, batch_size = job
    headers = {"Authorization": f"Key {token}", "Accept": "application/json", "Connection": "keep-alive"}
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    latencies, enrolled = [], 0
    for i in range(first, first + count):
        if kind == "get":
            path = f"/api/experiments/{EXPERIMENT}/assignment/?" + urlencode(
                {"unit": f"{prefix}{i}", "touchpoint": "chat"}
            )
            started = time.perf_counter()
            connection.request("GET", path, headers=headers)
        else:
            units = [{"unit": f"{prefix}{i}-{j}", "touchpoint": "chat"} for j in range(batch_size)]
            body = json.dumps({"experiment": EXPERIMENT, "units": units})
            started = time.perf_counter()
            connection.request(
                "POST", "/api/assignments/", body=body, headers={**headers, "Content-Type": "application/json"}
            )
        response = connection.getresponse()
        payload = response.read()
        latencies.append(time.perf_counter() - started)
        if response.status != 200:
            raise RuntimeError(f"{kind} answered {response.status}: {payload[:300]!r}")
        answer = json.loads(payload)
        enrolled += answer["enrolled"] if kind == "get" else sum(row["enrolled"] for row in answer)
    connection.close()
    return latencies, enrolled


def run_phase(kind: str, prefix: str, port: int, token: str, total: int, clients: int, batch_size: int) -> dict:
    """`total` requests shared by `clients` processes; unit ids are `prefix` + request number."""
    share = [total // clients + (1 if c < total % clients else 0) for c in range(clients)]
    jobs, first = [], 0
    for count in share:
        jobs.append((kind, prefix, port, token, first, count, batch_size))
        first += count
    with multiprocessing.Pool(clients) as pool:
        # Warm-up (the same first unit ids): connections, caches, the server's code paths.
        pool.map(drive, [(kind, prefix, port, token, 0, min(20, total), batch_size)])
        started = time.perf_counter()
        results = pool.map(drive, jobs)
        elapsed = time.perf_counter() - started
    latencies = sorted(t for part, _ in results for t in part)
    units = total * (batch_size if kind == "post" else 1)
    return {
        "requests": len(latencies),
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "per_second": len(latencies) / elapsed,
        "units_per_second": units / elapsed,
        "sent": {f"{prefix}{i}" for i in range(total)}
        if kind == "get"
        else {f"{prefix}{i}-{j}" for i in range(total) for j in range(batch_size)},
    }


def row(label: str, phase: dict) -> str:
    return (
        f"{label:<50}{phase['requests']:>9,}{phase['p50_ms']:>9.2f}{phase['p99_ms']:>9.2f}"
        f"{phase['per_second']:>9,.1f}{phase['units_per_second']:>10,.0f}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000, help="single GETs")
    parser.add_argument("--batches", type=int, default=300, help="batch POSTs")
    parser.add_argument("--batch-size", type=int, default=1000, help="units per batch POST")
    parser.add_argument("--clients", type=int, default=4, help="client processes, one keep-alive connection each")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--port", type=int, default=8411)
    args = parser.parse_args(argv)

    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pagar_bench")
    var_dir = ROOT / "var" / "bench"
    (var_dir / "static").mkdir(parents=True, exist_ok=True)
    env = server_environment(database_url, var_dir)
    if database_url.startswith("postgres"):
        ensure_database(database_url)
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)

    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connections

    from experiments.live.hashing import is_exposed
    from experiments.models import AssignedUnit, AssignmentCount

    token = seed()
    connections.close_all()  # no connection of ours crosses the fork into the client processes

    load_before = os.getloadavg()[0]
    server = start_gunicorn(env, args.port, args.workers, args.threads, token)
    try:
        one_client = run_phase("get", "s", args.port, token, args.requests // 4, 1, 1)
        single = run_phase("get", "g", args.port, token, args.requests, args.clients, 1)
        batch = run_phase("post", "b", args.port, token, args.batches, args.clients, args.batch_size)
    finally:
        server.send_signal(signal.SIGTERM)  # graceful: each worker flushes its buffer at exit
        server.wait(timeout=60)
    load_after = os.getloadavg()[0]

    # The counting check: every enrolled unit once, and the daily counts add up to them.
    sent = one_client["sent"] | single["sent"] | batch["sent"]
    expected_units = sum(is_exposed(EXPERIMENT, CAP_PCT, unit) for unit in sent)
    stored_units = AssignedUnit.objects.filter(experiment__key=EXPERIMENT).count()
    counted = sum(AssignmentCount.objects.filter(experiment__key=EXPERIMENT).values_list("count", flat=True))

    engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    lines = [
        f"Pagar assignment API — gunicorn gthread {args.workers} workers x {args.threads} threads, {engine}, "
        "token auth, "
        "client processes on keep-alive connections",
        f"machine: {os.cpu_count()} CPUs shared by server, database and clients; Python {platform.python_version()}; "
        f"load average {load_before:.1f} before, {load_after:.1f} after",
        "",
        f"{'':<50}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>9}{'units/s':>10}",
        row("GET /api/experiments/<key>/assignment/, 1 client", one_client),
        row(f"GET /api/experiments/<key>/assignment/, {args.clients} clients", single),
        row(f"POST /api/assignments/ ({args.batch_size:,} units), {args.clients} clients", batch),
        "",
        f"counting: {expected_units:,} distinct units enrolled (cap {CAP_PCT}%); AssignedUnit holds {stored_units:,}; "
        f"AssignmentCount adds up to {counted:,} — {'OK' if expected_units == stored_units == counted else 'MISMATCH'}",
    ]
    report = "\n".join(lines)
    print(report)
    RESULTS.write_text(report + "\n")
    if not expected_units == stored_units == counted:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
