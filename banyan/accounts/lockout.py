"""Login lockout: a username after a few failures, a network address only after many.

- **A username** (per company: axes counts "company/username", see
  `backends.axes_username`) is locked after `AXES_FAILURE_LIMIT` failures within the
  cool-off time (`AXES_COOLOFF_HOURS`). Only that user's own real password success clears
  its count (`backends.CompanyUserBackend`); another person's login from the same address,
  or "Try the demo", clears nothing.
- **A network address** is locked only when, within the cool-off time, it has
  `LOGIN_ADDRESS_FAILURE_LIMIT` failures or more across `LOGIN_ADDRESS_USERNAME_LIMIT`
  distinct usernames or more: one person's typos lock their own username, never the office
  behind the same public address, while someone trying many usernames is stopped.
  Successful logins never lower this count: it only ages out.

The address count is read from axes' access failure log (`AXES_ENABLE_ACCESS_FAILURE_LOG`):
axes writes one row per failure at the very place it counts the username, with the address
from `banyan.core.net.client_address`, so the login page, the token endpoint and the admin
login all count, with no table of our own to keep in step.

Both locks are checked by the first authentication backend (axes), before any password is
looked at; attempts refused by a lock are not counted, so a lock lifts on time.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.utils import timezone

USERNAME = "username"
ADDRESS = "address"


@dataclass(frozen=True)
class Lock:
    """What is locked (USERNAME or ADDRESS) and how many seconds until it lifts."""

    kind: str
    seconds: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds / 60))


def cool_off() -> timedelta:
    return get_cool_off() or timedelta(0)


def _lock(kind: str, lifts_at: datetime, now: datetime) -> Lock:
    return Lock(kind=kind, seconds=max(1, math.ceil((lifts_at - now).total_seconds())))


def username_lock(axes_username: str, *, now: datetime | None = None) -> Lock | None:
    """The lock on this company + username, if its recent failures reach the limit."""
    now = now or timezone.now()
    window = cool_off()
    limit = settings.AXES_FAILURE_LIMIT
    rows = list(
        AccessAttempt.objects.filter(username=axes_username, attempt_time__gte=now - window)
        .order_by("attempt_time")
        .values_list("attempt_time", "failures_since_start")
    )
    remaining = sum(failures for _at, failures in rows)
    if remaining < limit:
        return None
    # The lock lifts when enough of the oldest records have aged out.
    for attempt_time, failures in rows:
        remaining -= failures
        if remaining < limit:
            return _lock(USERNAME, attempt_time + window, now)
    return None  # pragma: no cover (the loop always ends below the limit)


def address_lock(address: str | None, *, now: datetime | None = None) -> Lock | None:
    """The lock on this network address, if its recent failures reach both limits."""
    failure_limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    username_limit = settings.LOGIN_ADDRESS_USERNAME_LIMIT
    if not address or failure_limit <= 0:
        return None
    now = now or timezone.now()
    window = cool_off()
    # Few rows: an address stops being counted once locked, and each username once locked.
    failures = list(
        AccessFailureLog.objects.filter(ip_address=address, attempt_time__gt=now - window)
        .order_by("attempt_time")
        .values_list("username", "attempt_time")
    )
    if len(failures) < failure_limit:
        return None
    last_failure_of = {}
    for username, attempt_time in failures:
        last_failure_of[username] = attempt_time
    if len(last_failure_of) < max(username_limit, 1):
        return None
    # It lifts as soon as either count falls below its limit.
    by_failures = failures[len(failures) - failure_limit][1]
    lasts = sorted(last_failure_of.values())
    by_usernames = lasts[len(lasts) - max(username_limit, 1)]
    return _lock(ADDRESS, min(by_failures, by_usernames) + window, now)


def username_failures_reset(axes_username: str) -> None:
    """Forget this company + username's failures (its own password success, a new password).
    The address count is left as it is."""
    AxesProxyHandler.reset_attempts(username=axes_username)


class LoginLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, locking by address as described above as well as by username.

    The lock found is left on the request (`banyan_lock`) for the login service's message.
    """

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        lock = address_lock(getattr(request, "axes_ip_address", None))
        if lock is None and super().is_locked(request, credentials):
            name = get_client_username(request, credentials)
            lock = username_lock(name) or Lock(USERNAME, int(cool_off().total_seconds()))
        if lock is None:
            return False
        request.banyan_lock = lock
        return True
