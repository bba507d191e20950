"""The base permission of every API endpoint."""

from rest_framework import permissions


class IsCompanyMember(permissions.BasePermission):
    """An active user of an active company. Operators (no company) use Django's admin."""

    def has_permission(self, request, view):
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.is_active
            and getattr(user, "company_id", None)
            and user.company.is_active
        )
