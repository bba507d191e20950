from captcha.fields import CaptchaField
from django import forms
from django.utils.translation import gettext_lazy as _

from banyan.core.forms import ServiceErrorsMixin


class LoginForm(forms.Form):
    company = forms.CharField(
        label=_("Company code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "organization", "autofocus": True}),
    )
    username = forms.CharField(
        label=_("Username"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    captcha = CaptchaField(label=_("Verification code"))


class PasswordChangeForm(ServiceErrorsMixin, forms.Form):
    service_field_names = {"password": "new_password"}

    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    new_password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data
