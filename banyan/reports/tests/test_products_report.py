"""The products report against hand-computed figures, for a rep, a manager and the boss;
gross profit and margin only with the cost permission (page, API, export); drill-downs that
list exactly the agreements counted; the "view reports" permission; another company never
counted; a fixed number of queries.

The data (November 2026, company alpha; built once for the module through the services):

    catalogue  服务器 (硬件/服务器, cost 600.00), 交换机 (硬件, cost 150.00), 维保服务 (服务,
               a service, cost 100.00 when sold, 200.00 since), 杂项 (no category, cost 3.33)
    A sales1   order 11-01, whole discount 10 %: 2 × 服务器 1000.00, 3 × 交换机 200.00
               → 1800.00 and 540.00 counted (the agreement's amount is 2340.00)
    B sales1   contract 11-30: 1.5 × 维保服务 500.00 = 750.00 (cost 150.00 at the time)
    C sales2   order 11-10 on a customer shared with sales1: 服务器 1000.00 less 5 % = 950.00,
               0.5 × 杂项 10.00 = 5.00 (cost 0.5 × 3.33 = 1.665 → 1.67)
    D manager1 order 11-20: 服务器 at 900.00
    E sales3   order 11-11: 10 × 交换机 200.00 and 1 × 交换机 at 0.00 (two lines, one order)
    F sales4   contract 11-11: 2 × 维保服务 = 1000.00
    not counted: sales1's order of 10-31, a cancelled order and a draft (服务器 × 5 each);
               beta's order of 77777.00
"""

import datetime
import io
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.http import QueryDict
from openpyxl import load_workbook

from banyan.agreements import services as agreement_services
from banyan.agreements.forms import AgreementFilterForm
from banyan.agreements.models import AgreementLine
from banyan.agreements.selectors import agreement_list
from banyan.customers import services as customer_services
from banyan.products import services as product_services
from banyan.reports.definitions import products as products_report
from banyan.reports.registry import ReportQuery, report_named
from banyan.reports.tests.conftest import Builder, query_counts

pytestmark = pytest.mark.django_db

NOV_1, NOV_30 = datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}
D = Decimal
REPORT = report_named("products")
COSTS = {"gross_profit", "margin"}


def build_products(org, other_org) -> SimpleNamespace:
    build = Builder(org)
    admin = build.grant(org.boss, "manage_products", "see_costs")
    hardware = product_services.category_create(user=admin, name="硬件")
    servers = product_services.category_create(user=admin, name="服务器", parent=hardware.pk)
    services_category = product_services.category_create(user=admin, name="服务")

    def product(code, name, kind, price, cost, category=None):
        return product_services.product_create(
            user=admin,
            code=code,
            name=name,
            kind=kind,
            list_price=price,
            cost=cost,
            unit="件",
            category=category.pk if category else None,
        )

    data = SimpleNamespace(build=build, hardware=hardware, servers=servers)
    data.services = services_category
    data.server = product("SRV", "服务器", "physical", "1000.00", "600.00", servers)
    data.switch = product("SW", "交换机", "physical", "200.00", "150.00", hardware)
    data.care = product("CARE", "维保服务", "service", "500.00", "100.00", services_category)
    data.misc = product("MISC", "杂项", "physical", "10.00", "3.33")

    def agreement(owner, kind, lines, signed_on=None, customer=None, **header):
        made = agreement_services.agreement_create(
            user=owner,
            kind=kind,
            customer=customer or build.customer(owner),
            title=f"{kind} {signed_on}",
            lines=[
                {"product": item.pk, "quantity": quantity, **extra}
                for item, quantity, extra in lines
            ],
            **header,
        )
        if signed_on is None:
            return made
        return agreement_services.agreement_sign(user=owner, agreement=made, signed_on=signed_on)

    data.a = agreement(
        org.sales1,
        "order",
        [(data.server, "2", {}), (data.switch, "3", {})],
        "2026-11-01",
        discount_percent="10",
    )
    data.b = agreement(org.sales1, "contract", [(data.care, "1.5", {})], "2026-11-30")
    shared = build.customer(org.sales2)
    customer_services.customer_share(
        user=org.sales2, customer=shared, target=org.sales1, level="view"
    )
    data.c = agreement(
        org.sales2,
        "order",
        [(data.server, "1", {"discount_percent": "5"}), (data.misc, "0.5", {})],
        "2026-11-10",
        customer=shared,
    )
    data.d = agreement(
        org.manager1, "order", [(data.server, "1", {"unit_price": "900.00"})], "2026-11-20"
    )
    data.e = agreement(
        org.sales3,
        "order",
        [(data.switch, "10", {}), (data.switch, "1", {"unit_price": "0"})],
        "2026-11-11",
    )
    data.f = agreement(org.sales4, "contract", [(data.care, "2", {})], "2026-11-11")
    data.october = agreement(org.sales1, "order", [(data.server, "5", {})], "2026-10-31")
    cancelled = agreement(org.sales1, "order", [(data.server, "5", {})], "2026-11-15")
    agreement_services.agreement_cancel(user=org.sales1, agreement=cancelled, reason="lost")
    data.draft = agreement(org.sales1, "order", [(data.server, "5", {})])  # never signed
    # The cost changes after the sale: the lines keep the cost they were sold at.
    product_services.product_update(user=admin, product=data.care, cost="200.00")

    beta = Builder(other_org)
    beta.sign(other_org.sales1, "77777.00", "2026-11-10")
    return data


