"""Forms of the finance pages. They carry what people type to the services, which judge it:
amounts and dates are read by `core.values` there, so "12,000" or full-width digits work and
every refusal comes back on its field."""

from django import forms
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from banyan.accounts import selectors as account_selectors
from banyan.accounts.models import User
from banyan.agreements import selectors as agreement_selectors
from banyan.agreements.models import Agreement
from banyan.core.forms import (
    CompactFieldsMixin,
    IdField,
    OptionChoiceField,
    ServiceErrorsMixin,
    UserChoiceField,
    team_field,
)
from banyan.finance import selectors
from banyan.finance.models import UNCOVERED, Invoice, PaymentPlan


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def amount_input() -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


def money(value) -> str:
    return "¥" + number_format(value, decimal_pos=2, force_grouping=True)


class PlanChoiceField(forms.ModelChoiceField):
    """An instalment, shown with its due date and what is still to be paid."""

    def label_from_instance(self, obj) -> str:
        return _("due %(date)s · %(amount)s (outstanding %(outstanding)s)") % {
            "date": obj.due_on.isoformat(),
            "amount": money(obj.amount),
            "outstanding": money(obj.outstanding),
        }


class PlanForm(ServiceErrorsMixin, forms.Form):
    """Add or change one instalment of an agreement's payment plan."""

    due_on = forms.CharField(
        label=_("Due date"),
        widget=date_input(),
        error_messages={"required": _("Enter the due date, e.g. 2026-06-30.")},
    )
    amount = forms.CharField(
        label=_("Amount (CNY)"),
        max_length=30,
        widget=amount_input(),
        error_messages={"required": _("Enter an amount, e.g. 12000.00.")},
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def __init__(self, *args, plan: PaymentPlan | None = None, **kwargs):
        if plan is not None:
            kwargs.setdefault(
                "initial", {"due_on": plan.due_on, "amount": plan.amount, "note": plan.note}
            )
        super().__init__(*args, **kwargs)

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


class PaymentForm(ServiceErrorsMixin, forms.Form):
    """Record a payment on an agreement. Over-payment needs the confirmation box, which the
    form offers once the service has refused the amount for that reason."""

    paid_on = forms.CharField(
        label=_("Payment date"),
        widget=date_input(),
        error_messages={"required": _("Enter the payment date, e.g. 2026-06-30.")},
    )
    amount = forms.CharField(
        label=_("Amount (CNY)"),
        max_length=30,
        widget=amount_input(),
        error_messages={"required": _("Enter an amount, e.g. 12000.00.")},
    )
    method = OptionChoiceField(
        label=_("Payment method"),
        queryset=None,
        empty_label=_("— choose —"),
        error_messages={"required": _("Choose how it was paid.")},
    )
    owner = UserChoiceField(
        label=_("Credited to"),
        queryset=None,
        empty_label=None,
        help_text=_("The sales rep this payment counts for: by default the agreement's owner."),
    )
    plan = PlanChoiceField(
        label=_("Against the instalment"),
        queryset=None,
        required=False,
        empty_label=_("— not against an instalment —"),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=255)
    confirm_overpayment = forms.BooleanField(
        label=_("Confirm the over-payment: record it although it passes the agreement's amount"),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, user: User, agreement: Agreement, plan_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        plans = selectors.agreement_plans(user, agreement).filter(UNCOVERED)
        self.fields["plan"].queryset = plans
        self.fields["method"].queryset = account_selectors.dictionary_options(
            user, "payment_method", active_only=True
        )
        self.fields["owner"].queryset = (
            account_selectors.company_users(user)
            .filter(Q(is_active=True) | Q(pk=agreement.owner_id))
            .order_by("real_name", "username")
        )
        if self.is_bound:
            if self.data.get("confirm_overpayment") in ("on", "True", "true", "1"):
                self.offer_overpayment_confirmation()
            return
        chosen = self._preselected(list(plans), plan_id)
        if chosen is not None:
            amount = chosen.outstanding
        else:
            amount = agreement.receivable if agreement.receivable > 0 else ""
        self.initial.update(
            {
                "paid_on": selectors.today_for(user),
                "amount": amount,
                "owner": agreement.owner_id,
                "plan": chosen.pk if chosen is not None else None,
            }
        )

    @staticmethod
    def _preselected(plans: list[PaymentPlan], plan_id) -> PaymentPlan | None:
        """The instalment asked for (?plan=), else the first one not yet covered."""
        for plan in plans:
            if str(plan.pk) == str(plan_id):
                return plan
        return plans[0] if plans else None

    def offer_overpayment_confirmation(self) -> None:
        self.fields["confirm_overpayment"].widget = forms.CheckboxInput()

    @property
    def offers_overpayment_confirmation(self) -> bool:
        return isinstance(self.fields["confirm_overpayment"].widget, forms.CheckboxInput)

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


class ReverseForm(ServiceErrorsMixin, forms.Form):
    """Reverse a payment: a reason is required; the date defaults to today."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 255}),
        error_messages={"required": _("Say why the payment is reversed.")},
        help_text=_("Kept on the reversing entry, e.g. “recorded twice” or “wrong amount”."),
    )
    paid_on = forms.CharField(
        label=_("Date of the reversal"),
        required=False,
        widget=date_input(),
        help_text=_("Today if left empty."),
    )

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


class InvoiceForm(ServiceErrorsMixin, forms.Form):
    """Record or correct an invoice of an agreement."""

    number = forms.CharField(
        label=_("Invoice number"),
        max_length=50,
        error_messages={"required": _("Enter the invoice number.")},
    )
    type = OptionChoiceField(
        label=_("Invoice type"),
        queryset=None,
        empty_label=_("— choose —"),
        error_messages={"required": _("Choose the invoice type.")},
    )
    title = forms.CharField(
        label=_("Invoice title"),
        max_length=200,
        help_text=_("The buyer's name as printed on the invoice."),
        error_messages={"required": _("Enter the invoice title (the buyer's name).")},
    )
    tax_id = forms.CharField(label=_("Taxpayer id"), required=False, max_length=30)
    amount = forms.CharField(
        label=_("Amount (CNY)"),
        max_length=30,
        widget=amount_input(),
        error_messages={"required": _("Enter an amount, e.g. 12000.00.")},
    )
    issued_on = forms.CharField(
        label=_("Invoice date"),
        widget=date_input(),
        error_messages={"required": _("Enter the invoice date, e.g. 2026-06-30.")},
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=255)

    def __init__(
        self, *args, user: User, agreement: Agreement, invoice: Invoice | None = None, **kw
    ):
        super().__init__(*args, **kw)
        keep = Q(is_active=True)
        if invoice is not None:
            keep |= Q(pk=invoice.type_id)  # a retired type stays selectable on its invoice
        self.fields["type"].queryset = account_selectors.dictionary_options(
            user, "invoice_type"
        ).filter(keep)
        if self.is_bound:
            return
        if invoice is not None:
            self.initial.update(
                {
                    "number": invoice.number,
                    "type": invoice.type_id,
                    "title": invoice.title,
                    "tax_id": invoice.tax_id,
                    "amount": invoice.amount,
                    "issued_on": invoice.issued_on,
                    "note": invoice.note,
                }
            )
        else:
            self.initial.update(
                {
                    "title": agreement.customer.name,
                    "amount": agreement.uninvoiced if agreement.uninvoiced > 0 else "",
                    "issued_on": selectors.today_for(user),
                }
            )

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


# --- the lists' filters -------------------------------------------------------------------

PAGE_SIZES = (20, 50, 100)


class ListFilterForm(CompactFieldsMixin, forms.Form):
    """Search, filters and sort of a finance list; anything invalid is simply not applied."""

    SORTS: list = []
    DEFAULT_SORT = ""
    SEARCH_PLACEHOLDER = ""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.SearchInput(attrs={"class": "form-control form-control-sm"}),
    )
    owner = UserChoiceField(
        label=_("Owner"), queryset=None, required=False, empty_label=_("Everyone I see")
    )
    customer = IdField(required=False, widget=forms.HiddenInput)
    sort = forms.ChoiceField(label=_("Sort"), required=False)
    page_size = forms.TypedChoiceField(
        label=_("Per page"),
        required=False,
        coerce=int,
        choices=[(size, size) for size in PAGE_SIZES],
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = agreement_selectors.agreement_owners(user)
        self.fields["sort"].choices = self.SORTS
        self.fields["q"].widget.attrs["placeholder"] = self.SEARCH_PLACEHOLDER

    def valid_data(self) -> dict:
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}

    def common_filters(self) -> dict:
        data = self.valid_data()
        return {
            "search": data.get("q") or "",
            "owner_id": data["owner"].pk if data.get("owner") else None,
            "customer_id": data.get("customer") or None,
            "ordering": data.get("sort") or self.DEFAULT_SORT,
        }

    def rows_per_page(self) -> int:
        return self.valid_data().get("page_size") or PAGE_SIZES[0]


class PaymentFilterForm(ListFilterForm):
    SEARCH_PLACEHOLDER = _("Agreement number, customer or note")
    SORTS = [
        ("-paid_on", _("Newest first")),
        ("paid_on", _("Oldest first")),
        ("-amount", _("Amount, largest first")),
        ("amount", _("Amount, smallest first")),
        ("-created_at", _("Recorded, newest first")),
    ]
    DEFAULT_SORT = "-paid_on"

    paid_from = forms.DateField(label=_("Paid from"), required=False, widget=date_input())
    paid_to = forms.DateField(label=_("Paid until"), required=False, widget=date_input())
    method = OptionChoiceField(
        label=_("Method"), queryset=None, required=False, empty_label=_("Any method")
    )
    team = team_field(_("Credited to this person or anyone below them."))
    field_order = ["q", "paid_from", "paid_to", "owner", "team", "method", "sort", "page_size"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["owner"].label = _("Credited to")
        self.fields["team"].queryset = agreement_selectors.agreement_owners(user)
        self.fields["method"].queryset = account_selectors.dictionary_options(
            user, "payment_method"
        )

    def filters(self) -> dict:
        data = self.valid_data()
        return {
            **self.common_filters(),
            "method_id": data["method"].pk if data.get("method") else None,
            "team_path": data["team"].path if data.get("team") else None,
            "paid_from": data.get("paid_from"),
            "paid_to": data.get("paid_to"),
        }


class InvoiceFilterForm(ListFilterForm):
    SEARCH_PLACEHOLDER = _("Invoice number, title, agreement or customer")
    SORTS = [
        ("-issued_on", _("Newest first")),
        ("issued_on", _("Oldest first")),
        ("-amount", _("Amount, largest first")),
        ("amount", _("Amount, smallest first")),
        ("number", _("Invoice number")),
    ]
    DEFAULT_SORT = "-issued_on"

    issued_from = forms.DateField(label=_("Issued from"), required=False, widget=date_input())
    issued_to = forms.DateField(label=_("Issued until"), required=False, widget=date_input())
    type = OptionChoiceField(
        label=_("Invoice type"), queryset=None, required=False, empty_label=_("Any type")
    )
    field_order = ["q", "issued_from", "issued_to", "owner", "type", "sort", "page_size"]

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["type"].queryset = account_selectors.dictionary_options(user, "invoice_type")

    def filters(self) -> dict:
        data = self.valid_data()
        return {
            **self.common_filters(),
            "type_id": data["type"].pk if data.get("type") else None,
            "issued_from": data.get("issued_from"),
            "issued_to": data.get("issued_to"),
        }


class PlanFilterForm(ListFilterForm):
    SEARCH_PLACEHOLDER = _("Agreement number or customer")
    STATES = [
        ("", _("Any state")),
        ("open", _("Not yet covered")),
        ("overdue", _("Overdue")),
        ("due_soon", _("Due within 30 days")),
        ("covered", _("Covered")),
    ]
    SORTS = [
        ("due_on", _("Due date, soonest first")),
        ("-due_on", _("Due date, latest first")),
        ("-amount", _("Amount, largest first")),
        ("amount", _("Amount, smallest first")),
        ("-created_at", _("Newest first")),
    ]
    DEFAULT_SORT = "due_on"

    state = forms.ChoiceField(label=_("State"), required=False, choices=STATES)
    due_from = forms.DateField(label=_("Due from"), required=False, widget=date_input())
    due_to = forms.DateField(label=_("Due until"), required=False, widget=date_input())
    field_order = ["q", "state", "due_from", "due_to", "owner", "sort", "page_size"]

    def filters(self) -> dict:
        data = self.valid_data()
        return {
            **self.common_filters(),
            "state": data.get("state") or "",
            "due_from": data.get("due_from"),
            "due_to": data.get("due_to"),
        }
