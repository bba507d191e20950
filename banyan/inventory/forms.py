"""Forms of the inventory pages. They carry what people type to the services, which judge it:
quantities are read by `core.values` there, and every refusal comes back on its field.

Choices (warehouses, products, keepers) are plain choice lists built from the selectors, so
an id no key can hold is just "not one of the choices", never a database error.
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from banyan.accounts.models import User
from banyan.core.forms import CompactFieldsMixin, ServiceErrorsMixin
from banyan.inventory import selectors
from banyan.inventory.models import StockMovement, StockSlip, Stocktake, Warehouse

MAX_LINES = 100
PAGE_SIZES = (20, 50, 100)


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def quantity_input(**attrs) -> forms.TextInput:
    return forms.TextInput(
        attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": 30, **attrs}
    )


def warehouse_choices(warehouses, *, empty_label=None) -> list[tuple[str, str]]:
    choices = [("", empty_label)] if empty_label is not None else []
    for warehouse in warehouses:
        label = warehouse.name
        if not warehouse.is_active:
            label = _("%(name)s (closed)") % {"name": warehouse.name}
        choices.append((str(warehouse.pk), label))
    return choices


def _cleaned(form: forms.Form) -> dict:
    """The valid fields of a filter form: an invalid filter is simply not applied."""
    form.is_valid()
    return {k: v for k, v in getattr(form, "cleaned_data", {}).items() if k not in form.errors}


def _is_zero(text: str) -> bool:
    """Blank or a zero: "not this line" (anything else goes to the service to judge)."""
    text = (text or "").strip()
    if not text:
        return True
    try:
        return Decimal(text) == 0
    except InvalidOperation:
        return False


def _int_or_none(value):
    return int(value) if value else None


# --- warehouses ---------------------------------------------------------------------------


class WarehouseForm(ServiceErrorsMixin, forms.Form):
    """Create or change a warehouse and choose its keepers (an admin boss)."""

    name = forms.CharField(
        label=_("Name"), max_length=100, widget=forms.TextInput(attrs={"maxlength": 100})
    )
    address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"maxlength": 255}),
    )
    keepers = forms.MultipleChoiceField(
        label=_("Keepers"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Only users with the warehouse keeper permission are listed; an administrator "
            "grants it on the user's page."
        ),
    )
    is_active = forms.BooleanField(
        label=_("Open (slips and counts may use it)"), required=False, initial=True
    )

    def __init__(self, *args, user: User, warehouse: Warehouse | None = None, **kwargs):
        if warehouse is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": warehouse.name,
                    "address": warehouse.address,
                    "keepers": [str(keeper.pk) for keeper in warehouse.keepers.all()],
                    "is_active": warehouse.is_active,
                },
            )
        super().__init__(*args, **kwargs)
        self.editing = warehouse is not None
        self.fields["keepers"].choices = [
            (str(keeper.pk), f"{keeper.display_name} ({keeper.get_role_display()})")
            for keeper in selectors.keeper_candidates(user)
        ]
        if not self.editing:
            del self.fields["is_active"]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["keepers"] = [int(pk) for pk in data.get("keepers") or []]
        return data


# --- lines of products --------------------------------------------------------------------


class ProductLineForm(forms.Form):
    """One row of product + quantity (initial stock, a slip by hand)."""

    product = forms.ChoiceField(label=_("Product"), required=False)
    quantity = forms.CharField(
        label=_("Quantity"), required=False, max_length=30, widget=quantity_input()
    )

    def __init__(self, *args, product_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", _("— choose a product —")), *product_choices]

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("product") and not str(data.get("quantity") or "").strip()

    def line(self) -> dict:
        return {"product": self.cleaned_data["product"], "quantity": self.cleaned_data["quantity"]}


class BaseProductLineFormSet(forms.BaseFormSet):
    def lines(self) -> list[dict]:
        """The rows filled in, in the order shown (blank rows left out)."""
        return [
            form.line()
            for form in self.forms
            if hasattr(form, "cleaned_data") and not form.is_blank()
        ]


def product_choices(user: User) -> list[tuple[str, str]]:
    choices = []
    for product in selectors.stock_products(user):
        label = f"{product.code} {product.name}"
        if product.spec:
            label += f" ({product.spec})"
        if product.unit:
            label += f" · {product.unit}"
        choices.append((str(product.pk), label))
    return choices


def product_line_formset(data=None, *, user: User, extra: int = 5):
    """Rows of product + quantity; the products offered are the active ones that track
    stock (one query)."""
    formset_class = forms.formset_factory(
        ProductLineForm,
        formset=BaseProductLineFormSet,
        extra=extra,
        max_num=MAX_LINES,
        absolute_max=MAX_LINES,
        validate_max=True,
    )
    return formset_class(
        data, prefix="lines", form_kwargs={"product_choices": product_choices(user)}
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


class InitialStockForm(ServiceErrorsMixin, forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"maxlength": 255}),
    )


# --- slips --------------------------------------------------------------------------------


class SlipForm(ServiceErrorsMixin, forms.Form):
    """An inbound or outbound slip by hand: a warehouse the keeper keeps, and why."""

    warehouse = forms.ChoiceField(label=_("Warehouse"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        widget=forms.TextInput(attrs={"maxlength": 255}),
        error_messages={"required": _("Give the reason.")},
    )

    def __init__(self, *args, user: User, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        warehouses = list(selectors.kept_warehouses(user))
        self.has_warehouses = bool(warehouses)
        self.fields["warehouse"].choices = warehouse_choices(
            warehouses, empty_label=_("— choose a warehouse —") if len(warehouses) != 1 else None
        )
        if kind == StockSlip.Kind.INBOUND:
            self.fields["reason"].help_text = _("E.g. goods returned by a customer, found stock.")
        else:
            self.fields["reason"].help_text = _("E.g. samples, damaged goods, internal use.")


class RejectForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        max_length=255,
        widget=forms.TextInput(attrs={"maxlength": 255}),
        error_messages={"required": _("Give the reason.")},
    )


# --- stocktakes ---------------------------------------------------------------------------


class StocktakeStartForm(ServiceErrorsMixin, forms.Form):
    warehouse = forms.ChoiceField(label=_("Warehouse"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"maxlength": 255}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        warehouses = list(selectors.kept_warehouses(user))
        self.has_warehouses = bool(warehouses)
        self.fields["warehouse"].choices = warehouse_choices(
            warehouses, empty_label=_("— choose a warehouse —") if len(warehouses) != 1 else None
        )


class StocktakeCountForm(forms.Form):
    """The counted quantity and reason of each line shown (one page of the count sheet).
    Fields are named `counted_<line id>` and `reason_<line id>`."""

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"counted_{line.pk}"] = forms.CharField(
                label=_("Counted quantity of %(product)s") % {"product": line.product.name},
                required=False,
                max_length=30,
                initial=line.counted_quantity,
                widget=quantity_input(),
            )
            self.fields[f"reason_{line.pk}"] = forms.CharField(
                label=_("Reason for the difference on %(product)s")
                % {"product": line.product.name},
                required=False,
                max_length=255,
                initial=line.reason,
                widget=forms.TextInput(attrs={"maxlength": 255}),
            )

    def rows(self) -> list[tuple]:
        """(line, counted field, reason field) per line, for the template."""
        return [
            (line, self[f"counted_{line.pk}"], self[f"reason_{line.pk}"]) for line in self.lines
        ]

    def counts(self) -> dict:
        return {
            line.pk: {
                "counted": self.cleaned_data.get(f"counted_{line.pk}", "").strip(),
                "reason": self.cleaned_data.get(f"reason_{line.pk}", ""),
            }
            for line in self.lines
        }

    def add_service_errors(self, exc) -> None:
        for messages in exc.as_dict().values():
            for message in messages:
                self.add_error(None, message)


# --- orders -------------------------------------------------------------------------------


class OutboundForm(CompactFieldsMixin, ServiceErrorsMixin, forms.Form):
    """Ask for an order's outbound slip: from which warehouse."""

    warehouse = forms.ChoiceField(
        label=_("Take the goods out of"),
        error_messages={"required": _("Choose a warehouse from the list.")},
    )

    def __init__(self, *args, warehouses, **kwargs):
        super().__init__(*args, **kwargs)
        warehouses = [w for w in warehouses if w.is_active]
        self.fields["warehouse"].choices = warehouse_choices(
            warehouses, empty_label=_("— choose a warehouse —") if len(warehouses) != 1 else None
        )


