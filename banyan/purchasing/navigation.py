"""The menu entries of the purchasing app: only in a company that uses inventory, for those
who see purchasing (purchasing staff, warehouse keepers and bosses)."""

from django.utils.translation import gettext_lazy as _

from banyan.core.navigation import NavItem, register
from banyan.purchasing.selectors import sees_purchasing

MODULES = ("uses_inventory",)

register(
    NavItem(
        "purchasing",
        _("Purchasing"),
        "purchase-order-list",
        "truck",
        order=65,
        modules=MODULES,
        allowed=sees_purchasing,
    )
)
register(
    NavItem(
        "suppliers",
        _("Suppliers"),
        "supplier-list",
        "shop",
        order=66,
        modules=MODULES,
        allowed=sees_purchasing,
    )
)
