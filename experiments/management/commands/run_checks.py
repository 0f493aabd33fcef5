"""Run the daily monitoring slot now, in this process: start what is due, check what is running.

    manage.py run_checks [--experiment KEY] [--date YYYY-MM-DD]

One line per experiment with the decision. A look already taken for the date is shown, not taken
again (one check per experiment and date).
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from experiments.live import look_batch, monitoring
from experiments.models import Check, Experiment, Status


class Command(BaseCommand):
    help = "Run the daily monitoring slot now: start experiments due to start, check running ones."

    def add_arguments(self, parser):
        parser.add_argument("--experiment", metavar="KEY", help="Only this experiment (by key).")
        parser.add_argument("--date", metavar="YYYY-MM-DD", help="The look date (default: today, local time).")

    def handle(self, *args, experiment=None, date=None, **options):
        today = timezone.localdate()
        look_date = self._look_date(date, today)
        only = None
        if experiment:
            only = Experiment.objects.filter(key=experiment).first()
            if only is None:
                raise CommandError(f"--experiment: no experiment has the key '{experiment}'.")

        for started in monitoring.start_due(look_date, [only] if only else None):
            self.stdout.write(f"{started.key}: started (planned start {monitoring.day_text(started.planned_start)}).")

        targets = Experiment.objects.filter(status=Status.RUNNING).order_by("key")
        if only is not None:
            targets = Experiment.objects.filter(pk=only.pk)
        targets = list(targets)
        # In chunks, as the sweep's tasks: each chunk's data are read in a few queries for all.
        for chunk in monitoring.chunks(targets):
            batch = look_batch.prefetch([target.pk for target in chunk], look_date)
            slot = monitoring.slot_time()
            for target in chunk:
                self.stdout.write(self._check(target, look_date, batch.get(target.pk), slot))
        if not targets:
            self.stdout.write("No running experiment to check.")

    def _look_date(self, raw, today):
        if not raw:
            return today
        try:
            look_date = dt.date.fromisoformat(raw)
        except ValueError:
            raise CommandError(f"--date: '{raw}' is not a date; use YYYY-MM-DD.") from None
        if look_date > today:
            raise CommandError(f"--date: {look_date} is in the future; a look reads the data up to its date.")
        return look_date

    def _check(self, experiment, look_date, data=None, slot=None) -> str:
        where = f"{experiment.key} ({look_date})"
        taken_before = Check.objects.taken(experiment, look_date).exists()
        check = monitoring.run_check(experiment.pk, look_date, Check.Trigger.OPERATOR, data, slot)
        if check is None:
            experiment.refresh_from_db(fields=["status"])
            if experiment.status != Status.RUNNING:
                return f"{where}: not checked, it is {experiment.get_status_display().lower()}."
            return f"{where}: not checked, a later look was already taken."
        note = " (already checked; shown as recorded)" if taken_before else ""
        return f"{where}: {check.sentence}{note}"
