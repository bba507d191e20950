"""The customers report against hand-computed figures (see `build_customers`), for a rep, a
manager and the boss; the company's calendar days (00:30 on the 1st in Shanghai is the new
month); drill-downs that list exactly the customers counted; the "view reports" permission;
another company never counted; a fixed number of queries; the API's columns."""

import datetime
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.http import QueryDict

from banyan.accounts import services as account_services
from banyan.accounts.models import DictionaryOption
from banyan.customers import services as customer_services
from banyan.customers.forms import CustomerFilterForm
from banyan.customers.models import Customer
from banyan.customers.views import customer_list_rows
from banyan.reports.registry import ReportQuery, report_named
from banyan.reports.tests.conftest import Builder, now_is, query_counts, shanghai

pytestmark = pytest.mark.django_db

NOV_1, NOV_30 = datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)
REPORT = report_named("customers")
FIGURES = ("customers", "new_customers", "conversions", "hot_customers")
GROUP_BYS = ("rep", "type", "source", "region", "industry", "month")


def build_customers(org, other_org) -> SimpleNamespace:
    """Customers (times in Asia/Shanghai; P potential, R regular, V VIP; W website, F
    referral; I IT, T retail; expected figures in the tests):

    sales1    c1 created 11-01 00:30 (November: 16:30 UTC on 10-31) P W I 北京, hot
              c2 created 10-31 23:30 (October) P W 北京, made R 11-30 23:30 (November)
              c3 created 11-10 P F T 上海, signs an order 12-01 00:30: R (a December
              conversion); retail is retired afterwards
              c4 created 11-15 R (never converted), no source, hot
    sales2    c5 created 11-05 P F I 上海, made R 11-20, then V 11-25 (still converted
              11-20), hot; shared with sales1 to view
              c6 created 09-01 P W, made R 11-03 and P again 11-04 (no conversion)
    manager1  c7 created 11-02 P W 北京, hot
    sales3    c8 created 11-20 V W I 北京; c9 created 10-15 P, made R 10-20
    beta      sales1: one created 11-10 P, made R 11-12, hot: never counted.
    """
    build = Builder(org)

    def option(company, kind, code):
        return DictionaryOption.objects.get(company=company, kind=kind, code=code)

    def types(code, company=org.company):
        return option(company, "customer_type", code)

    website = option(org.company, "customer_source", "website")
    referral = option(org.company, "customer_source", "referral")
    it = option(org.company, "industry", "it")
    retail = option(org.company, "industry", "retail")

    def make(owner, at, type_code, *, hot=False, builder=build, company=org.company, **fields):
        with now_is(shanghai(at)):
            customer = builder.customer(owner, type=types(type_code, company), is_hot=hot, **fields)
        return customer

    def retype(owner, customer, type_code, at, company=org.company):
        with now_is(shanghai(at)):
            return customer_services.customer_update(
                user=owner, customer=customer, type=types(type_code, company)
            )

    data = SimpleNamespace(retail=retail)
    data.c1 = make(
        org.sales1, "2026-11-01T00:30", "potential", hot=True, source=website, industry=it,
        region="北京",
    )  # fmt: skip
    data.c2 = make(org.sales1, "2026-10-31T23:30", "potential", source=website, region="北京")
    retype(org.sales1, data.c2, "regular", "2026-11-30T23:30")
    data.c3 = make(
        org.sales1, "2026-11-10T10:00", "potential", source=referral, industry=retail,
        region="上海",
    )  # fmt: skip
    with now_is(shanghai("2026-12-01T00:30")):
        build.sign(org.sales1, "100.00", "2026-12-01", customer=data.c3)
    data.c4 = make(org.sales1, "2026-11-15T12:00", "regular", hot=True)
    data.c5 = make(
        org.sales2, "2026-11-05T09:00", "potential", hot=True, source=referral, industry=it,
        region="上海",
    )  # fmt: skip
    retype(org.sales2, data.c5, "regular", "2026-11-20T10:00")
    retype(org.sales2, data.c5, "vip", "2026-11-25T10:00")
    customer_services.customer_share(
        user=org.sales2, customer=data.c5, target=org.sales1, level="view"
    )
    data.c6 = make(org.sales2, "2026-09-01T10:00", "potential", source=website)
    retype(org.sales2, data.c6, "regular", "2026-11-03T10:00")
    retype(org.sales2, data.c6, "potential", "2026-11-04T10:00")
    data.c7 = make(org.manager1, "2026-11-02T10:00", "potential", hot=True, source=website,
                   region="北京")  # fmt: skip
    data.c8 = make(
        org.sales3, "2026-11-20T10:00", "vip", source=website, industry=it, region="北京"
    )
    data.c9 = make(org.sales3, "2026-10-15T10:00", "potential")
    retype(org.sales3, data.c9, "regular", "2026-10-20T10:00")
    account_services.dictionary_option_update(actor=org.boss, option=retail, is_active=False)

    beta = Builder(other_org)
    foreign = make(
        other_org.sales1, "2026-11-10T10:00", "potential", hot=True, builder=beta,
        company=other_org.company,
    )  # fmt: skip
    retype(other_org.sales1, foreign, "regular", "2026-11-12T10:00", company=other_org.company)
    return data


