"""The panels the inventory app contributes: on an order's page, what was ordered, what is on
outbound slips, released from stock and shipped, with the forms to ask for the outbound slip
and to ship; on a keeper's workbench, the stock slips waiting for their confirmation."""

from django.utils.translation import gettext_lazy as _

from banyan.agreements import selectors as agreement_selectors
from banyan.agreements.models import Agreement
from banyan.core.panels import Panel, agreement_view, workbench
from banyan.inventory import selectors
from banyan.inventory.forms import OutboundForm

SHIPPING_STATUSES = (Agreement.Status.SIGNED, Agreement.Status.EXECUTING)


def panel_context(user, agreement) -> dict:
    """Per line ordered / on slips / released / shipped, the state, the order's slips and
    shipments, and which forms the user may use. A fixed number of queries."""
    shipping = selectors.order_shipping(user, agreement)
    uses_inventory = user.company.uses_inventory
    can_edit = agreement_selectors.can_edit_agreement(user, agreement)
    ships_now = can_edit and agreement.status in SHIPPING_STATUSES
    can_request_outbound = (
        uses_inventory and ships_now and any(entry.to_release > 0 for entry in shipping)
    )
    state = selectors.shipping_state(shipping)
    return {
        "shipping": shipping,
        "shipping_state": state,
        "shipping_state_label": selectors.ShippingState.LABELS.get(state, ""),
        "uses_inventory": uses_inventory,
        "slips": list(selectors.order_slips(user, agreement)) if uses_inventory else [],
        "shipments": list(selectors.order_shipments(user, agreement)),
        "outbound_form": OutboundForm(
            warehouses=selectors.company_warehouses(user), auto_id="outbound_%s"
        )
        if can_request_outbound
        else None,
        "can_ship": ships_now and any(entry.shippable > 0 for entry in shipping),
    }


agreement_view.register(
    Panel(
        key="shipping",
        title=_("Stock and shipping"),
        template="inventory/panels/order_shipping.html",
        order=30,
        context=panel_context,
        modules=("uses_orders",),
        allowed=lambda user, agreement: (
            agreement is not None and agreement.kind == Agreement.Kind.ORDER
        ),
    )
)


# --- the workbench ------------------------------------------------------------------------

SLIP_ROWS = 20


def slips_context(user, _obj) -> dict:
    return {"slips": list(selectors.slips_to_confirm(user)[:SLIP_ROWS])}


def slips_data(user) -> dict:
    return {
        "slips": [
            {
                "id": slip.pk,
                "number": slip.number,
                "kind": slip.kind,
                "warehouse": slip.warehouse_id,
                "warehouse_name": slip.warehouse.name,
                "created_at": slip.created_at.isoformat(),
            }
            for slip in selectors.slips_to_confirm(user)[:SLIP_ROWS]
        ]
    }


workbench.register(
    Panel(
        key="slips_to_confirm",
        title=_("Stock slips to confirm"),
        template="inventory/workbench/slips_to_confirm.html",
        order=50,
        context=slips_context,
        data=slips_data,
        modules=("uses_inventory",),
        allowed=lambda user, _obj: selectors.is_keeper(user),
    )
)
