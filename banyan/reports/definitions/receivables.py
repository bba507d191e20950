"""Receivables (应收账款): the ageing of what is still to collect, per rep or per customer, with
what is paid but not yet invoiced; and per month of the range, the payments received and the
invoices issued.

What is still to collect is the finance app's rule (`finance.selectors.TO_COLLECT`: plans not
covered, on agreements not cancelled, the receivables list's "open" state): each plan's
`amount - paid_amount`, aged by its due date against today in the company's time zone (due
today or later: not yet due; then 1–30, 31–60, 61–90 and over 90 days overdue). It is a
snapshot of today, whatever the range. What is paid but not invoiced is the finance desk's
"to invoice" rule (`agreements.selectors.TO_INVOICE`): `paid_amount - invoiced_amount` of the
agreements paid ahead of their invoices, per kind in use (each kind has its own list, where
it drills down); what is owed is counted whatever the kind.

A plan and an agreement count for the agreement's owner (the lists' `owner` filter); a payment
for the person it is credited to; an invoice for its agreement's owner. Per customer, the
TOP_CUSTOMERS customers with most outstanding are listed, most first; the totals cover every
customer. Payments count on their payment date (reversals included), invoices on their
invoice date, both company calendar days.
"""

import datetime
from decimal import Decimal

from django.db.models import F, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from banyan.agreements.models import Agreement
from banyan.agreements.selectors import kinds_in_use
from banyan.core.models import ExactSum
from banyan.customers.selectors import visible_customers
from banyan.finance.selectors import (
    TO_COLLECT,
    agreements_to_invoice,
    today_for,
    visible_invoices,
    visible_payments,
    visible_plans,
)
from banyan.reports.registry import (
    MONEY,
    TEXT,
    Column,
    Report,
    ReportQuery,
    ReportResult,
    bar_chart,
    bucket_day,
    register,
)

ZERO = Decimal("0.00")
TOP_CUSTOMERS = 50  # the description says so
CONTRACT, ORDER = Agreement.Kind.CONTRACT, Agreement.Kind.ORDER
LIST_URLS = {CONTRACT: "contract-list", ORDER: "order-list"}
UNINVOICED_KEYS = {CONTRACT: "uninvoiced_contracts", ORDER: "uninvoiced_orders"}
UNINVOICED_LABELS = {
    CONTRACT: _("Contracts paid, not invoiced"),
    ORDER: _("Orders paid, not invoiced"),
}
OUTSTANDING = F("amount") - F("paid_amount")
UNINVOICED = F("paid_amount") - F("invoiced_amount")
# The ageing buckets: key, label, and the days overdue they hold (first, last; None: open).
AGEING = (
    ("not_due", _("Not yet due"), None, 0),
    ("overdue_1_30", _("1–30 days overdue"), 1, 30),
    ("overdue_31_60", _("31–60 days overdue"), 31, 60),
    ("overdue_61_90", _("61–90 days overdue"), 61, 90),
    ("overdue_over_90", _("Over 90 days overdue"), 91, None),
)
AGEING_KEYS = (*(key for key, *_rest in AGEING), "outstanding")


def due_days(today: datetime.date) -> dict[str, tuple[datetime.date | None, datetime.date | None]]:
    """Each ageing bucket as the due dates it holds (first, last; None: open), from today."""
    days = {}
    for key, _label, fewest, most in AGEING:
        # Overdue by n days: due n days before today (due today is not yet overdue).
        first = today - datetime.timedelta(days=most) if most is not None else None
        last = today - datetime.timedelta(days=fewest) if fewest is not None else None
        days[key] = (first, last)
    return days


