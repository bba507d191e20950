"""The dashboard of bosses, directors and managers (the workbench): this month against last
month and the same month last year, with a 12-month trend, for what they may see.

Every figure reads through the apps' `visible_*` selectors (a manager: their subtree's
customers and those shared with them; a boss: the company), so it agrees row for row with
the list it links to. Months are calendar months of the company's time zone. Each flow is
one query grouped by month (`Trunc*` in the company's zone) over the 13 months needed (the
same month last year, then the last 12), a range an index on (company, [owner,] date)
serves; the open pipeline is one query of conditional aggregates, one per month's end.
Figures beyond one's own need the "view reports" permission, which an admin boss holds by
office (`can_see_team_figures`).
"""

import calendar
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from banyan.accounts import selectors as account_selectors
from banyan.accounts import visibility
from banyan.accounts.models import Role, User
from banyan.activities import selectors as activity_selectors
from banyan.activities.models import Activity
from banyan.agreements import selectors as agreement_selectors
from banyan.agreements.models import Agreement
from banyan.core.models import ExactSum
from banyan.customers import selectors as customer_selectors
from banyan.customers.models import Customer
from banyan.finance import selectors as finance_selectors
from banyan.finance.models import Payment
from banyan.opportunities import selectors as opportunity_selectors
from banyan.opportunities.models import Opportunity
from banyan.targets import selectors as target_selectors
from banyan.workbench import tallies
from banyan.workbench.models import MonthTally

ZERO = Decimal("0.00")
TREND_MONTHS = 12


# --- who sees it ----------------------------------------------------------------------------


def has_team(user: User) -> bool:
    """Someone whose records include others' through the reporting line: a boss, a director,
    a manager, or the assistant of one."""
    if not visibility.is_member(user):
        return False
    return user.role in (Role.BOSS, Role.DIRECTOR, Role.MANAGER) or bool(user.assistant_of_id)


def can_view_reports(user: User) -> bool:
    return account_selectors.may_view_reports(user)


def can_see_team_figures(user: User) -> bool:
    return has_team(user) and can_view_reports(user)


# --- months ---------------------------------------------------------------------------------


def add_months(month: date, count: int) -> date:
    """The first day of the month `count` months after (before, if negative) `month`."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def start_of(user: User, day: date) -> datetime:
    """Midnight starting `day` in the company's time zone."""
    return datetime.combine(day, time.min, tzinfo=user.company.zone)


def month_of(value) -> date:
    """A month bucket (a date, or a datetime already in the company's zone) → its first day."""
    if isinstance(value, datetime):
        value = value.date()
    return value.replace(day=1)


@dataclass
class Months:
    """The 13 months a dashboard reads: the same month last year, then the last 12 (this
    month last), and where they start and end."""

    current: date
    all: list[date]  # oldest first; all[0] is the same month last year
    # The keys of the user's line and of the customers shared with them, read once for
    # every figure of one dashboard (`_tallied`).
    keys: dict = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, user: User) -> "Months":
        current = target_selectors.current_month(user)
        return cls(current, [add_months(current, -n) for n in range(TREND_MONTHS, -1, -1)])

    @property
    def first(self) -> date:
        return self.all[0]

    @property
    def last(self) -> date:
        return last_day(self.current)

    @property
    def trend(self) -> list[date]:
        return self.all[1:]


# --- figures --------------------------------------------------------------------------------


