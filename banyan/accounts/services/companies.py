"""Writes on enterprise accounts: provisioning, registration, profile and settings."""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from banyan.accounts.guards import ensure_account_admin, ensure_not_demo
from banyan.accounts.models import SPECIAL_PERMISSION_CODENAMES, Company, Role, User
from banyan.accounts.services.dictionary import dictionary_install_defaults
from banyan.accounts.services.users import user_create
from banyan.core.errors import ValidationFailed
from banyan.core.images import reencode_image
from banyan.core.phones import normalize_phone
from banyan.core.text import clean_text, to_half_width

LOGO_MAX_SIZE = (480, 160)
RESERVED_CODES = {"admin", "api", "static", "media", "www", "root", "operator"}


def _clean_code(code: str, errors: dict) -> str:
    code = clean_text(code).lower()
    try:
        Company._meta.get_field("code").run_validators(code)
    except ValidationError as exc:
        errors.setdefault("code", []).extend(exc.messages)
        return code
    if code in RESERVED_CODES:
        errors.setdefault("code", []).append(_("This company code is reserved."))
    elif Company.objects.filter(code=code).exists():
        errors.setdefault("code", []).append(
            _("The company code %(code)s is already taken.") % {"code": code}
        )
    return code


@transaction.atomic
def company_create(
    *,
    code: str,
    name: str,
    plan: str = Company.Plan.TRIAL,
    boss_username: str,
    boss_password: str,
    boss_real_name: str = "",
    boss_email: str = "",
    boss_mobile: str = "",
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    trial_days: int | None = None,
    check_password_strength: bool = True,
) -> tuple[Company, User]:
    """A new enterprise account with its data dictionary and first (admin) boss.

    The first boss holds every special permission: in a small company the boss does it all,
    and hands rights out as the team grows.
    """
    errors: dict[str, list[str]] = {}
    code = _clean_code(code, errors)
    name = clean_text(name)
    if not name:
        errors.setdefault("name", []).append(_("Enter the company name."))
    elif len(name) > 100:
        errors.setdefault("name", []).append(_("The company name has at most 100 characters."))
    if plan not in Company.Plan.values:
        errors.setdefault("plan", []).append(_("Choose trial, formal or demo."))
    if errors:
        raise ValidationFailed(errors)
    trial_ends_on = None
    if plan == Company.Plan.TRIAL:
        days = settings.BANYAN_TRIAL_DAYS if trial_days is None else trial_days
        trial_ends_on = timezone.localdate() + datetime.timedelta(days=days)
    company = Company.objects.create(
        code=code,
        name=name,
        plan=plan,
        trial_ends_on=trial_ends_on,
        contact_name=clean_text(contact_name),
        contact_email=clean_text(contact_email).lower(),
        contact_phone=contact_phone,
    )
    dictionary_install_defaults(company=company)
    boss = user_create(
        actor=None,
        company=company,
        username=boss_username,
        password=boss_password,
        real_name=boss_real_name,
        email=boss_email,
        mobile=boss_mobile,
        role=Role.BOSS,
        is_admin=True,
        permissions=SPECIAL_PERMISSION_CODENAMES,
        check_password_strength=check_password_strength,
    )
    return company, boss


