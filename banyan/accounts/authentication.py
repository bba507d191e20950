"""The API's token authentication: `Authorization: Token <key>`, checked against the hashed,
expiring tokens of `ApiToken` (several per user, one per device)."""

from rest_framework import authentication, exceptions

from banyan.accounts import services


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """DRF's header parsing and 401 answers; the key is looked up by its hash, an expired
    or revoked token is refused with a message saying which, and the last use is noted."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        try:
            token = services.api_token_check(key)
        except services.TokenRefused as exc:
            raise exceptions.AuthenticationFailed(str(exc.message)) from None
        return (token.user, token)
