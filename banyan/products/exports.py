"""The product list, as the exports app writes it (its cost only for users who see costs)."""

from django.utils.translation import gettext_lazy as _

from banyan.exports.registry import (
    Column,
    ExportKind,
    choice_labels,
    register,
    rows_of_list_api,
    yes_no,
)
from banyan.products import selectors
from banyan.products.api import ProductViewSet
from banyan.products.forms import ProductFilterForm
from banyan.products.models import Product

register(
    ExportKind(
        key="products",
        label=_("Products"),
        list_url_name="product-list",
        page_rows=lambda user, query: selectors.product_list(
            user, **ProductFilterForm(query or None, user=user).filters()
        ),
        api_rows=rows_of_list_api(ProductViewSet),
        sees_costs=selectors.sees_costs,
        columns=(
            Column("id", _("ID"), "id"),
            # The headers and values of the product import: an export can be imported again.
            Column("code", _("Product code"), "code"),
            Column("name", _("Product name"), "name"),
            Column(
                "category",
                _("Category path"),
                "category_id",
                lookup=selectors.category_path_names,
            ),
            Column("spec", _("Specification"), "spec"),
            Column("unit", _("Unit"), "unit"),
            Column("kind", _("Product kind"), "kind", choice_labels(Product.Kind)),
            Column("list_price", _("List price"), "list_price"),
            Column("cost", _("Cost"), "cost", costs=True),
            Column("tracks_stock", _("Tracks stock"), "tracks_stock", yes_no),
            Column("low_stock_threshold", _("Low-stock threshold"), "low_stock_threshold"),
            Column("is_active", _("Active"), "is_active", yes_no),
        ),
    )
)
