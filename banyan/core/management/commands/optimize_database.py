"""Refresh the query planner's statistics, so searches and lists use the right indexes.

SQLite keeps no statistics until asked (`ANALYZE`, bounded here by `analysis_limit` so it
takes a second even at a million customers); PostgreSQL's autovacuum does it on its own, but
a run after a bulk load helps. `make run` runs this before serving.
"""

from django.core.management.base import BaseCommand
from django.db import connection


class Command(BaseCommand):
    help = "Refresh the database's statistics for the query planner."

    def handle(self, *args, **options):
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA analysis_limit=2000")
                cursor.execute("ANALYZE")
            elif connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
        if options["verbosity"] > 1:
            self.stdout.write(f"Statistics refreshed ({connection.vendor}).")
