"""Checks every service runs before it writes: can this person write at all, and here?"""

from django.conf import settings
from django.utils.translation import gettext as _

from banyan.core.errors import PermissionRefused, ReadOnlyCompany


def read_only_message(company) -> str:
    return _(
        "The trial of %(company)s ended on %(date)s. Your data is kept and can be read, but "
        "changes are paused until the account is converted to a formal account: contact "
        "%(contact)s to convert it."
    ) % {
        "company": company.name,
        "date": company.trial_ends_on,
        "contact": settings.BANYAN_SUPPORT_CONTACT,
    }


def ensure_can_write(user) -> None:
    """Refuse any change by a user of a suspended company or an expired trial."""
    company = user.company
    if company is None or not user.is_active:
        raise PermissionRefused(_("Your account cannot make changes."))
    if not company.is_active:
        raise PermissionRefused(_("This company account is suspended."))
    if company.is_read_only:
        raise ReadOnlyCompany(read_only_message(company))


def ensure_account_admin(user) -> None:
    """Account settings and user management are for admin bosses only."""
    ensure_can_write(user)
    if not user.is_account_admin:
        raise PermissionRefused(_("Only an administrator boss can change account settings."))


def ensure_not_demo(user) -> None:
    if user.company is not None and user.company.is_demo:
        raise PermissionRefused(
            _("This is the public demo: passwords and account settings cannot be changed.")
        )


def ensure_permission(user, codename: str, message: str | None = None) -> None:
    """A special permission (accounts.<codename>) granted by an admin boss."""
    if not user.has_perm(f"accounts.{codename}"):
        raise PermissionRefused(message or _("You do not have permission to do this."))