@pytest.fixture(scope="module")
def products_data(alpha_build, beta_build, django_db_blocker):
    with django_db_blocker.unblock():
        yield build_products(alpha_build, beta_build)


@pytest.fixture
def catalogue(products_data):
    return products_data


def run(user, group_by="product", first=NOV_1, last=NOV_30):
    query = ReportQuery(user=user, date_from=first, date_to=last, group_by=group_by)
    return query, REPORT.compute(query)


def by_label(result):
    return {row["label"]: row for row in result.rows}


def figures(row, *keys):
    return tuple(row[key] for key in keys)


ALL = ("quantity", "amount", "gross_profit", "margin", "contracts", "orders")
PLAIN = ("quantity", "amount", "contracts", "orders")


def test_the_boss_per_product_with_costs(org, catalogue):
    boss = catalogue.build.grant(org.boss, "see_costs")
    query, result = run(boss)
    assert [row["label"] for row in result.rows] == [
        "SRV 服务器",
        "SW 交换机",
        "CARE 维保服务",
        "MISC 杂项",
    ]
    rows = by_label(result)
    # 服务器: 1800.00 + 950.00 + 900.00, cost 4 × 600.00
    assert figures(rows["SRV 服务器"], *ALL) == (D("4.00"), D("3650.00"), D("1250.00"), 34.2, 0, 3)
    # 交换机: 540.00 + 2000.00 + 0.00, cost 14 × 150.00; order E counted once
    assert figures(rows["SW 交换机"], *ALL) == (D("14.00"), D("2540.00"), D("440.00"), 17.3, 0, 2)
    # 维保服务: at the cost of the lines (100.00), not the product's cost of today (200.00)
    assert figures(rows["CARE 维保服务"], *ALL) == (
        D("3.50"),
        D("1750.00"),
        D("1400.00"),
        80.0,
        2,
        0,
    )
    # 杂项: 5.00 less a cost of 1.665 rounded half up to 1.67
    assert figures(rows["MISC 杂项"], *ALL) == (D("0.50"), D("5.00"), D("3.33"), 66.6, 0, 1)
    # The totals are sales performance's signed amount (2340 + 750 + 955 + 900 + 2000 + 1000).
    assert figures(result.totals, *ALL) == (D("22.00"), D("7945.00"), D("3093.33"), 38.9, 2, 4)
    assert [column.key for column in REPORT.columns(query)] == ["label", *ALL]
    sales = report_named("sales-performance").compute(
        ReportQuery(user=boss, date_from=NOV_1, date_to=NOV_30, group_by="rep")
    )
    signed = sales.totals["contract_amount"] + sales.totals["order_amount"]
    assert signed == result.totals["amount"]


