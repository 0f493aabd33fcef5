"""Assignment latency and throughput against the real stack: gunicorn, PostgreSQL, service-key auth,
side by side with bare references, and the Python client's in-process figures.

Run:  .venv/bin/python bench/assignment_latency.py [--requests 20000] [--batches 300] [--clients 4]
          [--compare-requests 4000] [--rounds 3] [--steady-seconds 10] [--client-units 100000]

Seeds one running experiment (50% exposure cap, two arms) and the owner's service key in DATABASE_URL
(default: a scratch database `pagar_bench`, created if missing), starts gunicorn (gthread workers,
keep-alive, DEBUG off, DB_CONN_MAX_AGE 60) on 127.0.0.1 with bench/reference_settings.py (Pagar's
routes plus two bench-only references), and drives it from client processes, each on one
keep-alive connection:

- side by side, interleaved in --rounds rounds (order rotated each round): a bare Django view, a
  bare DRF view with the same service-key authentication, and GET /api/experiments/<key>/assignment/;
  each at saturation (--clients clients: requests/s and the gunicorn workers' CPU per request, read
  from /proc) and at a steady 100 requests/s (p50/p99);
- GET /api/experiments/<key>/assignment/?unit=...&touchpoint=chat from one client and from
  --clients clients, and POST /api/assignments/ with --batch-size units per request;
- the Python client (clients/python): its configuration fetched from this server, then
  --client-units assignments in process (per second, p50/p99 per call) and their first exposures
  sent to POST /api/sdk/exposures/.

Every unit id is new, so half of them are enrolled and go through the counting buffer. After
gunicorn stops (its workers flush at exit) the bench checks that AssignedUnit holds exactly the
enrolled units (API calls and the client's exposures) and that AssignmentCount adds up to them.
The rate limit per key is raised for the run (SERVICE_KEY_RATE; the counter still runs per call).
Prints ratios, the load average and the machine, and writes them to bench/results/assignment.txt.
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
RESULTS = ROOT / "bench" / "results" / "assignment.txt"
ASSIGNMENT_PATH = f"/api/experiments/{EXPERIMENT}/assignment/"
REFERENCES = [
    ("bare Django", f"/bench/bare-django/{EXPERIMENT}/"),
    ("bare DRF (service-key auth)", f"/bench/bare-drf/{EXPERIMENT}/"),
    ("Pagar assignment", ASSIGNMENT_PATH),
]
STEADY_RATE = 100  # requests per second


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
        DJANGO_SETTINGS_MODULE="bench.reference_settings",  # Pagar's routes plus the references
        SERVICE_KEY_RATE="100000000/min",  # measured, not refused: the counter still runs per call
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
    kind, prefix, port, token, first, count, batch_size, get_path = job
    headers = {"Authorization": f"Key {token}", "Accept": "application/json", "Connection": "keep-alive"}
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    latencies, enrolled = [], 0
    for i in range(first, first + count):
        if kind == "get":
            path = f"{get_path}?" + urlencode({"unit": f"{prefix}{i}", "touchpoint": "chat"})
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


def worker_cpu_seconds(master_pid: int) -> float:
    """User + system CPU of gunicorn's workers (all their threads), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def run_phase(
    kind: str,
    prefix: str,
    port: int,
    token: str,
    total: int,
    clients: int,
    batch_size: int,
    get_path: str = ASSIGNMENT_PATH,
    master_pid: int | None = None,
) -> dict:
    """`total` requests shared by `clients` processes; unit ids are `prefix` + request number."""
    share = [total // clients + (1 if c < total % clients else 0) for c in range(clients)]
    jobs, first = [], 0
    for count in share:
        jobs.append((kind, prefix, port, token, first, count, batch_size, get_path))
        first += count
    with multiprocessing.Pool(clients) as pool:
        # Warm-up (the same first unit ids): connections, caches, the server's code paths.
        pool.map(drive, [(kind, prefix, port, token, 0, min(20, total), batch_size, get_path)])
        cpu_before = worker_cpu_seconds(master_pid) if master_pid else 0.0
        started = time.perf_counter()
        results = pool.map(drive, jobs)
        elapsed = time.perf_counter() - started
        cpu_after = worker_cpu_seconds(master_pid) if master_pid else 0.0
    latencies = sorted(t for part, _ in results for t in part)
    units = total * (batch_size if kind == "post" else 1)
    return {
        "requests": len(latencies),
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "per_second": len(latencies) / elapsed,
        "units_per_second": units / elapsed,
        "cpu_ms": 1000 * (cpu_after - cpu_before) / len(latencies),
        "sent": {f"{prefix}{i}" for i in range(total)}
        if kind == "get"
        else {f"{prefix}{i}-{j}" for i in range(total) for j in range(batch_size)},
    }


def steady(get_path: str, prefix: str, port: int, token: str, seconds: float, rate: int = STEADY_RATE) -> dict:
    """One client sending a request every 1/rate s on schedule (latency from the actual send)."""
    headers = {"Authorization": f"Key {token}", "Accept": "application/json", "Connection": "keep-alive"}
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    total = int(seconds * rate)
    latencies, late = [], 0
    start = time.perf_counter() + 0.05
    for i in range(total):
        target = start + i / rate
        pause = target - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        else:
            late += 1
        path = f"{get_path}?" + urlencode({"unit": f"{prefix}{i}", "touchpoint": "chat"})
        sent = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        latencies.append(time.perf_counter() - sent)
        if response.status != 200:
            raise RuntimeError(f"steady {get_path} answered {response.status}: {payload[:300]!r}")
    connection.close()
    latencies.sort()
    return {
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "late": late,
        "sent": {f"{prefix}{i}" for i in range(total)},
    }


def client_figures(port: int, token: str, units: int) -> dict:
    """The Python client in this process: assignments per second and per-call latency, then its
    first exposures sent in batches."""
    sys.path.insert(0, str(ROOT / "clients" / "python"))
    from pagar_client import PagarClient

    client = PagarClient(f"http://{HOST}:{port}", token, refresh_seconds=3600, background=False)
    names = [f"c{i}" for i in range(units)]
    started = time.perf_counter()
    for name in names[: units // 2]:  # throughput, no timer per call
        client.assign(EXPERIMENT, name, touchpoint="chat")
    bulk = time.perf_counter() - started
    timings = []
    for name in names[units // 2 :]:
        before = time.perf_counter()
        client.assign(EXPERIMENT, name, touchpoint="chat")
        timings.append(time.perf_counter() - before)
    timings.sort()
    queued = client.queued_exposures
    started = time.perf_counter()
    answers = client.flush_exposures()
    flushed = time.perf_counter() - started
    return {
        "per_second": (units // 2) / bulk,
        "p50_us": 1e6 * statistics.median(timings),
        "p99_us": 1e6 * timings[min(len(timings) - 1, int(0.99 * len(timings)))],
        "exposures": queued,
        "exposures_counted": sum(answer["counted"] for answer in answers),
        "exposures_per_second": queued / flushed if flushed else 0.0,
        "sent": set(names),
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
    parser.add_argument("--compare-requests", type=int, default=4000, help="per view and round, at saturation")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="interleaved rounds of the side-by-side comparison (odd: the median is one round, not the mean of two)",
    )
    parser.add_argument("--steady-seconds", type=float, default=10, help="per view and round, at 100 requests/s")
    parser.add_argument("--client-units", type=int, default=100_000, help="assignments by the Python client")
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

    load_before = os.getloadavg()
    server = start_gunicorn(env, args.port, args.workers, args.threads, token)
    compared = {label: [] for label, _ in REFERENCES}
    try:
        for round_number in range(args.rounds):
            shift = round_number % len(REFERENCES)
            for index, (label, path) in enumerate(REFERENCES[shift:] + REFERENCES[:shift]):
                tag = f"r{round_number}v{(index + shift) % len(REFERENCES)}"
                saturated = run_phase(
                    "get", f"{tag}s", args.port, token, args.compare_requests, args.clients, 1, path, server.pid
                )
                paced = steady(path, f"{tag}p", args.port, token, args.steady_seconds)
                compared[label].append((saturated, paced))
        one_client = run_phase("get", "s", args.port, token, args.requests // 4, 1, 1)
        single = run_phase("get", "g", args.port, token, args.requests, args.clients, 1)
        batch = run_phase("post", "b", args.port, token, args.batches, args.clients, args.batch_size)
        sdk = client_figures(args.port, token, args.client_units)
    finally:
        server.send_signal(signal.SIGTERM)  # graceful: each worker flushes its buffer at exit
        server.wait(timeout=60)
    load_after = os.getloadavg()

    # The counting check: every enrolled unit once, and the daily counts add up to them.
    sent = one_client["sent"] | single["sent"] | batch["sent"] | sdk["sent"]
    for saturated, paced in compared["Pagar assignment"]:
        sent |= saturated["sent"] | paced["sent"]
    expected_units = sum(is_exposed(EXPERIMENT, CAP_PCT, unit) for unit in sent)
    stored_units = AssignedUnit.objects.filter(experiment__key=EXPERIMENT).count()
    counted = sum(AssignmentCount.objects.filter(experiment__key=EXPERIMENT).values_list("count", flat=True))

    def median_of(label, which, field):
        return statistics.median(pair[which][field] for pair in compared[label])

    bare, drf, pagar = (label for label, _ in REFERENCES)
    figures = {
        label: {
            "per_second": median_of(label, 0, "per_second"),
            "cpu_ms": median_of(label, 0, "cpu_ms"),
            "p50_ms": median_of(label, 1, "p50_ms"),
            "p99_ms": median_of(label, 1, "p99_ms"),
            "late": sum(pair[1]["late"] for pair in compared[label]),
        }
        for label in compared
    }
    throughput_ratio = figures[pagar]["per_second"] / figures[bare]["per_second"]
    cpu_ratio = figures[pagar]["cpu_ms"] / figures[bare]["cpu_ms"]
    p99 = figures[pagar]["p99_ms"]

    def verdict(ok):
        return "met" if ok else "MISSED"

    engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    lines = [
        f"Pagar assignment — gunicorn gthread {args.workers} workers x {args.threads} threads, {engine}, DEBUG off, "
        "DB_CONN_MAX_AGE 60, service-key auth, client processes on keep-alive connections",
        f"machine: {machine()}; {os.cpu_count()} CPUs shared by server, database, clients and other work; "
        f"Python {platform.python_version()}",
        f"load average (1, 5, 15 min): {fmt_load(load_before)} before, {fmt_load(load_after)} after",
        "",
        f"Side by side: {args.rounds} interleaved rounds (order rotated), medians; "
        f"saturation = {args.clients} clients, {args.compare_requests:,} requests per view and round; "
        f"steady = {STEADY_RATE} requests/s for "
        f"{args.steady_seconds:g} s (latency from the actual send)",
        f"{'':<32}{'req/s':>9}{'x bare':>8}{'CPU ms/req':>12}{'x bare':>8}{'p50 ms':>9}{'p99 ms':>9}{'late':>6}",
    ]
    for label, figure in figures.items():
        lines.append(
            f"{label:<32}{figure['per_second']:>9,.0f}{figure['per_second'] / figures[bare]['per_second']:>8.2f}"
            f"{figure['cpu_ms']:>12.2f}{figure['cpu_ms'] / figures[bare]['cpu_ms']:>8.2f}"
            f"{figure['p50_ms']:>9.2f}{figure['p99_ms']:>9.2f}{figure['late']:>6}"
        )
    lines += [
        f"Pagar / bare DRF throughput: {figures[pagar]['per_second'] / figures[drf]['per_second']:.2f}x",
        f"targets: CPU per request <= 2x bare Django: {cpu_ratio:.2f}x {verdict(cpu_ratio <= 2)}; "
        f"throughput >= 0.4x bare Django: {throughput_ratio:.2f}x {verdict(throughput_ratio >= 0.4)}; "
        f"p99 < 5 ms at 100 requests/s: {p99:.2f} ms {verdict(p99 < 5)}",
        "",
        f"{'':<50}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>9}{'units/s':>10}",
        row("GET /api/experiments/<key>/assignment/, 1 client", one_client),
        row(f"GET /api/experiments/<key>/assignment/, {args.clients} clients", single),
        row(f"POST /api/assignments/ ({args.batch_size:,} units), {args.clients} clients", batch),
        "",
        f"Python client (clients/python), in process: {sdk['per_second']:,.0f} assignments/s; per call "
        f"p50 {sdk['p50_us']:.1f} µs, p99 {sdk['p99_us']:.1f} µs ({args.client_units:,} units); "
        f"{sdk['exposures']:,} first exposures sent at {sdk['exposures_per_second']:,.0f}/s, "
        f"{sdk['exposures_counted']:,} counted",
        f"  = {sdk['per_second'] / figures[pagar]['per_second']:,.0f}x the server's saturated assignment rate",
        "",
        f"counting: {expected_units:,} distinct units enrolled (cap {CAP_PCT}%); AssignedUnit holds {stored_units:,}; "
        f"AssignmentCount adds up to {counted:,} — {'OK' if expected_units == stored_units == counted else 'MISMATCH'}",
    ]
    report = "\n".join(lines)
    print(report)
    RESULTS.write_text(report + "\n")
    if not expected_units == stored_units == counted:
        raise SystemExit(1)


def machine() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()} ({platform.machine()}, {platform.system()})"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()} ({platform.system()})"


def fmt_load(load) -> str:
    return ", ".join(f"{value:.1f}" for value in load)


if __name__ == "__main__":
    main()