class ShipmentForm(ServiceErrorsMixin, forms.Form):
    """Ship an order: carrier, tracking number, date, and a quantity per line (by default
    what may ship now). Line fields are named `quantity_<agreement line id>`."""

    carrier = forms.CharField(
        label=_("Carrier"),
        max_length=100,
        widget=forms.TextInput(attrs={"maxlength": 100}),
        error_messages={"required": _("Enter the carrier.")},
    )
    tracking_number = forms.CharField(
        label=_("Tracking number"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"maxlength": 100}),
    )
    shipped_on = forms.CharField(
        label=_("Shipping date"),
        widget=date_input(),
        error_messages={"required": _("Enter the shipping date, e.g. 2026-06-30.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=255,
        widget=forms.TextInput(attrs={"maxlength": 255}),
    )

    def __init__(self, *args, shipping, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shipped_on"].initial = today
        self.shipping = list(shipping)
        for entry in self.shipping:
            self.fields[f"quantity_{entry.line.pk}"] = forms.CharField(
                label=_("Quantity of %(product)s to ship") % {"product": entry.line.product.name},
                required=False,
                max_length=30,
                initial=entry.shippable if entry.shippable > 0 else "",
                widget=quantity_input(),
            )

    def header_fields(self) -> list:
        return [self[name] for name in ("carrier", "tracking_number", "shipped_on", "note")]

    def rows(self) -> list[tuple]:
        return [(entry, self[f"quantity_{entry.line.pk}"]) for entry in self.shipping]

    def service_fields(self) -> dict:
        data = {k: self.cleaned_data[k] for k in ("carrier", "tracking_number", "note")}
        data["shipped_on"] = self.cleaned_data["shipped_on"]
        data["lines"] = [
            {"agreement_line": entry.line.pk, "quantity": quantity}
            for entry in self.shipping
            if not _is_zero(quantity := self.cleaned_data.get(f"quantity_{entry.line.pk}", ""))
        ]
        return data


# --- list filters -------------------------------------------------------------------------


class StockFilterForm(forms.Form):
    SORTS = [
        ("product__code", _("Product code")),
        ("warehouse__name", _("Warehouse")),
        ("-quantity", _("Quantity, largest first")),
        ("quantity", _("Quantity, smallest first")),
    ]

    q = forms.CharField(label=_("Search"), required=False)
    warehouse = forms.ChoiceField(label=_("Warehouse"), required=False)
    low = forms.BooleanField(label=_("Low stock only"), required=False)
    # The warehouses one keeper keeps (a report's drill-down for a keeper's own figures).
    keeper = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORTS)
    page_size = forms.TypedChoiceField(
        label=_("Per page"),
        required=False,
        coerce=int,
        choices=[(size, size) for size in PAGE_SIZES],
    )

    def __init__(self, *args, warehouses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = warehouse_choices(
            warehouses, empty_label=_("All warehouses")
        )

    def filters(self) -> dict:
        data = _cleaned(self)
        return {
            "search": data.get("q") or "",
            "warehouse_id": _int_or_none(data.get("warehouse")),
            "low_only": bool(data.get("low")),
            "keeper_id": data.get("keeper"),
            "ordering": data.get("sort") or "product__code",
        }

    def rows_per_page(self) -> int:
        return _cleaned(self).get("page_size") or PAGE_SIZES[0]


class SlipFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Inbound and outbound")), *StockSlip.Kind.choices],
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *StockSlip.Status.choices],
    )
    warehouse = forms.ChoiceField(label=_("Warehouse"), required=False)

    def __init__(self, *args, warehouses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = warehouse_choices(
            warehouses, empty_label=_("All warehouses")
        )

    def filters(self) -> dict:
        data = _cleaned(self)
        return {
            "search": data.get("q") or "",
            "kind": data.get("kind") or "",
            "status": data.get("status") or "",
            "warehouse_id": _int_or_none(data.get("warehouse")),
        }


class MovementFilterForm(forms.Form):
    q = forms.CharField(label=_("Product"), required=False)
    warehouse = forms.ChoiceField(label=_("Warehouse"), required=False)
    reason = forms.ChoiceField(
        label=_("Reason"),
        required=False,
        choices=[("", _("Any reason")), *StockMovement.Reason.choices],
    )
    direction = forms.ChoiceField(
        label=_("Direction"),
        required=False,
        choices=[("", _("In and out")), ("in", _("Stock in")), ("out", _("Stock out"))],
    )
    moved_from = forms.DateField(label=_("Moved from"), required=False, widget=date_input())
    moved_to = forms.DateField(label=_("Moved until"), required=False, widget=date_input())
    # The warehouses one keeper keeps (a report's drill-down for a keeper's own figures).
    keeper = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, warehouses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = warehouse_choices(
            warehouses, empty_label=_("All warehouses")
        )

    def filters(self) -> dict:
        data = _cleaned(self)
        return {
            "search": data.get("q") or "",
            "warehouse_id": _int_or_none(data.get("warehouse")),
            "reason": data.get("reason") or "",
            "direction": data.get("direction") or "",
            "moved_from": data.get("moved_from"),
            "moved_to": data.get("moved_to"),
            "keeper_id": data.get("keeper"),
        }


class StocktakeFilterForm(forms.Form):
    warehouse = forms.ChoiceField(label=_("Warehouse"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Stocktake.Status.choices],
    )

    def __init__(self, *args, warehouses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].choices = warehouse_choices(
            warehouses, empty_label=_("All warehouses")
        )

    def filters(self) -> dict:
        data = _cleaned(self)
        return {
            "warehouse_id": _int_or_none(data.get("warehouse")),
            "status": data.get("status") or "",
        }


class ShipmentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    shipped_from = forms.DateField(label=_("Shipped from"), required=False, widget=date_input())
    shipped_to = forms.DateField(label=_("Shipped until"), required=False, widget=date_input())

    def filters(self) -> dict:
        data = _cleaned(self)
        return {
            "search": data.get("q") or "",
            "shipped_from": data.get("shipped_from"),
            "shipped_to": data.get("shipped_to"),
        }
