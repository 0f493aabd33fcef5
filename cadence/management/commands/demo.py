"""Run the whole site with demo data: migrate, seed, then web + Celery worker + Celery beat."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from experiments.demo_data import DEMO_PASSWORD, DEMO_USERS


def _stop_as_on_ctrl_c(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Migrate, load demo data and serve web, worker and beat together until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-serve", action="store_true", help="Only migrate and load the demo data.")

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

    def handle(self, *args, port, no_serve, **options):
        if not settings.DEBUG:
            raise CommandError("The demo runs with DEBUG=1 only (it creates users with a known password).")
        # The links in the demo's emails point at the URL it prints (the children inherit it).
        settings.SITE_URL = os.environ["SITE_URL"] = f"http://127.0.0.1:{port}"
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo", stdout=self.stdout)
        if no_serve:
            return
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
        children = {name: subprocess.Popen(cmd, cwd=settings.BASE_DIR) for name, cmd in processes.items()}
        try:
            self._wait_until_serving(port, children)
            # One beat and one monitoring sweep now through the broker, so the footer and the
            # operations page show a live scheduler at once, not after the first period.
            from cadence.tasks import heartbeat
            from experiments.tasks import monitoring_sweep

            heartbeat.delay()
            monitoring_sweep.delay()
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
