"""Self-service trial registration (试用帐户): the form and the "check your e-mail" page."""

import logging
import smtplib

from django.conf import settings
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from banyan.accounts import services
from banyan.accounts.forms_registration import RegistrationForm
from banyan.core.errors import DomainError, ValidationFailed

logger = logging.getLogger(__name__)

# What the done page may show about the registration just made (never the password).
SESSION_KEY = "banyan_registered"


def register_view(request):
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        registered = {
            "code": data["code"].strip().lower(),
            "email": data["email"].strip().lower(),
            "email_sent": True,
        }
        try:
            company, _boss = services.trial_register(
                company_name=data["company_name"],
                code=data["code"],
                contact_name=data["contact_name"],
                email=data["email"],
                phone=data["phone"],
                login_url=request.build_absolute_uri(reverse("login")),
            )
        except ValidationFailed as exc:
            form.add_service_errors(exc)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        except IntegrityError:
            # Someone took the same code a moment ago, between the check and the insert.
            form.add_error("code", _("This company code was just taken: choose another one."))
        except (smtplib.SMTPException, OSError):
            # The mail goes out after the commit: the account exists, only the mail failed.
            logger.exception("Trial registration: the login details could not be e-mailed")
            registered["email_sent"] = False
        else:
            registered["code"] = company.code
        if not form.errors:
            request.session[SESSION_KEY] = registered
            return redirect("register-done")
    return render(
        request,
        "accounts/register.html",
        {"form": form, "trial_days": settings.BANYAN_TRIAL_DAYS},
    )


def register_done_view(request):
    registered = request.session.get(SESSION_KEY)
    if not registered:
        return redirect("register")
    return render(request, "accounts/register_done.html", {"registered": registered})


urlpatterns = [
    path("register/", register_view, name="register"),
    path("register/done/", register_done_view, name="register-done"),
]
