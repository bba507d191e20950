"""The stock levels and stock slips, as the exports app writes them (the stock's value only
for users who see costs)."""

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from banyan.core.views import uses_modules
from banyan.exports.registry import Column, ExportKind, choice_labels, register, rows_of_list_api
from banyan.inventory import selectors
from banyan.inventory.api.slips import StockSlipViewSet
from banyan.inventory.api.stock import StockLevelViewSet
from banyan.inventory.forms import SlipFilterForm, StockFilterForm
from banyan.inventory.models import StockSlip
from banyan.products.selectors import sees_costs


def _uses_inventory(user) -> bool:
    return uses_modules(user.company, ("uses_inventory",))


def _valued(levels):
    return levels.annotate(stock_value=F("quantity") * F("product__cost"))


def _stock_of_page(user, query):
    form = StockFilterForm(query or None, warehouses=list(selectors.company_warehouses(user)))
    return _valued(selectors.stock_levels(user, **form.filters()))


_stock_of_api = rows_of_list_api(StockLevelViewSet)

register(
    ExportKind(
        key="stock",
        label=_("Stock levels"),
        list_url_name="stock-list",
        page_rows=_stock_of_page,
        api_rows=lambda user, query: _valued(_stock_of_api(user, query)),
        allowed=_uses_inventory,
        sees_costs=sees_costs,
        columns=(
            Column("warehouse", _("Warehouse"), "warehouse__name"),
            Column("product_code", _("Product code"), "product__code"),
            Column("product", _("Product"), "product__name"),
            Column("unit", _("Unit"), "product__unit"),
            Column("quantity", _("Quantity"), "quantity"),
            Column("low_stock_threshold", _("Low-stock threshold"), "product__low_stock_threshold"),
            Column("cost", _("Cost"), "product__cost", costs=True),
            Column("stock_value", _("Stock value"), "stock_value", costs=True),
        ),
    )
)


def _slips_of_page(user, query):
    form = SlipFilterForm(query or None, warehouses=list(selectors.company_warehouses(user)))
    return selectors.slip_list(user, **form.filters())


register(
    ExportKind(
        key="stock_slips",
        label=_("Stock slips"),
        list_url_name="slip-list",
        page_rows=_slips_of_page,
        api_rows=rows_of_list_api(StockSlipViewSet),
        allowed=_uses_inventory,
        columns=(
            Column("number", _("Number"), "number"),
            Column("kind", _("Kind"), "kind", choice_labels(StockSlip.Kind)),
            Column("status", _("Status"), "status", choice_labels(StockSlip.Status)),
            Column("warehouse", _("Warehouse"), "warehouse__name"),
            Column("agreement", _("Order"), "agreement__number"),
            Column("purchase_order", _("Purchase order"), "purchase_order__number"),
            Column("reason", _("Reason"), "reason"),
            Column("created_at", _("Created"), "created_at"),
            Column("decided_at", _("Decided at"), "decided_at"),
        ),
    )
)
