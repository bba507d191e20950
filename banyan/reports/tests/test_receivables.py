"""The receivables report against hand-computed figures (see `receivables` below), for a rep,
a manager and the boss; ageing as of today in Shanghai; drill-downs that list exactly the
records counted; the "view reports" permission; another company never counted; a fixed
number of queries; the page, the API and the export."""

import datetime
import io
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.http import QueryDict
from openpyxl import load_workbook

from banyan.accounts.models import DictionaryOption
from banyan.agreements import services as agreement_services
from banyan.agreements.forms import AgreementFilterForm
from banyan.agreements.selectors import agreement_list
from banyan.core.models import ExactSum
from banyan.customers import services as customer_services
from banyan.finance import services as finance_services
from banyan.finance.forms import InvoiceFilterForm, PaymentFilterForm, PlanFilterForm
from banyan.finance.models import Payment, PaymentPlan
from banyan.finance.selectors import (
    agreements_to_invoice,
    invoice_list,
    payment_list,
    plan_list,
    plan_totals,
)
from banyan.reports.definitions import receivables as receivables_module
from banyan.reports.registry import ReportQuery, report_named
from banyan.reports.tests.conftest import Builder, now_is, query_counts, shanghai
from banyan.workbench.selectors import overdue_receivables

pytestmark = pytest.mark.django_db

D = Decimal
REPORT = report_named("receivables")
# Today is 2026-12-07 in Shanghai (00:30 there is still 16:30 on 12-06 in UTC).
TODAY = shanghai("2026-12-07T00:30")
OCT_1, DEC_31 = datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)
AGEING = ("not_due", "overdue_1_30", "overdue_31_60", "overdue_61_90", "overdue_over_90")
KEYS = (*AGEING, "outstanding", "uninvoiced_contracts", "uninvoiced_orders")


