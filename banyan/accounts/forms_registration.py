"""The self-service trial registration form (试用帐户注册).

The form only collects input and checks the captcha; the rules (code format, reserved and
taken codes, e-mail, phone) live in `services.trial_register`, whose errors land back on
these fields through `add_service_errors`.
"""

from captcha.fields import CaptchaField
from django import forms
from django.utils.translation import gettext_lazy as _

from banyan.core.forms import ServiceErrorsMixin


class RegistrationForm(ServiceErrorsMixin, forms.Form):
    company_name = forms.CharField(
        label=_("Company name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "organization", "autofocus": True}),
    )
    code = forms.CharField(
        label=_("Company code"),
        max_length=32,
        help_text=_(
            "You type it at every login. 3 to 32 characters: lowercase letters a-z, digits "
            "0-9 and hyphens, for example acme-trading."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    contact_name = forms.CharField(
        label=_("Contact person"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        help_text=_("The login details are sent to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    captcha = CaptchaField(label=_("Verification code"))

    # The service's name for a field, where it differs from the form's.
    service_field_names = {
        "name": "company_name",
        "contact_phone": "phone",
        "contact_email": "email",
    }
