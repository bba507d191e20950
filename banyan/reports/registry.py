"""The reports framework: every report is declared once, here or in the app that owns its data.

How to add a report (one file):

1. Write `banyan/reports/definitions/<name>.py` (every module of that package is imported at
   start-up), or `banyan/<app>/reports.py` in the app that owns the data (found like the
   exports app finds `exports.py`):

       from django.utils.translation import gettext_lazy as _
       from banyan.reports.registry import MONEY, Column, Report, ReportResult, bar_chart, register

       class ReceivablesReport(Report):
           name = "receivables"                 # the URL and the API name
           title = _("Receivables")
           description = _("Ageing of what is due…")
           group_by = ("rep", "group", "month")  # the first is the default; values from
                                                 # GROUP_BY_CHOICES (add one there if new)
           order = 40                           # place in the list of reports

           def columns(self, query):            # → [Column(key, label, kind)]; kind is
               return [Column("label", _("Rep")),   # TEXT, MONEY, COUNT, PERCENT, NUMBER, DATE
                       Column("due", _("Due"), MONEY)]

           def compute(self, query):            # → ReportResult(rows, totals, sections)
               ...                              # ORM aggregates only, a few queries
               return ReportResult(rows=[{"label": …, "due": …, "drilldown": url,
                                          "links": {"due": url}}], totals={"due": …})

           def chart(self, query, result):      # → an ECharts option (dict) or None
               return bar_chart(result, category="label", series=self.columns(query)[1:])

       register(ReceivablesReport())

2. `query` is a `ReportQuery`: `.user`, `.date_from`, `.date_to` (company calendar days, both
   included), `.group_by`, `.zone` (the company's tzinfo: pass it to Trunc* on datetime
   columns), `.start`/`.end` (aware datetimes bounding the range, end excluded),
   `.sees_beyond_own` (the "view reports" permission, or an admin boss). Start every query
   from the owning app's `visible_*` selector and pass it through `query.own_or_visible(
   rows, field="owner")`, which keeps only the user's own rows without the permission.
   `query.people_rows()`/`query.groups()` give the reps and the group leaders (directors and
   managers) the user may report on, `query.people_with(keys)` the reps plus the owners of
   the rows counted (shared customers' records have another owner: they get a row too);
   `query.buckets()` the day, week (Monday) or month buckets of the range as (first, last)
   days, `query.clipped(first, last)` one clipped to the range, `bucket_day(value)` a Trunc*
   value as a day (to match the buckets); `query.drilldown(url_name, **filters)` a list URL
   with its own filter query parameters (the user's own `owner` filter added when they see
   only their own figures; `own_field=` for a list whose filter is named otherwise). A
   per-group figure drills down with `team=<leader id>` (contract, order and payment lists).
   Every figure and its drill-down list must agree row for row: test it (see
   banyan/reports/tests/test_sales_performance.py) and add the list filter you need.

3. Rows are dicts: one value per column key, plus `drilldown` (the URL of the list of the
   row's records, the same rows the figures count) and optionally `links` (column key → the
   URL of that one figure's records). `totals` maps column keys to values (and may carry
   `links` too). Values are Decimal (money), int, float (percent), date or str; the page, the
   API (Decimal as an exact string, date as ISO) and the .xlsx export format them.

4. `allowed(user)` (default: every member) hides a report from a user (a module not in use,
   a special permission): the list, the page (404) and the API (404) follow it. Columns a
   user may not see (costs) are simply left out of `columns()` and of the rows. Reports are
   listed by `order`. `sections` (extra tables: {"key", "title", "columns", "rows"}) show on
   the page under the main table; the API carries rows and totals only.

The framework (range form, group_by, pages, API, export, query-count tests) needs no change
for a new report.
"""

from __future__ import annotations

import calendar
import datetime
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from banyan.accounts import selectors as account_selectors
from banyan.accounts import visibility
from banyan.accounts.models import Role, User

# Column kinds: how the page, the API and the export show a value.
TEXT = "text"
MONEY = "money"
COUNT = "count"
PERCENT = "percent"
NUMBER = "number"
DATE = "date"


