"""Sales performance (销售业绩): per rep, per group or per month, the contract and order amount
signed, the payments received, the targets for both, attainment in percent and rank.

The figures are the targets app's (`banyan.targets.selectors`): agreements signed in the range
and not cancelled (`signed_on`), payments credited to their owner (`paid_on`, reversals
included), both company calendar days. A rep's targets are their own monthly targets of the
months the range touches; a group's its group targets (the leader's `is_group` target); a
month's the personal targets of the people covered. Rank is by payments received (1 = most),
ties sharing a rank; people and periods without payments have none.
"""

from decimal import Decimal

from django.db.models import F, Q, Window
from django.db.models.functions import Rank, TruncMonth, TruncWeek
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from banyan.agreements.models import Agreement
from banyan.agreements.selectors import NOT_CANCELLED, kinds_in_use, visible_agreements
from banyan.core.models import ExactSum
from banyan.finance.selectors import visible_payments
from banyan.reports.registry import (
    COUNT,
    MONEY,
    PERCENT,
    TEXT,
    Column,
    Report,
    ReportQuery,
    ReportResult,
    bar_chart,
    bucket_day,
    register,
)
from banyan.targets.selectors import percent, visible_targets

ZERO = Decimal("0.00")
CONTRACT = Agreement.Kind.CONTRACT
ORDER = Agreement.Kind.ORDER
LIST_URLS = {CONTRACT: "contract-list", ORDER: "order-list"}
AMOUNT_KEYS = {CONTRACT: "contract_amount", ORDER: "order_amount"}
TRUNC = {"month": TruncMonth, "week": TruncWeek}


def _percent(amount: Decimal, target: Decimal | None) -> float | None:
    return float(percent(amount, target)) if target else None


def signed_agreements(query: ReportQuery):
    """The agreements a report counts as signed in its range: of the kinds in use, not
    cancelled, as the user may count them (the products report counts their lines)."""
    rows = visible_agreements(query.user).filter(
        signed_on__range=(query.date_from, query.date_to),
        kind__in=kinds_in_use(query.user),
    )
    return query.own_or_visible(rows.exclude(status=Agreement.Status.CANCELLED)).order_by()


