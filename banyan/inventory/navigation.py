"""The menu entries of the inventory app: only in a company that uses inventory."""

from django.utils.translation import gettext_lazy as _

from banyan.core.navigation import NavItem, register
from banyan.inventory.selectors import is_keeper, sees_all_stock_papers

MODULES = ("uses_inventory",)

register(
    NavItem(
        "slip-queue",
        _("Stock slips to confirm"),
        "slip-queue",
        "inbox",
        order=62,
        modules=MODULES,
        allowed=is_keeper,
    )
)
register(NavItem("stock", _("Stock"), "stock-list", "boxes", order=63, modules=MODULES))
register(
    NavItem("warehouses", _("Warehouses"), "warehouse-list", "building", order=64, modules=MODULES)
)
register(
    NavItem(
        "stock-slips", _("Stock slips"), "slip-list", "file-earmark-text", order=65, modules=MODULES
    )
)
register(
    NavItem(
        "stock-movements",
        _("Stock movements"),
        "movement-list",
        "arrow-left-right",
        order=66,
        modules=MODULES,
        allowed=sees_all_stock_papers,
    )
)
register(
    NavItem(
        "stocktakes",
        _("Stocktakes"),
        "stocktake-list",
        "clipboard-check",
        order=67,
        modules=MODULES,
        allowed=sees_all_stock_papers,
    )
)
register(NavItem("shipments", _("Shipments"), "shipment-list", "truck", order=68, modules=MODULES))