def build_receivables(org, other_org) -> SimpleNamespace:
    """Plans, payments and invoices; ages as of 2026-12-07 (expected figures in the tests):

    sales1   customer A: order A1 1000.00, plans 600.00 due 12-07 (100.00 paid on 11-10:
             500.00 not yet due) and 400.00 due 12-06 (1 day overdue); invoice 40.00 on 11-30
             (60.00 of A1's orders paid, not invoiced); contract A2 2000.00, plans 1200.00 due
             10-08 (200.00 paid on 10-31: 1000.00 60 days overdue) and 800.00 due 09-07
             (91 days); nothing invoiced (200.00 of contracts).
             Order A3 300.00 with a plan due 11-20, cancelled: never counted. Order A4 250.00,
             plan due 11-25 paid on 11-25 (covered) and invoiced 250.00 on 12-01.
    sales2   customer B, shared with sales1 to view: order B1 700.00, plan due 10-07 (61 days).
    manager1 contract M1 900.00, plan due 11-07 (30 days), 300.00 paid on 12-02, invoiced
             100.00 on 12-03: 600.00 overdue, 200.00 of contracts paid, not invoiced.
    sales3   order C1 5000.00, plan due 2027-01-31; 1000.00 paid on 12-05 and reversed on 12-06.
    sales4   order S4 123.45, plan due 12-31.
    beta     sales1's order 77777.00 overdue, 7777.00 paid, 777.00 invoiced: never counted.
    """
    build = Builder(org)
    data = SimpleNamespace(build=build)
    clerk = build.clerk(org.boss)
    invoice_type = DictionaryOption.objects.get(
        company=org.company, kind="invoice_type", code="vat_ordinary"
    )
    numbers = iter(range(1, 100))

    def plan(agreement, due_on, amount):
        return finance_services.plan_create(
            user=agreement.owner, agreement=agreement, due_on=due_on, amount=amount
        )

    def pay(agreement, amount, paid_on, plan=None, builder=build):
        method = DictionaryOption.objects.get(
            company_id=agreement.company_id, kind="payment_method", code="bank_transfer"
        )
        return finance_services.payment_record(
            user=builder.clerk(agreement.owner),
            agreement=agreement,
            amount=amount,
            paid_on=paid_on,
            method=method,
            plan=plan,
        )

    def invoice(agreement, amount, issued_on, user=clerk, kind=invoice_type):
        return finance_services.invoice_create(
            user=user,
            agreement=agreement,
            number=f"FP{agreement.company_id}-{next(numbers):04d}",
            type=kind,
            amount=amount,
            issued_on=issued_on,
        )

    data.customer_a = build.customer(org.sales1)
    data.a1 = build.sign(org.sales1, "1000.00", "2026-11-01", customer=data.customer_a)
    p1 = plan(data.a1, "2026-12-07", "600.00")
    plan(data.a1, "2026-12-06", "400.00")
    pay(data.a1, "100.00", "2026-11-10", plan=p1)
    invoice(data.a1, "40.00", "2026-11-30")
    data.a2 = build.sign(
        org.sales1, "2000.00", "2026-08-01", kind="contract", customer=data.customer_a
    )
    p3 = plan(data.a2, "2026-10-08", "1200.00")
    plan(data.a2, "2026-09-07", "800.00")
    pay(data.a2, "200.00", "2026-10-31", plan=p3)
    a3 = build.sign(org.sales1, "300.00", "2026-11-15")
    plan(a3, "2026-11-20", "300.00")
    agreement_services.agreement_cancel(user=org.sales1, agreement=a3, reason="lost")
    data.a4 = build.sign(org.sales1, "250.00", "2026-11-20")
    p4 = plan(data.a4, "2026-11-25", "250.00")
    pay(data.a4, "250.00", "2026-11-25", plan=p4)
    invoice(data.a4, "250.00", "2026-12-01")

    data.customer_b = build.customer(org.sales2)
    customer_services.customer_share(
        user=org.sales2, customer=data.customer_b, target=org.sales1, level="view"
    )
    data.b1 = build.sign(org.sales2, "700.00", "2026-10-01", customer=data.customer_b)
    plan(data.b1, "2026-10-07", "700.00")

    data.m1 = build.sign(org.manager1, "900.00", "2026-09-01", kind="contract")
    pm = plan(data.m1, "2026-11-07", "900.00")
    pay(data.m1, "300.00", "2026-12-02", plan=pm)
    invoice(data.m1, "100.00", "2026-12-03")

    data.c1 = build.sign(org.sales3, "5000.00", "2026-12-01")
    pc = plan(data.c1, "2027-01-31", "5000.00")
    bounced = pay(data.c1, "1000.00", "2026-12-05", plan=pc)
    build.reverse(bounced, "2026-12-06")

    data.s4 = build.sign(org.sales4, "123.45", "2026-11-01")
    plan(data.s4, "2026-12-31", "123.45")

    beta = Builder(other_org)
    foreign = beta.sign(other_org.sales1, "77777.00", "2026-10-01")
    foreign_plan = plan(foreign, "2026-11-01", "77777.00")
    pay(foreign, "7777.00", "2026-11-10", plan=foreign_plan, builder=beta)
    invoice(
        foreign,
        "777.00",
        "2026-11-10",
        user=beta.clerk(other_org.boss),
        kind=DictionaryOption.objects.get(
            company=other_org.company, kind="invoice_type", code="vat_ordinary"
        ),
    )
    return data


@pytest.fixture(scope="module")
def receivables_data(alpha_build, beta_build, django_db_blocker):
    with django_db_blocker.unblock():
        yield build_receivables(alpha_build, beta_build)


@pytest.fixture
def receivables(receivables_data):
    with now_is(TODAY):
        yield receivables_data


def run(user, group_by="rep", first=OCT_1, last=DEC_31):
    query = ReportQuery(user=user, date_from=first, date_to=last, group_by=group_by)
    return query, REPORT.compute(query)


def by_label(result):
    return {row["label"]: row for row in result.rows}


def figures(row, keys=KEYS):
    return tuple(row[key] for key in keys)


def money(*values):
    return tuple(D(value) for value in values)


def test_the_boss_per_rep(org, receivables):
    _query, result = run(org.boss)
    rows = by_label(result)
    assert figures(rows["sales1"]) == money(
        "500.00", "400.00", "1000.00", "0", "800.00", "2700.00", "200.00", "60.00"
    )
    assert figures(rows["sales2"]) == money("0", "0", "0", "700.00", "0", "700.00", "0", "0")
    assert figures(rows["manager1"]) == money("0", "600.00", "0", "0", "0", "600.00", "200.00", "0")
    assert figures(rows["sales3"]) == money("5000.00", "0", "0", "0", "0", "5000.00", "0", "0")
    assert figures(rows["sales4"]) == money("123.45", "0", "0", "0", "0", "123.45", "0", "0")
    assert figures(rows["director2"]) == money(*["0"] * 8)
    assert figures(result.totals) == money(
        "5623.45", "1000.00", "1000.00", "700.00", "800.00", "9123.45", "400.00", "60.00"
    )


