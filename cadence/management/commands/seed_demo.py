from django.core.management.base import BaseCommand

from cadence.demo_data import create_demo_cadence
from experiments.demo_data import DEMO_PASSWORD, DEMO_USERS, create_demo_experiments, ensure_demo_users
from experiments.roles import ensure_role_groups


class Command(BaseCommand):
    help = "Create the demo users (one per role) and demo experiments. Safe to run again."

    def handle(self, *args, **options):
        ensure_role_groups()
        users = ensure_demo_users()
        created = create_demo_experiments(users)
        create_demo_cadence(users)
        self.stdout.write(f"Demo data ready: {len(users)} users, {created} new experiments.")
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        for username, full_name, role_list, superuser in DEMO_USERS:
            role = "admin" if superuser else ", ".join(role_list)
            self.stdout.write(f"  {username:<8} {full_name:<24} {role}")
