"""The contract and order lists, as the exports app writes them to .xlsx and CSV; an .xlsx
carries the agreements' lines on a second sheet (with their cost and gross profit for users
who may see costs)."""

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from banyan.accounts import visibility
from banyan.agreements import selectors
from banyan.agreements.api import AgreementViewSet
from banyan.agreements.forms import AgreementFilterForm
from banyan.agreements.models import Agreement, AgreementLine
from banyan.exports.registry import (
    Column,
    ExportKind,
    Sheet,
    choice_labels,
    register,
    rows_of_list_api,
    user_column,
)
from banyan.products.selectors import sees_costs

AGREEMENT_COLUMNS = (
    Column("id", _("ID"), "id"),
    Column("number", _("Number"), "number"),
    Column("title", _("Title"), "title"),
    Column("customer", _("Customer"), "customer_name"),
    user_column("owner", _("Owner"), "owner"),
    Column("status", _("Status"), "status", choice_labels(Agreement.Status)),
    Column("signed_on", _("Signed on"), "signed_on"),
    Column("starts_on", _("Starts on"), "starts_on"),
    Column("ends_on", _("Ends on"), "ends_on"),
    Column("discount_percent", _("Discount (%)"), "discount_percent"),
    Column("amount", _("Amount"), "amount"),
    Column("paid_amount", _("Paid"), "paid_amount"),
    Column("invoiced_amount", _("Invoiced"), "invoiced_amount"),
    Column("created_at", _("Created"), "created_at"),
)


def lines_of(user, agreements):
    """The lines of the exported agreements (their visibility is the agreements'), in the
    agreements' order, with each line's gross profit."""
    return (
        visibility.of_company(user, AgreementLine)
        .filter(agreement__in=agreements.order_by().values("pk"))
        .annotate(gross_profit=F("amount") - F("unit_cost") * F("quantity"))
        .order_by("agreement_id", "position", "id")
    )


LINE_COLUMNS = (
    Column("agreement", _("Number"), "agreement__number"),
    Column("product_code", _("Product code"), "product__code"),
    Column("product", _("Product"), "product__name"),
    Column("description", _("Description"), "description"),
    Column("unit", _("Unit"), "unit"),
    Column("unit_price", _("Unit price"), "unit_price"),
    Column("quantity", _("Quantity"), "quantity"),
    Column("discount_percent", _("Discount (%)"), "discount_percent"),
    Column("amount", _("Amount"), "amount"),
    Column("unit_cost", _("Unit cost"), "unit_cost", costs=True),
    Column("gross_profit", _("Gross profit"), "gross_profit", costs=True),
)


def _register(kind: str, key: str, label, list_url_name: str) -> None:
    list_api = rows_of_list_api(AgreementViewSet)

    def page_rows(user, query):
        return selectors.agreement_list(
            user, kind=kind, **AgreementFilterForm(query or None, user=user).filters()
        )

    def api_rows(user, query):
        query = query.copy()
        query["kind"] = kind
        return list_api(user, query)

    register(
        ExportKind(
            key=key,
            label=label,
            list_url_name=list_url_name,
            page_rows=page_rows,
            api_rows=api_rows,
            columns=AGREEMENT_COLUMNS,
            sheets=(Sheet("lines", _("Lines"), LINE_COLUMNS, lines_of),),
            allowed=lambda user: kind in selectors.kinds_in_use(user),
            sees_costs=sees_costs,
        )
    )


_register(Agreement.Kind.CONTRACT, "contracts", _("Contracts"), "contract-list")
_register(Agreement.Kind.ORDER, "orders", _("Orders"), "order-list")
