"""The base permission of every API endpoint (settings: DEFAULT_PERMISSION_CLASSES).

It lives with the accounts because it asks what only they know (a company's trial, its
read-only message); core stays below the accounts and never imports them.
"""

from rest_framework import permissions

from banyan.accounts.guards import read_only_message


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
        read_only = allowed and user.company.is_read_only
        if read_only and request.method not in permissions.SAFE_METHODS:
            self.message = read_only_message(user.company)
            return False
        return allowed