def test_one_rule_one_answer(org, receivables):
    """The overdue buckets add up to the workbench's overdue receivables, and what is paid
    but not invoiced to the finance desk's "to invoice" list."""
    _query, result = run(org.boss)
    overdue = sum((result.totals[key] for key in AGEING[1:]), D("0.00"))
    assert overdue == overdue_receivables(org.boss)["amount"] == D("3500.00")
    desk = agreements_to_invoice(org.boss).aggregate(
        paid=ExactSum("paid_amount"), invoiced=ExactSum("invoiced_amount")
    )
    uninvoiced = result.totals["uninvoiced_contracts"] + result.totals["uninvoiced_orders"]
    assert uninvoiced == desk["paid"] - desk["invoiced"] == D("460.00")


def test_ageing_follows_the_company_day(org, receivables):
    # 23:30 on 12-06 in Shanghai: the plan due 12-06 is not yet overdue, nor is 10-08's 60
    # days (59), nor 09-07's over 90 (90).
    with now_is(shanghai("2026-12-06T23:30")):
        _query, result = run(org.boss)
    row = by_label(result)["sales1"]
    assert figures(row, AGEING) == money("900.00", "0", "1000.00", "800.00", "0")


def test_the_boss_per_customer_most_outstanding_first(org, receivables, monkeypatch):
    _query, result = run(org.boss, "customer")
    expected = [
        ("5000.00", "0", "0"),
        ("2700.00", "200.00", "60.00"),
        ("700.00", "0", "0"),
        ("600.00", "200.00", "0"),
        ("123.45", "0", "0"),
    ]
    assert [
        figures(row, ("outstanding", "uninvoiced_contracts", "uninvoiced_orders"))
        for row in result.rows
    ] == [money(*values) for values in expected]
    assert result.rows[1]["label"] == receivables.customer_a.name
    assert figures(result.rows[1], AGEING) == money("500.00", "400.00", "1000.00", "0", "800.00")
    assert result.rows[2]["label"] == receivables.customer_b.name
    assert result.totals["outstanding"] == D("9123.45")
    # A bounded list: the totals still cover every customer.
    monkeypatch.setattr(receivables_module, "TOP_CUSTOMERS", 2)
    _query, result = run(org.boss, "customer")
    assert [row["outstanding"] for row in result.rows] == [D("5000.00"), D("2700.00")]
    assert figures(result.totals) == money(
        "5623.45", "1000.00", "1000.00", "700.00", "800.00", "9123.45", "400.00", "60.00"
    )


def test_the_boss_per_month(org, receivables):
    _query, result = run(org.boss, "month")
    rows = by_label(result)
    assert list(rows) == ["2026-10", "2026-11", "2026-12"]
    keys = ("payment_amount", "invoice_amount")
    assert figures(rows["2026-10"], keys) == money("200.00", "0")
    assert figures(rows["2026-11"], keys) == money("350.00", "40.00")
    # 300.00, and 1000.00 with its reversal.
    assert figures(rows["2026-12"], keys) == money("300.00", "350.00")
    assert figures(result.totals, keys) == money("850.00", "390.00")
    # A range inside a month: the month is clipped to it.
    _query, result = run(org.boss, "month", datetime.date(2026, 12, 2), datetime.date(2026, 12, 3))
    assert [figures(row, keys) for row in result.rows] == [money("300.00", "100.00")]


def test_a_manager_with_the_permission_sees_the_subtree(org, receivables):
    manager = receivables.build.grant(org.manager1, "view_reports")
    _query, result = run(manager)
    rows = by_label(result)
    assert set(rows) == {"manager1", "sales1", "sales2"}
    assert figures(result.totals) == money(
        "500.00", "1000.00", "1000.00", "700.00", "800.00", "4000.00", "400.00", "60.00"
    )
    _query, result = run(manager, "customer")
    assert [row["outstanding"] for row in result.rows] == list(money("2700.00", "700.00", "600.00"))
    _query, result = run(manager, "month")
    # sales3's 1000.00 and its reversal are outside the subtree, and add up to nothing.
    assert figures(result.totals, ("payment_amount", "invoice_amount")) == money("850.00", "390.00")


