"""The panels the customers app contributes to the customer view (contacts, sharing,
history) and to the workbench (my hot customers).

Each context function reads through the selectors, for the acting user, in a fixed number
of queries whatever the number of contacts or changes.
"""

from django.utils.translation import gettext_lazy as _

from banyan.core.panels import Panel, customer_view, workbench
from banyan.customers import selectors
from banyan.customers.forms import ContactForm, ShareForm


def contacts_context(user, customer) -> dict:
    can_edit = selectors.can_edit_customer(user, customer)
    quick_fields = []
    if can_edit:
        form = ContactForm(user=user, auto_id="quick_contact_%s")
        quick_fields = [form[name] for name in ("name", "title", "mobile", "category")]
    contacts = selectors.customer_contacts(user, customer)
    return {
        "contacts": contacts,
        "can_edit": can_edit,
        "deletable_contact_ids": selectors.deletable_contacts(user, contacts)
        if can_edit
        else set(),
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


# --- the workbench ------------------------------------------------------------------------

HOT_ROWS = 20


def my_hot_customers(user) -> list:
    """The user's own hot customers, by name: one query."""
    return list(
        selectors.managed_customers(user)
        .filter(owner_id=user.pk, is_hot=True)
        .order_by("name", "id")[:HOT_ROWS]
    )


def hot_customers_data(user) -> dict:
    return {
        "customers": [
            {
                "id": customer.pk,
                "name": customer.name,
                "last_contacted_at": customer.last_contacted_at.isoformat()
                if customer.last_contacted_at
                else None,
            }
            for customer in my_hot_customers(user)
        ]
    }


workbench.register(
    Panel(
        key="hot_customers",
        title=_("My hot customers"),
        template="customers/workbench/hot_customers.html",
        order=30,
        context=lambda user, _obj: {"customers": my_hot_customers(user)},
        data=hot_customers_data,
    )
)
