"""Forms of the purchasing pages. They carry what people type to the services, which judge it:
quantities, prices and dates are read by `core.values` there, and every refusal comes back on
its field (a line's on the lines).

Choices (suppliers, warehouses, products) are plain choice lists built from the selectors, so
an id no key can hold is just "not one of the choices", never a database error. A purchase
price is a cost: for users who may not see costs the lines have no price field at all.
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from banyan.accounts.models import User
from banyan.core.errors import DomainError
from banyan.core.forms import ServiceErrorsMixin
from banyan.inventory import selectors as inventory_selectors
from banyan.products import selectors as product_selectors
from banyan.products.models import Product
from banyan.purchasing import selectors
from banyan.purchasing.models import PurchaseOrder, Supplier

MAX_LINES = 100
PAGE_SIZES = (20, 50, 100)


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def decimal_input(**attrs) -> forms.TextInput:
    return forms.TextInput(
        attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": 30, **attrs}
    )


def plain_quantity(value: Decimal) -> str:
    """10.00 → "10", 2.50 → "2.5": a quantity as people type it."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _is_zero(text) -> bool:
    """Blank or a zero: "not this line" (anything else goes to the service to judge)."""
    text = str(text or "").strip()
    if not text:
        return True
    try:
        return Decimal(text) == 0
    except InvalidOperation:
        return False


def _cleaned(form: forms.Form) -> dict:
    """The valid fields of a filter form: an invalid filter is simply not applied."""
    form.is_valid()
    return {k: v for k, v in getattr(form, "cleaned_data", {}).items() if k not in form.errors}


def _int_or_none(value):
    return int(value) if value else None


def _closed(name: str) -> str:
    return _("%(name)s (inactive)") % {"name": name}


# --- suppliers ----------------------------------------------------------------------------


class SupplierForm(ServiceErrorsMixin, forms.Form):
    """Add or change a supplier (purchasing staff)."""

    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        widget=forms.TextInput(attrs={"maxlength": 200}),
        error_messages={"required": _("Enter the supplier's name.")},
    )
    contact_name = forms.CharField(
        label=_("Contact person"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"maxlength": 100}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"maxlength": 30, "type": "tel", "autocomplete": "off"}),
    )
    email = forms.CharField(
        label=_("E-mail"),
        required=False,
        max_length=254,
        widget=forms.TextInput(attrs={"maxlength": 254, "type": "email", "autocomplete": "off"}),
    )
    address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"maxlength": 255}),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Terms of payment, delivery times, what they supply…"),
    )
    is_active = forms.BooleanField(
        label=_("Active (new purchase orders may name it)"), required=False, initial=True
    )

    def __init__(self, *args, supplier: Supplier | None = None, **kwargs):
        if supplier is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": supplier.name,
                    "contact_name": supplier.contact_name,
                    "phone": supplier.phone,
                    "email": supplier.email,
                    "address": supplier.address,
                    "notes": supplier.notes,
                    "is_active": supplier.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        if supplier is None:
            del self.fields["is_active"]

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


ACTIVE_CHOICES = [("", _("Active and inactive")), ("yes", _("Active")), ("no", _("Inactive"))]


class SupplierFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    active = forms.ChoiceField(label=_("Status"), required=False, choices=ACTIVE_CHOICES)
    page_size = forms.TypedChoiceField(
        label=_("Per page"),
        required=False,
        coerce=int,
        choices=[(size, size) for size in PAGE_SIZES],
    )

    def filters(self) -> dict:
        data = _cleaned(self)
        return {
            "search": data.get("q") or "",
            "active": {"yes": True, "no": False}.get(data.get("active") or ""),
        }

    def rows_per_page(self) -> int:
        return _cleaned(self).get("page_size") or PAGE_SIZES[0]


# --- purchase orders ----------------------------------------------------------------------


