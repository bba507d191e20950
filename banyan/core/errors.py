"""Errors that services raise. Each carries a translated message a person can act on."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the business refused the change. `field` names the input at fault, if any."""

    default_message = _("The change was refused.")

    def __init__(self, message=None, *, field: str | None = None, code: str | None = None):
        self.message = message if message is not None else self.default_message
        self.field = field
        self.code = code or type(self).__name__
        super().__init__(str(self.message))

    def as_dict(self) -> dict:
        key = self.field or "detail"
        return {key: [str(self.message)]}


class ValidationFailed(DomainError):
    """Input does not satisfy the rules; `errors` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]] | None = None, message=None, *, field=None):
        self.errors = errors or {}
        if message is None and self.errors:
            message = "; ".join(str(m) for msgs in self.errors.values() for m in msgs)
        super().__init__(message, field=field)

    def as_dict(self) -> dict:
        if self.errors:
            return {k: [str(m) for m in v] for k, v in self.errors.items()}
        return super().as_dict()


class NotFound(DomainError):
    """The object does not exist, or the acting user may not see it: the same answer for both."""

    default_message = _("Not found.")


class PermissionRefused(DomainError):
    """The acting user may see the object but lacks the right to do this."""

    default_message = _("You do not have permission to do this.")


class ReadOnlyCompany(PermissionRefused):
    """The company's trial has ended: reading works, writing waits for conversion."""