@transaction.atomic
def trial_register(
    *,
    company_name: str,
    code: str,
    contact_name: str,
    email: str,
    phone: str,
    login_url: str | None = None,
) -> tuple[Company, User]:
    """Self-service registration: a 30-day trial company, its admin boss, and an e-mail
    with the login details (sent once the transaction commits)."""
    errors: dict[str, list[str]] = {}
    contact_name = clean_text(contact_name)
    if not contact_name:
        errors.setdefault("contact_name", []).append(_("Enter the contact person."))
    email = clean_text(email).lower()
    try:
        validate_email(email)
    except ValidationError:
        errors.setdefault("email", []).append(_("Enter a valid e-mail address."))
    try:
        phone = normalize_phone(phone)
        if not phone:
            errors.setdefault("phone", []).append(_("Enter a phone number."))
    except ValidationError as exc:
        errors.setdefault("phone", []).extend(exc.messages)
    if _clean_code(code, errors) == settings.BANYAN_DEMO_COMPANY_CODE and "code" not in errors:
        errors["code"] = [_("This company code is reserved.")]
    if not clean_text(company_name):
        errors.setdefault("company_name", []).append(_("Enter the company name."))
    if errors:
        raise ValidationFailed(errors)

    password = secrets.token_urlsafe(9)
    company, boss = company_create(
        code=code,
        name=company_name,
        plan=Company.Plan.TRIAL,
        boss_username="admin",
        boss_password=password,
        boss_real_name=contact_name,
        boss_email=email,
        boss_mobile=phone if phone.startswith("1") else "",
        contact_name=contact_name,
        contact_email=email,
        contact_phone=phone,
        check_password_strength=False,
    )
    login_url = login_url or reverse("login")
    subject = _("Your Banyan CRM trial account")
    body = _(
        "Hello %(name)s,\n\n"
        "the trial account of %(company)s is ready and runs until %(until)s.\n\n"
        "Log in at %(url)s with\n"
        "  company code: %(code)s\n"
        "  username:     admin\n"
        "  password:     %(password)s\n\n"
        "Please change the password after your first login.\n\n"
        "Banyan CRM"
    ) % {
        "name": contact_name,
        "company": company.name,
        "until": company.trial_ends_on,
        "url": login_url,
        "code": company.code,
        "password": password,
    }
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email], fail_silently=False)
    )
    return company, boss


@transaction.atomic
def company_update_profile(
    *, actor: User, name: str | None = None, time_zone: str | None = None, **contacts
) -> Company:
    """Company name, time zone and contact details (admin bosses only)."""
    ensure_account_admin(actor)
    ensure_not_demo(actor)
    company = Company.objects.select_for_update().get(pk=actor.company_id)
    errors: dict[str, list[str]] = {}
    if name is not None:
        name = clean_text(name)
        if not name:
            errors.setdefault("name", []).append(_("Enter the company name."))
        company.name = name
    if time_zone is not None:
        company.time_zone = time_zone
    for field in ("contact_name", "contact_email", "contact_phone"):
        if field in contacts:
            setattr(company, field, clean_text(contacts[field]))
    if company.contact_phone:
        try:
            company.contact_phone = normalize_phone(company.contact_phone)
        except ValidationError as exc:
            errors.setdefault("contact_phone", []).extend(exc.messages)
    if errors:
        raise ValidationFailed(errors)
    try:
        company.full_clean(exclude=["logo", "code"])
    except ValidationError as exc:
        raise ValidationFailed(exc.message_dict) from exc
    company._history_user = actor
    company.save()
    company.__dict__.pop("zone", None)
    return company


@transaction.atomic
def company_set_logo(*, actor: User, upload) -> Company:
    """A PNG/JPEG/WebP logo of at most 2 MB, verified, re-encoded and resized."""
    ensure_account_admin(actor)
    ensure_not_demo(actor)
    content = reencode_image(
        upload,
        field="logo",
        max_bytes=settings.BANYAN_LOGO_MAX_BYTES,
        max_size=LOGO_MAX_SIZE,
        prefix=f"logo-{actor.company.code}",
    )
    company = Company.objects.select_for_update().get(pk=actor.company_id)
    old = company.logo.name if company.logo else None
    company.logo.save(content.name, content, save=True)
    if old:
        transaction.on_commit(lambda: company.logo.storage.delete(old))
    return company


@transaction.atomic
def company_remove_logo(*, actor: User) -> Company:
    ensure_account_admin(actor)
    ensure_not_demo(actor)
    company = Company.objects.select_for_update().get(pk=actor.company_id)
    if company.logo:
        old = company.logo.name
        company.logo = ""
        company.save(update_fields=["logo", "updated_at"])
        transaction.on_commit(lambda: company.logo.storage.delete(old))
    return company


