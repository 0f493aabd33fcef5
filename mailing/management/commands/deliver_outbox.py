from django.core.management.base import BaseCommand

from mailing.outbox import deliver_pending, retry_failed


class Command(BaseCommand):
    help = "Send the outbox's pending emails and webhook calls now (what the periodic task does every minute)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--retry-failed", action="store_true", help="First put the rows that failed every try back in the queue."
        )

    def handle(self, *args, **options):
        if options["retry_failed"]:
            self.stdout.write(f"{retry_failed()} failed row(s) queued again.")
        counts = deliver_pending()
        self.stdout.write(f"sent {counts['sent']}, to retry {counts['retry']}, failed {counts['failed']}")
