"""The inventory report against hand-computed figures (see `build_stock`): stock and value
per warehouse, movements per month in the company's time zone, the low-stock section; who
opens it (keepers, purchasing staff, bosses; a company that uses inventory); whose figures
(one's own warehouses without "view reports"); the value only with the cost permission (page,
API, export); drill-downs that list exactly what is counted; another company never counted;
a fixed number of queries."""

import datetime
import io
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from banyan.accounts.models import Company, User
from banyan.core.models import ExactSum
from banyan.inventory import selectors as inventory_selectors
from banyan.inventory import services as inventory_services
from banyan.inventory.forms import MovementFilterForm, StockFilterForm
from banyan.inventory.models import StockLevel, StockMovement
from banyan.products import services as product_services
from banyan.products.models import Product
from banyan.reports.registry import ReportQuery, report_named, reports_for
from banyan.reports.tests.conftest import Builder, now_is, query_counts, shanghai

pytestmark = pytest.mark.django_db

D = Decimal
OCT_1, NOV_1, NOV_30, DEC_31 = (
    datetime.date(2026, 10, 1),
    datetime.date(2026, 11, 1),
    datetime.date(2026, 11, 30),
    datetime.date(2026, 12, 31),
)
REPORT = report_named("inventory")
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


def build_stock(org, other_org) -> SimpleNamespace:
    """Company alpha uses inventory. Products (cost, threshold): P1 螺丝 2.50 / 20, P2 螺母
    0.10 / 5, P3 垫片 12.00 / 0. Warehouses: 上海仓 (keeper sales_boss), 北京仓 (keeper sales4),
    广州仓 (no keeper, no stock). Movements, Asia/Shanghai times:

    2026-10-15 10:00  initial stock: 上海仓 P1 +100, P2 +4; 北京仓 P1 +30, P3 +1
    2026-11-10 09:00  outbound slip 北京仓: P1 −5, P3 −1
    2026-11-30 23:30  inbound slip 上海仓: P1 +50 (November)
    2026-12-01 00:30  outbound slip 上海仓: P1 −140 (December: 16:30 UTC on 11-30)

    Stock now: 上海仓 P1 10 (low), P2 4 (low): 14, value 25.40; 北京仓 P1 25, P3 0 (low): 25,
    value 62.50. Beta: a warehouse with 999 of a product in November, never counted.
    """
    build = Builder(org)
    data = SimpleNamespace(build=build)
    Company.objects.filter(pk__in=[org.company.pk, other_org.company.pk]).update(
        uses_inventory=True
    )
    boss = build.grant(org.boss, "manage_products", "see_costs")
    data.keeper = build.grant(org.sales_boss, "warehouse_keeper")
    data.other_keeper = build.grant(org.sales4, "warehouse_keeper")

    def product(code, name, cost, threshold, user=boss):
        return product_services.product_create(
            user=user,
            code=code,
            name=name,
            kind="physical",
            tracks_stock=True,
            list_price="10.00",
            cost=cost,
            low_stock_threshold=threshold,
            unit="件",
        )

    data.p1 = product("P1", "螺丝", "2.50", "20")
    data.p2 = product("P2", "螺母", "0.10", "5")
    data.p3 = product("P3", "垫片", "12.00", "0")
    data.shanghai = inventory_services.warehouse_create(
        user=boss, name="上海仓", keepers=[data.keeper.pk]
    )
    data.beijing = inventory_services.warehouse_create(
        user=boss, name="北京仓", keepers=[data.other_keeper.pk]
    )
    data.guangzhou = inventory_services.warehouse_create(user=boss, name="广州仓")

    def lines(*pairs):
        return [{"product": item.pk, "quantity": quantity} for item, quantity in pairs]

    def slip(keeper, kind, warehouse, at, *pairs):
        with now_is(shanghai(at)):
            made = inventory_services.slip_create(
                user=keeper, kind=kind, warehouse=warehouse, lines=lines(*pairs), reason="测试"
            )
            return inventory_services.slip_confirm(user=keeper, slip=made)

    with now_is(shanghai("2026-10-15T10:00")):
        inventory_services.initial_stock(
            user=data.keeper, warehouse=data.shanghai, lines=lines((data.p1, "100"), (data.p2, "4"))
        )
        inventory_services.initial_stock(
            user=data.other_keeper,
            warehouse=data.beijing,
            lines=lines((data.p1, "30"), (data.p3, "1")),
        )
    slip(
        data.other_keeper,
        "outbound",
        data.beijing,
        "2026-11-10T09:00",
        (data.p1, "5"),
        (data.p3, "1"),
    )
    slip(data.keeper, "inbound", data.shanghai, "2026-11-30T23:30", (data.p1, "50"))
    slip(data.keeper, "outbound", data.shanghai, "2026-12-01T00:30", (data.p1, "140"))

    beta = Builder(other_org)
    beta_boss = beta.grant(other_org.boss, "manage_products", "see_costs")
    beta_keeper = beta.grant(other_org.sales_boss, "warehouse_keeper")
    foreign = product("P1", "外国螺丝", "1.00", "1000", user=beta_boss)
    warehouse = inventory_services.warehouse_create(
        user=beta_boss, name="上海仓", keepers=[beta_keeper.pk]
    )
    with now_is(shanghai("2026-11-15T10:00")):
        inventory_services.initial_stock(
            user=beta_keeper, warehouse=warehouse, lines=lines((foreign, "999"))
        )
    return data


