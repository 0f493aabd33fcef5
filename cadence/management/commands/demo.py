"""Run the whole site with demo data: migrate, seed (once, then from a cached copy: see
cadence.demo_database), then web + Celery worker + Celery beat."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils import timezone

from cadence import demo_database
from experiments.demo_users import DEMO_PASSWORD, DEMO_USERS


def _stop_as_on_ctrl_c(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Migrate, load demo data and serve web, worker and beat together until Ctrl-C."
    # The web process runs the system checks as it starts; here they would load every URL and
    # view (the statistics engine with them) only to prepare the database: seconds of each start.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-serve", action="store_true", help="Only migrate and load the demo data.")
        parser.add_argument(
            "--fresh", action="store_true", help="Start from the demo data as built, dropping what was done since."
        )

    def _wait_until_serving(self, port, children):
        url = f"http://127.0.0.1:{port}/admin/login/"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if children["web"].poll() is not None:
                raise CommandError(f"The web server exited (is port {port} taken? try --port).")
            try:
                urllib.request.urlopen(url, timeout=2)
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        raise CommandError(f"The web server did not answer on port {port} within 60 seconds.")

    def _print_welcome(self, port):
        width = max(len(name) for _, name, _, _ in DEMO_USERS)
        lines = [
            "",
            f"Pagar is running at http://127.0.0.1:{port}/   (API docs: http://127.0.0.1:{port}/api/docs/)",
            "Web, Celery worker and Celery beat are running; press Ctrl-C to stop all three.",
            f"Sign in with one of these users; the password is {DEMO_PASSWORD!r} for all:",
        ]
        for username, full_name, role_list, superuser in DEMO_USERS:
            role = "administrator (also /admin/)" if superuser else ", ".join(role_list)
            lines.append(f"  {username:<7} {full_name:<{width}}  {role}")
        self.stdout.write(self.style.SUCCESS("\n".join(lines)) + "\n")

    def _seed(self):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo", stdout=self.stdout)

    def _prepare_database(self, fresh: bool):
        """On SQLite (the demo's default) the demo database is built once per demo key and reused;
        on another database it is migrated and seeded as it is (seeding is safe to repeat)."""
        database = settings.DATABASES["default"]
        if database["ENGINE"] != "django.db.backends.sqlite3":
            self._seed()
            return
        root = Path(settings.BASE_DIR)
        files = demo_database.demo_files(root, [Path(app.path) for app in apps.get_app_configs()])
        key = demo_database.demo_key(root, files, timezone.localdate())
        outcome = demo_database.prepare(
            Path(database["NAME"]),
            Path(settings.VAR_DIR) / "demo-cache",
            key,
            self._seed,
            close=connections.close_all,
            fresh=fresh,
        )
        self.stdout.write(
            {
                demo_database.BUILT: "Demo data built and kept for the next start (var/demo-cache/).",
                demo_database.RESTORED: "Demo data restored from the copy built earlier today.",
                demo_database.REUSED: "Demo database reused as it was (bin/demo --fresh starts it over).",
            }[outcome]
        )

    def handle(self, *args, port, no_serve, fresh, **options):
        if not settings.DEBUG:
            raise CommandError("The demo runs with DEBUG=1 only (it creates users with a known password).")
        # The links in the demo's emails point at the URL it prints (the children inherit it).
        settings.SITE_URL = os.environ["SITE_URL"] = f"http://127.0.0.1:{port}"
        self._prepare_database(fresh)
        if no_serve:
            return
        # People meet the site's own 404 and 500 pages in the demo, as in production (with the
        # traceback on the console), not Django's technical pages; PRODUCTION_ERROR_PAGES=0 turns them back.
        os.environ.setdefault("PRODUCTION_ERROR_PAGES", "1")
        python = sys.executable
        processes = {
            "web": [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            "worker": [
                python,
                "-m",
                "celery",
                "-A",
                "config",
                "--quiet",
                "worker",
                "-l",
                "warning",
                "--concurrency",
                "2",
            ],
            "beat": [python, "-m", "celery", "-A", "config", "--quiet", "beat", "-l", "warning"],
        }
        # A SIGTERM (kill, a closed terminal's supervisor) stops the three children as Ctrl-C does,
        # instead of leaving them serving and holding the port.
        signal.signal(signal.SIGTERM, _stop_as_on_ctrl_c)
        # The web process first: it answers sooner without the worker and beat loading beside it
        # on a small machine; they start once it serves.
        children = {"web": subprocess.Popen(processes.pop("web"), cwd=settings.BASE_DIR)}
        try:
            self._wait_until_serving(port, children)
            children |= {name: subprocess.Popen(cmd, cwd=settings.BASE_DIR) for name, cmd in processes.items()}
            # One beat and one monitoring sweep now through the broker, so the footer and the
            # operations page show a live scheduler at once, not after the first period. Sent by
            # name: importing the tasks here would load the statistics engine for nothing.
            from config.celery import app

            app.send_task("cadence.heartbeat")
            app.send_task("experiments.monitoring_sweep")
            self._print_welcome(port)
            while True:
                for name, child in children.items():
                    if child.poll() is not None:
                        raise CommandError(
                            f"The {name} process exited with code {child.returncode}; stopping the demo."
                        )
                time.sleep(1)
        except KeyboardInterrupt:
            self.stdout.write("\nStopping web, worker and beat...")
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children.values():
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
