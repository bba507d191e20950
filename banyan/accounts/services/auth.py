"""Checking who is logging in, for the login page and the token endpoint alike."""

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils.translation import gettext as _

from banyan.accounts import backends
from banyan.accounts.models import User
from banyan.core.errors import DomainError


class LoginFailed(DomainError):
    pass


class LoginLocked(LoginFailed):
    pass


def _lockout_message() -> str:
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    return _(
        "Too many failed attempts: logging in is locked for %(minutes)d minutes. "
        "Wait, or ask your administrator to reset your password."
    ) % {"minutes": minutes}


def login_check(*, request, company: str, username: str, password: str) -> User:
    """The user behind these credentials, or LoginFailed with a message a person can act on.

    Failures are counted by django-axes per company + username and per IP address.
    """
    if not (company or "").strip():
        raise LoginFailed(_("Enter your company code."), field="company")
    if not (username or "").strip():
        raise LoginFailed(_("Enter your username."), field="username")
    if not password:
        raise LoginFailed(_("Enter your password."), field="password")
    user = authenticate(request, company=company, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise LoginLocked(_lockout_message())
    if user is not None:
        return user
    reason = getattr(request, "banyan_login_failure", backends.FAILURE_BAD_CREDENTIALS)
    messages = {
        backends.FAILURE_UNKNOWN_COMPANY: (
            _("No company uses the code %(code)s: check it with your administrator.")
            % {"code": backends.normalise_company_code(company)},
            "company",
        ),
        backends.FAILURE_BAD_CREDENTIALS: (
            _("The username or password is not correct."),
            "password",
        ),
        backends.FAILURE_INACTIVE_USER: (
            _("This user account is deactivated: ask your administrator."),
            "username",
        ),
        backends.FAILURE_SUSPENDED_COMPANY: (
            _("This company account is suspended. Contact the service operator."),
            "company",
        ),
    }
    message, field = messages.get(reason, messages[backends.FAILURE_BAD_CREDENTIALS])
    raise LoginFailed(message, field=field)
