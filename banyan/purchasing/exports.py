"""The purchase order list, as the exports app writes it (for those who see purchasing)."""

from django.utils.translation import gettext_lazy as _

from banyan.core.views import uses_modules
from banyan.exports.registry import Column, ExportKind, choice_labels, register, rows_of_list_api
from banyan.purchasing import selectors
from banyan.purchasing.api import PurchaseOrderViewSet
from banyan.purchasing.forms import PurchaseOrderFilterForm
from banyan.purchasing.models import PurchaseOrder


def _sees_purchase_orders(user) -> bool:
    return uses_modules(user.company, ("uses_inventory",)) and selectors.sees_purchasing(user)


register(
    ExportKind(
        key="purchase_orders",
        label=_("Purchase orders"),
        list_url_name="purchase-order-list",
        page_rows=lambda user, query: selectors.purchase_order_list(
            user, **PurchaseOrderFilterForm(query or None, user=user).filters()
        ),
        api_rows=rows_of_list_api(PurchaseOrderViewSet),
        allowed=_sees_purchase_orders,
        columns=(
            Column("number", _("Number"), "number"),
            Column("supplier", _("Supplier"), "supplier__name"),
            Column("warehouse", _("Warehouse"), "warehouse__name"),
            Column("status", _("Status"), "status", choice_labels(PurchaseOrder.Status)),
            Column("ordered_on", _("Ordered on"), "ordered_on"),
            Column("expected_on", _("Expected on"), "expected_on"),
            Column("amount", _("Amount"), "amount"),
            Column("note", _("Note"), "note"),
        ),
    )
)
