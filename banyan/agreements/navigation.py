"""The menu entries of the agreements app: contracts and orders, each shown only when the
company uses that module."""

from django.utils.translation import gettext_lazy as _

from banyan.core.navigation import NavItem, register

register(
    NavItem(
        "contracts",
        _("Contracts"),
        "contract-list",
        "file-earmark-text",
        order=50,
        modules=("uses_contracts",),
    )
)
register(NavItem("orders", _("Orders"), "order-list", "cart", order=51, modules=("uses_orders",)))
