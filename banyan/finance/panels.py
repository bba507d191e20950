"""The panel the finance app contributes to the customer view: payments and invoices."""

from django.utils.translation import gettext_lazy as _

from banyan.core.panels import Panel, customer_view
from banyan.finance import selectors

RECENT = 5


def panel_context(user, customer) -> dict:
    """Amount, paid, receivable, invoiced, uninvoiced over the customer's agreements, the next
    due and the overdue instalments, and the last payments and invoices: four queries."""
    return {
        "money": selectors.customer_money(user, customer),
        "recent_payments": list(selectors.customer_payments(user, customer)[:RECENT]),
        "recent_invoices": list(selectors.customer_invoices(user, customer)[:RECENT]),
    }


customer_view.register(
    Panel(
        key="finance",
        title=_("Payments and invoices"),
        template="finance/panels/customer_finance.html",
        order=55,
        context=panel_context,
        modules=("uses_contracts", "uses_orders"),
    )
)
