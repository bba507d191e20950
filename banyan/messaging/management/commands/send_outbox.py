"""`manage.py send_outbox`: re-enqueue the outbox messages that are due and whose task was
lost (a worker down, a queue emptied). Safe to run as often as one likes (cron, every
minute): a message is never sent twice."""

from django.core.management.base import BaseCommand

from banyan.messaging import services


class Command(BaseCommand):
    help = "Re-enqueue due outbox messages whose sending task was lost."

    def handle(self, *args, **options):
        count = services.sweep()
        self.stdout.write(f"{count} message(s) enqueued.")
