"""The panels the customers app contributes to the customer view: contacts, sharing, history.

Each context function reads through the selectors, for the acting user, in a fixed number
of queries whatever the number of contacts or changes.
"""

from django.utils.translation import gettext_lazy as _

from banyan.core.panels import Panel, customer_view
from banyan.customers import selectors
from banyan.customers.forms import ContactForm, ShareForm


def contacts_context(user, customer) -> dict:
    can_edit = selectors.can_edit_customer(user, customer)
    quick_fields = []
    if can_edit:
        form = ContactForm(user=user, auto_id="quick_contact_%s")
        quick_fields = [form[name] for name in ("name", "title", "mobile", "category")]
    return {
        "contacts": selectors.customer_contacts(user, customer),
        "can_edit": can_edit,
        "quick_fields": quick_fields,
    }


def sharing_context(user, customer) -> dict:
    return {
        "shares": list(selectors.customer_shares(user, customer)),
        "form": ShareForm(user=user, customer=customer, auto_id="share_%s"),
    }


def history_context(user, customer) -> dict:
    return {"entries": selectors.customer_history(user, customer, limit=20)}


customer_view.register(
    Panel(
        key="contacts",
        title=_("Contacts"),
        template="customers/panels/contacts.html",
        order=10,
        context=contacts_context,
    )
)
customer_view.register(
    Panel(
        key="sharing",
        title=_("Sharing"),
        template="customers/panels/sharing.html",
        order=900,
        context=sharing_context,
        allowed=selectors.can_manage_customer,
    )
)
customer_view.register(
    Panel(
        key="history",
        title=_("History of changes"),
        template="customers/panels/history.html",
        order=950,
        context=history_context,
    )
)
