"""API tokens: made at token login, checked on every API request, revoked by their owner,
and revoked all at once when the password changes or the user is deactivated."""

import datetime
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from banyan.accounts.models import ApiToken, User
from banyan.core.errors import DomainError, NotFound
from banyan.core.text import clean_text

# The last use is written at most this often per token: one small UPDATE a minute, not one
# per request.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


class TokenRefused(DomainError):
    """The key names no live token: the API answers 401 with the message."""


def _lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.API_TOKEN_DAYS)


@transaction.atomic
def api_token_create(*, user: User, label: str = "") -> tuple[ApiToken, str]:
    """A new token for `user`, and its key: the only time the key is known in full.

    The user's expired tokens are cleared on the way, so they do not pile up.
    """
    key = secrets.token_hex(20)
    now = timezone.now()
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    token = ApiToken.objects.create(
        company_id=user.company_id,
        user=user,
        key_hash=ApiToken.hash_key(key),
        prefix=key[: ApiToken.PREFIX_LENGTH],
        label=clean_text(label)[:100],
        created_at=now,
        expires_at=now + _lifetime(),
    )
    return token, key


def api_token_for(user: User) -> str:
    """A usable token key for `user` (a new token each time)."""
    _token, key = api_token_create(user=user)
    return key


def api_token_check(key: str) -> ApiToken:
    """The live token behind `key`, with its user and company loaded; its last use noted.

    Refused (TokenRefused): an unknown key, or an expired one (with how to get another).
    """
    token = (
        ApiToken.objects.select_related("user", "user__company")
        .filter(key_hash=ApiToken.hash_key(key))
        .first()
    )
    if token is None:
        raise TokenRefused(_("Invalid token."))
    if not token.user.is_active:
        raise TokenRefused(_("This user account is deactivated: ask your administrator."))
    now = timezone.now()
    if token.expires_at <= now:
        raise TokenRefused(
            _("This token has expired: ask for a new one with POST /api/v1/auth/token/.")
        )
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> None:
    """Revoke one of the user's own tokens; another user's token is not found."""
    if token.user_id != user.pk:
        raise NotFound()
    ApiToken.objects.filter(pk=token.pk).delete()


def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every token of `user`: called by the services that change a password or
    deactivate a user, inside their transaction. Returns how many were revoked."""
    deleted, _rows = ApiToken.objects.filter(user=user).delete()
    return deleted
