"""The customer and contact lists, as the exports app writes them to .xlsx and CSV."""

from django.utils.translation import gettext_lazy as _

from banyan.customers.api.contacts import ContactViewSet
from banyan.customers.api.customers import CustomerViewSet
from banyan.customers.forms import ContactFilterForm, CustomerFilterForm
from banyan.customers.models import Customer
from banyan.customers.views import contact_list_rows, customer_list_rows
from banyan.exports.registry import (
    Column,
    ExportKind,
    choice_labels,
    option_column,
    register,
    rows_of_list_api,
    user_column,
    username_column,
    yes_no,
)

register(
    ExportKind(
        key="customers",
        label=_("Customers"),
        list_url_name="customer-list",
        page_rows=lambda user, query: customer_list_rows(
            user, CustomerFilterForm(query, user=user)
        ),
        api_rows=rows_of_list_api(CustomerViewSet),
        columns=(
            # The headers and values of the customer import: an export can be imported again.
            Column("id", _("ID"), "id"),
            Column("name", _("Customer name"), "name"),
            Column("kind", _("Customer kind"), "kind", choice_labels(Customer.Kind)),
            option_column("type", _("Customer type"), "type"),
            option_column("source", _("Source"), "source"),
            option_column("industry", _("Industry"), "industry"),
            Column("region", _("Region"), "region"),
            Column("address", _("Address"), "address"),
            Column("phone", _("Phone"), "phone"),
            Column("email", _("E-mail"), "email"),
            Column("website", _("Website"), "website"),
            user_column("owner", _("Owner's name"), "owner"),
            username_column("owner_username", _("Owner (user name)"), "owner"),
            Column("is_hot", _("Hot"), "is_hot", yes_no),
            Column("last_contacted_at", _("Last contacted"), "last_contacted_at"),
            Column("created_at", _("Created"), "created_at"),
            Column("notes", _("Notes"), "notes"),
        ),
    )
)

register(
    ExportKind(
        key="contacts",
        label=_("Contacts"),
        list_url_name="contact-list",
        page_rows=lambda user, query: contact_list_rows(user, ContactFilterForm(query, user=user)),
        api_rows=rows_of_list_api(ContactViewSet),
        columns=(
            Column("id", _("ID"), "id"),
            Column("name", _("Name"), "name"),
            Column("customer", _("Customer"), "customer__name"),
            option_column("category", _("Category"), "category"),
            Column("title", _("Title"), "title"),
            Column("mobile", _("Mobile"), "mobile"),
            Column("phone", _("Phone"), "phone"),
            Column("email", _("E-mail"), "email"),
            Column("birthday", _("Birthday"), "birthday"),
            Column("is_primary", _("Primary contact"), "is_primary", yes_no),
            Column("notes", _("Notes"), "notes"),
        ),
    )
)
