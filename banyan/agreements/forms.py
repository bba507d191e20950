"""Forms of the contract and order pages. They parse input into types; the services judge it.

A line's product, quantity, price and discount are passed on as typed, so the service's
messages ("Line 2, quantity: …") name the line and the field, and nothing typed is lost.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from banyan.accounts import selectors as account_selectors
from banyan.accounts.models import User
from banyan.agreements import selectors
from banyan.agreements.models import Agreement
from banyan.agreements.services import MAX_CONTRACT_LINES, MAX_ORDER_LINES
from banyan.core.errors import DomainError
from banyan.core.forms import (
    CompactFieldsMixin,
    IdField,
    ServiceErrorsMixin,
    UserChoiceField,
    team_field,
)
from banyan.customers import selectors as customer_selectors
from banyan.products import selectors as product_selectors


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _decimal_input(**attrs) -> forms.TextInput:
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", **attrs})


class CustomerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class AgreementForm(ServiceErrorsMixin, forms.Form):
    """The header of a contract or an order, and its whole discount. On an edit form the
    customer is fixed, and the discount goes once the agreement is signed."""

    number = forms.CharField(
        label=_("Number"),
        required=False,
        max_length=50,
        help_text=_("Leave blank to give it the next number."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    customer = CustomerChoiceField(
        label=_("Customer"), queryset=None, empty_label=_("— choose a customer —")
    )
    owner = UserChoiceField(
        label=_("Owner"),
        queryset=None,
        required=False,
        empty_label=_("— the default owner —"),
        help_text=_(
            "By default you, when the customer is in your line; otherwise the customer's owner."
        ),
    )
    signed_on = forms.DateField(label=_("Signing date"), required=False, widget=_date_input())
    starts_on = forms.DateField(label=_("Start date"), required=False, widget=_date_input())
    ends_on = forms.DateField(label=_("End date"), required=False, widget=_date_input())
    terms = forms.CharField(
        label=_("Terms"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    discount_percent = forms.CharField(
        label=_("Whole discount (%)"),
        required=False,
        max_length=20,
        widget=_decimal_input(placeholder="0"),
        help_text=_("Taken off the lines' total, e.g. 5 for 5%."),
    )

    def __init__(
        self,
        *args,
        user: User,
        kind: str,
        customer=None,
        agreement: Agreement | None = None,
        **kwargs,
    ):
        if agreement is not None:
            kwargs.setdefault(
                "initial",
                {
                    "number": agreement.number,
                    "title": agreement.title,
                    "owner": agreement.owner_id,
                    "signed_on": agreement.signed_on,
                    "starts_on": agreement.starts_on,
                    "ends_on": agreement.ends_on,
                    "terms": agreement.terms,
                    "discount_percent": agreement.discount_percent,
                },
            )
        elif customer is not None:
            kwargs.setdefault("initial", {"customer": customer.pk})
        super().__init__(*args, **kwargs)
        self.user = user
        self.kind = kind
        self.agreement = agreement
        self.line_errors: list[str] = []
        keep_owner = Q(pk__in=account_selectors.assignable_users(user).values("pk"))
        if agreement is not None:
            del self.fields["customer"]
            keep_owner |= Q(pk=agreement.customer.owner_id) | Q(pk=agreement.owner_id)
            self.fields["number"].required = True
            self.fields["number"].help_text = ""
            self.fields["owner"].required = True
            self.fields["owner"].empty_label = None
            self.fields["owner"].help_text = ""
            if not agreement.lines_editable:
                del self.fields["discount_percent"]
        else:
            customers = customer_selectors.editable_customers(user)
            self.fields["customer"].queryset = customers.order_by("name", "id")
            chosen = self._chosen_customer_id(customer)
            if chosen is not None:
                keep_owner |= Q(pk__in=customers.filter(pk=chosen).values("owner_id"))
        self.fields["owner"].queryset = (
            account_selectors.company_users(user)
            .filter(keep_owner)
            .order_by("real_name", "username")
        )

    def _chosen_customer_id(self, customer) -> int | None:
        if self.is_bound:
            value = self.data.get(self.add_prefix("customer"))
        else:
            value = self.initial.get("customer")
        if value in (None, ""):
            return customer.pk if customer is not None else None
        try:
            return int(value)
        except (TypeError, ValueError):
            return None

    def service_fields(self) -> dict:
        """The cleaned header as the services take it (not the customer)."""
        data = dict(self.cleaned_data)
        data.pop("customer", None)
        if data.get("owner") is None:
            data.pop("owner", None)
        if "discount_percent" in data and data["discount_percent"] == "":
            data["discount_percent"] = "0"
        return data

    def add_service_errors(self, exc: DomainError) -> None:
        """Each message on its field; the lines' messages apart, shown above the lines."""
        for field, messages in exc.as_dict().items():
            if field == "lines":
                self.line_errors.extend(messages)
                continue
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)


