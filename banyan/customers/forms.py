"""Forms of the customer and contact pages.

They only parse input into types; the services hold every rule. A refusal from a service is
put back on the form with `add_service_errors`, beside the field at fault, keeping what the
user typed. Choice lists come from selectors, so they respect the company and the user.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from banyan.accounts import selectors as account_selectors
from banyan.accounts.models import User
from banyan.core import forms as core_forms
from banyan.core.forms import (
    COMPACT_SEARCH_TEMPLATE,
    CompactFieldsMixin,
    OptionChoiceField,
    ServiceErrorsMixin,
    day_field,
)
from banyan.customers import selectors as customer_selectors
from banyan.customers.models import Customer, CustomerShare

PAGE_SIZES = (20, 50, 100)


class UserChoiceField(core_forms.UserChoiceField):
    """A choice among colleagues, shown by name alone."""

    show_role = False


def _options(user: User, kind: str, current_id=None):
    """A pick-list's active options, plus the record's current one if it was retired."""
    options = account_selectors.dictionary_options(user, kind)
    return options.filter(Q(is_active=True) | Q(pk=current_id))


def _active_company_users(user: User):
    return (
        account_selectors.company_users(user)
        .filter(is_active=True)
        .order_by("real_name", "username")
    )


# --- customers ------------------------------------------------------------------------

CONTACT_FIELDS = {
    "contact_name": "name",
    "contact_title": "title",
    "contact_mobile": "mobile",
    "contact_email": "email",
}


class CustomerForm(ServiceErrorsMixin, forms.Form):
    """A customer's details; on create also the owner and the first contact."""

    name = forms.CharField(
        label=_("Name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Customer.Kind.choices,
        initial=Customer.Kind.ENTERPRISE,
        widget=forms.RadioSelect,
    )
    type = OptionChoiceField(
        label=_("Customer type"), queryset=None, required=False, empty_label="—"
    )
    source = OptionChoiceField(label=_("Source"), queryset=None, required=False, empty_label="—")
    industry = OptionChoiceField(
        label=_("Industry"), queryset=None, required=False, empty_label="—"
    )
    region = forms.CharField(label=_("Region"), required=False, max_length=100)
    address = forms.CharField(label=_("Address"), required=False, max_length=255)
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.CharField(
        label=_("E-mail"), required=False, max_length=254, widget=forms.EmailInput
    )
    website = forms.CharField(label=_("Website"), required=False, max_length=200)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = UserChoiceField(
        label=_("Owner"),
        queryset=None,
        help_text=_("Yourself, or someone below you in the reporting line."),
    )
    contact_name = forms.CharField(label=_("Contact name"), required=False, max_length=100)
    contact_title = forms.CharField(label=_("Job title"), required=False, max_length=100)
    contact_mobile = forms.CharField(
        label=_("Mobile"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    contact_email = forms.CharField(
        label=_("Contact e-mail"), required=False, max_length=254, widget=forms.EmailInput
    )
    confirm_duplicates = forms.BooleanField(
        label=_("I have checked the possible duplicates: save anyway"), required=False
    )

    service_field_names = {f"contacts.0.{name}": field for field, name in CONTACT_FIELDS.items()}

    def __init__(self, *args, user: User, customer: Customer | None = None, **kwargs):
        if customer is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": customer.name,
                    "type": customer.type_id,
                    "source": customer.source_id,
                    "industry": customer.industry_id,
                    "region": customer.region,
                    "address": customer.address,
                    "phone": customer.phone,
                    "email": customer.email,
                    "website": customer.website,
                    "notes": customer.notes,
                },
            )
        else:
            kwargs.setdefault("initial", {"owner": user.pk})
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = _options(
            user, "customer_type", customer.type_id if customer else None
        )
        self.fields["source"].queryset = _options(
            user, "customer_source", customer.source_id if customer else None
        )
        self.fields["industry"].queryset = _options(
            user, "industry", customer.industry_id if customer else None
        )
        if customer is None:
            self.fields["owner"].queryset = account_selectors.assignable_users(user).order_by(
                "path"
            )
        else:
            # The kind stays what it was at creation, the owner changes by transfer, and
            # contacts have their own pages.
            for name in ["kind", "owner", "confirm_duplicates", *CONTACT_FIELDS]:
                del self.fields[name]

    @property
    def contact_fields(self):
        return [self[name] for name in CONTACT_FIELDS if name in self.fields]

    def service_arguments(self) -> dict:
        """The cleaned data as the services take it: the first contact as a list."""
        data = dict(self.cleaned_data)
        data.pop("confirm_duplicates", None)
        contact = {name: data.pop(field, "") for field, name in CONTACT_FIELDS.items()}
        if "owner" in self.fields:
            data["contacts"] = [contact] if any(contact.values()) else []
        return data


def _small_controls(form: forms.Form) -> None:
    """Compact controls for a filter bar."""
    for field in form.fields.values():
        widget = field.widget
        size = "form-select-sm" if isinstance(widget, forms.Select) else "form-control-sm"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {size}".strip()


class CustomerFilterForm(CompactFieldsMixin, forms.Form):
    """The customer list's search box, filters, sort and page size (all optional)."""

    CONTACTED = (
        ("", _("Any time")),
        ("never", _("Never")),
        ("7", _("More than 7 days ago")),
        ("30", _("More than 30 days ago")),
        ("90", _("More than 90 days ago")),
    )
    SORTS = {
        "name": "name",
        "created": "created_at",
        "contacted": "last_contacted_at",
        "owner": "owner__real_name",
    }

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.SearchInput(
            attrs={"placeholder": _("Name, pinyin, initials, phone or contact")}
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Customer.Kind.choices]
    )
    type = OptionChoiceField(
        label=_("Customer type"), queryset=None, required=False, empty_label=_("All types")
    )
    source = OptionChoiceField(
        label=_("Source"), queryset=None, required=False, empty_label=_("All sources")
    )
    industry = OptionChoiceField(
        label=_("Industry"), queryset=None, required=False, empty_label=_("All industries")
    )
    owner = UserChoiceField(
        label=_("Owner"), queryset=None, required=False, empty_label=_("All owners")
    )
    hot = forms.ChoiceField(
        label=_("Hot"),
        required=False,
        choices=[("", _("Hot or not")), ("1", _("Hot only")), ("0", _("Not hot"))],
    )
    contacted = forms.ChoiceField(label=_("Last contacted"), required=False, choices=CONTACTED)
    contacted_from = day_field(_("Last contacted from"))
    contacted_to = day_field(_("Last contacted until"))
    open_task = forms.ChoiceField(
        label=_("Next task"),
        required=False,
        choices=[("", _("Any")), ("none", _("In tracking, no open task"))],
    )
    created_from = day_field(_("Created from"))
    created_to = day_field(_("Created until"))
    region = forms.CharField(label=_("Region"), required=False, max_length=100)
    missing = forms.ChoiceField(
        label=_("Not filled in"),
        required=False,
        choices=[
            ("", _("Any")),
            ("type", _("No customer type")),
            ("source", _("No source")),
            ("industry", _("No industry")),
            ("region", _("No region")),
        ],
    )
    converted_from = day_field(_("Converted from"))
    converted_to = day_field(_("Converted until"))
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    per_page = forms.TypedChoiceField(
        label=_("Per page"),
        required=False,
        coerce=int,
        choices=[(size, size) for size in PAGE_SIZES],
        empty_value=PAGE_SIZES[0],
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        # Retired options too: old customers keep them, and a report's row of one drills
        # down here.
        self.fields["type"].queryset = account_selectors.dictionary_options(user, "customer_type")
        self.fields["source"].queryset = account_selectors.dictionary_options(
            user, "customer_source"
        )
        self.fields["industry"].queryset = account_selectors.dictionary_options(user, "industry")
        self.fields["owner"].queryset = customer_selectors.customer_owner_choices(user)
        self.fields["q"].template_name = COMPACT_SEARCH_TEMPLATE
        _small_controls(self)

    def cleaned(self) -> dict:
        """The valid parts of the query: a bad value is ignored rather than refused."""
        self.is_valid()
        return {
            name: self.cleaned_data.get(name)
            for name in self.fields
            if name not in self.errors and self.cleaned_data.get(name) not in (None, "")
        }

    @property
    def has_filters(self) -> bool:
        data = self.cleaned()
        names = (
            "q",
            "kind",
            "type",
            "source",
            "industry",
            "owner",
            "created_from",
            "created_to",
            "region",
            "missing",
            "converted_from",
            "converted_to",
        )
        return any(name in data for name in names)

    def ordering(self) -> str:
        sort = self.cleaned().get("sort", "")
        descending = sort.startswith("-")
        field = self.SORTS.get(sort.lstrip("-"))
        if field is None:
            return "-created_at"
        return f"-{field}" if descending else field


class BulkActionForm(CompactFieldsMixin, ServiceErrorsMixin, forms.Form):
    """Transfer or share the ticked customers of the list."""

    ACTIONS = (("transfer", _("Transfer to")), ("share", _("Share with")))

    action = forms.ChoiceField(label=_("With the ticked customers"), choices=ACTIONS)
    target = UserChoiceField(
        label=_("Colleague"), queryset=None, empty_label=_("Choose a colleague")
    )
    level = forms.ChoiceField(
        label=_("Sharing level"),
        choices=CustomerShare.Level.choices,
        initial=CustomerShare.Level.VIEW,
        required=False,
        help_text=_("For sharing only."),
    )

    service_field_names = {"owner": "target", "user": "target", "customers": None}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = _active_company_users(user)
        _small_controls(self)


# --- one customer: sharing, transfer --------------------------------------------------


class ShareForm(CompactFieldsMixin, ServiceErrorsMixin, forms.Form):
    user = UserChoiceField(
        label=_("Share with"), queryset=None, empty_label=_("Choose a colleague")
    )
    level = forms.ChoiceField(
        label=_("Level"), choices=CustomerShare.Level.choices, initial=CustomerShare.Level.VIEW
    )

    def __init__(self, *args, user: User, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = _active_company_users(user).exclude(pk=customer.owner_id)


class TransferForm(ServiceErrorsMixin, forms.Form):
    owner = UserChoiceField(
        label=_("New owner"), queryset=None, empty_label=_("Choose a colleague")
    )

    def __init__(self, *args, user: User, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _active_company_users(user).exclude(pk=customer.owner_id)


# --- contacts -------------------------------------------------------------------------


class ContactForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    category = OptionChoiceField(
        label=_("Category"), queryset=None, required=False, empty_label="—"
    )
    title = forms.CharField(label=_("Job title"), required=False, max_length=100)
    mobile = forms.CharField(
        label=_("Mobile"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    email = forms.CharField(
        label=_("E-mail"), required=False, max_length=254, widget=forms.EmailInput
    )
    birthday = forms.DateField(
        label=_("Birthday"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)

    def __init__(self, *args, user: User, contact=None, **kwargs):
        if contact is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": contact.name,
                    "category": contact.category_id,
                    "title": contact.title,
                    "mobile": contact.mobile,
                    "phone": contact.phone,
                    "email": contact.email,
                    "birthday": contact.birthday,
                    "notes": contact.notes,
                    "is_primary": contact.is_primary,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _options(
            user, "contact_category", contact.category_id if contact else None
        )


class ContactFilterForm(forms.Form):
    SORTS = {"name": "name", "customer": "customer__name", "created": "created_at"}

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.SearchInput(attrs={"placeholder": _("Name, mobile, e-mail or customer")}),
    )
    category = OptionChoiceField(
        label=_("Category"), queryset=None, required=False, empty_label=_("All categories")
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
    per_page = forms.TypedChoiceField(
        label=_("Per page"),
        required=False,
        coerce=int,
        choices=[(size, size) for size in PAGE_SIZES],
        empty_value=PAGE_SIZES[0],
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = account_selectors.dictionary_options(
            user, "contact_category", active_only=True
        )
        _small_controls(self)

    def cleaned(self) -> dict:
        self.is_valid()
        return {
            name: self.cleaned_data.get(name)
            for name in self.fields
            if name not in self.errors and self.cleaned_data.get(name) not in (None, "")
        }

    def ordering(self) -> str:
        sort = self.cleaned().get("sort", "")
        field = self.SORTS.get(sort.lstrip("-"))
        if field is None:
            return "name"
        return f"-{field}" if sort.startswith("-") else field