@dataclass
class Figure:
    key: str
    label: str
    is_money: bool
    months: Months
    values: dict[date, Decimal | int]
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, URL) of the records
    note: str = ""

    def value(self, month: date):
        return self.values.get(month, ZERO if self.is_money else 0)

    @property
    def this_month(self):
        return self.value(self.months.current)

    @property
    def last_month(self):
        return self.value(add_months(self.months.current, -1))

    @property
    def last_year(self):
        return self.value(self.months.first)

    @property
    def change_on_last_month(self):
        return change(self.this_month, self.last_month)

    @property
    def change_on_last_year(self):
        return change(self.this_month, self.last_year)

    @property
    def trend(self) -> list:
        return [self.value(month) for month in self.months.trend]

    def chart(self) -> dict:
        """What the figure's trend chart draws (JSON-able: amounts as strings, exact)."""
        return {
            "key": self.key,
            "label": str(self.label),
            "months": [f"{month:%Y-%m}" for month in self.months.trend],
            "values": [str(value) for value in self.trend],
        }

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": str(self.label),
            "this_month": str(self.this_month),
            "last_month": str(self.last_month),
            "same_month_last_year": str(self.last_year),
            "change_on_last_month": _percent_text(self.change_on_last_month),
            "change_on_last_year": _percent_text(self.change_on_last_year),
            "trend": self.chart(),
            "links": [{"label": str(label), "url": url} for label, url in self.links],
        }


def change(now, before) -> Decimal | None:
    """The change from `before` to `now` in percent, to one decimal; None from nothing."""
    if not before:
        return None
    return (Decimal(now - before) * 100 / Decimal(before)).quantize(Decimal("0.1"))


def _percent_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _by_month(rows, value_key: str = "total") -> dict[date, Decimal | int]:
    return {month_of(row["month"]): row[value_key] for row in rows if row["month"] is not None}


def _money_by_month(rows: QuerySet, date_field: str) -> dict[date, Decimal]:
    rows = (
        rows.annotate(month=TruncMonth(date_field))
        .order_by()
        .values("month")
        .annotate(total=ExactSum("amount"))
    )
    return {month: total or ZERO for month, total in _by_month(rows).items()}


def _count_by_month(user: User, rows: QuerySet, field_name: str) -> dict[date, int]:
    rows = (
        rows.annotate(month=TruncMonth(field_name, tzinfo=user.company.zone))
        .order_by()
        .values("month")
        .annotate(total=Count("*"))  # COUNT(*): read from the date index alone
    )
    return _by_month(rows)


def _tallied(
    user: User,
    flow: str,
    months: Months,
    live: Callable[[QuerySet], dict],
    shared_rows: Callable[[list | QuerySet, list | QuerySet], QuerySet],
    *,
    is_money: bool,
) -> dict:
    """{month: value} of a flow over the 13 months, as `live(rows)` counts the visible rows:
    from the tallies PostgreSQL keeps (`workbench.tallies`) for the owners the user sees,
    plus, counted live, the rows of customers shared with them whose owner is outside their
    line (`shared_rows(shared keys, line keys)`, a short list). Where the database keeps no
    tallies (SQLite), `live` counts them all."""
    if not tallies.in_use():
        return live(None)
    kept = visibility.of_company(user, MonthTally).filter(
        flow=flow, month__gte=months.first, month__lte=months.current
    )
    values: dict = {}
    if not visibility.sees_whole_company(user):
        if not months.keys:
            months.keys.update(
                owners=visibility.line_owner_keys(user),
                shared=visibility.shared_customer_keys(user),
            )
        owners, shared = months.keys["owners"], months.keys["shared"]
        kept = kept.filter(owner_key__in=owners)
        if not isinstance(shared, list) or shared:
            values = live(shared_rows(shared, owners))
    column = "amount" if is_money else "count"
    for month, total in (
        kept.order_by()
        .values("month")
        .annotate(total=ExactSum(column) if is_money else Sum(column))
    ).values_list("month", "total"):
        values[month] = values.get(month, 0) + (total or 0)
    return values


def _shared_records(user: User, model, shared, owners) -> QuerySet:
    """The records of the customers shared with the user whose owner is outside their line
    (those the line's tallies do not hold)."""
    rows = visibility.of_company(user, model).filter(customer_id__in=shared)
    return rows.exclude(customer_owner_id__in=owners)


def _link(name: str, **query) -> str:
    return f"{reverse(name)}?{urlencode(query)}"


def _days_of(month: date) -> tuple[str, str]:
    """The first and last day of `month`, as a list's date filters take them."""
    return f"{month:%Y-%m-%d}", f"{last_day(month):%Y-%m-%d}"


