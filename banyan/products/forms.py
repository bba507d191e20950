"""Forms of the product pages. They parse input into types; the services judge it.

A user who may not see costs gets no cost field at all (not an empty one), so the product's
cost is neither shown in the form nor changed by it.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from banyan.accounts.models import User
from banyan.core.forms import CompactFieldsMixin, ServiceErrorsMixin
from banyan.products import selectors
from banyan.products.models import Product, ProductCategory

AMOUNT_WIDGET = {"inputmode": "decimal", "autocomplete": "off"}


def category_choices(categories, empty_label) -> list[tuple[str, str]]:
    """Choices for a category select: the tree, indented, after an empty choice."""
    return [("", empty_label)] + [(str(c.pk), c.label) for c in categories]


class ProductForm(ServiceErrorsMixin, forms.Form):
    """Create or edit a product."""

    code = forms.CharField(
        label=_("Code"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    spec = forms.CharField(label=_("Specification"), max_length=200, required=False)
    unit = forms.CharField(
        label=_("Unit"),
        max_length=20,
        required=False,
        help_text=_("How it is counted: 台, 套, 次, 人天…"),
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Product.Kind.choices,
        help_text=_(
            "Contracts sell services only, orders sell any product; services never touch "
            "stock. Once a product is on an agreement its kind stays."
        ),
    )
    list_price = forms.CharField(
        label=_("List price (CNY)"),
        max_length=20,
        widget=forms.TextInput(attrs=AMOUNT_WIDGET),
    )
    cost = forms.CharField(
        label=_("Cost (CNY)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs=AMOUNT_WIDGET),
        help_text=_("Seen only by users allowed to see costs."),
    )
    tracks_stock = forms.BooleanField(label=_("Tracks stock"), required=False)
    low_stock_threshold = forms.CharField(
        label=_("Low-stock threshold"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs=AMOUNT_WIDGET),
        help_text=_("Warn when the stock falls to this quantity (0: no warning)."),
    )
    is_active = forms.BooleanField(
        label=_("Active (can be put on new agreements)"), required=False, initial=True
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user: User, product: Product | None = None, **kwargs):
        self.sees_costs = selectors.sees_costs(user)
        if product is not None:
            initial = {
                "code": product.code,
                "name": product.name,
                "spec": product.spec,
                "unit": product.unit,
                "category": str(product.category_id or ""),
                "kind": product.kind,
                "list_price": product.list_price,
                "tracks_stock": product.tracks_stock,
                "low_stock_threshold": product.low_stock_threshold,
                "is_active": product.is_active,
                "description": product.description,
            }
            if self.sees_costs:
                initial["cost"] = product.cost
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        if not self.sees_costs:
            del self.fields["cost"]
        self.fields["category"].choices = category_choices(
            selectors.category_tree(user), _("— no category —")
        )

    def service_fields(self) -> dict:
        """The cleaned data as `product_create` / `product_update` take it."""
        data = dict(self.cleaned_data)
        data["category"] = data.get("category") or None
        if "cost" in data and not data["cost"].strip():
            data["cost"] = "0"  # a cleared cost is no cost, not "unchanged"
        return data


class ProductFilterForm(CompactFieldsMixin, forms.Form):
    """The list's search, filters and sort; anything invalid is simply not applied."""

    SORTS = [
        ("code", _("Code")),
        ("name", _("Name")),
        ("category__path", _("Category")),
        ("list_price", _("List price, lowest first")),
        ("-list_price", _("List price, highest first")),
        ("-created_at", _("Newest first")),
        ("created_at", _("Oldest first")),
    ]
    PAGE_SIZES = (20, 50, 100)

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.SearchInput(
            attrs={
                "class": "form-control form-control-sm",
                "placeholder": _("Code, name or specification"),
            }
        ),
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Product.Kind.choices]
    )
    active = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Active and inactive")), ("1", _("Active")), ("0", _("Inactive"))],
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORTS)
    page_size = forms.TypedChoiceField(
        label=_("Per page"),
        required=False,
        coerce=int,
        choices=[(size, size) for size in PAGE_SIZES],
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(
            selectors.category_tree(user), _("All categories")
        )

    def _valid_data(self) -> dict:
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}

    def filters(self) -> dict:
        """Keyword arguments for `selectors.product_list`, only from valid fields."""
        data = self._valid_data()
        active = data.get("active")
        return {
            "search": data.get("q") or "",
            "category_id": int(data["category"]) if data.get("category") else None,
            "kind": data.get("kind") or "",
            "active": None if not active else active == "1",
            "ordering": data.get("sort") or "code",
        }

    def rows_per_page(self) -> int:
        return self._valid_data().get("page_size") or self.PAGE_SIZES[0]


class CategoryForm(ServiceErrorsMixin, forms.Form):
    """Add a category (name and parent), or rename and move one."""

    name = forms.CharField(label=_("Name"), max_length=100)
    parent = forms.ChoiceField(label=_("Parent category"), required=False)

    def __init__(self, *args, user: User, category: ProductCategory | None = None, **kwargs):
        if category is not None:
            kwargs.setdefault(
                "initial", {"name": category.name, "parent": str(category.parent_id or "")}
            )
        super().__init__(*args, **kwargs)
        if category is None:
            parents = selectors.category_tree(user)
        else:
            # Never under itself or one of its own subcategories.
            parents = selectors.category_parent_choices(user, category)
            self.fields["parent"].help_text = _(
                "Moving a category moves its subcategories and products with it."
            )
        self.fields["parent"].choices = category_choices(parents, _("— top level —"))

    def service_fields(self) -> dict:
        return {"name": self.cleaned_data["name"], "parent": self.cleaned_data["parent"] or None}
