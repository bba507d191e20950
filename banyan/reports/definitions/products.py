"""Product sales (产品销售): quantity and amount sold per product or per product category,
with gross profit and margin for users who may see costs.

What counts is what sales performance counts: the lines of the contracts and orders signed
in the range (`signed_on`, company calendar days) and not cancelled, of the kinds the company
uses, that the user may see (`visible_agreements`; without "view reports", their own).

- Amount: what the customer pays for the line, i.e. the line's amount less the agreement's
  whole discount (so a product sold on one agreement counts that agreement's amount), summed
  exactly and rounded half up to the fen once per figure.
- Gross profit: that amount less the line's cost, the product's cost copied onto the line
  when it was written (`AgreementLine.unit_cost`) × quantity, rounded to the fen per line as
  the agreement's page shows it. Margin: gross profit ÷ amount, in percent. Both only for
  users who see costs (`products.selectors.sees_costs`): for others the columns are absent
  from the columns, rows, totals and chart, and the costs are never read.
- Per product, the `TOP_PRODUCTS` products with the largest amount (a company may sell
  thousands); the totals cover every product. Per category, each product's own category
  (shown as its path from the root), products without one on a row of their own.
- Contracts and orders: how many agreements hold a line of the row's product (category);
  each links to the contract or order list with the same filters (product or category,
  signing dates, any status but cancelled), which lists exactly those agreements.

All figures are integer sums in SQL (money in fen × basis points), exact on SQLite too: one
query for the rows, one for the totals, one for the rows' names.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import BigIntegerField, Count, F, Q, Sum, Value
from django.db.models.functions import Cast, Round
from django.utils.translation import gettext_lazy as _

from banyan.agreements.models import Agreement
from banyan.agreements.selectors import NOT_CANCELLED, kinds_in_use
from banyan.core.models import ExactSum
from banyan.core.values import fen
from banyan.products import selectors as product_selectors
from banyan.reports.definitions.sales_performance import signed_agreements
from banyan.reports.registry import (
    COUNT,
    MONEY,
    NUMBER,
    PERCENT,
    TEXT,
    Column,
    Report,
    ReportQuery,
    ReportResult,
    bar_chart,
    register,
)

TOP_PRODUCTS = 100
ZERO = Decimal("0.00")
CONTRACT = Agreement.Kind.CONTRACT
ORDER = Agreement.Kind.ORDER
LIST_URLS = {CONTRACT: "contract-list", ORDER: "order-list"}
COUNT_KEYS = {CONTRACT: "contracts", ORDER: "orders"}
GROUP_KEYS = {"product": "lines__product_id", "category": "lines__product__category_id"}
FILTERS = {"product": "product", "category": "category"}
# An amount × (100 − discount %) in fen × basis points: a yuan is 100 × 10,000 of them.
NET_UNITS_PER_YUAN = Decimal(1_000_000)
COST_COLUMNS = ("gross_profit", "margin")


def _hundredths(field: str):
    """A two-place column as a whole number of hundredths (fen for money): exact integer
    arithmetic from here on, on SQLite (floats) as on PostgreSQL."""
    return Cast(Round(F(field) * 100), BigIntegerField())


def _net_units():
    """A line's amount less the agreement's whole discount, in fen × basis points."""
    return Sum(
        _hundredths("lines__amount")
        * Cast(Round((Value(100) - F("discount_percent")) * 100), BigIntegerField()),
        output_field=BigIntegerField(),
    )


def _cost_fen():
    """A line's cost (unit cost × quantity), rounded half up to the fen per line as the
    agreement's page shows it (`AgreementLine.cost_total`), summed in fen."""
    per_line = (
        _hundredths("lines__unit_cost") * _hundredths("lines__quantity") + Value(50)
    ) / Value(100)
    return Sum(per_line, output_field=BigIntegerField())


def _yuan(net_units) -> Decimal:
    return fen(Decimal(net_units or 0) / NET_UNITS_PER_YUAN)


