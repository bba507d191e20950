"""`manage.py sweep_exports`: remove the files of exports past their keeping time (7 days by
default, EXPORT_KEEP_DAYS). Safe to run as often as one likes (cron, or at the worker's start)."""

from django.core.management.base import BaseCommand

from banyan.exports.services import export_sweep


class Command(BaseCommand):
    help = "Remove export files older than the keeping time; the export log keeps its rows."

    def handle(self, *args, **options):
        removed = export_sweep()
        self.stdout.write(f"export files removed: {removed}")
