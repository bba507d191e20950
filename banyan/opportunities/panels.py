"""The panel the opportunities app contributes to the customer view."""

from django.utils.translation import gettext_lazy as _

from banyan.core.panels import Panel, customer_view
from banyan.customers import selectors as customer_selectors
from banyan.opportunities import selectors


def panel_context(user, customer) -> dict:
    """The customer's opportunities (two queries) and whether the user may add one."""
    opportunities = list(selectors.customer_opportunities(user, customer))
    return {
        "opportunities": opportunities,
        "opportunity_totals": selectors.totals_of([o for o in opportunities if o.is_open]),
        "can_add_opportunity": customer_selectors.can_edit_customer(user, customer),
    }


customer_view.register(
    Panel(
        key="opportunities",
        title=_("Opportunities"),
        template="opportunities/panels/customer_opportunities.html",
        order=40,
        context=panel_context,
        modules=("uses_opportunity_tracking",),
    )
)