def test_without_the_permission_only_own_figures(org, receivables):
    _query, result = run(org.manager1)
    assert [row["label"] for row in result.rows] == ["manager1"]
    assert figures(result.totals) == money("0", "600.00", "0", "0", "0", "600.00", "200.00", "0")
    _query, result = run(org.manager1, "customer")
    assert [row["outstanding"] for row in result.rows] == [D("600.00")]
    _query, result = run(org.manager1, "month")
    assert figures(result.totals, ("payment_amount", "invoice_amount")) == money("300.00", "100.00")
    # A boss who is not an admin needs the permission too.
    _query, result = run(org.vice_boss)
    assert [row["label"] for row in result.rows] == ["vice_boss"]
    assert result.totals["outstanding"] == D("0.00")


def test_a_rep_sees_their_own_and_with_the_permission_shared_customers(org, receivables):
    _query, result = run(org.sales1)
    assert [row["label"] for row in result.rows] == ["sales1"]
    assert result.totals["outstanding"] == D("2700.00")
    rep = receivables.build.grant(org.sales1, "view_reports")
    _query, result = run(rep)
    rows = by_label(result)
    assert set(rows) == {"sales1", "sales2"}
    assert rows["sales2"]["overdue_61_90"] == D("700.00")
    assert result.totals["outstanding"] == D("3400.00")
    _query, result = run(rep, "customer")
    assert [row["label"] for row in result.rows] == [
        receivables.customer_a.name,
        receivables.customer_b.name,
    ]


def test_another_company_is_never_counted(org, other_org, receivables):
    _query, result = run(org.boss, "customer")
    assert D("77777.00") not in [row["outstanding"] for row in result.rows]
    _query, result = run(other_org.boss)
    assert by_label(result)["sales1"]["overdue_31_60"] == D("70000.00")
    assert result.totals["outstanding"] == D("70000.00")
    assert result.totals["uninvoiced_orders"] == D("7000.00")
    _query, result = run(other_org.boss, "month")
    assert figures(result.totals, ("payment_amount", "invoice_amount")) == money(
        "7777.00", "777.00"
    )


def _params(url):
    return QueryDict(urlsplit(url).query)


def _listed_outstanding(user, url):
    listed = plan_list(user, **PlanFilterForm(_params(url), user=user).filters())
    return plan_totals(listed)["outstanding"]


def _listed_uninvoiced(user, url, kind):
    form = AgreementFilterForm(_params(url), user=user)
    sums = agreement_list(user, kind=kind, **form.filters()).aggregate(
        paid=ExactSum("paid_amount"), invoiced=ExactSum("invoiced_amount")
    )
    return (sums["paid"] or D("0.00")) - (sums["invoiced"] or D("0.00"))


@pytest.mark.parametrize("who", ["boss", "manager1", "sales1"])
@pytest.mark.parametrize("group_by", ["rep", "customer"])
def test_every_ageing_figure_drills_down_to_its_records(org, receivables, who, group_by):
    user = getattr(org, who)
    _query, result = run(user, group_by)
    for row in [*result.rows, result.totals]:
        label = row.get("label", "totals")
        for key in (*AGEING, "outstanding"):
            assert _listed_outstanding(user, row["links"][key]) == row[key], (label, key)
        for key, kind in (("uninvoiced_contracts", "contract"), ("uninvoiced_orders", "order")):
            assert _listed_uninvoiced(user, row["links"][key], kind) == row[key], (label, key)
        assert row["drilldown"] == row["links"]["outstanding"]


@pytest.mark.parametrize("who", ["boss", "manager1", "sales1"])
def test_every_month_figure_drills_down_to_its_records(org, receivables, who):
    user = getattr(org, who)
    _query, result = run(user, "month")
    for row in [*result.rows, result.totals]:
        params = _params(row["links"]["payment_amount"])
        listed = payment_list(user, **PaymentFilterForm(params, user=user).filters())
        total = listed.aggregate(total=ExactSum("amount"))["total"] or D("0.00")
        assert total == row["payment_amount"]
        params = _params(row["links"]["invoice_amount"])
        listed = invoice_list(user, **InvoiceFilterForm(params, user=user).filters())
        total = listed.aggregate(total=ExactSum("amount"))["total"] or D("0.00")
        assert total == row["invoice_amount"]


