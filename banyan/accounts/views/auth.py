"""Login, logout, the demo button, and changing one's own password."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from banyan.accounts import selectors, services
from banyan.accounts.forms import LoginForm, PasswordChangeForm
from banyan.core.errors import DomainError
from banyan.core.views import safe_next_url, submit


def _next_url(request) -> str:
    return safe_next_url(request, settings.LOGIN_REDIRECT_URL)


def login_view(request):
    if request.user.is_authenticated and request.user.company_id:
        return redirect(_next_url(request))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_check(
                request=request,
                company=form.cleaned_data["company"],
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            login(request, user, backend="banyan.accounts.backends.CompanyUserBackend")
            return redirect(_next_url(request))
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "next": safe_next_url(request, ""),
            "demo_available": selectors.dangerously_demo_boss() is not None,
        },
    )


@require_POST
def logout_view(request):
    logout(request)
    messages.success(request, _("You have logged out."))
    return redirect("login")


@require_POST
def demo_login_view(request):
    """ "Try the demo": signs in as the demo company's boss, no password needed."""
    demo_boss = selectors.dangerously_demo_boss()
    if demo_boss is None:
        messages.error(request, _("The demo company is not available right now."))
        return redirect("login")
    login(request, demo_boss, backend="banyan.accounts.backends.CompanyUserBackend")
    messages.info(request, _("Welcome to the demo company. Changes here are reset regularly."))
    return redirect("home")


@login_required
def password_change_view(request):
    form = PasswordChangeForm(request.POST or None)
    changed = submit(
        request,
        form,
        lambda: services.user_change_own_password(
            user=request.user,
            old_password=form.cleaned_data["old_password"],
            new_password=form.cleaned_data["new_password"],
        ),
        as_403=False,
    )
    if changed:
        update_session_auth_hash(request, changed.result)
        messages.success(request, _("Your password has been changed."))
        return redirect("home")
    return render(request, "accounts/password_change.html", {"form": form})


urlpatterns = [
    path("login/", login_view, name="login"),
    path("logout/", logout_view, name="logout"),
    path("demo/", demo_login_view, name="demo-login"),
    path("account/password/", password_change_view, name="password-change"),
]