class SalesPerformanceReport(Report):
    name = "sales-performance"
    title = _("Sales performance")
    description = _(
        "Contracts and orders signed, payments received, against the targets: per rep, "
        "per group or per period, with attainment and rank."
    )
    group_by = ("rep", "group", "month", "week")
    order = 10

    # --- columns ------------------------------------------------------------------------

    def columns(self, query: ReportQuery) -> list[Column]:
        first = {
            "rep": _("Rep"),
            "group": pgettext_lazy("reporting group", "Group"),
            "month": _("Month"),
            "week": _("Week"),
        }[query.group_by]
        kinds = kinds_in_use(query.user)
        columns = [Column("label", first, TEXT)]
        if CONTRACT in kinds:
            columns.append(Column("contract_amount", _("Contracts signed"), MONEY))
        if ORDER in kinds:
            columns.append(Column("order_amount", _("Orders signed"), MONEY))
        columns += [
            Column("contract_target", _("Contract target"), MONEY),
            Column("contract_attainment", _("Contract attainment (%)"), PERCENT),
            Column("payment_amount", _("Payments received"), MONEY),
            Column("payment_target", _("Payment target"), MONEY),
            Column("payment_attainment", _("Payment attainment (%)"), PERCENT),
            Column("rank", _("Rank"), COUNT),
        ]
        return columns

    # --- the records counted ------------------------------------------------------------

    def agreements(self, query: ReportQuery):
        return signed_agreements(query)

    def payments(self, query: ReportQuery):
        rows = visible_payments(query.user).filter(paid_on__range=(query.date_from, query.date_to))
        return query.own_or_visible(rows).order_by()

    def targets(self, query: ReportQuery, *, is_group: bool):
        rows = visible_targets(query.user).filter(
            is_group=is_group, month__gte=query.date_from.replace(day=1), month__lte=query.date_to
        )
        return query.own_or_visible(rows, field="user").order_by()

    @staticmethod
    def _signed_sums(**condition) -> dict:
        return {
            AMOUNT_KEYS[kind]: ExactSum("amount", filter=Q(kind=kind, **condition))
            for kind in (CONTRACT, ORDER)
        }

    # --- drill-downs --------------------------------------------------------------------

    def _links(self, query: ReportQuery, first, last, **who) -> dict:
        links = {
            AMOUNT_KEYS[kind]: query.drilldown(
                LIST_URLS[kind],
                status=NOT_CANCELLED,
                signed_from=first,
                signed_to=last,
                **who,
            )
            for kind in kinds_in_use(query.user)
        }
        links["payment_amount"] = query.drilldown(
            "payment-list", paid_from=first, paid_to=last, **who
        )
        return links

    # --- figures ------------------------------------------------------------------------

    def compute(self, query: ReportQuery) -> ReportResult:
        rows = {
            "rep": self._per_rep,
            "group": self._per_group,
            "month": self._per_period,
            "week": self._per_period,
        }[query.group_by](query)
        return ReportResult(rows=rows, totals=self._totals(query))

    def _row(self, query, label, signed, paid, rank, targets, links) -> dict:
        contract_target = targets.get("contract") if targets else None
        payment_target = targets.get("payment") if targets else None
        signed_total = sum((value or ZERO for value in signed.values()), ZERO)
        row = {"label": label}
        for kind in kinds_in_use(query.user):
            row[AMOUNT_KEYS[kind]] = signed.get(AMOUNT_KEYS[kind]) or ZERO
        row.update(
            contract_target=contract_target,
            contract_attainment=_percent(signed_total, contract_target),
            payment_amount=paid or ZERO,
            payment_target=payment_target,
            payment_attainment=_percent(paid or ZERO, payment_target),
            rank=rank,
            links=links,
            drilldown=links.get("payment_amount"),
        )
        return row

    def _target_sums(self, query, *, is_group: bool, by: str) -> dict:
        return {
            key: {"contract": contract, "payment": payment}
            for key, contract, payment in self.targets(query, is_group=is_group)
            .values(by)
            .annotate(contract=ExactSum("contract_amount"), payment=ExactSum("payment_amount"))
            .values_list(by, "contract", "payment")
        }

    def _per_rep(self, query: ReportQuery) -> list[dict]:
        signed = {
            row.pop("owner_id"): row
            for row in self.agreements(query).values("owner_id").annotate(**self._signed_sums())
        }
        paid = {
            owner: (total, rank)
            for owner, total, rank in self.payments(query)
            .values("owner_id")
            .annotate(
                total=ExactSum("amount"),
                rank=Window(Rank(), order_by=F("total").desc()),
            )
            .values_list("owner_id", "total", "rank")
        }
        targets = self._target_sums(query, is_group=False, by="user_id")
        rows = []
        people = query.people_with([*signed, *paid])
        for person in people.only("id", "real_name", "username", "is_active"):
            key = person.pk
            if not person.is_active and key not in signed and key not in paid:
                continue
            total, rank = paid.get(key, (None, None))
            rows.append(
                self._row(
                    query,
                    person.display_name,
                    signed.get(key, {}),
                    total,
                    rank,
                    targets.get(key),
                    self._links(query, query.date_from, query.date_to, owner=key),
                )
            )
        return rows

    def _per_group(self, query: ReportQuery) -> list[dict]:
        leaders = list(query.groups().only("id", "real_name", "username", "path"))
        if not leaders:
            return []
        signed_sums, paid_sums = {}, {}
        for leader in leaders:
            within = {"owner__path__startswith": leader.path}
            for key, expression in self._signed_sums(**within).items():
                signed_sums[f"{key}_{leader.pk}"] = expression
            paid_sums[f"paid_{leader.pk}"] = ExactSum("amount", filter=Q(**within))
        signed = self.agreements(query).aggregate(**signed_sums)
        paid = self.payments(query).aggregate(**paid_sums)
        targets = self._target_sums(query, is_group=True, by="user_id")
        totals = {leader.pk: paid[f"paid_{leader.pk}"] or ZERO for leader in leaders}
        # Groups overlap (a director's holds their managers'), so no GROUP BY can rank them:
        # the rank of each group's aggregate, ties sharing one.
        ranks = {
            pk: 1 + sum(1 for other in totals.values() if other > total)
            for pk, total in totals.items()
            if paid[f"paid_{pk}"] is not None
        }
        return [
            self._row(
                query,
                leader.display_name,
                {
                    key: signed[f"{key}_{leader.pk}"]
                    for key in AMOUNT_KEYS.values()
                    if f"{key}_{leader.pk}" in signed
                },
                totals[leader.pk],
                ranks.get(leader.pk),
                targets.get(leader.pk),
                self._links(query, query.date_from, query.date_to, team=leader.pk),
            )
            for leader in leaders
        ]

    def _per_period(self, query: ReportQuery) -> list[dict]:
        trunc = TRUNC[query.group_by]
        signed = {
            bucket_day(row.pop("bucket")): row
            for row in self.agreements(query)
            .annotate(bucket=trunc("signed_on"))
            .values("bucket")
            .annotate(**self._signed_sums())
        }
        paid = {
            bucket_day(bucket): (total, rank)
            for bucket, total, rank in self.payments(query)
            .annotate(bucket=trunc("paid_on"))
            .values("bucket")
            .annotate(
                total=ExactSum("amount"),
                rank=Window(Rank(), order_by=F("total").desc()),
            )
            .values_list("bucket", "total", "rank")
        }
        targets = (
            {
                bucket_day(key): value
                for key, value in self._target_sums(query, is_group=False, by="month").items()
            }
            if query.group_by == "month"
            else {}
        )
        rows = []
        for first, last in query.buckets():
            total, rank = paid.get(first, (None, None))
            shown_from, shown_to = query.clipped(first, last)
            rows.append(
                self._row(
                    query,
                    f"{first:%Y-%m}" if query.group_by == "month" else f"{first:%Y-%m-%d}",
                    signed.get(first, {}),
                    total,
                    rank,
                    targets.get(first),
                    self._links(query, shown_from, shown_to),
                )
            )
        return rows

    def _totals(self, query: ReportQuery) -> dict:
        signed = self.agreements(query).aggregate(**self._signed_sums())
        paid = self.payments(query).aggregate(total=ExactSum("amount"))["total"] or ZERO
        targets = self.targets(query, is_group=False).aggregate(
            contract=ExactSum("contract_amount"), payment=ExactSum("payment_amount")
        )
        totals = self._row(
            query,
            "",
            {key: value for key, value in signed.items() if value is not None},
            paid,
            None,
            targets if targets["contract"] is not None else None,
            self._links(query, query.date_from, query.date_to),
        )
        totals.pop("label")
        totals.pop("rank")
        return totals

    # --- chart --------------------------------------------------------------------------

    def chart(self, query: ReportQuery, result: ReportResult) -> dict | None:
        columns = {column.key: column for column in self.columns(query)}
        bars = [
            columns[key]
            for key in ("contract_amount", "order_amount", "payment_amount")
            if key in columns
        ]
        return bar_chart(
            result,
            category="label",
            series=bars,
            line=[columns["payment_attainment"]],
        )


register(SalesPerformanceReport())