@pytest.fixture(scope="module")
def stock_data(alpha_build, beta_build, django_db_blocker):
    with django_db_blocker.unblock():
        yield build_stock(alpha_build, beta_build)


@pytest.fixture
def stock(stock_data, org):
    return stock_data


def fresh(user) -> User:
    return User.objects.select_related("company").get(pk=user.pk)


def run(user, group_by="warehouse", first=NOV_1, last=NOV_30):
    query = ReportQuery(user=fresh(user), date_from=first, date_to=last, group_by=group_by)
    return query, REPORT.compute(query)


def by_label(result):
    return {row["label"]: row for row in result.rows}


def figures(row, *keys):
    return tuple(row[key] for key in keys)


STOCK = ("quantity", "value", "low")
MOVES = ("moves", "quantity_in", "quantity_out", "net")


# --- figures ---------------------------------------------------------------------------------


def test_the_boss_sees_every_warehouse_with_its_value(org, stock):
    query, result = run(org.boss)
    assert [column.key for column in REPORT.columns(query)] == ["label", *STOCK]
    rows = by_label(result)
    assert list(rows) == ["上海仓", "北京仓", "广州仓"]
    assert figures(rows["上海仓"], *STOCK) == (D("14.00"), D("25.40"), 2)
    assert figures(rows["北京仓"], *STOCK) == (D("25.00"), D("62.50"), 1)
    assert figures(rows["广州仓"], *STOCK) == (D("0.00"), D("0.00"), 0)
    assert figures(result.totals, *STOCK) == (D("39.00"), D("87.90"), 3)


def test_the_stock_is_the_stock_now_whatever_the_range(org, stock):
    _query, result = run(org.boss, first=datetime.date(2025, 1, 1), last=datetime.date(2025, 1, 31))
    assert figures(result.totals, *STOCK) == (D("39.00"), D("87.90"), 3)


