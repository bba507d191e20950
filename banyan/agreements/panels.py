"""The panel the agreements app contributes to the customer view: its contracts and orders."""

from django.utils.translation import gettext_lazy as _

from banyan.agreements import selectors
from banyan.agreements.models import Agreement
from banyan.core.panels import Panel, customer_view
from banyan.customers import selectors as customer_selectors


def panel_context(user, customer) -> dict:
    """The customer's agreements of the kinds the company uses (one query), their money
    figures, and which kinds the user may add for this customer."""
    kinds = selectors.kinds_in_use(user)
    agreements = list(selectors.customer_agreements(user, customer).filter(kind__in=kinds))
    can_edit = customer_selectors.can_edit_customer(user, customer)
    return {
        "agreements": agreements,
        "agreement_totals": selectors.figures_of(agreements),
        "can_add_contract": can_edit and Agreement.Kind.CONTRACT in kinds,
        "can_add_order": can_edit and Agreement.Kind.ORDER in kinds,
    }


customer_view.register(
    Panel(
        key="agreements",
        title=_("Contracts and orders"),
        template="agreements/panels/customer_agreements.html",
        order=50,
        context=panel_context,
        modules=("uses_contracts", "uses_orders"),
    )
)
