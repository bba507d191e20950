"""Checking who is logging in, for the login page and the token endpoint alike."""

import logging

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from banyan.accounts import backends, lockout
from banyan.accounts.models import User
from banyan.core.errors import DomainError
from banyan.core.net import client_address

security_log = logging.getLogger("banyan.security")


class LoginFailed(DomainError):
    pass


class LoginLocked(LoginFailed):
    """Too many failures: `retry_after` is the number of seconds until the lock lifts."""

    def __init__(self, message, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def _lockout_message(lock: lockout.Lock) -> str:
    if lock.kind == lockout.ADDRESS:
        return ngettext(
            "Logins from your network address are locked for %(minutes)d more minute after "
            "too many failed attempts from it. Try again later.",
            "Logins from your network address are locked for %(minutes)d more minutes after "
            "too many failed attempts from it. Try again later.",
            lock.minutes,
        ) % {"minutes": lock.minutes}
    return ngettext(
        "This username is locked for %(minutes)d more minute after too many failed "
        "attempts. Wait, or ask your administrator to reset your password.",
        "This username is locked for %(minutes)d more minutes after too many failed "
        "attempts. Wait, or ask your administrator to reset your password.",
        lock.minutes,
    ) % {"minutes": lock.minutes}


def login_check(*, request, company: str, username: str, password: str) -> User:
    """The user behind these credentials, or LoginFailed with a message a person can act on.

    Every wrong combination gets the same message, so that nobody can learn from it which
    company codes or usernames exist, or that a password was right for a deactivated user;
    the precise reason goes to the `banyan.security` log. Locks: `banyan.accounts.lockout`.
    """
    if not (company or "").strip():
        raise LoginFailed(_("Enter your company code."), field="company")
    if not (username or "").strip():
        raise LoginFailed(_("Enter your username."), field="username")
    if not password:
        raise LoginFailed(_("Enter your password."), field="password")
    user = authenticate(request, company=company, username=username, password=password)
    reason = getattr(request, "banyan_login_failure", backends.FAILURE_BAD_CREDENTIALS)
    if getattr(request, "axes_locked_out", False):
        lock = getattr(request, "banyan_lock", None)
        if lock is None:  # this attempt was checked, failed, and reached the limit
            name = backends.axes_username(request, {"company": company, "username": username})
            lock = lockout.username_lock(name) or lockout.Lock(
                lockout.USERNAME, int(lockout.cool_off().total_seconds())
            )
            reason = f"{reason}, now {lock.kind} locked"
        else:  # refused before any password was looked at
            reason = f"{lock.kind} locked"
        _log_refusal(request, reason, company, username)
        raise LoginLocked(_lockout_message(lock), retry_after=lock.seconds)
    if user is not None:
        return user
    _log_refusal(request, reason, company, username)
    raise LoginFailed(_("The company code, username or password is not correct."))


def _log_refusal(request, reason: str, company: str, username: str) -> None:
    security_log.warning(
        "Login refused (%s): company %r, username %r, from %s",
        reason,
        backends.normalise_company_code(company),
        (username or "").strip(),
        client_address(request),
    )