def signed_figure(user: User, months: Months) -> Figure:
    """Σ amount of the agreements (contracts and orders) signed in each month and not
    cancelled, as the targets count them. One query (and the visibility engine's keys)."""

    def signed(rows: QuerySet) -> QuerySet:
        rows = rows.filter(signed_on__range=(months.first, months.last))
        return rows.exclude(status=Agreement.Status.CANCELLED)

    def live(rows: QuerySet | None) -> dict:
        rows = agreement_selectors.visible_agreements(user) if rows is None else rows
        return _money_by_month(signed(rows), "signed_on")

    first, last = _days_of(months.current)
    labels = {
        Agreement.Kind.CONTRACT: ("contract-list", _("Contracts")),
        Agreement.Kind.ORDER: ("order-list", _("Orders")),
    }
    links = [
        (
            labels[kind][1],
            _link(
                labels[kind][0],
                signed_from=first,
                signed_to=last,
                status=agreement_selectors.NOT_CANCELLED,
            ),
        )
        for kind in agreement_selectors.kinds_in_use(user)
    ]
    return Figure(
        "signed",
        _("Contract amount signed"),
        True,
        months,
        _tallied(
            user,
            "signed",
            months,
            live,
            lambda shared, owners: _shared_records(user, Agreement, shared, owners),
            is_money=True,
        ),
        links,
    )


def payments_figure(user: User, months: Months) -> Figure:
    """Σ payments received in each month, reversals deducted (the net, as the targets and the
    payment list count it). One query."""

    def live(rows: QuerySet | None) -> dict:
        rows = finance_selectors.visible_payments(user) if rows is None else rows
        return _money_by_month(rows.filter(paid_on__range=(months.first, months.last)), "paid_on")

    first, last = _days_of(months.current)
    return Figure(
        "payments",
        _("Payments received"),
        True,
        months,
        _tallied(
            user,
            "payments",
            months,
            live,
            lambda shared, owners: _shared_records(user, Payment, shared, owners),
            is_money=True,
        ),
        [(_("Payments"), _link("payment-list", paid_from=first, paid_to=last))],
    )


def customers_figure(user: User, months: Months) -> Figure:
    """New customers: created in each month (company time). One query."""

    def live(rows: QuerySet | None) -> dict:
        rows = customer_selectors.visible_customers(user) if rows is None else rows
        rows = rows.filter(
            created_at__gte=start_of(user, months.first),
            created_at__lt=start_of(user, add_months(months.current, 1)),
        )
        return _count_by_month(user, rows, "created_at")

    def shared_customers(shared, owners) -> QuerySet:
        rows = visibility.of_company(user, Customer).filter(pk__in=shared)
        return rows.exclude(owner_id__in=owners)

    first, last = _days_of(months.current)
    return Figure(
        "customers",
        _("New customers"),
        False,
        months,
        _tallied(user, "customers", months, live, shared_customers, is_money=False),
        [(_("Customers"), _link("customer-list", created_from=first, created_to=last))],
    )


def activities_figure(user: User, months: Months) -> Figure:
    """Follow-ups: activities that took place in each month (company time). One query."""

    def live(rows: QuerySet | None) -> dict:
        rows = activity_selectors.visible_activities(user) if rows is None else rows
        rows = rows.select_related(None).filter(
            occurred_at__gte=start_of(user, months.first),
            occurred_at__lt=start_of(user, add_months(months.current, 1)),
        )
        return _count_by_month(user, rows, "occurred_at")

    first, last = _days_of(months.current)
    return Figure(
        "activities",
        _("Follow-ups"),
        False,
        months,
        _tallied(
            user,
            "activities",
            months,
            live,
            lambda shared, owners: _shared_records(user, Activity, shared, owners),
            is_money=False,
        ),
        [(_("Activities"), _link("activity-list", date_from=first, date_to=last))],
    )