class ProductSelect(forms.Select):
    """The product of a line: each option carries its list price (`data-price`), which the
    page's script puts into an empty unit price."""

    def __init__(self, *args, prices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.prices = prices or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        price = self.prices.get(str(value))
        if price is not None:
            option["attrs"]["data-price"] = str(price)
        return option


LINE_FIELDS = ("product", "quantity", "unit_price", "discount_percent", "description")


class LineForm(forms.Form):
    """One line as typed: checked by the service, which names the line in its messages."""

    product = forms.CharField(label=_("Product"), required=False)
    quantity = forms.CharField(
        label=_("Quantity"), required=False, max_length=30, initial="1", widget=_decimal_input()
    )
    unit_price = forms.CharField(
        label=_("Unit price"),
        required=False,
        max_length=30,
        widget=_decimal_input(),
        help_text=_("Blank: the product's list price."),
    )
    discount_percent = forms.CharField(
        label=_("Discount (%)"),
        required=False,
        max_length=20,
        widget=_decimal_input(placeholder="0"),
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 255}),
    )

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— choose a product —"))]
        prices = {}
        for product in products:
            label = f"{product.code} {product.name}"
            if product.spec:
                label += f" ({product.spec})"
            choices.append((str(product.pk), f"{label} · ¥{product.list_price}/{product.unit}"))
            prices[str(product.pk)] = product.list_price
        self.fields["product"].widget = ProductSelect(choices=choices, prices=prices)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        typed = [data.get(name) or "" for name in LINE_FIELDS if name != "quantity"]
        return not any(str(value).strip() for value in typed) and str(
            data.get("quantity") or ""
        ).strip() in ("", "1")

    def line(self) -> dict:
        return {name: self.cleaned_data.get(name) or "" for name in LINE_FIELDS}


class BaseLineFormSet(forms.BaseFormSet):
    def lines(self) -> list[dict]:
        """The lines to save, in the order shown: blank and removed rows left out."""
        lines = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data"):
                continue
            if form.cleaned_data.get("DELETE") or form.is_blank():
                continue
            lines.append(form.line())
        return lines


def max_lines(kind: str) -> int:
    return MAX_CONTRACT_LINES if kind == Agreement.Kind.CONTRACT else MAX_ORDER_LINES


def _posted_products(data) -> set[int]:
    """The products chosen on the posted rows, so a refused choice stays selected."""
    if not data:
        return set()
    chosen = set()
    for key, value in data.items():
        if key.startswith("lines-") and key.endswith("-product"):
            try:
                chosen.add(int(value))
            except (TypeError, ValueError):
                continue
    return {pk for pk in chosen if 0 < pk < 2**63}


def line_formset(
    data=None, *, user: User, kind: str, agreement: Agreement | None = None, lines=(), extra=None
):
    """The lines' formset: the rows of `lines` (an agreement's), then empty rows to fill.

    Products offered: the active ones the kind may sell (services for a contract), plus the
    products the agreement already holds, even if no longer sold, so an edit still saves,
    and those of the company just posted, so a refused choice stays on screen.
    More rows than a contract allows are still accepted, so the service says why not."""
    limit = max_lines(kind)
    products = product_selectors.products_for_lines(
        user, services_only=kind == Agreement.Kind.CONTRACT
    )
    held = {line.product_id for line in lines} | _posted_products(data)
    if held:
        products = (
            products | product_selectors.company_products(user).filter(pk__in=held)
        ).order_by("code", "id")
    initial = [
        {
            "product": str(line.product_id),
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount_percent": line.discount_percent,
            "description": line.description,
        }
        for line in lines
    ]
    if extra is None:
        extra = (1 if kind == Agreement.Kind.CONTRACT else 3) if not initial else 1
    extra = max(0, min(extra, limit - len(initial)))
    formset_class = forms.formset_factory(
        LineForm,
        formset=BaseLineFormSet,
        extra=extra,
        can_delete=True,
        max_num=limit,
        absolute_max=MAX_ORDER_LINES + 1,
    )
    return formset_class(
        data,
        initial=initial or None,
        prefix="lines",
        form_kwargs={"products": list(products)},
    )


def with_one_more_line(data):
    """The posted data with one more (empty) row in the lines' formset: "add a line"
    without JavaScript."""
    data = data.copy()
    try:
        total = int(data.get("lines-TOTAL_FORMS", 0))
    except (TypeError, ValueError):
        total = 0
    data["lines-TOTAL_FORMS"] = str(max(0, min(total, MAX_ORDER_LINES)) + 1)
    return data


class StatusForm(forms.Form):
    """One step of an agreement's life: sign (on a date), start, complete."""

    step = forms.ChoiceField(
        choices=[("sign", _("Sign")), ("start", _("Start")), ("complete", _("Complete"))]
    )
    signed_on = forms.CharField(label=_("Signing date"), required=False, max_length=30)


class CancelForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why is the agreement cancelled? The customer, the price, a mistake…"),
    )


class QuickCancelForm(CompactFieldsMixin, CancelForm):
    """The agreement page's short cancel form: the reason in two lines; a refusal comes back
    on the full cancel page (CancelForm)."""

    reason = forms.CharField(
        label=_("Why is it cancelled?"),
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm mb-2"}),
    )


