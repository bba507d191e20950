"""Operator command: provision an enterprise account with its first (admin) boss."""

from django.core.management.base import BaseCommand, CommandError

from banyan.accounts import services
from banyan.accounts.models import Company
from banyan.core.errors import DomainError, ValidationFailed

# The option a person typed, for each field the service names in its errors.
OPTION_FOR_FIELD = {
    "code": "--code",
    "name": "--name",
    "plan": "--plan",
    "username": "--boss-username",
    "password": "--boss-password",
    "real_name": "--boss-real-name",
    "email": "--boss-email",
    "mobile": "--boss-mobile",
}


class Command(BaseCommand):
    help = (
        "Create a company (enterprise account) and its first boss, who is an account "
        "administrator with every special permission."
    )

    def add_arguments(self, parser):
        parser.add_argument("--code", required=True, help="Company code used at login.")
        parser.add_argument("--name", required=True, help="Company name.")
        parser.add_argument("--boss-username", required=True)
        parser.add_argument("--boss-password", required=True)
        parser.add_argument("--boss-real-name", default="")
        parser.add_argument("--boss-email", default="")
        parser.add_argument("--boss-mobile", default="")
        parser.add_argument(
            "--plan",
            choices=[Company.Plan.FORMAL, Company.Plan.TRIAL],
            default=Company.Plan.FORMAL,
            help="formal (default) or trial (ends after BANYAN_TRIAL_DAYS days).",
        )

    def handle(self, *args, **options):
        try:
            company, boss = services.company_create(
                code=options["code"],
                name=options["name"],
                plan=options["plan"],
                boss_username=options["boss_username"],
                boss_password=options["boss_password"],
                boss_real_name=options["boss_real_name"],
                boss_email=options["boss_email"],
                boss_mobile=options["boss_mobile"],
            )
        except ValidationFailed as exc:
            problems = [
                f"{OPTION_FOR_FIELD.get(field, field)}: {' '.join(messages)}"
                for field, messages in exc.as_dict().items()
            ]
            raise CommandError("Nothing was created.\n" + "\n".join(problems)) from exc
        except DomainError as exc:
            raise CommandError(f"Nothing was created. {exc.message}") from exc
        trial = f", trial until {company.trial_ends_on}" if company.trial_ends_on else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Created company {company.name} (code {company.code}, plan {company.plan}"
                f"{trial}) with admin boss '{boss.username}' (id {boss.pk})."
            )
        )