def test_movements_per_month_in_the_company_time_zone(org, stock):
    query, result = run(org.boss, "month", OCT_1, DEC_31)
    assert [column.key for column in REPORT.columns(query)] == ["label", *MOVES]
    rows = by_label(result)
    assert list(rows) == ["2026-10", "2026-11", "2026-12"]
    assert figures(rows["2026-10"], *MOVES) == (4, D("135.00"), D("0.00"), D("135.00"))
    # 11-30 23:30 in November; 12-01 00:30 Shanghai (16:30 UTC on 11-30) in December.
    assert figures(rows["2026-11"], *MOVES) == (3, D("50.00"), D("6.00"), D("44.00"))
    assert figures(rows["2026-12"], *MOVES) == (1, D("0.00"), D("140.00"), D("-140.00"))
    assert figures(result.totals, *MOVES) == (8, D("185.00"), D("146.00"), D("39.00"))
    _query, result = run(org.boss, "month")
    assert [row["label"] for row in result.rows] == ["2026-11"]
    assert figures(result.totals, *MOVES) == (3, D("50.00"), D("6.00"), D("44.00"))


def test_the_low_stock_section_lists_the_lines_at_or_below_their_threshold(org, stock):
    _query, result = run(org.boss)
    (section,) = result.sections
    assert section["key"] == "low-stock"
    assert [column.key for column in section["columns"]] == [
        "label",
        "product_code",
        "product",
        "quantity",
        "threshold",
    ]
    assert [
        figures(row, "label", "product_code", "quantity", "threshold") for row in section["rows"]
    ] == [
        ("北京仓", "P3", D("0.00"), D("0.00")),
        ("上海仓", "P2", D("4.00"), D("5.00")),
        ("上海仓", "P1", D("10.00"), D("20.00")),
    ]
    # The same rule as the stock list's "low stock only", one answer.
    low = inventory_selectors.stock_levels(fresh(org.boss), low_only=True)
    assert low.count() == len(section["rows"]) == result.totals["low"]
    _query, by_month = run(org.boss, "month")
    assert by_month.sections[0]["rows"] == section["rows"]


# --- who opens it, whose figures ---------------------------------------------------------------


def test_only_those_who_see_the_stock_ledger_open_it(org, stock, grant):
    assert REPORT.allowed(fresh(org.boss))
    assert REPORT.allowed(fresh(org.vice_boss))
    assert REPORT.allowed(fresh(stock.keeper))
    assert not REPORT.allowed(fresh(org.sales1))
    assert not REPORT.allowed(fresh(org.manager1))
    # "View reports" alone does not open the stock ledger; purchasing does.
    assert not REPORT.allowed(grant(org.manager1, "view_reports"))
    assert REPORT.allowed(grant(org.sales2, "purchasing"))
    assert "inventory" not in [report.name for report in reports_for(fresh(org.sales1))]
    assert "inventory" in [report.name for report in reports_for(fresh(org.boss))]


def test_a_user_who_may_not_gets_404_and_no_entry(org, stock, client_as, api_as):
    assert client_as(org.sales1).get("/reports/inventory/").status_code == 404
    assert api_as(org.sales1).get("/api/v1/reports/inventory/").status_code == 404
    names = [entry["name"] for entry in api_as(org.sales1).get("/api/v1/reports/").json()]
    assert "inventory" not in names and "sales-performance" in names
    page = client_as(org.sales1).get("/reports/")
    assert b'data-report="inventory"' not in page.content
    assert b'data-report="inventory"' in client_as(org.boss).get("/reports/").content


def test_absent_in_a_company_without_inventory(org, stock, client_as, api_as):
    Company.objects.filter(pk=org.company.pk).update(uses_inventory=False)
    assert not REPORT.allowed(fresh(org.boss))
    assert client_as(org.boss).get("/reports/inventory/").status_code == 404
    assert api_as(org.boss).get("/api/v1/reports/inventory/").status_code == 404
    names = [entry["name"] for entry in api_as(org.boss).get("/api/v1/reports/").json()]
    assert "inventory" not in names