def test_the_drill_down_pages_count_the_same(org, receivables, client_as):
    client = client_as(org.boss)
    _query, result = run(org.boss)
    row = by_label(result)["sales1"]
    expected = {
        "not_due": 1,
        "overdue_1_30": 1,
        "overdue_31_60": 1,
        "overdue_61_90": 0,
        "overdue_over_90": 1,
        "outstanding": 4,
    }
    for key, count in expected.items():
        page = client.get(row["links"][key])
        assert page.status_code == 200
        assert page.context["page"].paginator.count == count, key
    # The lists' own filters: paid but not invoiced, and one customer.
    page = client.get(row["links"]["uninvoiced_orders"])
    assert [agreement.pk for agreement in page.context["page"]] == [receivables.a1.pk]
    _query, result = run(org.boss, "customer")
    customer_row = result.rows[1]
    page = client.get(customer_row["links"]["uninvoiced_contracts"])
    assert [agreement.pk for agreement in page.context["page"]] == [receivables.a2.pk]
    page = client.get(customer_row["links"]["outstanding"])
    assert page.context["page"].paginator.count == 4
    assert (
        f'name="customer" value="{receivables.customer_a.pk}"'.encode()
        in client.get(customer_row["links"]["uninvoiced_contracts"]).content
    )
    page = client.get(by_label(run(org.boss, "month")[1])["2026-12"]["links"]["invoice_amount"])
    assert page.context["page"].paginator.count == 2


@pytest.mark.parametrize("group_by", ["rep", "customer"])
def test_a_fixed_number_of_queries_per_plans(org, receivables, group_by):
    template = PaymentPlan.objects.get(agreement=receivables.s4)
    at_10, at_200 = query_counts(org.boss, template, run, [group_by])
    assert at_10 == at_200
    assert max(at_200) <= 6


def test_a_fixed_number_of_queries_per_month(org, receivables):
    template = Payment.objects.filter(company=org.company, amount__gt=0).first()
    at_10, at_200 = query_counts(org.boss, template, run, ["month"])
    assert at_10 == at_200
    assert max(at_200) <= 2


@pytest.mark.parametrize("group_by", ["rep", "customer", "month"])
def test_the_page_and_the_api(org, receivables, client_as, api_as, group_by):
    query = {"range": "custom", "from": "2026-10-01", "to": "2026-12-31", "group_by": group_by}
    page = client_as(org.boss).get("/reports/receivables/", query)
    assert page.status_code == 200
    assert b'id="report-table"' in page.content
    assert b'id="report-chart-data"' in page.content
    data = api_as(org.boss).get("/api/v1/reports/receivables/", query).json()
    assert (data["name"], data["group_by"]) == ("receivables", group_by)
    keys = [column["key"] for column in data["columns"]]
    if group_by == "month":
        assert keys == ["label", "payment_amount", "invoice_amount"]
        assert data["totals"]["payment_amount"] == "850.00"
    else:
        assert keys == ["label", *KEYS]
        assert data["totals"]["outstanding"] == "9123.45"
        assert data["totals"]["overdue_1_30"] == "1000.00"
    for row in data["rows"]:
        assert set(keys) <= set(row)
        assert row["drilldown"].startswith("http://testserver/")


def test_only_the_kinds_in_use_and_export(org, receivables, client_as):
    org.company.uses_contracts = False
    org.company.save(update_fields=["uses_contracts"])
    exporter = Builder(org).grant(org.boss, "export_data")
    query = "range=custom&from=2026-10-01&to=2026-12-31&group_by=rep"
    response = client_as(exporter).post("/reports/receivables/export/", {"query": query})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == (
        "Rep",
        "Not yet due",
        "1–30 days overdue",
        "31–60 days overdue",
        "61–90 days overdue",
        "Over 90 days overdue",
        "Outstanding",
        "Orders paid, not invoiced",
    )
    totals = rows[-1]
    # What is owed on contracts is still owed; only their uninvoiced column goes (its list
    # is not in use).
    assert totals == ("Total", 5623.45, 1000, 1000, 700, 800, 9123.45, 60)
    org.company.uses_orders = False
    org.company.save(update_fields=["uses_orders"])
    assert client_as(org.boss).get("/reports/receivables/").status_code == 404
