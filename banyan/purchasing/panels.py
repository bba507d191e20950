"""The panels the purchasing app contributes: on a stock slip's page, the purchase order the
slip receives (linked for those who see purchase orders)."""

from django.utils.translation import gettext_lazy as _

from banyan.core.panels import Panel, slip_view
from banyan.purchasing import selectors

slip_view.register(
    Panel(
        key="purchase_order",
        title=_("Purchase order"),
        template="purchasing/panels/slip_purchase_order.html",
        order=10,
        # The slip page fetched the order with the slip: no query of its own.
        context=lambda user, slip: {
            "purchase_order": slip.purchase_order,
            "sees_purchasing": selectors.sees_purchasing(user),
        },
        modules=("uses_inventory",),
        allowed=lambda user, slip: slip is not None and slip.purchase_order_id is not None,
    )
)
