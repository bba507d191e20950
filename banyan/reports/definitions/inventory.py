"""Inventory (库存报表), in a company that uses inventory: the stock quantity and value per
warehouse, the stock movements per month of the range, and the stock at or below its
low-stock threshold.

Who opens it: the users who see the stock ledger (`inventory.selectors.sees_all_stock_papers`:
warehouse keepers, purchasing staff and bosses). Quantities alone are open to every member
on the stock list, but the report also counts the movements, and every figure drills down to
its records: the movement list is theirs only, so the report follows that rule. Anyone else
gets a 404 for it (page and API) and does not find it in the list, like a company without
inventory.

Whose figures: stock belongs to the company, not to a rep, so "one's own" figures are those
of the warehouses one keeps (`Warehouse.keepers`). With the "view reports" permission (or as
an admin boss) the report covers every warehouse of the company; without it, only the
warehouses the user keeps (a boss or buyer who keeps none sees empty figures). The stock
list and the movement list take the same `keeper` filter, so a drill-down lists exactly the
records counted.

What is counted:
- per warehouse (the default): the stock now (the range does not apply to a level): the
  quantity over all products, its value (Σ quantity × the product's cost, for users who may
  see costs only: `products.selectors.sees_costs`; without it the value is absent from the
  columns, rows, totals, chart, API and export), and the number of stock lines at or below
  their product's threshold (`inventory.selectors.LOW_STOCK`, the stock list's "low stock
  only"). Warehouses no longer in use are listed only while they hold stock lines.
- per month: the movements whose time falls in the range (company calendar days, months in
  the company's time zone): how many, the quantity in (positive movements), out (negative
  ones, shown as a positive quantity) and the net change.
- a section lists the stock lines at or below their threshold (warehouse, product, quantity,
  threshold), the lowest first, at most `LOW_STOCK_ROWS` (the count in the table is exact,
  and its drill-down is the full list).
"""

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from banyan.core.models import ExactSum
from banyan.core.views import uses_modules
from banyan.inventory.selectors import (
    LOW_STOCK,
    MOVEMENT_DIRECTIONS,
    STOCK_VALUE,
    ZERO,
    company_warehouses,
    movements,
    sees_all_stock_papers,
    stock_levels,
)
from banyan.products.selectors import sees_costs
from banyan.reports.registry import (
    COUNT,
    MONEY,
    NUMBER,
    TEXT,
    Column,
    Report,
    ReportQuery,
    ReportResult,
    bar_chart,
    bucket_day,
    register,
)

LOW_STOCK_ROWS = 100
STOCK_LIST = "stock-list"
MOVEMENT_LIST = "movement-list"
KEEPER = "keeper"  # the lists' filter of a keeper's warehouses


def _keeper_id(query: ReportQuery):
    """Whose warehouses the figures cover: the user's own without the permission, else all."""
    return None if query.sees_beyond_own else query.user.pk


