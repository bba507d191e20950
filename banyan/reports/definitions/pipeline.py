"""Pipeline (销售漏斗): the open opportunities by stage or by rep (count, expected amount,
weighted amount = amount × probability), the funnel chart; of those closed in the range
(`closed_at`, company days) the won and lost, the win rate (won ÷ closed, by count) and the
average cycle (created → closed, in days); and the forecast of the months ahead: the open
opportunities by the month of their expected close date, weighted.

Open opportunities are a snapshot (now), whatever the range; the range chooses the closed ones.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, DurationField, F, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from banyan.core.models import ExactSum
from banyan.opportunities.models import Opportunity, weighted
from banyan.opportunities.selectors import stages, visible_opportunities
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
    bucket_day,
    register,
)

ZERO = Decimal("0.00")
OPEN, WON, LOST = Opportunity.Status.OPEN, Opportunity.Status.WON, Opportunity.Status.LOST
FORECAST_MONTHS = 6


def _open_figures(**condition) -> dict:
    return {
        "count": Count("id", filter=Q(**condition) if condition else None),
        "amount": ExactSum("expected_amount", filter=Q(**condition) if condition else None),
        "product": ExactSum(
            F("expected_amount") * F("probability"),
            filter=Q(**condition) if condition else None,
        ),
    }


def _sum_figures(groups) -> dict:
    """The `_open_figures` of the whole from those of its groups (exact: counts and sums)."""
    total = {"count": 0, "amount": None, "product": None}
    for group in groups:
        total["count"] += group.get("count") or 0
        for key in ("amount", "product"):
            if group.get(key) is not None:
                total[key] = (total[key] or 0) + group[key]
    return total


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _days(duration) -> float | None:
    if duration is None:
        return None
    if not isinstance(duration, datetime.timedelta):  # SQLite: microseconds
        duration = datetime.timedelta(microseconds=float(duration))
    days = Decimal(duration.total_seconds()) / 86400
    return float(days.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _rate(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return float((Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


class PipelineReport(Report):
    name = "pipeline"
    title = _("Pipeline")
    description = _(
        "Open opportunities by stage or rep with their weighted amount, the funnel; win rate "
        "and average cycle of those closed in the range; the forecast of the months ahead."
    )
    group_by = ("stage", "rep")
    order = 20

    def allowed(self, user) -> bool:
        return super().allowed(user) and user.company.uses_opportunity_tracking

    def columns(self, query: ReportQuery) -> list[Column]:
        columns = [Column("label", _("Stage") if query.group_by == "stage" else _("Rep"), TEXT)]
        columns += [
            Column("count", _("Open opportunities"), COUNT),
            Column("amount", _("Expected amount"), MONEY),
            Column("weighted", _("Weighted amount"), MONEY),
        ]
        if query.group_by == "rep":
            columns += [
                Column("won", _("Won in the range"), COUNT),
                Column("lost", _("Lost in the range"), COUNT),
                Column("win_rate", _("Win rate (%)"), PERCENT),
                Column("average_cycle_days", _("Average cycle (days)"), NUMBER),
            ]
        return columns

    # --- the records counted ------------------------------------------------------------

    def opportunities(self, query: ReportQuery):
        return query.own_or_visible(visible_opportunities(query.user)).order_by()

    def open_ones(self, query):
        return self.opportunities(query).filter(status=OPEN)

    def closed_ones(self, query):
        return self.opportunities(query).filter(
            status__in=(WON, LOST), closed_at__gte=query.start, closed_at__lt=query.end
        )

    @staticmethod
    def _closed_figures() -> dict:
        return {
            "won": Count("id", filter=Q(status=WON)),
            "lost": Count("id", filter=Q(status=LOST)),
            "won_amount": ExactSum("expected_amount", filter=Q(status=WON)),
            "cycle": Avg(F("closed_at") - F("created_at"), output_field=DurationField()),
        }

    # --- drill-downs --------------------------------------------------------------------

    def _open_link(self, query, **filters) -> str:
        return query.drilldown("opportunity-list", status=OPEN, **filters)

    def _closed_links(self, query, **filters) -> dict:
        return {
            status: query.drilldown(
                "opportunity-list",
                status=status,
                closed_from=query.date_from,
                closed_to=query.date_to,
                **filters,
            )
            for status in (WON, LOST)
        }

    # --- figures ------------------------------------------------------------------------

    def _open_row(self, label, figures, link) -> dict:
        return {
            "label": label,
            "count": figures.get("count") or 0,
            "amount": figures.get("amount") or ZERO,
            "weighted": weighted(figures.get("product")),
            "links": dict.fromkeys(("count", "amount", "weighted"), link),
            "drilldown": link,
        }

    def compute(self, query: ReportQuery) -> ReportResult:
        per_rep = query.group_by == "rep"
        rows, open_figures = self._per_rep(query) if per_rep else self._per_stage(query)
        # Each open opportunity has one owner and one stage: the groups add up to the whole.
        totals = self._open_row("", _sum_figures(open_figures.values()), None)
        totals.pop("label")
        closed = self.closed_ones(query).aggregate(**self._closed_figures())
        links = {
            **{key: self._open_link(query) for key in ("count", "amount", "weighted")},
            **self._closed_links(query),
        }
        totals.update(
            won=closed["won"],
            lost=closed["lost"],
            won_amount=closed["won_amount"] or ZERO,
            win_rate=_rate(closed["won"], closed["won"] + closed["lost"]),
            average_cycle_days=_days(closed["cycle"]),
            links=links,
            drilldown=links["count"],
        )
        forecast = self._forecast(query)
        totals["forecast"] = forecast
        sections = [
            {
                "key": "closed",
                "title": _("Closed in the range"),
                "columns": [
                    Column("label", _("Figure"), TEXT),
                    Column("value", _("Value"), NUMBER),
                ],
                "rows": [
                    {"label": _("Won"), "value": closed["won"], "links": {"value": links[WON]}},
                    {"label": _("Lost"), "value": closed["lost"], "links": {"value": links[LOST]}},
                    {"label": _("Win rate (%)"), "value": totals["win_rate"]},
                    {"label": _("Won amount"), "value": totals["won_amount"]},
                    {"label": _("Average cycle (days)"), "value": totals["average_cycle_days"]},
                ],
            },
            {
                "key": "forecast",
                "title": _("Forecast by expected close month"),
                "columns": [
                    Column("label", _("Month"), TEXT),
                    Column("count", _("Open opportunities"), COUNT),
                    Column("amount", _("Expected amount"), MONEY),
                    Column("weighted", _("Weighted amount"), MONEY),
                ],
                "rows": forecast,
            },
        ]
        return ReportResult(rows=rows, totals=totals, sections=sections)

    def _per_stage(self, query: ReportQuery) -> tuple[list[dict], dict]:
        figures = {
            row.pop("stage_id"): row
            for row in self.open_ones(query).values("stage_id").annotate(**_open_figures())
        }
        rows = []
        for stage in stages(query.user).only("id", "kind", "code", "label", "is_active"):
            if not stage.is_active and stage.pk not in figures:
                continue
            row = self._open_row(
                stage.display_label,
                figures.get(stage.pk, {}),
                self._open_link(query, stage=stage.pk),
            )
            row["stage"] = stage.pk
            rows.append(row)
        return rows, figures

    def _per_rep(self, query: ReportQuery) -> tuple[list[dict], dict]:
        open_figures = {
            row.pop("owner_id"): row
            for row in self.open_ones(query).values("owner_id").annotate(**_open_figures())
        }
        closed = {
            row.pop("owner_id"): row
            for row in self.closed_ones(query).values("owner_id").annotate(**self._closed_figures())
        }
        rows = []
        people = query.people_with([*open_figures, *closed])
        for person in people.only("id", "real_name", "username", "is_active"):
            key = person.pk
            if not person.is_active and key not in open_figures and key not in closed:
                continue
            row = self._open_row(
                person.display_name,
                open_figures.get(key, {}),
                self._open_link(query, owner=key),
            )
            done = closed.get(key, {})
            won, lost = done.get("won") or 0, done.get("lost") or 0
            links = self._closed_links(query, owner=key)
            row.update(
                won=won,
                lost=lost,
                win_rate=_rate(won, won + lost),
                average_cycle_days=_days(done.get("cycle")),
            )
            row["links"].update(won=links[WON], lost=links[LOST])
            rows.append(row)
        return rows, open_figures

    def _forecast(self, query: ReportQuery) -> list[dict]:
        """The open opportunities expected to close in this month and the next five."""
        first = query.company.today().replace(day=1)
        last = first
        for _month in range(FORECAST_MONTHS):
            last = _next_month(last)
        last -= datetime.timedelta(days=1)
        figures = {
            bucket_day(row.pop("month")): row
            for row in self.open_ones(query)
            .filter(expected_close_date__range=(first, last))
            .annotate(month=TruncMonth("expected_close_date"))
            .values("month")
            .annotate(**_open_figures())
        }
        rows = []
        month = first
        while month <= last:
            end = _next_month(month) - datetime.timedelta(days=1)
            link = self._open_link(query, close_from=month, close_to=end)
            row = self._open_row(f"{month:%Y-%m}", figures.get(month, {}), link)
            row["month"] = f"{month:%Y-%m}"
            rows.append(row)
            month = _next_month(month)
        return rows

    # --- chart --------------------------------------------------------------------------

    def chart(self, query: ReportQuery, result: ReportResult) -> dict | None:
        if query.group_by == "stage":
            return {
                "tooltip": {"trigger": "item"},
                "legend": {"top": 0},
                "series": [
                    {
                        "name": str(_("Expected amount")),
                        "type": "funnel",
                        "top": 32,
                        "sort": "none",
                        "label": {"show": True, "position": "inside"},
                        "data": [
                            {"name": row["label"], "value": float(row["amount"])}
                            for row in result.rows
                        ],
                    }
                ],
            }
        columns = {column.key: column for column in self.columns(query)}
        return bar_chart(result, category="label", series=[columns["amount"], columns["weighted"]])


register(PipelineReport())
