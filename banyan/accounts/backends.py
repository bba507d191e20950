"""Login: company code + username + password, with django-axes counting failures.

How failures lock a username or an address: `banyan.accounts.lockout`.
"""

from django.contrib.auth.backends import ModelBackend
from django.http import HttpResponse
from django.utils.translation import gettext as _

from banyan.accounts import lockout
from banyan.accounts.models import Company, User

# Why the last attempt on a request failed. The person logging in is told only that it
# failed (telling more would confirm which codes, usernames or passwords exist); the login
# service writes the reason to the security log.
FAILURE_UNKNOWN_COMPANY = "unknown company"
FAILURE_UNKNOWN_USER = "unknown user"
FAILURE_BAD_CREDENTIALS = "wrong password"
FAILURE_INACTIVE_USER = "deactivated user"
FAILURE_SUSPENDED_COMPANY = "suspended company"


def normalise_company_code(code) -> str:
    return (code or "").strip().lower()


def axes_username(request, credentials) -> str:
    """The name axes counts failures under: "company/username", or "/username" for an
    operator (the admin login has no company). Taken from the credentials given to
    `authenticate`, never from other fields of the request."""
    credentials = credentials or {}
    if not credentials and request is not None:
        data = getattr(request, "data", None) or request.POST
        credentials = data if hasattr(data, "get") else {}
    company = normalise_company_code(credentials.get("company"))
    username = (credentials.get("username") or "").strip().lower()
    return f"{company}/{username}"


def lockout_response(request, original_response=None, credentials=None):
    """Our login page and token endpoint render the lockout message themselves."""
    if original_response is not None:
        return original_response
    return HttpResponse(_("Too many failed login attempts. Try again later."), status=429)


class CompanyUserBackend(ModelBackend):
    """Authenticates a user of an active company; operators log in to the admin by username."""

    def get_group_permissions(self, user_obj, obj=None):
        """Company users hold their special permissions directly (groups are not used), so
        a page that asks `has_perm` costs one query, not two."""
        if getattr(user_obj, "company_id", None):
            return set()
        return super().get_group_permissions(user_obj, obj)

    def authenticate(self, request, username=None, password=None, company=None, **kwargs):
        if username is None or password is None:
            return None
        if company is None:
            return self._authenticate_operator(request, username, password)
        code = normalise_company_code(company)
        try:
            company_obj = Company.objects.get(code=code)
        except Company.DoesNotExist:
            self._note(request, FAILURE_UNKNOWN_COMPANY)
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        try:
            user = User.objects.select_related("company").get(
                company=company_obj, username__iexact=username.strip()
            )
        except User.DoesNotExist:
            self._note(request, FAILURE_UNKNOWN_USER)
            User().set_password(password)
            return None
        if not user.check_password(password):
            self._note(request, FAILURE_BAD_CREDENTIALS)
            return None
        if not user.is_active:
            self._note(request, FAILURE_INACTIVE_USER)
            return None
        if not company_obj.is_active:
            self._note(request, FAILURE_SUSPENDED_COMPANY)
            return None
        # Only this user's own count: the address count, and everyone else's, stay.
        lockout.username_failures_reset(
            axes_username(request, {"company": company, "username": username})
        )
        return user

    def _authenticate_operator(self, request, username, password):
        try:
            user = User.objects.get(company__isnull=True, username=username)
        except User.DoesNotExist:
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            lockout.username_failures_reset(axes_username(request, {"username": username}))
            return user
        return None

    def get_user(self, user_id):
        try:
            user = User.objects.select_related("company", "assistant_of").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    @staticmethod
    def _note(request, reason):
        if request is not None:
            request.banyan_login_failure = reason