def pipeline_figure(user: User, months: Months) -> Figure:
    """The open pipeline: Σ expected amount of the opportunities open now (this month) and
    at the end of each month before, one conditional aggregate per month in one query: an
    opportunity was open at an instant if it was created before it and is still open, or
    was closed after it. (A reopened opportunity counts as open since its creation.) Only
    rows open now or closed within the 13 months are read."""
    now = timezone.now()
    ends = {month: min(now, start_of(user, add_months(month, 1))) for month in months.all}
    opportunities = opportunity_selectors.visible_opportunities(user).filter(
        Q(status=Opportunity.Status.OPEN) | Q(closed_at__gte=ends[months.first])
    )
    open_at = {
        f"m{index}": ExactSum(
            "expected_amount",
            filter=Q(created_at__lt=end)
            & (Q(status=Opportunity.Status.OPEN) | Q(closed_at__gte=end)),
        )
        for index, end in enumerate(ends.values())
    }
    totals = opportunities.order_by().aggregate(**open_at)
    values = {month: totals[f"m{index}"] or ZERO for index, month in enumerate(ends)}
    return Figure(
        "pipeline",
        _("Open pipeline"),
        True,
        months,
        values,
        [(_("Open opportunities"), _link("opportunity-list", status=Opportunity.Status.OPEN))],
        note=_("At each month's end; this month: now."),
    )


FIGURES = (signed_figure, payments_figure, customers_figure, activities_figure, pipeline_figure)


# --- the team's ranking and what is overdue -------------------------------------------------


@dataclass
class Ranked:
    rank: int
    target: object  # a SalesTarget with its `.achievement`


def ranking(user: User, month: date) -> list[Ranked]:
    """This month's personal targets of the people the user sees (the user's own among them),
    best attainment of the payment target first, then of the contract target. Three queries
    (four with the line's keys) whatever the number of targets."""
    targets = target_selectors.with_achievement(
        user, target_selectors.target_list(user, month=month, is_group=False)
    )
    targets.sort(
        key=lambda t: (
            -t.achievement.payment_percent,
            -t.achievement.contract_percent,
            t.user.path,
        )
    )
    return [Ranked(index, target) for index, target in enumerate(targets, start=1)]


def overdue_receivables(user: User) -> dict:
    """Σ outstanding of the payment plans past due and not covered (live agreements only),
    as the receivables list filtered on "overdue" shows them. One query (and the keys)."""
    totals = finance_selectors.plan_totals(finance_selectors.plan_list(user, state="overdue"))
    return {
        "count": totals["count"],
        "amount": totals["outstanding"],
        "url": _link("plan-list", state="overdue"),
    }


def dashboard(user: User) -> dict | None:
    """The whole dashboard for the user, or None when they may not see team figures."""
    if not can_see_team_figures(user):
        return None
    months = Months.of(user)
    figures = [figure(user, months) for figure in FIGURES]
    return {
        "month": months.current,
        "last_month": add_months(months.current, -1),
        "last_year": months.first,
        "figures": figures,
        "charts": [figure.chart() for figure in figures],
        "table": [
            {
                "month": month,
                "cells": [
                    {"value": figure.value(month), "is_money": figure.is_money}
                    for figure in figures
                ],
            }
            for month in reversed(months.trend)
        ],
        "ranking": ranking(user, months.current),
        "ranking_url": _link("target-list", month=f"{months.current:%Y-%m}"),
        "overdue": overdue_receivables(user),
    }


def dashboard_data(user: User) -> dict | None:
    """The dashboard as JSON-able values (amounts as strings), for the workbench API."""
    figures = dashboard(user)
    if figures is None:
        return None
    return {
        "month": f"{figures['month']:%Y-%m}",
        "figures": [figure.as_dict() for figure in figures["figures"]],
        "ranking": [
            {
                "rank": row.rank,
                "user": row.target.user.display_name,
                "payment_target": str(row.target.payment_amount),
                "contract_target": str(row.target.contract_amount),
                **row.target.achievement.as_dict(),
            }
            for row in figures["ranking"]
        ],
        "overdue": {
            "count": figures["overdue"]["count"],
            "amount": str(figures["overdue"]["amount"]),
            "url": figures["overdue"]["url"],
        },
    }
