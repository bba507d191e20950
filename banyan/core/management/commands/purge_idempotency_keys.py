"""Operator command: forget form tokens and API idempotency keys older than
IDEMPOTENCY_KEY_HOURS (24 by default). Safe to run as often as you like, e.g. hourly from cron.
"""

from django.core.management.base import BaseCommand

from banyan.core.idempotency import purge_expired_keys


class Command(BaseCommand):
    help = "Delete the form tokens and API idempotency keys older than IDEMPOTENCY_KEY_HOURS."

    def handle(self, *args, **options):
        deleted = purge_expired_keys()
        if options["verbosity"] > 0:
            self.stdout.write(f"{deleted} expired idempotency key{'s' if deleted != 1 else ''}.")
