"""Run the whole site with demo data: migrate, seed, then web + Celery worker + Celery beat."""
import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Migrate, load demo data and serve web, worker and beat together until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-serve", action="store_true", help="Only migrate and load the demo data.")

    def handle(self, *args, port, no_serve, **options):
        if not settings.DEBUG:
            raise CommandError("The demo runs with DEBUG=1 only (it creates users with a known password).")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("seed_demo", stdout=self.stdout)
        if no_serve:
            return
        python = sys.executable
        processes = {
            "web": [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            "worker": [python, "-m", "celery", "-A", "config", "worker", "-l", "warning", "--concurrency", "2"],
            "beat": [python, "-m", "celery", "-A", "config", "beat", "-l", "warning"],
        }
        children = {name: subprocess.Popen(cmd, cwd=settings.BASE_DIR) for name, cmd in processes.items()}
        self.stdout.write(self.style.SUCCESS(f"\nPagar is running at http://127.0.0.1:{port}/  (API docs: /api/docs/)"))
        self.stdout.write("Web, Celery worker and Celery beat started; press Ctrl-C to stop all three.\n")
        try:
            while True:
                for name, child in children.items():
                    if child.poll() is not None:
                        raise CommandError(f"The {name} process exited with code {child.returncode}; stopping the demo.")
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