class InventoryReport(Report):
    name = "inventory"
    title = _("Inventory")
    description = _(
        "Stock quantity and value per warehouse, stock movements per month, and the stock "
        "at or below its low-stock threshold."
    )
    group_by = ("warehouse", "month")
    order = 70

    def allowed(self, user) -> bool:
        return (
            super().allowed(user)
            and uses_modules(user.company, ("uses_inventory",))
            and sees_all_stock_papers(user)
        )

    # --- columns ------------------------------------------------------------------------

    def columns(self, query: ReportQuery) -> list[Column]:
        if query.group_by == "month":
            return [
                Column("label", _("Month"), TEXT),
                Column("moves", _("Stock movements"), COUNT),
                Column("quantity_in", _("Quantity in"), NUMBER),
                Column("quantity_out", _("Quantity out"), NUMBER),
                Column("net", _("Net change"), NUMBER),
            ]
        columns = [
            Column("label", _("Warehouse"), TEXT),
            Column("quantity", _("Quantity in stock"), NUMBER),
        ]
        if sees_costs(query.user):
            columns.append(Column("value", _("Stock value"), MONEY))
        columns.append(Column("low", _("Low-stock lines"), COUNT))
        return columns

    def _low_stock_columns(self) -> list[Column]:
        return [
            Column("label", _("Warehouse"), TEXT),
            Column("product_code", _("Product code"), TEXT),
            Column("product", _("Product"), TEXT),
            Column("quantity", _("In stock"), NUMBER),
            Column("threshold", _("Low-stock threshold"), NUMBER),
        ]

    # --- the records counted ------------------------------------------------------------

    def levels(self, query: ReportQuery, **filters):
        return (
            stock_levels(query.user, keeper_id=_keeper_id(query), **filters)
            .select_related(None)
            .order_by()
        )

    def movements(self, query: ReportQuery):
        return (
            movements(
                query.user,
                keeper_id=_keeper_id(query),
                moved_from=query.date_from,
                moved_to=query.date_to,
            )
            .select_related(None)
            .order_by()
        )

    def _stock_link(self, query: ReportQuery, **filters) -> str:
        return query.drilldown(STOCK_LIST, own_field=KEEPER, **filters)

    def _movement_link(self, query: ReportQuery, first, last, **filters) -> str:
        return query.drilldown(
            MOVEMENT_LIST, own_field=KEEPER, moved_from=first, moved_to=last, **filters
        )

    # --- figures ------------------------------------------------------------------------

    def compute(self, query: ReportQuery) -> ReportResult:
        if query.group_by == "month":
            rows, totals = self._per_month(query)
        else:
            rows, totals = self._per_warehouse(query)
        return ReportResult(rows=rows, totals=totals, sections=[self._low_stock(query)])

    def _per_warehouse(self, query: ReportQuery) -> tuple[list[dict], dict]:
        valued = sees_costs(query.user)
        # Named apart from the columns summed (an annotation may not shadow `quantity`).
        sums = {"stock_quantity": ExactSum("quantity"), "low": Count("id", filter=LOW_STOCK)}
        if valued:
            sums["value"] = ExactSum(STOCK_VALUE)
        stock = {
            row.pop("warehouse_id"): {"quantity": row.pop("stock_quantity"), **row}
            for row in self.levels(query).values("warehouse_id").annotate(**sums)
        }
        warehouses = company_warehouses(query.user)
        if not query.sees_beyond_own:
            warehouses = warehouses.filter(keepers=query.user.pk)
        rows = []
        empty = {"quantity": ZERO, "low": 0, **({"value": ZERO} if valued else {})}
        for warehouse in warehouses.only("id", "name", "is_active").order_by("name", "id"):
            if not warehouse.is_active and warehouse.pk not in stock:
                continue
            figures = stock.get(warehouse.pk, empty)
            link = self._stock_link(query, warehouse=warehouse.pk)
            links = {
                "quantity": link,
                "low": self._stock_link(query, warehouse=warehouse.pk, low=1),
            }
            if valued:
                links["value"] = link
            rows.append({"label": warehouse.name, **figures, "drilldown": link, "links": links})
        totals = {key: sum((row[key] for row in stock.values()), empty[key]) for key in empty}
        link = self._stock_link(query)
        totals["links"] = {"quantity": link, "low": self._stock_link(query, low=1)}
        if valued:
            totals["links"]["value"] = link
        totals["drilldown"] = link
        return rows, totals

    def _per_month(self, query: ReportQuery) -> tuple[list[dict], dict]:
        moved = {
            bucket_day(row.pop("bucket")): row
            for row in self.movements(query)
            .annotate(bucket=TruncMonth("moved_at", tzinfo=query.zone))
            .values("bucket")
            .annotate(
                # COUNT(*), not of a column: a covering index on (company, moved_at)
                # including quantity answers the query from the index alone.
                moves=Count("*"),
                quantity_in=ExactSum("quantity", filter=MOVEMENT_DIRECTIONS["in"]),
                quantity_out=ExactSum("quantity", filter=MOVEMENT_DIRECTIONS["out"]),
            )
        }
        rows = []
        for first, last in query.buckets():
            figures = moved.get(first, {})
            quantity_in = figures.get("quantity_in") or ZERO
            quantity_out = abs(figures.get("quantity_out") or ZERO)
            shown_from, shown_to = query.clipped(first, last)
            links = self._month_links(query, shown_from, shown_to)
            rows.append(
                {
                    "label": f"{first:%Y-%m}",
                    "moves": figures.get("moves", 0),
                    "quantity_in": quantity_in,
                    "quantity_out": quantity_out,
                    "net": quantity_in - quantity_out,
                    "drilldown": links["moves"],
                    "links": links,
                }
            )
        totals = {
            key: sum((row[key] for row in rows), 0 if key == "moves" else ZERO)
            for key in ("moves", "quantity_in", "quantity_out", "net")
        }
        totals["links"] = self._month_links(query, query.date_from, query.date_to)
        totals["drilldown"] = totals["links"]["moves"]
        return rows, totals

    def _month_links(self, query: ReportQuery, first, last) -> dict:
        every = self._movement_link(query, first, last)
        return {
            "moves": every,
            "quantity_in": self._movement_link(query, first, last, direction="in"),
            "quantity_out": self._movement_link(query, first, last, direction="out"),
            "net": every,
        }

    def _low_stock(self, query: ReportQuery) -> dict:
        lines = (
            self.levels(query, low_only=True)
            .values_list(
                "warehouse_id",
                "warehouse__name",
                "product__code",
                "product__name",
                "quantity",
                "product__low_stock_threshold",
            )
            .order_by("quantity", "warehouse__name", "product__code", "id")[:LOW_STOCK_ROWS]
        )
        rows = [
            {
                "label": warehouse_name,
                "product_code": code,
                "product": product,
                "quantity": quantity,
                "threshold": threshold,
                "links": {"label": self._stock_link(query, warehouse=warehouse_id, low=1)},
            }
            for warehouse_id, warehouse_name, code, product, quantity, threshold in lines
        ]
        return {
            "key": "low-stock",
            "title": _("Stock at or below its low-stock threshold"),
            "columns": self._low_stock_columns(),
            "rows": rows,
        }

    # --- chart --------------------------------------------------------------------------

    def chart(self, query: ReportQuery, result: ReportResult) -> dict | None:
        columns = {column.key: column for column in self.columns(query)}
        if query.group_by == "month":
            return bar_chart(
                result,
                category="label",
                series=[columns["quantity_in"], columns["quantity_out"]],
            )
        option = bar_chart(
            result,
            category="label",
            series=[columns[key] for key in ("quantity", "value") if key in columns],
        )
        if "value" in columns:
            # Yuan and pieces on axes of their own.
            option["yAxis"] = [{"type": "value"}, {"type": "value"}]
            option["series"][1]["yAxisIndex"] = 1
        return option


register(InventoryReport())