MODULE_FLAGS = (
    "uses_contracts",
    "uses_orders",
    "uses_customer_tracking",
    "uses_opportunity_tracking",
    "uses_inventory",
)


SALES_RULES = ("signing_makes_regular", "allow_invoice_ahead")
NUMBER_PREFIXES = ("contract_number_prefix", "order_number_prefix")


@transaction.atomic
def company_update_settings(
    *,
    actor: User,
    hot_customer_cap: int | None = None,
    payment_reminder_days: int | None = None,
    **modules,
) -> Company:
    """Modules in use, the hot-customer cap, the payment reminder window, the sales rules
    (potential → regular on signing; invoicing ahead of payment) and the agreement number
    prefixes. At least one of contracts/orders and one of the two tracking styles stays on."""
    ensure_account_admin(actor)
    ensure_not_demo(actor)
    company = Company.objects.select_for_update().get(pk=actor.company_id)
    errors: dict[str, list[str]] = {}
    for field in NUMBER_PREFIXES:
        if field in modules:
            prefix = to_half_width(str(modules.pop(field) or "")).strip().upper()
            if len(prefix) > 10 or not all(ch.isalnum() or ch in "-_/" for ch in prefix):
                errors.setdefault(field, []).append(
                    _("Use at most 10 letters, digits, hyphens, underscores or slashes.")
                )
            else:
                setattr(company, field, prefix)
    for field in SALES_RULES:
        if field in modules:
            setattr(company, field, bool(modules.pop(field)))
    for flag, value in modules.items():
        if flag not in MODULE_FLAGS:
            errors.setdefault(flag, []).append(_("Unknown module."))
            continue
        setattr(company, flag, bool(value))
    if not (company.uses_contracts or company.uses_orders):
        errors.setdefault("uses_contracts", []).append(
            _("Use contracts, orders or both: at least one must stay on.")
        )
    if not (company.uses_customer_tracking or company.uses_opportunity_tracking):
        errors.setdefault("uses_customer_tracking", []).append(
            _("Use customer-based tracking, opportunity-based tracking or both.")
        )
    if hot_customer_cap is not None:
        try:
            cap = int(hot_customer_cap)
        except (TypeError, ValueError):
            cap = 0
        if not 1 <= cap <= 1000:
            errors.setdefault("hot_customer_cap", []).append(
                _("Enter a whole number from 1 to 1000.")
            )
        else:
            company.hot_customer_cap = cap
    if payment_reminder_days is not None:
        try:
            days = int(payment_reminder_days)
        except (TypeError, ValueError):
            days = 0
        if not 1 <= days <= 365:
            errors.setdefault("payment_reminder_days", []).append(
                _("Enter a whole number from 1 to 365.")
            )
        else:
            company.payment_reminder_days = days
    if errors:
        raise ValidationFailed(errors)
    company._history_user = actor
    company.save()
    return company


# Operator actions (Django admin): nothing is ever deleted by them.


@transaction.atomic
def company_convert_to_formal(*, company: Company) -> Company:
    company.plan = Company.Plan.FORMAL
    company.trial_ends_on = None
    company.save(update_fields=["plan", "trial_ends_on", "updated_at"])
    return company


@transaction.atomic
def company_extend_trial(*, company: Company, days: int = 30) -> Company:
    today = timezone.localdate()
    start = max(company.trial_ends_on or today, today)
    company.plan = Company.Plan.TRIAL
    company.trial_ends_on = start + datetime.timedelta(days=days)
    company.save(update_fields=["plan", "trial_ends_on", "updated_at"])
    return company


@transaction.atomic
def company_set_status(*, company: Company, status: str) -> Company:
    company.status = status
    company.save(update_fields=["status", "updated_at"])
    return company
