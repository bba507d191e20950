"""Customers (客户统计): the customers by type, source, region or industry, per rep, or per
month. For each: the customers now (a snapshot, whatever the range), the new ones (created in
the range), the conversions (moved from potential to regular in the range: `converted_at`,
kept by the customer services) and the hot ones now; per rep also the company's hot-customer
cap and how much of it each rep uses.

Days are company calendar days: a customer created at 00:30 on the 1st in Shanghai is the new
month's, though it is the day before in UTC. A conversion counts once, at the customer's
latest move from potential to regular (a move back to potential undoes it).

The figures of a rep are those of the customers they own; a customer shared with the user is
counted on its owner's row. Each grouping partitions the customers counted, so the totals are
the sums of the rows' figures.
"""

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from banyan.accounts.selectors import dictionary_options
from banyan.customers.selectors import visible_customers
from banyan.reports.registry import (
    COUNT,
    GROUP_BY_CHOICES,
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

# group_by → (the customer's column, its dictionary kind; None: free text). The customer
# list's filter of each is named as the grouping.
DIMENSIONS = {
    "type": ("type_id", "customer_type"),
    "source": ("source_id", "customer_source"),
    "region": ("region", None),
    "industry": ("industry_id", "industry"),
}
FIGURES = ("customers", "new_customers", "conversions", "hot_customers")


def _percent(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


class CustomersReport(Report):
    name = "customers"
    title = _("Customers")
    description = _(
        "Customers by type, source, region or industry, per rep or per month: how many, the "
        "new ones, potential customers turned regular, and hot customers against the cap."
    )
    group_by = ("rep", "type", "source", "region", "industry", "month")
    order = 50

    # --- columns ------------------------------------------------------------------------

    def columns(self, query: ReportQuery) -> list[Column]:
        columns = [Column("label", GROUP_BY_CHOICES[query.group_by], TEXT)]
        if query.group_by != "month":
            columns.append(Column("customers", _("Customers"), COUNT))
        columns += [
            Column("new_customers", _("New customers"), COUNT),
            Column("conversions", _("Converted to regular"), COUNT),
        ]
        if query.group_by != "month":
            columns.append(Column("hot_customers", _("Hot customers"), COUNT))
        if query.group_by == "rep":
            columns += [
                Column("hot_cap", _("Hot customers allowed"), COUNT),
                Column("hot_used", _("Of the cap (%)"), PERCENT),
            ]
        return columns

    # --- the records counted ------------------------------------------------------------

    def customers(self, query: ReportQuery):
        rows = visible_customers(query.user).select_related(None)
        return query.own_or_visible(rows).order_by()

    @staticmethod
    def _created(query) -> Q:
        return Q(created_at__gte=query.start, created_at__lt=query.end)

    @staticmethod
    def _converted(query) -> Q:
        return Q(converted_at__gte=query.start, converted_at__lt=query.end)

    # --- drill-downs --------------------------------------------------------------------

    def _links(self, query, *, first=None, last=None, **where) -> dict:
        first, last = first or query.date_from, last or query.date_to
        links = {
            "customers": query.drilldown("customer-list", **where),
            "new_customers": query.drilldown(
                "customer-list", created_from=first, created_to=last, **where
            ),
            "conversions": query.drilldown(
                "customer-list", converted_from=first, converted_to=last, **where
            ),
            "hot_customers": query.drilldown("customer-list", hot="1", **where),
        }
        if query.group_by == "month":
            del links["customers"], links["hot_customers"]
        return links

    def _row(self, query, label, figures: dict, links: dict) -> dict:
        row = {"label": label}
        for key in links:
            row[key] = figures.get(key) or 0
        row["links"] = links
        row["drilldown"] = links.get("customers") or links["new_customers"]
        return row

    # --- figures ------------------------------------------------------------------------

    def compute(self, query: ReportQuery) -> ReportResult:
        if query.group_by == "rep":
            rows = self._per_rep(query)
        elif query.group_by == "month":
            rows = self._per_month(query)
        else:
            rows = self._per_dimension(query)
        # Each grouping partitions the customers counted: the totals are the rows' sums.
        totals = {
            column.key: sum(row[column.key] for row in rows)
            for column in self.columns(query)
            if column.key in FIGURES
        }
        totals["links"] = self._links(query)
        totals["drilldown"] = totals["links"].get("customers") or totals["links"]["new_customers"]
        return ReportResult(rows=rows, totals=totals)

    def _figures_by(self, query: ReportQuery, column: str) -> dict:
        """{value of `column`: {figure: count}} in one query per figure, each read by its
        own index: the customers now by `column` ((company, owner, created_at) per rep,
        which answers the new ones too), the new ones by (company, created_at), the
        conversions by (company, converted_at), the hot ones by the partial (company, owner)
        of hot customers; the last three are ranges of a few rows."""
        customers = self.customers(query)
        per_owner = column == "owner_id"
        counted = {"customers": Count("*")}
        if per_owner:
            counted["new_customers"] = Count("created_at", filter=self._created(query))
        parts = [(customers, counted)]
        if not per_owner:
            parts.append((customers.filter(self._created(query)), {"new_customers": Count("*")}))
        parts += [
            (customers.filter(self._converted(query)), {"conversions": Count("*")}),
            (customers.filter(is_hot=True), {"hot_customers": Count("*")}),
        ]
        figures: dict = {}
        for rows, counts in parts:
            for row in rows.values(column).annotate(**counts):
                figures.setdefault(row.pop(column), {}).update(row)
        return figures

    def _per_dimension(self, query: ReportQuery) -> list[dict]:
        column, kind = DIMENSIONS[query.group_by]
        figures = self._figures_by(query, column)
        empty = "" if kind is None else None
        rows = []
        if kind is not None:
            options = dictionary_options(query.user, kind).only("id", "kind", "code", "label")
            for option in options.filter(Q(is_active=True) | Q(pk__in=list(figures))):
                rows.append(
                    self._row(
                        query,
                        option.display_label,
                        figures.get(option.pk, {}),
                        self._links(query, **{query.group_by: option.pk}),
                    )
                )
        else:
            # Free text: the regions found, the largest first.
            named = sorted(
                (value for value in figures if value),
                key=lambda value: (-figures[value]["customers"], value),
            )
            for value in named:
                rows.append(
                    self._row(query, value, figures[value], self._links(query, region=value))
                )
        if empty in figures:
            rows.append(
                self._row(
                    query,
                    str(_("Not filled in")),
                    figures[empty],
                    self._links(query, missing=query.group_by),
                )
            )
        return rows

    def _per_rep(self, query: ReportQuery) -> list[dict]:
        figures = self._figures_by(query, "owner_id")
        cap = query.company.hot_customer_cap
        # The range's links, encoded once and narrowed to each owner (a thousand reps):
        # without the permission they are already the user's, the only row.
        links = {
            key: f"{url}{'&' if '?' in url else '?'}owner="
            for key, url in self._links(query).items()
        }
        beyond_own = query.sees_beyond_own
        rows = []
        people = query.people_with(figures).only("id", "real_name", "username", "is_active")
        for person in people:
            if not person.is_active and person.pk not in figures:
                continue
            row = self._row(
                query,
                person.display_name,
                figures.get(person.pk, {}),
                {key: f"{url}{person.pk}" for key, url in links.items()}
                if beyond_own
                else self._links(query),
            )
            row["hot_cap"] = cap
            row["hot_used"] = _percent(row["hot_customers"], cap)
            rows.append(row)
        return rows

    def _per_month(self, query: ReportQuery) -> list[dict]:
        customers = self.customers(query)
        figures: dict = {}
        for key, column, condition in (
            ("new_customers", "created_at", self._created(query)),
            ("conversions", "converted_at", self._converted(query)),
        ):
            for bucket, count in (
                customers.filter(condition)
                .annotate(bucket=TruncMonth(column, tzinfo=query.zone))
                .values("bucket")
                .annotate(count=Count("*"))
                .values_list("bucket", "count")
            ):
                figures.setdefault(bucket_day(bucket), {})[key] = count
        rows = []
        for first, last in query.buckets():
            shown_from, shown_to = query.clipped(first, last)
            rows.append(
                self._row(
                    query,
                    f"{first:%Y-%m}",
                    figures.get(first, {}),
                    self._links(query, first=shown_from, last=shown_to),
                )
            )
        return rows

    # --- chart --------------------------------------------------------------------------

    def chart(self, query: ReportQuery, result: ReportResult) -> dict | None:
        columns = {column.key: column for column in self.columns(query)}
        if query.group_by == "month":
            series = [columns["new_customers"], columns["conversions"]]
            return bar_chart(result, category="label", series=series)
        if query.group_by == "rep":
            series = [columns["customers"], columns["hot_customers"]]
            return bar_chart(result, category="label", series=series, horizontal=True)
        return bar_chart(
            result, category="label", series=[columns["customers"], columns["new_customers"]]
        )


register(CustomersReport())