class ReceivablesReport(Report):
    name = "receivables"
    title = _("Receivables")
    description = _(
        "What is still to collect, aged by due date as of today (not yet due, 1–30, 31–60, "
        "61–90, over 90 days overdue) per rep or per customer (the 50 with most outstanding), "
        "with what is paid but not invoiced; payments received and invoices issued per month."
    )
    group_by = ("rep", "customer", "month")
    order = 40

    def allowed(self, user) -> bool:
        return super().allowed(user) and bool(kinds_in_use(user))

    # --- columns ------------------------------------------------------------------------

    def columns(self, query: ReportQuery) -> list[Column]:
        if query.group_by == "month":
            return [
                Column("label", _("Month"), TEXT),
                Column("payment_amount", _("Payments received"), MONEY),
                Column("invoice_amount", _("Invoices issued"), MONEY),
            ]
        first = _("Customer") if query.group_by == "customer" else _("Rep")
        columns = [Column("label", first, TEXT)]
        columns += [Column(key, label, MONEY) for key, label, *_days in AGEING]
        columns.append(Column("outstanding", _("Outstanding"), MONEY))
        columns += [
            Column(UNINVOICED_KEYS[kind], UNINVOICED_LABELS[kind], MONEY)
            for kind in kinds_in_use(query.user)
        ]
        return columns

    # --- the records counted ------------------------------------------------------------

    def plans(self, query: ReportQuery):
        rows = visible_plans(query.user).filter(TO_COLLECT)
        return query.own_or_visible(rows, field="agreement__owner").order_by()

    def to_invoice(self, query: ReportQuery):
        rows = agreements_to_invoice(query.user).select_related(None)
        rows = rows.filter(kind__in=kinds_in_use(query.user))
        return query.own_or_visible(rows).order_by()

    def payments(self, query: ReportQuery):
        rows = visible_payments(query.user).filter(paid_on__range=(query.date_from, query.date_to))
        return query.own_or_visible(rows).order_by()

    def invoices(self, query: ReportQuery):
        rows = visible_invoices(query.user).filter(
            issued_on__range=(query.date_from, query.date_to)
        )
        return query.own_or_visible(rows, field="agreement__owner").order_by()

    @staticmethod
    def _ageing_sums(days) -> dict:
        sums = {}
        for key, (first, last) in days.items():
            condition = Q()
            if first is not None:
                condition &= Q(due_on__gte=first)
            if last is not None:
                condition &= Q(due_on__lte=last)
            sums[key] = ExactSum(OUTSTANDING, filter=condition)
        sums["outstanding"] = ExactSum(OUTSTANDING)
        return sums

    @staticmethod
    def _uninvoiced_sums(query) -> dict:
        return {
            UNINVOICED_KEYS[kind]: ExactSum(UNINVOICED, filter=Q(kind=kind))
            for kind in kinds_in_use(query.user)
        }

    # --- drill-downs --------------------------------------------------------------------

    def _links(self, query, days, **who) -> dict:
        links = {
            key: query.drilldown("plan-list", state="open", due_from=first, due_to=last, **who)
            for key, (first, last) in days.items()
        }
        links["outstanding"] = query.drilldown("plan-list", state="open", **who)
        for kind in kinds_in_use(query.user):
            links[UNINVOICED_KEYS[kind]] = query.drilldown(LIST_URLS[kind], uninvoiced="yes", **who)
        return links

    def _row(self, query, label, ageing, uninvoiced, links) -> dict:
        row = {"label": label}
        for key in AGEING_KEYS:
            row[key] = ageing.get(key) or ZERO
        for kind in kinds_in_use(query.user):
            row[UNINVOICED_KEYS[kind]] = uninvoiced.get(UNINVOICED_KEYS[kind]) or ZERO
        row["links"] = links
        row["drilldown"] = links["outstanding"]
        return row

    # --- figures ------------------------------------------------------------------------

    def compute(self, query: ReportQuery) -> ReportResult:
        if query.group_by == "month":
            return self._per_month(query)
        days = due_days(today_for(query.user))
        if query.group_by == "customer":
            return self._per_customer(query, days)
        return self._per_rep(query, days)

    def _per_rep(self, query: ReportQuery, days) -> ReportResult:
        ageing = {
            row.pop("agreement__owner_id"): row
            for row in self.plans(query)
            .values("agreement__owner_id")
            .annotate(**self._ageing_sums(days))
        }
        uninvoiced = {
            row.pop("owner_id"): row
            for row in self.to_invoice(query)
            .values("owner_id")
            .annotate(**self._uninvoiced_sums(query))
        }
        rows = []
        people = query.people_with([*ageing, *uninvoiced])
        for person in people.only("id", "real_name", "username", "is_active"):
            key = person.pk
            if not person.is_active and key not in ageing and key not in uninvoiced:
                continue
            rows.append(
                self._row(
                    query,
                    person.display_name,
                    ageing.get(key, {}),
                    uninvoiced.get(key, {}),
                    self._links(query, days, owner=key),
                )
            )
        # Every plan and agreement has one owner, who has a row: the rows add up to the whole.
        totals = self._row(
            query,
            "",
            {key: sum((row[key] for row in rows), ZERO) for key in AGEING_KEYS},
            {
                key: sum((row[key] for row in rows), ZERO)
                for key in (UNINVOICED_KEYS[kind] for kind in kinds_in_use(query.user))
            },
            self._links(query, days),
        )
        totals.pop("label")
        return ReportResult(rows=rows, totals=totals)

    def _per_customer(self, query: ReportQuery, days) -> ReportResult:
        # Ranked on one sum grouped by the key alone (a narrow pass over every customer with
        # something due); the listed few's buckets and names are read after, by their keys.
        ranked = (
            self.plans(query)
            .values("customer_id")
            .annotate(outstanding=ExactSum(OUTSTANDING))
            .order_by("-outstanding", "customer_id")
            .values_list("customer_id", flat=True)
        )
        keys = list(ranked[:TOP_CUSTOMERS])
        ageing = {
            row.pop("customer_id"): row
            for row in self.plans(query)
            .filter(customer_id__in=keys)
            .values("customer_id")
            .annotate(**self._ageing_sums(days))
        }
        names = dict(visible_customers(query.user).filter(pk__in=keys).values_list("pk", "name"))
        uninvoiced = {
            row.pop("customer_id"): row
            for row in self.to_invoice(query)
            .filter(customer_id__in=keys)
            .values("customer_id")
            .annotate(**self._uninvoiced_sums(query))
        }
        rows = [
            self._row(
                query,
                names.get(key, ""),
                ageing.get(key, {}),
                uninvoiced.get(key, {}),
                self._links(query, days, customer=key),
            )
            for key in keys
        ]
        totals = self._row(
            query,
            "",
            self.plans(query).aggregate(**self._ageing_sums(days)),
            self.to_invoice(query).aggregate(**self._uninvoiced_sums(query)),
            self._links(query, days),
        )
        totals.pop("label")
        return ReportResult(rows=rows, totals=totals)

    def _per_month(self, query: ReportQuery) -> ReportResult:
        paid = dict(
            self.payments(query)
            .annotate(bucket=TruncMonth("paid_on"))
            .values("bucket")
            .annotate(total=ExactSum("amount"))
            .values_list("bucket", "total")
        )
        invoiced = dict(
            self.invoices(query)
            .annotate(bucket=TruncMonth("issued_on"))
            .values("bucket")
            .annotate(total=ExactSum("amount"))
            .values_list("bucket", "total")
        )
        paid = {bucket_day(bucket): total for bucket, total in paid.items()}
        invoiced = {bucket_day(bucket): total for bucket, total in invoiced.items()}
        rows = []
        for first, last in query.buckets():
            shown_from, shown_to = query.clipped(first, last)
            links = self._month_links(query, shown_from, shown_to)
            rows.append(
                {
                    "label": f"{first:%Y-%m}",
                    "payment_amount": paid.get(first) or ZERO,
                    "invoice_amount": invoiced.get(first) or ZERO,
                    "links": links,
                    "drilldown": links["payment_amount"],
                }
            )
        # The months cover the range: their rows add up to it.
        links = self._month_links(query, query.date_from, query.date_to)
        totals = {
            "payment_amount": sum((row["payment_amount"] for row in rows), ZERO),
            "invoice_amount": sum((row["invoice_amount"] for row in rows), ZERO),
            "links": links,
            "drilldown": links["payment_amount"],
        }
        return ReportResult(rows=rows, totals=totals)

    def _month_links(self, query, first, last) -> dict:
        return {
            "payment_amount": query.drilldown("payment-list", paid_from=first, paid_to=last),
            "invoice_amount": query.drilldown("invoice-list", issued_from=first, issued_to=last),
        }

    # --- chart --------------------------------------------------------------------------

    def chart(self, query: ReportQuery, result: ReportResult) -> dict | None:
        columns = self.columns(query)
        if query.group_by == "month":
            return bar_chart(result, category="label", series=columns[1:])
        ageing = [column for column in columns if column.key in AGEING_KEYS[:-1]]
        return bar_chart(result, category="label", series=ageing, stacked=True)


register(ReceivablesReport())