class AttachmentForm(CompactFieldsMixin, forms.Form):
    file = forms.FileField(
        label=_("Attach a file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-sm"}),
        help_text=_("PDF, image, Word, Excel, PowerPoint, ZIP or text; at most 10 MB."),
    )


PAGE_SIZES = (20, 50, 100)


def _only_the_chosen(form: forms.Form, name: str, queryset) -> None:
    """A filter among many rows (a catalogue of thousands of products) that offers only the
    row asked for, and "any": it is set by a link (a report's drill-down), shown so the
    reader sees it and can clear it, and checked against `queryset` like any choice; hidden
    while nothing is asked for (no query, no select of thousands of options)."""
    field = form.fields[name]
    field.queryset = queryset
    value = (form.data or {}).get(form.add_prefix(name)) or ""
    chosen = queryset.filter(pk=int(value)).first() if str(value).isdigit() else None
    if chosen is None:  # nothing to show or clear: the list's controls stay as they were
        field.widget = forms.HiddenInput()
        return
    field.widget.choices = [("", field.empty_label), (chosen.pk, field.label_from_instance(chosen))]


class AgreementFilterForm(CompactFieldsMixin, forms.Form):
    """The list's search, filters and sort; anything invalid is simply not applied."""

    SORTS = [
        ("-created_at", _("Newest first")),
        ("created_at", _("Oldest first")),
        ("-signed_on", _("Signing date, latest first")),
        ("signed_on", _("Signing date, earliest first")),
        ("-amount", _("Amount, largest first")),
        ("amount", _("Amount, smallest first")),
        ("-paid_amount", _("Paid, largest first")),
        ("number", _("Number")),
        ("title", _("Title")),
        ("customer__name", _("Customer")),
        ("owner__real_name", _("Owner")),
        ("status", _("Status")),
    ]
    RECEIVABLE = [("", _("Any")), ("yes", _("Money to collect")), ("no", _("Nothing to collect"))]
    UNINVOICED = [
        ("", _("Any")),
        ("yes", _("Paid, not yet invoiced")),
        ("no", _("Nothing to invoice")),
    ]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(
            attrs={
                "class": "form-control form-control-sm",
                "placeholder": _("Number, title or customer"),
            }
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            *Agreement.Status.choices,
            (selectors.NOT_CANCELLED, _("Any but cancelled")),
        ],
    )
    owner = UserChoiceField(
        label=_("Owner"), queryset=None, required=False, empty_label=_("Everyone I see")
    )
    team = team_field(_("Owned by this person or anyone below them."))
    signed_from = forms.DateField(label=_("Signed from"), required=False, widget=_date_input())
    signed_to = forms.DateField(label=_("Signed until"), required=False, widget=_date_input())
    receivable = forms.ChoiceField(label=_("Receivable"), required=False, choices=RECEIVABLE)
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=None,
        required=False,
        empty_label=_("Any product"),
        help_text=_("Holds a line of this product."),
    )
    category = forms.ModelChoiceField(
        label=_("Product category"),
        queryset=None,
        required=False,
        empty_label=_("Any category"),
        help_text=_("Holds a line of a product of this category (not of its subcategories)."),
    )
    uninvoiced = forms.ChoiceField(label=_("To invoice"), required=False, choices=UNINVOICED)
    customer = IdField(required=False, widget=forms.HiddenInput)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORTS)
    page_size = forms.TypedChoiceField(
        label=_("Per page"),
        required=False,
        coerce=int,
        choices=[(size, size) for size in PAGE_SIZES],
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = selectors.agreement_owners(user)
        self.fields["team"].queryset = selectors.agreement_owners(user)
        _only_the_chosen(self, "product", product_selectors.company_products(user))
        _only_the_chosen(self, "category", product_selectors.company_categories(user))

    def _valid_data(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {k: v for k, v in data.items() if k not in self.errors}

    def filters(self) -> dict:
        """Keyword arguments for `selectors.agreement_list`, only from valid fields."""
        data = self._valid_data()
        receivable = {"yes": True, "no": False}.get(data.get("receivable") or "")
        uninvoiced = {"yes": True, "no": False}.get(data.get("uninvoiced") or "")
        return {
            "search": data.get("q") or "",
            "status": data.get("status") or "",
            "owner_id": data["owner"].pk if data.get("owner") else None,
            "team_path": data["team"].path if data.get("team") else None,
            "signed_from": data.get("signed_from"),
            "signed_to": data.get("signed_to"),
            "receivable": receivable,
            "product_id": data["product"].pk if data.get("product") else None,
            "category_id": data["category"].pk if data.get("category") else None,
            "uninvoiced": uninvoiced,
            "customer_id": data.get("customer") or None,
            "ordering": data.get("sort") or "-created_at",
        }

    def rows_per_page(self) -> int:
        return self._valid_data().get("page_size") or PAGE_SIZES[0]

    def has_filters(self) -> bool:
        data = self._valid_data()
        names = (
            "q",
            "status",
            "owner",
            "team",
            "signed_from",
            "signed_to",
            "receivable",
            "product",
            "category",
            "uninvoiced",
            "customer",
        )
        return any(data.get(name) for name in names)
