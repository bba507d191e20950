"""`manage.py sweep_imports`: remove the uploaded files of imports older than
IMPORT_KEEP_DAYS (7 by default). Safe to run as often as one likes (cron, or at the worker's
start)."""

from django.core.management.base import BaseCommand

from banyan.imports.services import imports_sweep_files


class Command(BaseCommand):
    help = "Remove uploaded import files older than the keeping time; the jobs keep their rows."

    def handle(self, *args, **options):
        removed = imports_sweep_files()
        self.stdout.write(f"import files removed: {removed}")
