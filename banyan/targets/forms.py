"""Forms of the targets pages: the month picker and setting one target. Amounts and the
month are read by the services, which judge them and name the field at fault."""

from django import forms
from django.utils.translation import gettext_lazy as _

from banyan.accounts.models import User
from banyan.core.forms import CompactFieldsMixin, ServiceErrorsMixin, UserChoiceField
from banyan.targets import selectors


def month_input() -> forms.TextInput:
    return forms.TextInput(attrs={"type": "month", "placeholder": "2026-11"})


def amount_input() -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


class MonthForm(CompactFieldsMixin, forms.Form):
    """`?month=YYYY-MM`; a bad or missing month falls back to the current one (which the
    picker shows when no month is asked for)."""

    month = forms.CharField(label=_("Month"), required=False, widget=month_input())

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["month"].widget.attrs["class"] = "form-control form-control-sm"
        current = f"{selectors.current_month(user):%Y-%m}"
        self.fields["month"].initial = current
        if self.is_bound and not self.data.get("month"):
            self.data = self.data.copy()
            self.data["month"] = current

    def clean_month(self):
        value = self.cleaned_data.get("month") or ""
        if not value:
            return None
        month = selectors.parse_month(value)
        if month is None:
            raise forms.ValidationError(_("Enter a month as YYYY-MM, e.g. 2026-11."))
        return month

    def chosen_month(self):
        if self.is_bound and self.is_valid() and self.cleaned_data.get("month"):
            return self.cleaned_data["month"]
        return selectors.current_month(self.user)


class TargetForm(ServiceErrorsMixin, forms.Form):
    """Set (create or update) one person's or group's target for a month."""

    service_field_names = {"target_user": "target_user"}

    target_user = UserChoiceField(
        label=_("Person"),
        queryset=None,
        error_messages={
            "required": _("Choose the person."),
            "invalid_choice": _("Choose a person below you."),
        },
    )
    is_group = forms.BooleanField(
        label=_("Group target (the person and everyone below them)"), required=False
    )
    month = forms.CharField(
        label=_("Month"),
        widget=month_input(),
        error_messages={"required": _("Choose a month, e.g. 2026-11.")},
    )
    payment_amount = forms.CharField(
        label=_("Payment target (CNY)"),
        max_length=30,
        widget=amount_input(),
        error_messages={"required": _("Enter an amount, e.g. 12000.00.")},
    )
    contract_amount = forms.CharField(
        label=_("Contract target (CNY)"),
        max_length=30,
        widget=amount_input(),
        error_messages={"required": _("Enter an amount, e.g. 12000.00.")},
    )

    def __init__(self, *args, user: User, month=None, **kwargs):
        if month is not None:
            kwargs.setdefault("initial", {"month": month.strftime("%Y-%m")})
        super().__init__(*args, **kwargs)
        self.fields["target_user"].queryset = selectors.settable_users(user)

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "target_user": data["target_user"],
            "is_group": data["is_group"],
            "month": data["month"],
            "payment_amount": data["payment_amount"],
            "contract_amount": data["contract_amount"],
        }
