"""Account pages, users: the company's reporting line as a tree, and managing its users.

Also home of `account_admin_required`; `found_or_404` and `refusal_text` live in
`banyan.core.views` and stay importable from here.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from banyan.accounts import selectors, services
from banyan.accounts.forms_account import UserDeactivateForm, UserForm, UserPasswordForm
from banyan.accounts.models import SPECIAL_PERMISSIONS
from banyan.core.pagination import paginate
from banyan.core.views import found_or_404, refusal_text, submit

__all__ = ["account_admin_required", "found_or_404", "refusal_text"]

# The tree is read in reporting-line order, a page at a time.
USERS_PER_PAGE = 100


def account_admin_required(view):
    """Logged in (else the login page) and an account administrator (else 403)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_account_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@account_admin_required
def user_list_view(request):
    permission_labels = dict(SPECIAL_PERMISSIONS)
    page = paginate(request, selectors.user_tree_keys(request.user), per_page=USERS_PER_PAGE)
    rows = [
        {
            "user": user,
            "depth": depth,
            "permissions": [
                permission_labels[p.codename]
                for p in user.user_permissions.all()
                if p.codename in permission_labels
            ],
        }
        for user, depth in selectors.users_of_tree_page(request.user, list(page))
    ]
    return render(request, "accounts/users_list.html", {"rows": rows, "page": page})


@account_admin_required
def user_create_view(request):
    form = UserForm(request.POST or None, actor=request.user)
    if submit(
        request,
        form,
        lambda: services.user_create(actor=request.user, **form.cleaned_data),
        success=lambda user: _("%(name)s has been added.") % {"name": user.display_name},
        as_403=False,
    ):
        return redirect("account-users")
    return render(request, "accounts/users_form.html", {"form": form, "editing": None})


@account_admin_required
def user_edit_view(request, pk):
    user = found_or_404(selectors.get_company_user, request.user, pk)
    form = UserForm(request.POST or None, actor=request.user, user=user)

    def save():
        changes = dict(form.cleaned_data)
        permissions = changes.pop("permissions")
        return services.user_update(
            actor=request.user, user=user, permissions=permissions, **changes
        )

    if submit(
        request,
        form,
        save,
        success=lambda saved: _("%(name)s has been saved.") % {"name": saved.display_name},
        as_403=False,
    ):
        return redirect("account-users")
    return render(request, "accounts/users_form.html", {"form": form, "editing": user})


@account_admin_required
def user_deactivate_view(request, pk):
    user = found_or_404(selectors.get_company_user, request.user, pk)
    form = UserDeactivateForm(request.POST or None, actor=request.user, user=user)
    if submit(
        request,
        form,
        lambda: services.user_deactivate(
            actor=request.user, user=user, hand_over_to=form.cleaned_data["hand_over_to"]
        ),
        success=_("%(name)s has been deactivated.") % {"name": user.display_name},
        as_403=False,
    ):
        return redirect("account-users")
    return render(request, "accounts/users_deactivate.html", {"form": form, "subject": user})


@account_admin_required
@require_POST
def user_reactivate_view(request, pk):
    user = found_or_404(selectors.get_company_user, request.user, pk)
    submit(
        request,
        None,
        lambda: services.user_reactivate(actor=request.user, user=user),
        success=_("%(name)s has been reactivated.") % {"name": user.display_name},
        as_403=False,
    )
    return redirect("account-users")


@account_admin_required
def user_password_view(request, pk):
    user = found_or_404(selectors.get_company_user, request.user, pk)
    form = UserPasswordForm(request.POST or None)
    if submit(
        request,
        form,
        lambda: services.user_reset_password(
            actor=request.user, user=user, password=form.cleaned_data["password"]
        ),
        success=_("The password of %(name)s has been reset.") % {"name": user.display_name},
        as_403=False,
    ):
        return redirect("account-users")
    return render(request, "accounts/users_password.html", {"form": form, "subject": user})


urlpatterns = [
    path("account/users/", user_list_view, name="account-users"),
    path("account/users/new/", user_create_view, name="account-user-create"),
    path("account/users/<int:pk>/edit/", user_edit_view, name="account-user-edit"),
    path(
        "account/users/<int:pk>/deactivate/", user_deactivate_view, name="account-user-deactivate"
    ),
    path(
        "account/users/<int:pk>/reactivate/", user_reactivate_view, name="account-user-reactivate"
    ),
    path("account/users/<int:pk>/password/", user_password_view, name="account-user-password"),
]
