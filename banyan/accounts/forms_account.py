"""Forms of the account pages (users, company profile, modules, data dictionary).

They only parse input into types; every rule is the services' job. A refusal from a
service is put back on the form with `add_service_errors`, so the page shows it beside the
field at fault and keeps what the user typed.
"""

import datetime
import zoneinfo

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from banyan.accounts import selectors
from banyan.accounts.dictionary import KINDS_WITH_PROBABILITY
from banyan.accounts.models import SPECIAL_PERMISSIONS, Role, User
from banyan.core.forms import ServiceErrorsMixin, UserChoiceField

# The zones offered on the company profile; a company's current zone is always added.
COMMON_TIME_ZONES = [
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Macau",
    "Asia/Taipei",
    "Asia/Urumqi",
    "Asia/Singapore",
    "Asia/Kuala_Lumpur",
    "Asia/Bangkok",
    "Asia/Ho_Chi_Minh",
    "Asia/Jakarta",
    "Asia/Manila",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Europe/Moscow",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/London",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
]


class UserForm(ServiceErrorsMixin, forms.Form):
    """Create (with a password) or edit a user of the actor's company."""

    username = forms.CharField(
        label=_("Username"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 50}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    real_name = forms.CharField(
        label=_("Real name"), required=False, widget=forms.TextInput(attrs={"maxlength": 50})
    )
    mobile = forms.CharField(
        label=_("Mobile"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.CharField(
        label=_("E-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.SALES)
    superior = UserChoiceField(
        label=_("Superior"),
        queryset=None,
        required=False,
        empty_label=_("— nobody (bosses only) —"),
        help_text=_(
            "Directors report to a boss, managers to a director, sales to a boss, a director "
            "or a manager."
        ),
    )
    assistant_of = UserChoiceField(
        label=_("Assistant of"),
        queryset=None,
        required=False,
        empty_label=_("— not an assistant —"),
        help_text=_("An assistant sees what their director or manager sees."),
    )
    is_admin = forms.BooleanField(
        label=_("Account administrator (bosses only)"),
        required=False,
    )
    permissions = forms.MultipleChoiceField(
        label=_("Special permissions"),
        choices=SPECIAL_PERMISSIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, actor: User, user: User | None = None, **kwargs):
        if user is not None:
            kwargs.setdefault(
                "initial",
                {
                    "username": user.username,
                    "real_name": user.real_name,
                    "mobile": user.mobile,
                    "email": user.email,
                    "role": user.role,
                    "superior": user.superior_id,
                    "assistant_of": user.assistant_of_id,
                    "is_admin": user.is_admin,
                    "permissions": list(user.user_permissions.values_list("codename", flat=True)),
                },
            )
        super().__init__(*args, **kwargs)
        users = selectors.company_users(actor)
        keep_superior = Q(is_active=True)
        keep_principal = Q(is_active=True, role__in=[Role.DIRECTOR, Role.MANAGER])
        if user is not None:
            # An inactive user's current places stay selectable, so the form still saves.
            keep_superior |= Q(pk=user.superior_id)
            keep_principal |= Q(pk=user.assistant_of_id)
            users = users.exclude(pk=user.pk)
            del self.fields["password"]
        by_name = ("real_name", "username")
        self.fields["superior"].queryset = users.filter(keep_superior).order_by(*by_name)
        self.fields["assistant_of"].queryset = users.filter(keep_principal).order_by(*by_name)


class UserDeactivateForm(ServiceErrorsMixin, forms.Form):
    hand_over_to = UserChoiceField(
        label=_("Hand over to"),
        queryset=None,
        required=False,
        empty_label=_("— nobody: records stay with the leaving user —"),
        help_text=_(
            "Optional. Records that can be handed over move to this user; everything else "
            "stays, visible up the reporting line."
        ),
    )

    def __init__(self, *args, actor: User, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hand_over_to"].queryset = (
            selectors.company_users(actor)
            .filter(is_active=True)
            .exclude(pk=user.pk)
            .order_by("real_name", "username")
        )


class UserPasswordForm(ServiceErrorsMixin, forms.Form):
    password = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    password_again = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


def _utc_offset(zone_name: str) -> str:
    try:
        offset = datetime.datetime.now(zoneinfo.ZoneInfo(zone_name)).utcoffset()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return ""
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def time_zone_choices(current: str = "") -> list[tuple[str, str]]:
    names = list(COMMON_TIME_ZONES)
    if current and current not in names:
        names.insert(0, current)
    return [
        (name, f"{name} ({_utc_offset(name)})" if _utc_offset(name) else name) for name in names
    ]


class CompanyProfileForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(
        label=_("Company name"), widget=forms.TextInput(attrs={"maxlength": 100})
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        initial="Asia/Shanghai",
        help_text=_("Dates and times are shown in this zone."),
    )
    contact_name = forms.CharField(label=_("Contact person"), required=False)
    contact_email = forms.CharField(
        label=_("Contact e-mail"), required=False, widget=forms.EmailInput
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"), required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )

    def __init__(self, *args, current_time_zone: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices(current_time_zone)


class LogoForm(ServiceErrorsMixin, forms.Form):
    logo = forms.FileField(
        label=_("New logo"),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        help_text=_("A PNG, JPEG or WebP image of at most 2 MB; it is resized to fit 480×160."),
    )


class ModulesForm(ServiceErrorsMixin, forms.Form):
    uses_contracts = forms.BooleanField(label=_("Contracts"), required=False)
    uses_orders = forms.BooleanField(label=_("Orders"), required=False)
    uses_customer_tracking = forms.BooleanField(label=_("Customer-based tracking"), required=False)
    uses_opportunity_tracking = forms.BooleanField(
        label=_("Opportunity-based tracking (sales opportunities)"), required=False
    )
    uses_inventory = forms.BooleanField(label=_("Inventory"), required=False)
    hot_customer_cap = forms.IntegerField(
        label=_("Hot customers per sales rep"),
        help_text=_("How many customers each rep may mark as hot (1 to 1000)."),
    )
    payment_reminder_days = forms.IntegerField(
        label=_("Payment reminder (days ahead)"),
        required=False,
        help_text=_("A payment plan due within this many days reminds its owner once (1 to 365)."),
    )
    signing_makes_regular = forms.BooleanField(
        label=_("Signing makes a potential customer regular"),
        required=False,
        help_text=_(
            "When a contract or order is signed, a potential customer becomes a regular one."
        ),
    )
    allow_invoice_ahead = forms.BooleanField(
        label=_("Invoices may run ahead of payments"),
        required=False,
        help_text=_("Off: finance can invoice at most what the customer has paid."),
    )
    contract_number_prefix = forms.CharField(
        label=_("Contract number prefix"),
        required=False,
        max_length=10,
        help_text=_("New contracts are numbered with it, e.g. HT000001."),
    )
    order_number_prefix = forms.CharField(
        label=_("Order number prefix"),
        required=False,
        max_length=10,
        help_text=_("New orders are numbered with it, e.g. DD000001."),
    )


class DictionaryOptionForm(ServiceErrorsMixin, forms.Form):
    label = forms.CharField(label=_("Label"), widget=forms.TextInput(attrs={"maxlength": 50}))
    probability = forms.IntegerField(
        label=_("Default probability (%)"),
        required=False,
        widget=forms.NumberInput(attrs={"min": 0, "max": 100}),
    )

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        if kind not in KINDS_WITH_PROBABILITY:
            del self.fields["probability"]