def _margin(profit: Decimal, amount: Decimal) -> float | None:
    if not amount:
        return None
    return float((profit * 100 / amount).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


class ProductsReport(Report):
    name = "products"
    title = _("Product sales")
    description = _(
        "Quantity and amount sold per product or per category, from the lines of the "
        "agreements signed in the range (amounts less the agreements' whole discounts); "
        "gross profit and margin with the cost permission. Per product: the 100 products "
        "with the largest amount; the totals cover every product."
    )
    group_by = ("product", "category")
    order = 60

    # --- columns ------------------------------------------------------------------------

    def columns(self, query: ReportQuery) -> list[Column]:
        first = _("Product") if query.group_by == "product" else _("Category")
        columns = [
            Column("label", first, TEXT),
            Column("quantity", _("Quantity"), NUMBER),
            Column("amount", _("Amount"), MONEY),
        ]
        if product_selectors.sees_costs(query.user):
            columns += [
                Column("gross_profit", _("Gross profit"), MONEY),
                Column("margin", _("Margin (%)"), PERCENT),
            ]
        labels = {CONTRACT: _("Contracts"), ORDER: _("Orders")}
        columns += [
            Column(COUNT_KEYS[kind], labels[kind], COUNT) for kind in kinds_in_use(query.user)
        ]
        return columns

    # --- the records counted ------------------------------------------------------------

    def agreements(self, query: ReportQuery):
        """Sales performance's signed agreements (the same rule, the same answer)."""
        return signed_agreements(query)

    def lines(self, query: ReportQuery):
        """The agreements joined to their lines (the lines' company given, so the join reads
        the lines' (company, agreement) index): one row per line."""
        return self.agreements(query).filter(lines__company_id=query.user.company_id)

    def _sums(self, query: ReportQuery) -> dict:
        sums = {
            "quantity_sum": ExactSum("lines__quantity"),
            "net_units": _net_units(),
        }
        if product_selectors.sees_costs(query.user):
            sums["cost_fen"] = _cost_fen()
        for kind in kinds_in_use(query.user):
            sums[COUNT_KEYS[kind]] = Count("id", distinct=True, filter=Q(kind=kind))
        return sums

    # --- figures ------------------------------------------------------------------------

    def _figures(self, query: ReportQuery, values: dict, links: dict) -> dict:
        amount = _yuan(values.get("net_units"))
        row = {"quantity": values.get("quantity_sum") or ZERO, "amount": amount}
        if "cost_fen" in values:
            profit = amount - Decimal(values["cost_fen"] or 0) / 100
            row["gross_profit"] = profit
            row["margin"] = _margin(profit, amount)
        for kind in kinds_in_use(query.user):
            row[COUNT_KEYS[kind]] = values.get(COUNT_KEYS[kind]) or 0
        row["links"] = links
        # The row's records: the list of the first kind it holds any of (a product sold on
        # both contracts and orders has both lists, each linked from its count).
        held = [kind for kind in kinds_in_use(query.user) if row[COUNT_KEYS[kind]]]
        first = (held or kinds_in_use(query.user) or [None])[0]
        row["drilldown"] = links.get(COUNT_KEYS[first]) if first else None
        return row

    def _links(self, query: ReportQuery, **which) -> dict:
        return {
            COUNT_KEYS[kind]: query.drilldown(
                LIST_URLS[kind],
                status=NOT_CANCELLED,
                signed_from=query.date_from,
                signed_to=query.date_to,
                **which,
            )
            for kind in kinds_in_use(query.user)
        }

    def compute(self, query: ReportQuery) -> ReportResult:
        if not kinds_in_use(query.user):
            return ReportResult(rows=[], totals={})
        key = GROUP_KEYS[query.group_by]
        grouped = (
            self.lines(query)
            .values(key)
            .annotate(**self._sums(query))
            .order_by(F("net_units").desc(nulls_last=True), F(key).asc(nulls_last=True))
        )
        if query.group_by == "product":
            grouped = grouped[:TOP_PRODUCTS]
        grouped = list(grouped)
        labels = self._labels(query, [values[key] for values in grouped])
        rows = []
        for values in grouped:
            pk = values[key]
            links = self._links(query, **{FILTERS[query.group_by]: pk}) if pk else {}
            rows.append({"label": labels.get(pk, ""), **self._figures(query, values, links)})
        totals = self.lines(query).aggregate(**self._sums(query))
        return ReportResult(rows=rows, totals=self._figures(query, totals, self._links(query)))

    def _labels(self, query: ReportQuery, keys: list) -> dict:
        if query.group_by == "category":
            names = product_selectors.category_path_names(query.user)
            return {None: str(_("No category")), **names}
        products = (
            product_selectors.company_products(query.user)
            .filter(pk__in=keys)
            .order_by()
            .values_list("pk", "code", "name")
        )
        return {pk: f"{code} {name}" for pk, code, name in products}

    # --- chart --------------------------------------------------------------------------

    def chart(self, query: ReportQuery, result: ReportResult) -> dict | None:
        columns = {column.key: column for column in self.columns(query)}
        bars = [columns[key] for key in ("amount", "gross_profit") if key in columns]
        line = [columns["margin"]] if "margin" in columns else []
        return bar_chart(result, category="label", series=bars, line=line)


register(ProductsReport())
