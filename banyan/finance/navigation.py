"""The menu entries of the finance app: the finance desk (finance users only), then the
receivables, payments and invoices every user sees for the customers they see."""

from django.utils.translation import gettext_lazy as _

from banyan.core.navigation import NavItem, register
from banyan.finance.selectors import can_record_money

MODULES = ("uses_contracts", "uses_orders")

register(
    NavItem(
        "finance",
        _("Finance"),
        "finance-home",
        "cash-coin",
        order=55,
        modules=MODULES,
        allowed=can_record_money,
    )
)
register(
    NavItem(
        "receivables", _("Receivables"), "plan-list", "calendar-check", order=56, modules=MODULES
    )
)
register(NavItem("payments", _("Payments"), "payment-list", "wallet2", order=57, modules=MODULES))
register(NavItem("invoices", _("Invoices"), "invoice-list", "receipt", order=58, modules=MODULES))
