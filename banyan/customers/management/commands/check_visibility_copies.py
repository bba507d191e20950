"""Operator command: does every row hung on a customer carry its customer's owner?

Rows on a customer copy the customer's owner (`customer_owner`) so that visibility is a
condition on their own indexed columns. This prints each kind of row whose copies differ, with
how many, and exits with status 1 when any does; `--fix` rewrites the copies first.
"""

from django.core.management.base import BaseCommand, CommandError

from banyan.customers.services import visibility_copy_mismatches


class Command(BaseCommand):
    help = (
        "Check that every contact, activity, task, opportunity, agreement, payment plan, "
        "payment, invoice and shipment carries its customer's owner. Exits with status 1 when "
        "any differs."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--fix", action="store_true", help="Rewrite the copies that differ, then check."
        )

    def handle(self, *args, **options):
        mismatches = visibility_copy_mismatches(fix=options["fix"])
        for label, count in mismatches.items():
            self.stdout.write(f"{label}: {count} row{'s' if count != 1 else ''} differ")
        if mismatches:
            raise CommandError(
                "Some rows do not carry their customer's owner: run with --fix to rewrite them."
            )
        self.stdout.write(self.style.SUCCESS("Every row carries its customer's owner."))
