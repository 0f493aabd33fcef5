from django.core.management.base import BaseCommand
from django.db.models import Max

from cadence.demo_data import create_demo_cadence
from cadence.duties.demo_data import create_demo_charters
from experiments.demo_data import DEMO_PASSWORD, DEMO_USERS, create_demo_experiments, ensure_demo_users
from experiments.roles import ensure_role_groups
from mailing.models import Outbox


class Command(BaseCommand):
    help = "Create the demo users (one per role) and demo experiments. Safe to run again."

    def handle(self, *args, **options):
        before = Outbox.objects.aggregate(last=Max("pk"))["last"] or 0
        ensure_role_groups()
        users = ensure_demo_users()
        create_demo_charters(users)  # before the experiments: the checks' stop opens a response
        created = create_demo_experiments(users)
        create_demo_cadence(users)
        # The replayed history is weeks old: its notices stay in each person's inbox, but its
        # emails are not sent now (they would bury the logins printed below).
        Outbox.objects.filter(pk__gt=before, status=Outbox.Status.PENDING).delete()
        self.stdout.write(f"Demo data ready: {len(users)} users, {created} new experiments.")
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        for username, full_name, role_list, superuser in DEMO_USERS:
            role = "admin" if superuser else ", ".join(role_list)
            self.stdout.write(f"  {username:<8} {full_name:<24} {role}")