def test_the_boss_per_category(org, catalogue):
    boss = catalogue.build.grant(org.boss, "see_costs")
    _query, result = run(boss, "category")
    assert [row["label"] for row in result.rows] == ["硬件/服务器", "硬件", "服务", "No category"]
    rows = by_label(result)
    assert figures(rows["硬件/服务器"], *ALL) == (D("4.00"), D("3650.00"), D("1250.00"), 34.2, 0, 3)
    assert figures(rows["硬件"], *ALL) == (D("14.00"), D("2540.00"), D("440.00"), 17.3, 0, 2)
    assert figures(rows["服务"], *ALL) == (D("3.50"), D("1750.00"), D("1400.00"), 80.0, 2, 0)
    assert figures(rows["No category"], *ALL) == (D("0.50"), D("5.00"), D("3.33"), 66.6, 0, 1)
    assert rows["No category"]["drilldown"] is None
    assert figures(result.totals, *ALL) == (D("22.00"), D("7945.00"), D("3093.33"), 38.9, 2, 4)


def test_without_the_cost_permission_no_cost_figure_anywhere(org, catalogue):
    manager = catalogue.build.grant(org.manager1, "view_reports")
    query, result = run(manager)
    assert [column.key for column in REPORT.columns(query)] == ["label", *PLAIN]
    for row in [*result.rows, result.totals]:
        assert not COSTS & set(row)
    chart = REPORT.chart(query, result)
    assert [series["name"] for series in chart["series"]] == ["Amount"]
    boss = catalogue.build.grant(org.boss, "see_costs")
    query, result = run(boss)
    chart = REPORT.chart(query, result)
    assert [series["name"] for series in chart["series"]] == [
        "Amount",
        "Gross profit",
        "Margin (%)",
    ]


def test_a_manager_with_the_permission_sees_the_subtree(org, catalogue):
    manager = catalogue.build.grant(org.manager1, "view_reports")
    _query, result = run(manager)
    rows = by_label(result)
    assert list(rows) == ["SRV 服务器", "CARE 维保服务", "SW 交换机", "MISC 杂项"]
    assert figures(rows["SRV 服务器"], *PLAIN) == (D("4.00"), D("3650.00"), 0, 3)
    assert figures(rows["CARE 维保服务"], *PLAIN) == (D("1.50"), D("750.00"), 1, 0)
    assert figures(rows["SW 交换机"], *PLAIN) == (D("3.00"), D("540.00"), 0, 1)
    assert figures(rows["MISC 杂项"], *PLAIN) == (D("0.50"), D("5.00"), 0, 1)
    assert figures(result.totals, *PLAIN) == (D("9.00"), D("4945.00"), 1, 3)


def test_without_the_permission_only_own_figures(org, catalogue):
    _query, result = run(org.manager1)
    assert [row["label"] for row in result.rows] == ["SRV 服务器"]
    assert figures(result.rows[0], *PLAIN) == (D("1.00"), D("900.00"), 0, 1)
    assert figures(result.totals, *PLAIN) == (D("1.00"), D("900.00"), 0, 1)
    # A boss who is not an admin needs the permission too.
    _query, result = run(org.vice_boss)
    assert result.rows == []
    assert figures(result.totals, *PLAIN) == (D("0.00"), D("0.00"), 0, 0)