@pytest.fixture(scope="module")
def customers_data(alpha_build, beta_build, django_db_blocker):
    with django_db_blocker.unblock():
        yield build_customers(alpha_build, beta_build)


def run(user, group_by="rep", first=NOV_1, last=NOV_30):
    query = ReportQuery(user=user, date_from=first, date_to=last, group_by=group_by)
    return query, REPORT.compute(query)


def by_label(result) -> dict:
    return {row["label"]: row for row in result.rows}


def figures(row, keys=FIGURES) -> tuple:
    return tuple(row[key] for key in keys)


# --- per rep --------------------------------------------------------------------------


def test_the_boss_per_rep_against_the_hot_cap(org, customers_data):
    _query, result = run(org.boss)
    rows = by_label(result)
    assert figures(rows["sales1"]) == (4, 3, 1, 2)
    assert figures(rows["sales2"]) == (2, 1, 1, 1)
    assert figures(rows["manager1"]) == (1, 1, 0, 1)
    assert figures(rows["sales3"]) == (2, 1, 0, 0)
    assert figures(rows["director2"]) == (0, 0, 0, 0)
    # The company's cap is 10 hot customers per rep.
    assert (rows["sales1"]["hot_cap"], rows["sales1"]["hot_used"]) == (10, 20.0)
    assert (rows["sales3"]["hot_cap"], rows["sales3"]["hot_used"]) == (10, 0.0)
    assert figures(result.totals) == (9, 6, 2, 4)
    assert "hot_cap" not in result.totals


def test_the_hot_cap_is_the_companys(org, customers_data):
    company = org.company
    company.hot_customer_cap = 4
    company.save(update_fields=["hot_customer_cap"])
    boss = type(org.boss).objects.select_related("company").get(pk=org.boss.pk)
    _query, result = run(boss)
    assert (by_label(result)["sales1"]["hot_cap"], by_label(result)["sales1"]["hot_used"]) == (
        4,
        50.0,
    )


def test_a_manager_with_the_permission_sees_the_subtree(org, customers_data, grant):
    manager = grant(org.manager1, "view_reports")
    _query, result = run(manager)
    rows = by_label(result)
    assert set(rows) == {"manager1", "sales1", "sales2"}
    assert figures(rows["sales2"]) == (2, 1, 1, 1)
    assert figures(result.totals) == (7, 5, 2, 4)


def test_without_the_permission_only_own_figures(org, customers_data):
    _query, result = run(org.manager1)
    assert [row["label"] for row in result.rows] == ["manager1"]
    assert figures(result.totals) == (1, 1, 0, 1)
    _query, result = run(org.sales1)
    assert [row["label"] for row in result.rows] == ["sales1"]
    assert figures(result.totals) == (4, 3, 1, 2)
    # A boss who is not an admin needs the permission too.
    _query, result = run(org.vice_boss, "type")
    assert figures(result.totals) == (0, 0, 0, 0)


