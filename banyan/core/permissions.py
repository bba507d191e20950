"""The base permission of every API endpoint."""

from rest_framework import permissions


class IsCompanyMember(permissions.BasePermission):
    """An active user of an active company; writes only while the company is writable.

    Operators (no company) use Django's admin. An expired trial reads but cannot write: the
    answer is a 403 whose detail says how to convert (the services refuse too).
    """

    def has_permission(self, request, view):
        user = request.user
        allowed = bool(
            user
            and user.is_authenticated
            and user.is_active
            and getattr(user, "company_id", None)
            and user.company.is_active
        )
        if allowed and request.method not in permissions.SAFE_METHODS:
            from banyan.accounts.guards import read_only_message

            if user.company.is_read_only:
                self.message = read_only_message(user.company)
                return False
        return allowed