def test_a_keeper_without_the_permission_sees_their_own_warehouses(org, stock):
    _query, result = run(stock.keeper)
    assert [row["label"] for row in result.rows] == ["上海仓"]
    assert figures(result.rows[0], "quantity", "low") == (D("14.00"), 2)
    assert "value" not in result.rows[0] and "value" not in result.totals  # no cost permission
    assert figures(result.totals, "quantity", "low") == (D("14.00"), 2)
    assert [row["product_code"] for row in result.sections[0]["rows"]] == ["P2", "P1"]
    _query, result = run(stock.keeper, "month", OCT_1, DEC_31)
    rows = by_label(result)
    assert figures(rows["2026-10"], *MOVES) == (2, D("104.00"), D("0.00"), D("104.00"))
    assert figures(rows["2026-11"], *MOVES) == (1, D("50.00"), D("0.00"), D("50.00"))
    assert figures(rows["2026-12"], *MOVES) == (1, D("0.00"), D("140.00"), D("-140.00"))


def test_with_the_permission_a_keeper_sees_the_company(org, stock, grant):
    keeper = grant(stock.other_keeper, "view_reports")
    _query, result = run(keeper)
    assert [row["label"] for row in result.rows] == ["上海仓", "北京仓", "广州仓"]
    assert figures(result.totals, "quantity", "low") == (D("39.00"), 3)


def test_a_boss_who_is_not_an_admin_needs_the_permission(org, stock, grant):
    _query, result = run(org.vice_boss)
    assert result.rows == []  # keeps no warehouse
    assert figures(result.totals, "quantity", "low") == (D("0.00"), 0)
    assert result.sections[0]["rows"] == []
    _query, result = run(org.vice_boss, "month")
    assert result.totals["moves"] == 0
    vice = grant(org.vice_boss, "view_reports")
    _query, result = run(vice)
    assert figures(result.totals, "quantity", "low") == (D("39.00"), 3)
    assert "value" not in result.totals
    _query, result = run(vice, "month", OCT_1, DEC_31)
    assert result.totals["moves"] == 8


def test_another_company_is_never_counted(org, other_org, stock):
    _query, result = run(org.boss, "month")
    assert result.totals["moves"] == 3
    _query, result = run(other_org.boss)
    assert [row["label"] for row in result.rows] == ["上海仓"]
    assert figures(result.totals, *STOCK) == (D("999.00"), D("999.00"), 1)
    _query, result = run(other_org.boss, "month")
    assert figures(result.totals, "moves", "quantity_in") == (1, D("999.00"))


# --- the value only with the cost permission ------------------------------------------------------


def test_without_the_cost_permission_no_value_anywhere(org, stock, grant, client_as, api_as):
    vice = grant(org.vice_boss, "view_reports", "export_data")
    query, result = run(vice)
    assert [column.key for column in REPORT.columns(query)] == ["label", "quantity", "low"]
    assert all("value" not in row and "value" not in row["links"] for row in result.rows)
    assert "value" not in result.totals
    chart = REPORT.chart(query, result)
    assert [series["name"] for series in chart["series"]] == ["Quantity in stock"]
    assert len(chart["yAxis"]) == 1

    data = api_as(vice).get("/api/v1/reports/inventory/", NOVEMBER).json()
    assert [column["key"] for column in data["columns"]] == ["label", "quantity", "low"]
    assert all("value" not in row for row in data["rows"])
    assert "value" not in data["totals"]
    assert data["totals"]["quantity"] == "39.00"

    page = client_as(vice).get("/reports/inventory/", {**NOVEMBER, "range": "custom"})
    assert page.status_code == 200
    assert b'data-key="value"' not in page.content
    assert "Stock value" not in page.content.decode()

    response = client_as(vice).post(
        "/reports/inventory/export/", {"query": "range=custom&from=2026-11-01&to=2026-11-30"}
    )
    assert response.status_code == 200
    sheet = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert sheet[0] == ("Warehouse", "Quantity in stock", "Low-stock lines")
    assert sheet[-1] == ("Total", 39, 3)


