from django.utils.translation import gettext_lazy as _

from banyan.core.navigation import NavItem, register

register(NavItem("customers", _("Customers"), "customer-list", "people-fill", order=10))
register(NavItem("contacts", _("Contacts"), "contact-list", "person-lines-fill", order=11))
