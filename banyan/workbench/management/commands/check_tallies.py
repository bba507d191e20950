"""Operator command: do the dashboard's monthly tallies equal a count of their rows?

PostgreSQL keeps them in triggers (`workbench.tallies`); this recounts every flow and prints
the ones that differ, exiting with status 1 when any does; `--fix` recounts them first.
On SQLite there are no tallies (the dashboard counts the rows) and nothing to check.
"""

from django.core.management.base import BaseCommand, CommandError

from banyan.workbench import tallies


class Command(BaseCommand):
    help = (
        "Check that the dashboard's monthly tallies (agreements signed, payments, new "
        "customers, follow-ups) equal their rows. Exits with status 1 when any differs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Recount the tallies, then check.")

    def handle(self, *args, **options):
        if not tallies.in_use():
            self.stdout.write("This database keeps no tallies: the dashboard counts the rows.")
            return
        if options["fix"]:
            tallies.rebuild()
        mismatches = tallies.mismatches()
        for flow, count in mismatches.items():
            self.stdout.write(f"{flow}: {count} tall{'ies' if count != 1 else 'y'} differ")
        if mismatches:
            raise CommandError("Some tallies differ from their rows: run with --fix to recount.")
        self.stdout.write(self.style.SUCCESS("Every tally equals its rows."))