def test_with_the_cost_permission_the_value_everywhere(org, stock, grant, client_as, api_as):
    boss = grant(org.boss, "export_data")
    query, result = run(boss)
    chart = REPORT.chart(query, result)
    assert [series["name"] for series in chart["series"]] == ["Quantity in stock", "Stock value"]
    assert chart["series"][1]["data"] == [25.4, 62.5, 0.0]
    assert chart["series"][1]["yAxisIndex"] == 1

    data = api_as(boss).get("/api/v1/reports/inventory/", NOVEMBER).json()
    assert [column["key"] for column in data["columns"]] == ["label", *STOCK]
    rows = {row["label"]: row for row in data["rows"]}
    assert rows["上海仓"]["value"] == "25.40"
    assert data["totals"]["value"] == "87.90"
    assert rows["北京仓"]["drilldown"].startswith("http://testserver/inventory/stock/?")

    page = client_as(boss).get("/reports/inventory/", {**NOVEMBER, "range": "custom"})
    assert b'data-key="value" data-value="87.90"' in page.content
    assert b'id="report-section-low-stock"' in page.content

    response = client_as(boss).post(
        "/reports/inventory/export/", {"query": "range=custom&from=2026-11-01&to=2026-11-30"}
    )
    sheet = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert sheet[0] == ("Warehouse", "Quantity in stock", "Stock value", "Low-stock lines")
    assert sheet[1] == ("上海仓", 14, 25.4, 2)
    assert sheet[-1] == ("Total", 39, 87.9, 3)


def test_the_month_pages_and_api_answer(org, stock, client_as, api_as):
    params = {"from": "2026-10-01", "to": "2026-12-31", "group_by": "month"}
    page = client_as(org.boss).get("/reports/inventory/", {**params, "range": "custom"})
    assert page.status_code == 200
    assert b'id="report-chart-data"' in page.content
    data = api_as(org.boss).get("/api/v1/reports/inventory/", params).json()
    assert [row["label"] for row in data["rows"]] == ["2026-10", "2026-11", "2026-12"]
    assert data["totals"]["quantity_out"] == "146.00"
    assert api_as(org.boss).get("/api/v1/reports/inventory/", {"group_by": "rep"}).json() == {
        "group_by": ["Choose one of: warehouse, month."]
    }


# --- drill-downs -------------------------------------------------------------------------------


def _params(url):
    return QueryDict(urlsplit(url).query)


def _listed_stock(user, url):
    form = StockFilterForm(
        _params(url), warehouses=list(inventory_selectors.company_warehouses(user))
    )
    return inventory_selectors.stock_levels(user, **form.filters())


def _listed_movements(user, url):
    form = MovementFilterForm(
        _params(url), warehouses=list(inventory_selectors.company_warehouses(user))
    )
    return inventory_selectors.movements(user, **form.filters())


@pytest.mark.parametrize("who", ["boss", "keeper", "vice_boss"])
def test_every_stock_figure_drills_down_to_its_records(org, stock, who):
    user = fresh(getattr(org, who) if who != "keeper" else stock.keeper)
    _query, result = run(user)
    for row in [*result.rows, result.totals]:
        levels = _listed_stock(user, row["links"]["quantity"])
        total = levels.aggregate(total=ExactSum("quantity"))["total"] or D("0.00")
        assert total == row["quantity"], row.get("label", "totals")
        if "value" in row["links"]:
            assert inventory_selectors.stock_value_total(levels) == row["value"]
        assert _listed_stock(user, row["links"]["low"]).count() == row["low"]
        assert row["drilldown"] == row["links"]["quantity"]
    for line in result.sections[0]["rows"]:
        listed = _listed_stock(user, line["links"]["label"])
        assert (line["product_code"], line["quantity"]) in set(
            listed.values_list("product__code", "quantity")
        )