def test_a_rep_sees_their_own_and_with_the_permission_shared_customers(org, catalogue):
    _query, result = run(org.sales1)
    rows = by_label(result)
    assert list(rows) == ["SRV 服务器", "CARE 维保服务", "SW 交换机"]
    assert figures(rows["SRV 服务器"], *PLAIN) == (D("2.00"), D("1800.00"), 0, 1)
    assert figures(result.totals, *PLAIN) == (D("6.50"), D("3090.00"), 1, 1)
    rep = catalogue.build.grant(org.sales1, "view_reports", "see_costs")
    _query, result = run(rep)
    rows = by_label(result)
    # sales2's order C is on a customer shared with sales1: visible, so counted.
    assert figures(rows["SRV 服务器"], *ALL) == (D("3.00"), D("2750.00"), D("950.00"), 34.5, 0, 2)
    assert figures(rows["MISC 杂项"], *ALL) == (D("0.50"), D("5.00"), D("3.33"), 66.6, 0, 1)
    assert figures(result.totals, "amount", "gross_profit", "contracts", "orders") == (
        D("4045.00"),
        D("1643.33"),
        1,
        2,
    )


def test_another_company_is_never_counted(org, other_org, catalogue):
    _query, result = run(org.boss)
    assert result.totals["amount"] == D("7945.00")
    _query, result = run(other_org.boss)
    assert figures(result.totals, *PLAIN) == (D("1.00"), D("77777.00"), 0, 1)
    assert len(result.rows) == 1


def test_the_rows_are_bounded_and_the_totals_cover_everything(org, catalogue, monkeypatch):
    monkeypatch.setattr(products_report, "TOP_PRODUCTS", 2)
    _query, result = run(org.boss)
    assert [row["label"] for row in result.rows] == ["SRV 服务器", "SW 交换机"]
    assert result.totals["amount"] == D("7945.00")
    _query, result = run(org.boss, "category")
    assert len(result.rows) == 4


def _listed(user, url, kind):
    params = QueryDict(urlsplit(url).query)
    return agreement_list(user, kind=kind, **AgreementFilterForm(params, user=user).filters())


@pytest.mark.parametrize("who", ["boss", "manager1", "sales1"])
@pytest.mark.parametrize("group_by", ["product", "category"])
def test_every_count_drills_down_to_its_agreements(org, catalogue, who, group_by):
    user = getattr(org, who)
    _query, result = run(user, group_by)
    checked = 0
    for row in [*result.rows, result.totals]:
        for key, kind in (("contracts", "contract"), ("orders", "order")):
            if not row["links"]:  # products without a category: no list filter for them
                continue
            assert _listed(user, row["links"][key], kind).count() == row[key]
            checked += 1
        if row["links"]:
            assert row["drilldown"] in row["links"].values()
    assert checked >= 4


def test_the_drill_down_lists_exactly_the_agreements(org, catalogue, client_as):
    _query, result = run(org.boss)
    row = by_label(result)["SRV 服务器"]
    assert f"product={catalogue.server.pk}" in row["drilldown"]
    page = client_as(org.boss).get(row["drilldown"])
    assert page.status_code == 200
    listed = {agreement.pk for agreement in page.context["page"].object_list}
    assert listed == {catalogue.a.pk, catalogue.c.pk, catalogue.d.pk}
    assert page.context["page"].paginator.count == row["orders"]
    # The filter shows the product it was given (and only it, with "any product").
    assert "selected>SRV 服务器</option>" in page.content.decode()
    _query, result = run(org.boss, "category")
    row = by_label(result)["硬件"]
    page = client_as(org.boss).get(row["links"]["orders"])
    listed = {agreement.pk for agreement in page.context["page"].object_list}
    assert listed == {catalogue.a.pk, catalogue.e.pk}