def test_a_rep_with_the_permission_counts_shared_customers_on_their_owner(
    org, customers_data, grant
):
    rep = grant(org.sales1, "view_reports")
    _query, result = run(rep)
    rows = by_label(result)
    assert set(rows) == {"sales1", "sales2"}
    assert figures(rows["sales2"]) == (1, 1, 1, 1)  # c5 only: c6 is not shared
    assert figures(result.totals) == (5, 4, 2, 3)
    _query, result = run(rep, "type")
    rows = by_label(result)
    assert [rows[label]["customers"] for label in ("Potential customer", "Regular customer")] == [
        1,
        3,
    ]
    assert figures(rows["VIP customer"]) == (1, 1, 1, 1)


# --- by type, source, region, industry ------------------------------------------------


def test_the_boss_by_type(org, customers_data):
    _query, result = run(org.boss, "type")
    rows = by_label(result)
    assert list(rows) == [
        "VIP customer",
        "Regular customer",
        "Potential customer",
        "Partner",
        "Lost customer",
    ]
    assert figures(rows["Potential customer"]) == (3, 2, 0, 2)
    assert figures(rows["Regular customer"]) == (4, 2, 1, 1)
    assert figures(rows["VIP customer"]) == (2, 2, 1, 1)
    assert figures(rows["Partner"]) == (0, 0, 0, 0)
    assert figures(result.totals) == (9, 6, 2, 4)


def test_the_boss_by_source_with_those_not_filled_in(org, customers_data):
    _query, result = run(org.boss, "source")
    rows = by_label(result)
    assert figures(rows["Website"]) == (5, 3, 1, 2)
    assert figures(rows["Customer referral"]) == (2, 2, 1, 1)
    assert figures(rows["Inbound call"]) == (0, 0, 0, 0)
    assert list(rows)[-1] == "Not filled in"
    assert figures(rows["Not filled in"]) == (2, 1, 0, 1)
    assert figures(result.totals) == (9, 6, 2, 4)


def test_the_boss_by_region_largest_first(org, customers_data):
    _query, result = run(org.boss, "region")
    assert [row["label"] for row in result.rows] == ["北京", "上海", "Not filled in"]
    rows = by_label(result)
    assert figures(rows["北京"]) == (4, 3, 1, 2)
    assert figures(rows["上海"]) == (2, 2, 1, 1)
    assert figures(rows["Not filled in"]) == (3, 1, 0, 1)


def test_the_boss_by_industry_keeps_a_retired_option_in_use(org, customers_data):
    _query, result = run(org.boss, "industry")
    rows = by_label(result)
    assert figures(rows["IT and software"]) == (3, 3, 1, 2)
    assert figures(rows["Retail and wholesale"]) == (1, 1, 0, 0)  # retired, still counted
    assert figures(rows["Education"]) == (0, 0, 0, 0)
    assert figures(rows["Not filled in"]) == (5, 2, 1, 2)
    assert figures(result.totals) == (9, 6, 2, 4)


# --- per month, in the company's calendar ---------------------------------------------


def test_the_boss_per_month_in_the_company_calendar(org, customers_data):
    _query, result = run(org.boss, "month", datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))
    rows = by_label(result)
    assert list(rows) == ["2026-10", "2026-11", "2026-12"]
    keys = ("new_customers", "conversions")
    # c2 created 10-31 23:30 is October's, c1 created 11-01 00:30 November's; c2 converted
    # 11-30 23:30 is November's, c3 converted 12-01 00:30 December's.
    assert figures(rows["2026-10"], keys) == (2, 1)
    assert figures(rows["2026-11"], keys) == (6, 2)
    assert figures(rows["2026-12"], keys) == (0, 1)
    assert figures(result.totals, keys) == (8, 4)
    assert "customers" not in rows["2026-11"]


def test_a_partial_month_is_clipped_to_the_range(org, customers_data):
    _query, result = run(org.boss, "month", datetime.date(2026, 11, 2), NOV_30)
    (row,) = result.rows
    assert (row["label"], row["new_customers"], row["conversions"]) == ("2026-11", 5, 2)
    assert "created_from=2026-11-02" in row["links"]["new_customers"]


# --- rights, tenancy ------------------------------------------------------------------