GROUP_BY_CHOICES = {
    "rep": _("Rep"),
    "group": pgettext_lazy("reporting group", "Group"),
    "month": _("Month"),
    "week": _("Week"),
    "day": _("Day"),
    "stage": _("Stage"),
    "warehouse": _("Warehouse"),
    "product": _("Product"),
    "category": _("Category"),
    "type": _("Customer type"),
    "source": _("Source"),
    "region": _("Region"),
    "industry": _("Industry"),
    "customer": _("Customer"),
}


def sees_beyond_own(user: User) -> bool:
    """Whether the user's reports cover more than their own figures."""
    return account_selectors.may_view_reports(user)


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy translation
    kind: str = TEXT

    def as_dict(self) -> dict:
        return {"key": self.key, "label": str(self.label)}


@dataclass
class ReportResult:
    rows: list[dict]
    totals: dict = field(default_factory=dict)
    # Further tables under the main one (the activities report's lists): each
    # {"key", "title", "columns": [Column], "rows": [dict]}; the page shows them, the API
    # leaves them out of its contract.
    sections: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class ReportQuery:
    """What a report is asked: who, which company days (both included), grouped how."""

    user: User
    date_from: datetime.date
    date_to: datetime.date
    group_by: str

    @property
    def company(self):
        return self.user.company

    @property
    def zone(self) -> datetime.tzinfo:
        return self.user.company.zone

    @functools.cached_property
    def sees_beyond_own(self) -> bool:
        return sees_beyond_own(self.user)

    @property
    def start(self) -> datetime.datetime:
        """The first instant of `date_from` in the company's time zone."""
        return datetime.datetime.combine(self.date_from, datetime.time.min, tzinfo=self.zone)

    @property
    def end(self) -> datetime.datetime:
        """The first instant after `date_to` in the company's time zone (excluded)."""
        next_day = self.date_to + datetime.timedelta(days=1)
        return datetime.datetime.combine(next_day, datetime.time.min, tzinfo=self.zone)

    def own_or_visible(self, rows: QuerySet, *, field: str = "owner") -> QuerySet:
        """`rows` (already a `visible_*` selector's) as the report may count them: all of
        them with the "view reports" permission, else only the user's own (`field`)."""
        if self.sees_beyond_own:
            return rows
        return rows.filter(**{f"{field}_id": self.user.pk})

    def people_rows(self) -> QuerySet[User]:
        """The people a per-rep report lists: everyone whose records the user sees (their
        line; a boss: the company), or only the user without the permission."""
        people = visibility.visible_owners(self.user).select_related(None)
        if not self.sees_beyond_own:
            people = people.filter(pk=self.user.pk)
        return people.order_by("path")

    def people_with(self, keys) -> QuerySet[User]:
        """`people_rows()` and the owners of records counted (`keys`) outside them: a
        customer shared with the user brings its owner's records, and they have a row."""
        people = self.people_rows()
        keys = sorted(set(keys) - {None})
        if not keys:
            return people
        return (
            User.objects.filter(company_id=self.user.company_id)
            .filter(Q(pk__in=people.values("pk")) | Q(pk__in=keys))
            .order_by("path")
        )

    def groups(self) -> QuerySet[User]:
        """The group leaders (directors and managers) a per-group report lists: those in the
        user's line, the user included; none without the permission."""
        people = self.people_rows().filter(role__in=(Role.DIRECTOR, Role.MANAGER))
        return people if self.sees_beyond_own else people.none()

    def buckets(self) -> list[tuple[datetime.date, datetime.date]]:
        """The month or week (Monday first) buckets of the range as (first, last) days,
        clipped to the range; for "day", each day."""
        buckets = []
        if self.group_by == "month":
            first = self.date_from.replace(day=1)
            while first <= self.date_to:
                last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
                buckets.append((first, last))
                first = last + datetime.timedelta(days=1)
        elif self.group_by == "week":
            first = self.date_from - datetime.timedelta(days=self.date_from.weekday())
            while first <= self.date_to:
                buckets.append((first, first + datetime.timedelta(days=6)))
                first += datetime.timedelta(days=7)
        elif self.group_by == "day":
            day = self.date_from
            while day <= self.date_to:
                buckets.append((day, day))
                day += datetime.timedelta(days=1)
        return buckets

    def clipped(self, first: datetime.date, last: datetime.date):
        """A bucket's days within the range."""
        return max(first, self.date_from), min(last, self.date_to)

    def drilldown(self, url_name: str, *, own_field: str | None = "owner", **filters) -> str:
        """The URL of a list page with `filters` as its query parameters (None and "" left
        out); without the permission the list is narrowed to the user's own rows by its
        `own_field` filter, as the report's figures are."""
        params = {}
        if own_field and not self.sees_beyond_own:
            params[own_field] = str(self.user.pk)
        for name, value in filters.items():
            if value is None or value == "":
                continue
            params[name] = value.isoformat() if isinstance(value, datetime.date) else str(value)
        url = _list_url(url_name)
        if not params:
            return url
        return f"{url}?{'&'.join(_pair(name, text) for name, text in params.items())}"


