"""Account pages, company: the profile (name, time zone, contacts, logo) and modules in use."""

from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from banyan.accounts import selectors, services
from banyan.accounts.forms_account import CompanyProfileForm, LogoForm, ModulesForm
from banyan.accounts.services.companies import MODULE_FLAGS, NUMBER_PREFIXES, SALES_RULES
from banyan.accounts.views.users import account_admin_required
from banyan.core.views import submit


def _profile_form(request, company, data=None) -> CompanyProfileForm:
    return CompanyProfileForm(
        data,
        current_time_zone=company.time_zone,
        initial={
            "name": company.name,
            "time_zone": company.time_zone,
            "contact_name": company.contact_name,
            "contact_email": company.contact_email,
            "contact_phone": company.contact_phone,
        },
    )


def _render_profile(request, company, *, profile_form, logo_form):
    return render(
        request,
        "accounts/company_profile.html",
        {"company": company, "form": profile_form, "logo_form": logo_form},
    )


@account_admin_required
def company_profile_view(request):
    company = selectors.company_of(request.user)
    form = _profile_form(request, company, request.POST if request.method == "POST" else None)
    if submit(
        request,
        form,
        lambda: services.company_update_profile(actor=request.user, **form.cleaned_data),
        success=_("The company profile has been saved."),
        as_403=False,
    ):
        return redirect("account-company")
    return _render_profile(request, company, profile_form=form, logo_form=LogoForm())


@account_admin_required
@require_POST
def company_logo_view(request):
    company = selectors.company_of(request.user)
    form = LogoForm(request.POST, request.FILES)
    if submit(
        request,
        form,
        lambda: services.company_set_logo(actor=request.user, upload=form.cleaned_data["logo"]),
        success=_("The logo has been changed."),
        as_403=False,
    ):
        return redirect("account-company")
    return _render_profile(
        request, company, profile_form=_profile_form(request, company), logo_form=form
    )


@account_admin_required
@require_POST
def company_logo_remove_view(request):
    submit(
        request,
        None,
        lambda: services.company_remove_logo(actor=request.user),
        success=_("The logo has been removed."),
        as_403=False,
    )
    return redirect("account-company")


@account_admin_required
def company_settings_view(request):
    company = selectors.company_of(request.user)
    initial = {flag: getattr(company, flag) for flag in MODULE_FLAGS}
    for field in ("hot_customer_cap", "payment_reminder_days", *SALES_RULES, *NUMBER_PREFIXES):
        initial[field] = getattr(company, field)
    form = ModulesForm(request.POST if request.method == "POST" else None, initial=initial)
    if submit(
        request,
        form,
        lambda: services.company_update_settings(actor=request.user, **form.cleaned_data),
        success=_("The settings have been saved."),
        as_403=False,
    ):
        return redirect("account-settings")
    return render(request, "accounts/settings_modules.html", {"form": form})


urlpatterns = [
    path("account/company/", company_profile_view, name="account-company"),
    path("account/company/logo/", company_logo_view, name="account-company-logo"),
    path(
        "account/company/logo/remove/", company_logo_remove_view, name="account-company-logo-remove"
    ),
    path("account/settings/", company_settings_view, name="account-settings"),
]