def test_another_company_is_never_counted(org, other_org, customers_data):
    for group_by in GROUP_BYS:
        _query, result = run(other_org.boss, group_by)
        expected = (1, 1, 1, 1) if group_by != "month" else (1, 1)
        keys = FIGURES if group_by != "month" else ("new_customers", "conversions")
        assert figures(result.totals, keys) == expected, group_by
    _query, result = run(org.boss, "region")
    assert figures(result.totals) == (9, 6, 2, 4)


# --- drill-downs ----------------------------------------------------------------------


def _query_of(url) -> QueryDict:
    return QueryDict(urlsplit(url).query)


def listed_count(user, url) -> int:
    assert urlsplit(url).path == "/customers/"
    return customer_list_rows(user, CustomerFilterForm(_query_of(url), user=user)).count()


@pytest.mark.parametrize("who", ["boss", "manager1", "sales1", "sales1 with the permission"])
@pytest.mark.parametrize("group_by", GROUP_BYS)
def test_every_figure_drills_down_to_its_customers(org, customers_data, grant, who, group_by):
    user = getattr(org, who.split()[0])
    if "permission" in who:
        user = grant(user, "view_reports")
    first = datetime.date(2026, 10, 1) if group_by == "month" else NOV_1
    _query, result = run(user, group_by, first, datetime.date(2026, 12, 31))
    checked = 0
    for row in [*result.rows, result.totals]:
        for key, url in row["links"].items():
            assert listed_count(user, url) == row[key], (row.get("label", "totals"), key)
            checked += 1
        assert row["drilldown"] == row["links"].get("customers", row["links"]["new_customers"])
    assert checked >= 2 * (len(result.rows) + 1)


def test_the_drill_down_page_counts_the_same(org, customers_data, client_as):
    _query, result = run(org.boss, "source")
    row = by_label(result)["Not filled in"]
    page = client_as(org.boss).get(row["links"]["customers"])
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 2
    page = client_as(org.boss).get(by_label(result)["Website"]["links"]["conversions"])
    assert [customer.name for customer in page.context["page"]] == [customers_data.c2.name]


# --- the framework's contract ---------------------------------------------------------


@pytest.mark.parametrize("group_by", GROUP_BYS)
def test_a_fixed_number_of_queries(org, customers_data, group_by):
    template = Customer.objects.get(pk=customers_data.c5.pk)
    at_10, at_200 = query_counts(org.boss, template, run, [group_by])
    assert at_10 == at_200
    assert max(at_200) <= 6


def test_the_api_returns_the_columns(org, customers_data, api_as):
    api = api_as(org.boss)
    assert "customers" in {report["name"] for report in api.get("/api/v1/reports/").json()}
    answer = api.get("/api/v1/reports/customers/?from=2026-11-01&to=2026-11-30&group_by=rep")
    assert answer.status_code == 200
    data = answer.json()
    assert [column["key"] for column in data["columns"]] == [
        "label",
        "customers",
        "new_customers",
        "conversions",
        "hot_customers",
        "hot_cap",
        "hot_used",
    ]
    sales1 = next(row for row in data["rows"] if row["label"] == "sales1")
    assert [sales1[key] for key in FIGURES] == [4, 3, 1, 2]
    assert sales1["drilldown"].startswith("http")
    assert [data["totals"][key] for key in FIGURES] == [9, 6, 2, 4]
    answer = api.get("/api/v1/reports/customers/?from=2026-10-01&to=2026-12-31&group_by=month")
    assert [column["key"] for column in answer.json()["columns"]] == [
        "label",
        "new_customers",
        "conversions",
    ]
    bad = api.get("/api/v1/reports/customers/?group_by=week")
    assert bad.status_code == 400 and list(bad.json()) == ["group_by"]


def test_the_page_answers_for_every_grouping(org, customers_data, client_as):
    client = client_as(org.boss)
    for group_by in GROUP_BYS:
        page = client.get(f"/reports/customers/?from=2026-11-01&to=2026-11-30&group_by={group_by}")
        assert page.status_code == 200, group_by
        assert b'id="report-chart-data"' in page.content