@functools.lru_cache(maxsize=8192)
def _pair(name: str, value: str) -> str:
    """One `name=value` of a query string, encoded once: a report by rep writes ten links
    per row for a thousand rows, and most of their parameters repeat."""
    return urlencode({name: value})


@functools.lru_cache(maxsize=64)
def _list_url(url_name: str) -> str:
    """A list page's path (reversed once: a report by rep links a thousand rows to it)."""
    return reverse(url_name)


class Report:
    """A report: declare the class attributes and the three methods (see the module)."""

    name: str = ""
    title: Any = ""
    description: Any = ""
    group_by: tuple[str, ...] = ("rep",)
    order: int = 100

    def allowed(self, user: User) -> bool:
        return visibility.is_member(user)

    def columns(self, query: ReportQuery) -> list[Column]:
        raise NotImplementedError

    def compute(self, query: ReportQuery) -> ReportResult:
        raise NotImplementedError

    def chart(self, query: ReportQuery, result: ReportResult) -> dict | None:
        return None

    def group_by_choices(self) -> list[tuple[str, Any]]:
        return [(value, GROUP_BY_CHOICES[value]) for value in self.group_by]


_reports: dict[str, Report] = {}


def register(report: Report) -> Report:
    if not report.name or (report.name in _reports and _reports[report.name] is not report):
        raise ValueError(f"A report needs a name of its own: {report.name!r}")
    _reports[report.name] = report
    return report


def report_named(name: str) -> Report | None:
    return _reports.get(name)


def all_reports() -> list[Report]:
    return sorted(_reports.values(), key=lambda report: report.order)


def reports_for(user: User) -> list[Report]:
    """The reports the user may open (each shows only what they may see)."""
    return [report for report in all_reports() if report.allowed(user)]


# --- helpers for reports' charts -------------------------------------------------------------


def bucket_day(value) -> datetime.date:
    """A Trunc* bucket as a day (a datetime bucket of a DateTimeField → its date)."""
    return value.date() if isinstance(value, datetime.datetime) else value


def chart_number(value) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return value
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def bar_chart(
    result: ReportResult,
    *,
    category: str,
    series: Iterable[Column],
    horizontal: bool = False,
    stacked: bool = False,
    line: Iterable[Column] = (),
) -> dict:
    """An ECharts option: one bar series per column in `series` (and a line per column in
    `line`, on a second axis), over the rows' `category` values."""
    categories = [str(row.get(category, "")) for row in result.rows]
    option_series = []
    for column in series:
        option_series.append(
            {
                "name": str(column.label),
                "type": "bar",
                **({"stack": "total"} if stacked else {}),
                "data": [chart_number(row.get(column.key)) for row in result.rows],
            }
        )
    for column in line:
        option_series.append(
            {
                "name": str(column.label),
                "type": "line",
                "yAxisIndex": 1,
                "data": [chart_number(row.get(column.key)) for row in result.rows],
            }
        )
    category_axis = {"type": "category", "data": categories}
    value_axis = [{"type": "value"}]
    if line:
        value_axis.append({"type": "value", "axisLabel": {"formatter": "{value}%"}})
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "top": 32, "bottom": 8, "containLabel": True},
        "xAxis": value_axis[0] if horizontal else category_axis,
        "yAxis": category_axis if horizontal else value_axis,
        "series": option_series,
    }
