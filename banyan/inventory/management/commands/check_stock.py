"""Operator command: does every stock level equal the sum of its movements?

Prints each level that differs (prefixed with its company's code) and exits with status 1
when there is any, so that it can run from cron or a health check.
"""

from django.core.management.base import BaseCommand, CommandError

from banyan.accounts.models import Company
from banyan.inventory import services


class Command(BaseCommand):
    help = (
        "Check that every stock level equals the sum of its stock movements, for every "
        "company or one. Exits with status 1 when any differs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--company", metavar="CODE", help="Check this company only.")

    def handle(self, *args, **options):
        companies = Company.objects.order_by("code")
        if options["company"]:
            code = options["company"].strip().lower()
            companies = companies.filter(code=code)
            if not companies.exists():
                raise CommandError(f"No company with the code {code}.")
        mismatches = 0
        for company in companies:
            for problem in services.check_stock(company.pk):
                mismatches += 1
                self.stdout.write(f"{company.code}: {problem}")
        if mismatches:
            raise CommandError(
                f"{mismatches} stock level{'s' if mismatches != 1 else ''} differ"
                f"{'' if mismatches != 1 else 's'} from the sum of their movements."
            )
        self.stdout.write(self.style.SUCCESS("Stock levels equal the sum of their movements."))