def test_the_product_filter_of_the_list(org, other_org, catalogue, client_as):
    def listed(user, **params):
        page = client_as(user).get("/orders/", params)
        assert page.status_code == 200
        return {agreement.pk for agreement in page.context["page"].object_list}

    assert listed(org.boss, product=catalogue.switch.pk) == {catalogue.a.pk, catalogue.e.pk}
    assert listed(org.boss, product=catalogue.misc.pk) == {catalogue.c.pk}
    # A category: its own products' agreements (服务器 is the only product of 硬件/服务器).
    assert listed(org.boss, category=catalogue.servers.pk, status="not_cancelled") == {
        catalogue.a.pk,
        catalogue.c.pk,
        catalogue.d.pk,
        catalogue.october.pk,
        catalogue.draft.pk,
    }
    assert listed(org.boss, category=catalogue.services.pk) == set()  # contracts only
    # Only what the user sees: sales1's orders of 交换机 are A alone.
    assert listed(org.sales1, product=catalogue.switch.pk) == {catalogue.a.pk}
    # Without a product asked for, no select of the whole catalogue on the list.
    page = client_as(org.boss).get("/orders/").content.decode()
    assert '<input type="hidden" name="product"' in page
    assert '<select name="product"' not in page and '<select name="category"' not in page
    # Another company's product is no choice here: the filter is not applied.
    foreign = AgreementLine.objects.filter(company=other_org.company).first().product_id
    everything = listed(org.boss)
    assert listed(org.boss, product=foreign) == everything
    assert len(everything) > 3


def test_page_api_and_export_follow_the_cost_permission(org, catalogue, client_as, api_as):
    boss = catalogue.build.grant(org.boss, "see_costs", "export_data")
    manager = catalogue.build.grant(org.manager1, "view_reports", "export_data")
    query = "range=custom&from=2026-11-01&to=2026-11-30&group_by=product"
    for user, sees in ((boss, True), (manager, False)):
        page = client_as(user).get(f"/reports/products/?{query}")
        assert page.status_code == 200
        html = page.content.decode()
        assert ('data-key="gross_profit"' in html) is sees
        assert ('data-key="margin"' in html) is sees
        assert ("Gross profit" in html) is sees
        assert "the 100 products with the largest amount" in html

        data = api_as(user).get("/api/v1/reports/products/", NOVEMBER).json()
        assert data["group_by"] == "product"
        keys = {column["key"] for column in data["columns"]}
        assert (keys >= COSTS) is sees and (COSTS & keys == set()) is not sees
        for row in [*data["rows"], data["totals"]]:
            assert (set(row) >= COSTS) is sees and (COSTS & set(row) == set()) is not sees
            assert row["drilldown"].startswith("http://testserver/") or row is data["totals"]

        response = client_as(user).post("/reports/products/export/", {"query": query})
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        headers = ["Product", "Quantity", "Amount"]
        if sees:
            headers += ["Gross profit", "Margin (%)"]
        assert list(rows[0]) == [*headers, "Contracts", "Orders"]
        assert rows[-1][0] == "Total"
    data = api_as(boss).get("/api/v1/reports/products/", NOVEMBER).json()
    first = data["rows"][0]
    assert (first["label"], first["amount"], first["gross_profit"], first["margin"]) == (
        "SRV 服务器",
        "3650.00",
        "1250.00",
        34.2,
    )
    assert data["totals"]["gross_profit"] == "3093.33"
    data = api_as(boss).get("/api/v1/reports/products/", {**NOVEMBER, "group_by": "rep"})
    assert data.status_code == 400 and list(data.json()) == ["group_by"]


@pytest.mark.parametrize("who", ["boss", "manager1"])
def test_a_fixed_number_of_queries(org, catalogue, who):
    user = getattr(org, who)
    if who == "boss":
        user = catalogue.build.grant(org.boss, "see_costs")
    else:
        user = catalogue.build.grant(org.manager1, "view_reports")
    template = AgreementLine.objects.get(agreement=catalogue.d)
    at_10, at_200 = query_counts(user, template, run, ["product", "category"])
    assert at_10 == at_200
    assert max(at_200) <= 8
