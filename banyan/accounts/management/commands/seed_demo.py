"""Builds the public demo company; `--reset` deletes it first and builds it afresh."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from banyan.accounts.demo import (
    DEMO_PASSWORD,
    DEMO_RESET_STEPS,
    build_demo_company,
    demo_company,
    discover_demo_modules,
)
from banyan.accounts.models import User
from banyan.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "Create the public demo company (settings.BANYAN_DEMO_COMPANY_CODE) with its users "
        "and mock data. Does nothing when it exists already, unless --reset is given."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo company and everything in it, then build it again.",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        if options["reset"]:
            self._delete_demo_company()
        try:
            build = build_demo_company()
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        company = build.company
        seconds = time.monotonic() - started
        if build.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Built the demo company {company.name} (code {company.code}) with "
                    f"{User.objects.filter(company=company).count()} users in {seconds:.1f}s. "
                    f"Log in with company {company.code}, user boss, password {DEMO_PASSWORD}, "
                    "or press 'Try the demo' on the login page."
                )
            )
        elif build.steps_with_changes:
            self.stdout.write(
                self.style.SUCCESS(
                    f"The demo company {company.code} exists; added the missing data of: "
                    f"{', '.join(build.steps_with_changes)} ({seconds:.1f}s)."
                )
            )
        else:
            self.stdout.write(
                f"The demo company {company.code} exists already: nothing to do "
                "(use --reset to rebuild it)."
            )

    @transaction.atomic
    def _delete_demo_company(self) -> None:
        """The one sanctioned delete of a company: the demo, made of mock data only."""
        company = demo_company()
        if company is None:
            return
        if not company.is_demo:
            raise CommandError(
                f"The company code {company.code} belongs to a company that is not the demo: "
                "refusing to delete it."
            )
        discover_demo_modules()
        for reset_step in reversed(list(DEMO_RESET_STEPS)):
            reset_step(company)
        # The reporting line protects superiors and principals from deletion: cut it first.
        User.objects.filter(company=company).update(superior=None, assistant_of=None)
        company.delete()
        self.stdout.write(f"Deleted the demo company {company.code}.")