class PurchaseOrderForm(ServiceErrorsMixin, forms.Form):
    """The header of a purchase order: supplier, receiving warehouse, dates, note. The lines
    are a formset beside it; the service's messages about them are kept in `line_errors`."""

    supplier = forms.ChoiceField(
        label=_("Supplier"),
        error_messages={"required": _("Choose an active supplier from the list.")},
    )
    warehouse = forms.ChoiceField(
        label=_("Receiving warehouse"),
        error_messages={"required": _("Choose a warehouse from the list.")},
    )
    ordered_on = forms.DateField(
        label=_("Order date"),
        required=False,
        widget=date_input(),
        help_text=_("Leave empty: the day the order is placed."),
    )
    expected_on = forms.DateField(label=_("Expected delivery"), required=False, widget=date_input())
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args,
        user: User,
        order: PurchaseOrder | None = None,
        supplier: Supplier | None = None,
        **kwargs,
    ):
        if order is not None:
            kwargs.setdefault(
                "initial",
                {
                    "supplier": str(order.supplier_id),
                    "warehouse": str(order.warehouse_id),
                    "ordered_on": order.ordered_on,
                    "expected_on": order.expected_on,
                    "note": order.note,
                },
            )
        elif supplier is not None:
            kwargs.setdefault("initial", {"supplier": str(supplier.pk)})
        super().__init__(*args, **kwargs)
        self.line_errors: list[str] = []
        # An edit keeps the current supplier and warehouse selectable, so the form still saves
        # (the service then says what is wrong with them).
        keep_supplier = Q(is_active=True)
        keep_warehouse = Q(is_active=True)
        if order is not None:
            keep_supplier |= Q(pk=order.supplier_id)
            keep_warehouse |= Q(pk=order.warehouse_id)
        suppliers = selectors.company_suppliers(user).filter(keep_supplier).order_by("name", "id")
        warehouses = (
            inventory_selectors.company_warehouses(user)
            .filter(keep_warehouse)
            .order_by("name", "id")
        )
        self.fields["supplier"].choices = [("", _("— choose a supplier —"))] + [
            (str(s.pk), s.name if s.is_active else _closed(s.name)) for s in suppliers
        ]
        warehouses = list(warehouses)
        self.has_warehouses = bool(warehouses)
        empty = [] if len(warehouses) == 1 else [("", _("— choose a warehouse —"))]
        self.fields["warehouse"].choices = empty + [
            (str(w.pk), w.name if w.is_active else _closed(w.name)) for w in warehouses
        ]

    def service_fields(self) -> dict:
        return {
            "supplier": int(self.cleaned_data["supplier"]),
            "warehouse": int(self.cleaned_data["warehouse"]),
            "ordered_on": self.cleaned_data.get("ordered_on"),
            "expected_on": self.cleaned_data.get("expected_on"),
            "note": self.cleaned_data.get("note") or "",
        }

    def add_service_errors(self, exc: DomainError) -> None:
        """Each message on its field; the lines' messages apart, shown above the lines."""
        for field, messages in exc.as_dict().items():
            if field == "lines":
                self.line_errors.extend(messages)
                continue
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)


LINE_FIELDS = ("product", "quantity", "unit_price")


