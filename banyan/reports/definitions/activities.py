"""Activities (行动统计): follow-ups per rep, or per day, week or month, by activity type; the
activities whose key points say nothing (`activities.selectors.lacking_key_points`); per
rep, the customers followed up in the range (their last follow-up in it) with no open task
(`customers.selectors.in_tracking_without_open_task`: the "not using the CRM properly"
list); and the people with no activity at all in the range.

An activity counts on the company day of its time (`occurred_at` in the company's time zone):
one at 00:30 on the 1st in Shanghai is the new month's, though it is the day before in UTC.
"""

from django.db.models import Count, Q
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils.translation import gettext_lazy as _

from banyan.accounts.selectors import dictionary_options
from banyan.activities.selectors import lacking_key_points, visible_activities
from banyan.customers.selectors import in_tracking_without_open_task, visible_customers
from banyan.reports.registry import (
    COUNT,
    TEXT,
    Column,
    Report,
    ReportQuery,
    ReportResult,
    bar_chart,
    bucket_day,
    register,
)

TRUNC = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}
FIRST_COLUMN = {"rep": _("Rep"), "day": _("Day"), "week": _("Week"), "month": _("Month")}


def _type_key(type_id) -> str:
    return f"type_{type_id}"


class ActivitiesReport(Report):
    name = "activities"
    title = _("Activities")
    description = _(
        "Follow-ups per rep or period by type; activities without key points; customers in "
        "tracking with no open task; people with no activity in the range."
    )
    group_by = ("rep", "day", "week", "month")
    order = 30

    def types(self, query: ReportQuery):
        if not hasattr(query, "_activity_types"):
            types = list(
                dictionary_options(query.user, "activity_type").only(
                    "id", "kind", "code", "label", "is_active"
                )
            )
            object.__setattr__(query, "_activity_types", types)
        return query._activity_types

    def columns(self, query: ReportQuery) -> list[Column]:
        columns = [Column("label", FIRST_COLUMN[query.group_by], TEXT)]
        columns += [
            Column(_type_key(option.pk), option.display_label, COUNT)
            for option in self.types(query)
        ]
        columns += [
            Column("total", _("All follow-ups"), COUNT),
            Column("without_key_points", _("Without key points"), COUNT),
        ]
        if query.group_by == "rep":
            columns.append(
                Column("customers_without_task", _("Customers in tracking, no open task"), COUNT)
            )
        return columns

    # --- the records counted ------------------------------------------------------------

    def activities(self, query: ReportQuery):
        rows = visible_activities(query.user).select_related(None)
        rows = rows.filter(occurred_at__gte=query.start, occurred_at__lt=query.end)
        return query.own_or_visible(rows).order_by()

    def customers_without_task(self, query: ReportQuery):
        """The customers whose last follow-up fell in the range and who have no open task
        (bounded by the range, so an indexed range of the customers, not all of them)."""
        customers = query.own_or_visible(visible_customers(query.user).select_related(None))
        customers = customers.filter(
            last_contacted_at__gte=query.start, last_contacted_at__lt=query.end
        )
        return in_tracking_without_open_task(customers).order_by()

    def _untasked_link(self, query, **who) -> str:
        return query.drilldown(
            "customer-list",
            open_task="none",
            contacted_from=query.date_from,
            contacted_to=query.date_to,
            **who,
        )

    def _counts(self, query) -> dict:
        counts = {
            _type_key(option.pk): Count("id", filter=Q(type_id=option.pk))
            for option in self.types(query)
        }
        counts["total"] = Count("id")
        counts["without_key_points"] = Count("id", filter=lacking_key_points())
        return counts

    def _count_keys(self, query) -> list[str]:
        return [
            *(_type_key(option.pk) for option in self.types(query)),
            "total",
            "without_key_points",
        ]

    # --- drill-downs --------------------------------------------------------------------

    def _links(self, query, first, last, **who) -> dict:
        days = {"date_from": first, "date_to": last}
        links = {
            _type_key(option.pk): query.drilldown("activity-list", type=option.pk, **days, **who)
            for option in self.types(query)
        }
        links["total"] = query.drilldown("activity-list", **days, **who)
        links["without_key_points"] = query.drilldown(
            "activity-list", key_points="missing", **days, **who
        )
        return links

    def _row(self, query, label, figures, links) -> dict:
        row = {"label": label}
        for key in self._count_keys(query):
            row[key] = figures.get(key) or 0
        row["links"] = links
        row["drilldown"] = links["total"]
        return row

    # --- figures ------------------------------------------------------------------------

    def compute(self, query: ReportQuery) -> ReportResult:
        counts = self._counts(query)
        per_owner = {
            row.pop("owner_id"): row
            for row in self.activities(query).values("owner_id").annotate(**counts)
        }
        people = list(query.people_rows().only("id", "real_name", "username", "role", "is_active"))
        untasked = {}
        if query.group_by == "rep":
            untasked = dict(
                self.customers_without_task(query)
                .values("owner_id")
                .annotate(count=Count("id"))
                .values_list("owner_id", "count")
            )
            rows = self._per_rep(query, per_owner, untasked)
        else:
            rows = self._per_period(query, counts)
        # Each activity has one owner: the owners' counts add up to the whole.
        whole = {
            key: sum(figures.get(key) or 0 for figures in per_owner.values())
            for key in self._count_keys(query)
        }
        totals = self._row(query, "", whole, self._links(query, query.date_from, query.date_to))
        totals.pop("label")
        if query.group_by == "rep":
            # Each customer has one owner: the rows partition them.
            totals["customers_without_task"] = sum(untasked.values())
            totals["links"]["customers_without_task"] = self._untasked_link(query)
        idle = [
            {
                "label": person.display_name,
                "role": person.get_role_display(),
                "links": {
                    "label": query.drilldown(
                        "activity-list",
                        owner=person.pk,
                        date_from=query.date_from,
                        date_to=query.date_to,
                    )
                },
            }
            for person in people
            if person.is_active and person.pk not in per_owner
        ]
        totals["people_without_activity"] = [row["label"] for row in idle]
        sections = [
            {
                "key": "idle",
                "title": _("People with no activity in the range"),
                "columns": [Column("label", _("Person"), TEXT), Column("role", _("Role"), TEXT)],
                "rows": idle,
            }
        ]
        return ReportResult(rows=rows, totals=totals, sections=sections)

    def _per_rep(self, query, per_owner, untasked) -> list[dict]:
        rows = []
        people = query.people_with([*per_owner, *untasked]).only(
            "id", "real_name", "username", "role", "is_active"
        )
        for person in people:
            key = person.pk
            if not person.is_active and key not in per_owner and key not in untasked:
                continue
            row = self._row(
                query,
                person.display_name,
                per_owner.get(key, {}),
                self._links(query, query.date_from, query.date_to, owner=key),
            )
            row["customers_without_task"] = untasked.get(key, 0)
            row["links"]["customers_without_task"] = self._untasked_link(query, owner=key)
            rows.append(row)
        return rows

    def _per_period(self, query, counts) -> list[dict]:
        trunc = TRUNC[query.group_by]
        figures = {
            bucket_day(row.pop("bucket")): row
            for row in self.activities(query)
            .annotate(bucket=trunc("occurred_at", tzinfo=query.zone))
            .values("bucket")
            .annotate(**counts)
        }
        rows = []
        for first, last in query.buckets():
            shown_from, shown_to = query.clipped(first, last)
            label = f"{first:%Y-%m}" if query.group_by == "month" else f"{first:%Y-%m-%d}"
            rows.append(
                self._row(
                    query, label, figures.get(first, {}), self._links(query, shown_from, shown_to)
                )
            )
        return rows

    # --- chart --------------------------------------------------------------------------

    def chart(self, query: ReportQuery, result: ReportResult) -> dict | None:
        columns = self.columns(query)
        types = [column for column in columns if column.key.startswith("type_")]
        return bar_chart(result, category="label", series=types, stacked=True)


register(ActivitiesReport())
