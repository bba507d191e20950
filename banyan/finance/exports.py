"""The receivables (payment plans), payment and invoice lists, as the exports app writes them."""

from django.utils.translation import gettext_lazy as _

from banyan.core.views import uses_modules
from banyan.exports.registry import (
    Column,
    ExportKind,
    option_column,
    register,
    rows_of_list_api,
    user_column,
)
from banyan.finance import selectors
from banyan.finance.api import InvoiceViewSet, PaymentPlanViewSet, PaymentViewSet
from banyan.finance.forms import InvoiceFilterForm, PaymentFilterForm, PlanFilterForm


def _uses_money(user) -> bool:
    return uses_modules(user.company, ("uses_contracts", "uses_orders"), any_of=True)


register(
    ExportKind(
        key="payment_plans",
        label=_("Payment plans"),
        list_url_name="plan-list",
        page_rows=lambda user, query: selectors.plan_list(
            user, **PlanFilterForm(query or None, user=user).filters()
        ),
        api_rows=rows_of_list_api(PaymentPlanViewSet),
        allowed=_uses_money,
        columns=(
            Column("id", _("ID"), "id"),
            Column("agreement", _("Agreement"), "agreement__number"),
            Column("customer", _("Customer"), "customer_name"),
            Column("due_on", _("Due on"), "due_on"),
            Column("amount", _("Amount"), "amount"),
            Column("paid_amount", _("Paid"), "paid_amount"),
            Column("note", _("Note"), "note"),
        ),
    )
)

register(
    ExportKind(
        key="payments",
        label=_("Payments"),
        list_url_name="payment-list",
        page_rows=lambda user, query: selectors.payment_list(
            user, **PaymentFilterForm(query or None, user=user).filters()
        ),
        api_rows=rows_of_list_api(PaymentViewSet),
        allowed=_uses_money,
        columns=(
            Column("id", _("ID"), "id"),
            Column("paid_on", _("Paid on"), "paid_on"),
            Column("amount", _("Amount"), "amount"),
            Column("agreement", _("Agreement"), "agreement__number"),
            Column("customer", _("Customer"), "customer_name"),
            option_column("method", _("Method"), "method"),
            user_column("owner", _("Owner"), "owner"),
            Column("note", _("Note"), "note"),
            user_column("recorded_by", _("Recorded by"), "recorded_by"),
        ),
    )
)

register(
    ExportKind(
        key="invoices",
        label=_("Invoices"),
        list_url_name="invoice-list",
        page_rows=lambda user, query: selectors.invoice_list(
            user, **InvoiceFilterForm(query or None, user=user).filters()
        ),
        api_rows=rows_of_list_api(InvoiceViewSet),
        allowed=_uses_money,
        columns=(
            Column("id", _("ID"), "id"),
            Column("number", _("Invoice number"), "number"),
            Column("issued_on", _("Issued on"), "issued_on"),
            Column("amount", _("Amount"), "amount"),
            option_column("type", _("Type"), "type"),
            Column("title", _("Invoice title"), "title"),
            Column("tax_id", _("Tax ID"), "tax_id"),
            Column("agreement", _("Agreement"), "agreement__number"),
            Column("customer", _("Customer"), "customer_name"),
            Column("note", _("Note"), "note"),
        ),
    )
)
