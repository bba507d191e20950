"""`manage.py fail_interrupted_imports`: an import whose worker stopped (killed, restarted)
wrote nothing (its transaction was rolled back); this marks it failed, saying so. Safe to
run as often as one likes (cron, every few minutes)."""

from django.core.management.base import BaseCommand

from banyan.imports import services


class Command(BaseCommand):
    help = "Mark imports whose worker stopped as failed (they wrote nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=services.INTERRUPTED_AFTER_MINUTES)

    def handle(self, *args, minutes, **options):
        count = services.imports_fail_interrupted(minutes=minutes)
        self.stdout.write(f"{count} import(s) marked failed.")
