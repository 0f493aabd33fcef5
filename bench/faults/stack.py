"""Real processes for one fault: a private Redis (the broker), gunicorn (web), a Celery worker and
one or more Celery beats, all on the fault's own PostgreSQL database and on 127.0.0.1 only.

Every process is started in its own session (its own process group), so a worker and its pool
children die together on SIGKILL, and every group id is appended to `<run dir>/pgids` so the
orchestrator can kill whatever a crashed fault left behind. Logs go to `<run dir>/<name>.log`.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
DATABASE_HOST = os.environ.get("FAULTS_PG", "postgres://postgres@127.0.0.1:5432")
# Two cores shared with others: startups get time.
START_TIMEOUT = float(os.environ.get("FAULTS_START_TIMEOUT", "120"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def celery(command: str, *options: str) -> list[str]:
    """The argv of a Celery process of Pagar's app, logging at INFO (the suite reads its lines)."""
    return [PYTHON, "-m", "celery", "-A", "config", command, "-l", "INFO", *options]


def database_url(name: str) -> str:
    return f"{DATABASE_HOST}/{name}"


def base_env(run_dir: Path, database: str, broker_port: int) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "faults_settings",
            "PYTHONPATH": os.pathsep.join([str(REPO), str(HERE)]),
            "DATABASE_URL": database_url(database),
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{broker_port}/0",
            "SECRET_KEY": "fault-suite-secret-key-not-for-production-0123456789",
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "TIME_ZONE": "UTC",
            "LOG_LEVEL": "INFO",
            "PAGAR_VAR_DIR": str(run_dir / "var"),
            "FAULTS_MAIL_DIR": str(run_dir / "mail"),
            "WEBHOOK_URL": "",
            "EMAIL_HOST": "",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


class Proc:
    def __init__(self, name, popen, log_path):
        self.name, self.popen, self.log_path = name, popen, log_path
        self.started = time.monotonic()

    @property
    def pid(self):
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def kill(self, sig=signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, sig)

    def stop(self, grace=10.0):
        """SIGTERM the group, SIGKILL it after `grace` seconds."""
        if self.alive():
            self.kill(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=grace)
        self.kill(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=5)


class Stack:
    def __init__(self, run_dir: Path, database: str):
        self.run_dir = run_dir
        self.database = database
        (run_dir / "var").mkdir(parents=True, exist_ok=True)
        (run_dir / "mail").mkdir(parents=True, exist_ok=True)
        self.broker_port = free_port()
        self.web_port = None
        self.env = base_env(run_dir, database, self.broker_port)
        self.procs: list[Proc] = []
        self.redis = None
        self.web = None
        self.workers: list[Proc] = []
        self.beats: list[Proc] = []
        self._counter = 0

    # --- starting ----------------------------------------------------------------------------

    def _spawn(self, name, argv) -> Proc:
        self._counter += 1
        log_path = self.run_dir / f"{self._counter:02d}-{name}.log"
        handle = open(log_path, "wb")  # noqa: SIM115 - the child keeps it
        popen = subprocess.Popen(
            argv,
            cwd=REPO,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        handle.close()
        with open(self.run_dir / "pgids", "a") as record:
            record.write(f"{popen.pid}\n")
        proc = Proc(name, popen, log_path)
        self.procs.append(proc)
        return proc

    def start_redis(self) -> Proc:
        argv = [
            "redis-server",
            "--port",
            str(self.broker_port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "yes",
        ]
        self.redis = self._spawn("redis", argv)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.broker_up():
                return self.redis
            time.sleep(0.2)
        raise RuntimeError(f"redis did not start on port {self.broker_port}: {self.redis.log()[-2000:]}")

    def broker_up(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.broker_port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def broker_down(self):
        """The outage: the broker dies at once (no save, nothing kept)."""
        if self.redis is not None:
            self.redis.kill(signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.redis.popen.wait(timeout=10)

    def start_web(self) -> Proc:
        self.web_port = free_port()
        argv = [
            PYTHON,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.web_port}",
            "--workers",
            "3",
            "--timeout",
            "120",
            "--graceful-timeout",
            "5",
        ]
        self.web = self._spawn("web", argv)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if not self.web.alive():
                raise RuntimeError(f"web exited: {self.web.log()[-3000:]}")
            try:
                requests.get(f"{self.url}/api/", timeout=5)
                return self.web
            except requests.RequestException:
                time.sleep(0.5)
        raise RuntimeError(f"web did not answer within {START_TIMEOUT:.0f}s")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def start_worker(self, wait=True, concurrency=2) -> Proc:
        n = len(self.workers) + 1
        argv = celery("worker", "--concurrency", str(concurrency), "-n", f"faults{n}@%h")
        worker = self._spawn(f"worker{n}", [*argv, "--without-gossip", "--without-mingle"])
        self.workers.append(worker)
        if wait:
            self.wait_for_log(worker, " ready.")
        return worker

    @property
    def worker(self) -> Proc | None:
        return self.workers[-1] if self.workers else None

    def start_beat(self, wait=True) -> Proc:
        n = len(self.beats) + 1
        beat = self._spawn(f"beat{n}", celery("beat", "-S", "django_celery_beat.schedulers:DatabaseScheduler"))
        self.beats.append(beat)
        if wait:
            self.wait_for_log(beat, "beat: Starting")
        return beat

    def wait_for_log(self, proc: Proc, text: str, timeout=START_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in proc.log():
                return
            if not proc.alive():
                raise RuntimeError(f"{proc.name} exited: {proc.log()[-3000:]}")
            time.sleep(0.3)
        raise RuntimeError(f"{proc.name} did not log {text!r} within {timeout:.0f}s")

    # --- stopping ----------------------------------------------------------------------------

    def stop(self):
        for proc in reversed(self.procs):
            proc.stop(grace=5)

    def logs(self, prefix) -> str:
        return "\n".join(p.log() for p in self.procs if p.name.startswith(prefix))


def kill_recorded(run_dir: Path):
    """Backstop: SIGKILL every process group a fault recorded (whatever it left running). A group
    whose leader still exists is killed only if that process carries this run's directory in its
    environment (a pid reused by someone else is left alone); a group id cannot be reused while
    members of the group remain."""
    record = run_dir / "pgids"
    if not record.exists():
        return
    marker = str(run_dir).encode()
    for line in record.read_text().split():
        with contextlib.suppress(ProcessLookupError, PermissionError, ValueError):
            pgid = int(line)
            try:
                environ = Path(f"/proc/{pgid}/environ").read_bytes()
            except FileNotFoundError:
                environ = None
            if environ is not None and marker not in environ:
                continue
            os.killpg(pgid, signal.SIGKILL)


def psql(sql: str):
    subprocess.run(
        ["psql", f"{DATABASE_HOST}/postgres", "-v", "ON_ERROR_STOP=1", "-qc", sql],
        check=True,
        capture_output=True,
        timeout=120,
    )


def drop_database(name: str):
    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