class PurchaseLineForm(forms.Form):
    """One line as typed: product, quantity and (for those who may see costs) the purchase
    price. The service checks it and names the line in its messages."""

    product = forms.ChoiceField(label=_("Product"), required=False)
    quantity = forms.CharField(
        label=_("Quantity"), required=False, max_length=30, widget=decimal_input()
    )
    unit_price = forms.CharField(
        label=_("Purchase price"),
        required=False,
        max_length=30,
        widget=decimal_input(placeholder=_("Product cost")),
    )

    def __init__(self, *args, product_choices=(), sees_costs: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", _("— choose a product —")), *product_choices]
        if not sees_costs:
            del self.fields["unit_price"]

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(str(data.get(name) or "").strip() for name in LINE_FIELDS)

    def line(self) -> dict:
        """The line as the service takes it: without a price (the service then keeps the
        agreed price or takes the product's cost) when none was typed or none may be."""
        line = {
            "product": self.cleaned_data.get("product") or "",
            "quantity": (self.cleaned_data.get("quantity") or "").strip(),
        }
        price = (self.cleaned_data.get("unit_price") or "").strip()
        if price:
            line["unit_price"] = price
        return line


class BasePurchaseLineFormSet(forms.BaseFormSet):
    def lines(self) -> list[dict]:
        """The lines to save, in the order shown: blank and removed rows left out."""
        return [
            form.line()
            for form in self.forms
            if hasattr(form, "cleaned_data")
            and not form.cleaned_data.get("DELETE")
            and not form.is_blank()
        ]


def _posted_products(data) -> set[int]:
    """The products chosen on the posted rows, so a choice stays on screen after an error."""
    chosen = set()
    for key, value in (data or {}).items():
        if key.startswith("lines-") and key.endswith("-product"):
            try:
                chosen.add(int(value))
            except (TypeError, ValueError):
                continue
    return {pk for pk in chosen if 0 < pk < 2**63}


def product_label(product: Product) -> str:
    label = f"{product.code} {product.name}"
    if product.spec:
        label += f" ({product.spec})"
    if product.unit:
        label += f" · {product.unit}"
    return label


def line_formset(data=None, *, user: User, lines=(), extra: int | None = None):
    """The lines' formset: the rows of `lines` (an order's), then empty rows to fill.

    Products offered: the active goods of the catalogue, plus those the order already holds
    and those just posted (of the user's company), so an edit still saves and a refused choice
    stays selected. No cost appears in a product's label."""
    sees_costs = product_selectors.sees_costs(user)
    held = {line.product_id for line in lines} | _posted_products(data)
    products = product_selectors.company_products(user).filter(
        Q(is_active=True, kind=Product.Kind.PHYSICAL) | Q(pk__in=held)
    )
    choices = [
        (str(product.pk), product_label(product)) for product in products.order_by("code", "id")
    ]
    initial = []
    for line in lines:
        row = {"product": str(line.product_id), "quantity": plain_quantity(line.quantity)}
        if sees_costs:
            row["unit_price"] = line.unit_price
        initial.append(row)
    if extra is None:
        extra = 1 if initial else 3
    extra = max(0, min(extra, MAX_LINES - len(initial)))
    formset_class = forms.formset_factory(
        PurchaseLineForm,
        formset=BasePurchaseLineFormSet,
        extra=extra,
        can_delete=True,
        max_num=MAX_LINES,
        absolute_max=MAX_LINES + 1,
    )
    return formset_class(
        data,
        initial=initial or None,
        prefix="lines",
        form_kwargs={"product_choices": choices, "sees_costs": sees_costs},
    )


def with_one_more_line(data):
    """The posted data with one more empty row: "add a line" without JavaScript."""
    data = data.copy()
    try:
        total = int(data.get("lines-TOTAL_FORMS", 0))
    except (TypeError, ValueError):
        total = 0
    data["lines-TOTAL_FORMS"] = str(max(0, min(total, MAX_LINES - 1)) + 1)
    return data


class ReceiveForm(forms.Form):
    """The quantity of each line to receive now, by default what is still outstanding (and
    not already on a slip waiting for a keeper). Fields are named `quantity_<line id>`; a line
    with nothing left to receive has none."""

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            if line.receivable > 0:
                self.fields[f"quantity_{line.pk}"] = forms.CharField(
                    label=_("Quantity of %(product)s to receive") % {"product": line.product.name},
                    required=False,
                    max_length=30,
                    initial=plain_quantity(line.receivable),
                    widget=decimal_input(),
                )

    @property
    def has_lines(self) -> bool:
        return bool(self.fields)

    def rows(self) -> list[tuple]:
        """(line, its quantity field or None) per line, for the template."""
        return [
            (line, self[f"quantity_{line.pk}"] if f"quantity_{line.pk}" in self.fields else None)
            for line in self.lines
        ]

    def clean(self):
        cleaned = super().clean()
        if self.fields and all(_is_zero(cleaned.get(name)) for name in self.fields):
            raise forms.ValidationError(_("Enter the quantity received on at least one line."))
        return cleaned

    def service_lines(self) -> list[dict]:
        return [
            {"line": line.pk, "quantity": quantity.strip()}
            for line in self.lines
            if f"quantity_{line.pk}" in self.fields
            and not _is_zero(quantity := self.cleaned_data.get(f"quantity_{line.pk}", ""))
        ]

    def add_service_errors(self, exc: DomainError) -> None:
        for messages in exc.as_dict().values():
            for message in messages:
                self.add_error(None, message)


class PurchaseOrderFilterForm(forms.Form):
    SORTS = [
        ("-created_at", _("Newest first")),
        ("created_at", _("Oldest first")),
        ("-ordered_on", _("Order date, latest first")),
        ("ordered_on", _("Order date, earliest first")),
        ("number", _("Number")),
    ]

    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *PurchaseOrder.Status.choices],
    )
    supplier = forms.ChoiceField(label=_("Supplier"), required=False)
    warehouse = forms.ChoiceField(label=_("Warehouse"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORTS)
    page_size = forms.TypedChoiceField(
        label=_("Per page"),
        required=False,
        coerce=int,
        choices=[(size, size) for size in PAGE_SIZES],
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].choices = [("", _("All suppliers"))] + [
            (str(pk), name if active else _closed(name))
            for pk, name, active in selectors.company_suppliers(user)
            .order_by("name", "id")
            .values_list("pk", "name", "is_active")
        ]
        self.fields["warehouse"].choices = [("", _("All warehouses"))] + [
            (str(pk), name)
            for pk, name in inventory_selectors.company_warehouses(user)
            .order_by("name", "id")
            .values_list("pk", "name")
        ]

    def filters(self) -> dict:
        data = _cleaned(self)
        return {
            "search": data.get("q") or "",
            "status": data.get("status") or "",
            "supplier_id": _int_or_none(data.get("supplier")),
            "warehouse_id": _int_or_none(data.get("warehouse")),
            "ordering": data.get("sort") or "-created_at",
        }

    def rows_per_page(self) -> int:
        return _cleaned(self).get("page_size") or PAGE_SIZES[0]