@pytest.mark.parametrize("who", ["boss", "keeper", "vice_boss"])
def test_every_movement_figure_drills_down_to_its_records(org, stock, who):
    user = fresh(getattr(org, who) if who != "keeper" else stock.keeper)
    _query, result = run(user, "month", OCT_1, DEC_31)
    for row in [*result.rows, result.totals]:
        links = row["links"]
        assert _listed_movements(user, links["moves"]).count() == row["moves"]
        moved_in = _listed_movements(user, links["quantity_in"])
        moved_out = _listed_movements(user, links["quantity_out"])
        assert (moved_in.aggregate(t=ExactSum("quantity"))["t"] or D("0.00")) == row["quantity_in"]
        assert (
            -(moved_out.aggregate(t=ExactSum("quantity"))["t"] or D("0.00")) == row["quantity_out"]
        )
        net = _listed_movements(user, links["net"]).aggregate(t=ExactSum("quantity"))["t"]
        assert (net or D("0.00")) == row["net"]


def test_the_drill_down_pages_count_the_same(org, stock, client_as):
    _query, result = run(stock.keeper, "month", OCT_1, DEC_31)
    december = by_label(result)["2026-12"]
    assert "keeper=" in december["drilldown"]
    page = client_as(stock.keeper).get(december["links"]["quantity_out"])
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 1
    _query, result = run(org.boss)
    shanghai_row = by_label(result)["上海仓"]
    page = client_as(org.boss).get(shanghai_row["links"]["low"])
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 2
    page = client_as(org.boss).get(result.totals["drilldown"])
    assert page.context["page"].paginator.count == 4  # every stock line, zero ones included
    assert page.context["stock_value"] == D("87.90")


def test_the_lists_new_filters(org, stock):
    boss = fresh(org.boss)
    days = {"moved_from": NOV_30, "moved_to": NOV_30}
    # 11-30 in Shanghai: the 23:30 inbound, not the 00:30 outbound of 12-01.
    assert list(inventory_selectors.movements(boss, **days).values_list("quantity", flat=True)) == [
        D("50.00")
    ]
    assert inventory_selectors.movements(boss, direction="out").count() == 3
    assert inventory_selectors.movements(boss, direction="in").count() == 5
    assert inventory_selectors.movements(boss, keeper_id=stock.other_keeper.pk).count() == 4
    assert inventory_selectors.stock_levels(boss, keeper_id=stock.keeper.pk).count() == 2
    form = MovementFilterForm(
        {"moved_from": "2026-11-31", "direction": "sideways", "keeper": "x"},
        warehouses=list(inventory_selectors.company_warehouses(boss)),
    )
    filters = form.filters()  # invalid filters are not applied
    assert (filters["moved_from"], filters["direction"], filters["keeper_id"]) == (None, "", None)


# --- queries -----------------------------------------------------------------------------------


def test_a_fixed_number_of_queries_per_month(org, stock):
    template = StockMovement.objects.filter(company=org.company, quantity__gt=0).first()
    at_10, at_200 = query_counts(org.boss, template, run, ["month"])
    assert at_10 == at_200
    assert max(at_200) <= 8


def test_a_fixed_number_of_queries_per_warehouse(org, stock):
    counts = []
    for more in (10, 190):
        start = Product.objects.filter(company=org.company).count()
        products = Product.objects.bulk_create(
            [
                Product(
                    company=org.company,
                    code=f"B{start + number:05d}",
                    name="批量",
                    kind="physical",
                    tracks_stock=True,
                    list_price=D("1.00"),
                    cost=D("1.00"),
                    created_by=org.boss,
                )
                for number in range(more)
            ]
        )
        StockLevel.objects.bulk_create(
            [
                StockLevel(
                    company=org.company, warehouse=stock.beijing, product=item, quantity=D("1")
                )
                for item in products
            ]
        )
        for user in (org.boss, stock.keeper):
            with CaptureQueriesContext(connection) as queries:
                run(user)
            counts.append(len(queries))
    assert counts[:2] == counts[2:]
    assert max(counts) <= 8
