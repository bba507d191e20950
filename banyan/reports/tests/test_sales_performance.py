"""The sales-performance report against hand-computed figures (see conftest.build_sales),
for a rep, a manager and the boss; drill-downs that list exactly the records counted; the
"view reports" permission; another company never counted; a fixed number of queries."""

import datetime
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.http import QueryDict

from banyan.agreements.forms import AgreementFilterForm
from banyan.agreements.selectors import agreement_list
from banyan.core.models import ExactSum
from banyan.finance.forms import PaymentFilterForm
from banyan.finance.models import Payment
from banyan.finance.selectors import payment_list
from banyan.reports.registry import ReportQuery, report_named
from banyan.reports.tests.conftest import query_counts

pytestmark = pytest.mark.django_db

NOV_1, NOV_30 = datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)
D = Decimal
REPORT = report_named("sales-performance")


def run(user, group_by="rep", first=NOV_1, last=NOV_30):
    query = ReportQuery(user=user, date_from=first, date_to=last, group_by=group_by)
    return query, REPORT.compute(query)


def by_label(result):
    return {row["label"]: row for row in result.rows}


def figures(row, *keys):
    return tuple(row[key] for key in keys)


KEYS = ("contract_amount", "order_amount", "payment_amount", "rank")


def test_the_boss_sees_every_rep(org, sales):
    _query, result = run(org.boss)
    rows = by_label(result)
    assert figures(rows["sales1"], *KEYS) == (D("250.50"), D("1000.00"), D("400.00"), 4)
    assert figures(rows["sales2"], *KEYS) == (D("2000.00"), D("0.00"), D("1500.00"), 1)
    assert figures(rows["manager1"], *KEYS) == (D("0.00"), D("300.00"), D("300.00"), 5)
    assert figures(rows["sales3"], *KEYS) == (D("0.00"), D("4000.00"), D("999.99"), 2)
    assert figures(rows["sales4"], *KEYS) == (D("8000.00"), D("0.00"), D("500.00"), 3)
    assert figures(rows["director2"], *KEYS) == (D("0.00"), D("0.00"), D("0.00"), None)
    assert rows["sales1"]["contract_target"] == D("2500.00")
    assert rows["sales1"]["contract_attainment"] == 50.0  # 1250.50 / 2500.00
    assert rows["sales1"]["payment_target"] == D("800.00")
    assert rows["sales1"]["payment_attainment"] == 50.0
    assert rows["sales2"]["payment_target"] is None
    assert rows["sales2"]["payment_attainment"] is None
    totals = result.totals
    assert figures(totals, "contract_amount", "order_amount", "payment_amount") == (
        D("10250.50"),
        D("5300.00"),
        D("3699.99"),
    )
    # The company's personal targets: sales1's only.
    assert (totals["payment_target"], totals["contract_target"]) == (D("800.00"), D("2500.00"))


def test_the_boss_per_group(org, sales):
    _query, result = run(org.boss, "group")
    rows = by_label(result)
    assert list(rows) == ["director1", "manager1", "manager2", "director2"]
    assert figures(rows["director1"], *KEYS) == (D("2250.50"), D("5300.00"), D("3199.99"), 1)
    assert figures(rows["manager1"], *KEYS) == (D("2250.50"), D("1300.00"), D("2200.00"), 2)
    assert figures(rows["manager2"], *KEYS) == (D("0.00"), D("4000.00"), D("999.99"), 3)
    assert figures(rows["director2"], *KEYS) == (D("8000.00"), D("0.00"), D("500.00"), 4)
    manager1 = rows["manager1"]
    assert (manager1["payment_target"], manager1["contract_target"]) == (D("4000.00"), D("5000.00"))
    assert manager1["payment_attainment"] == 55.0  # 2200 / 4000
    assert manager1["contract_attainment"] == 71.0  # 3550.50 / 5000


def test_the_boss_per_month_and_week(org, sales):
    _query, result = run(org.boss, "month", datetime.date(2026, 10, 1), NOV_30)
    rows = by_label(result)
    assert list(rows) == ["2026-10", "2026-11"]
    assert figures(rows["2026-10"], *KEYS) == (D("0.00"), D("700.00"), D("700.00"), 2)
    assert figures(rows["2026-11"], *KEYS) == (D("10250.50"), D("5300.00"), D("3699.99"), 1)
    assert rows["2026-11"]["payment_target"] == D("800.00")
    assert rows["2026-10"]["payment_target"] is None
    _query, result = run(org.boss, "week")
    rows = by_label(result)
    # Weeks start on Monday: 2026-11-01 is a Sunday, in the week of 10-26 (clipped).
    assert list(rows)[:2] == ["2026-10-26", "2026-11-02"]
    assert rows["2026-10-26"]["order_amount"] == D("1000.00")
    assert rows["2026-10-26"]["payment_amount"] == D("400.00")
    assert rows["2026-11-30"]["contract_amount"] == D("250.50")
    assert rows["2026-11-30"]["payment_amount"] == D("0.00")  # 100.00 and its reversal


def test_a_manager_with_the_permission_sees_the_subtree(org, sales):
    manager = sales.build.grant(org.manager1, "view_reports")
    _query, result = run(manager)
    rows = by_label(result)
    assert set(rows) == {"manager1", "sales1", "sales2"}
    assert figures(rows["sales2"], *KEYS) == (D("2000.00"), D("0.00"), D("1500.00"), 1)
    assert figures(result.totals, "contract_amount", "order_amount", "payment_amount") == (
        D("2250.50"),
        D("1300.00"),
        D("2200.00"),
    )
    _query, result = run(manager, "group")
    assert [row["label"] for row in result.rows] == ["manager1"]


def test_without_the_permission_only_own_figures(org, sales):
    _query, result = run(org.manager1)
    assert [row["label"] for row in result.rows] == ["manager1"]
    assert figures(result.rows[0], *KEYS) == (D("0.00"), D("300.00"), D("300.00"), 1)
    assert result.totals["payment_amount"] == D("300.00")
    _query, result = run(org.manager1, "group")
    assert result.rows == []
    # A boss who is not an admin needs the permission too.
    _query, result = run(org.vice_boss)
    assert [row["label"] for row in result.rows] == ["vice_boss"]
    assert result.totals["payment_amount"] == D("0.00")


def test_a_rep_sees_their_own_and_with_the_permission_shared_customers(org, sales):
    _query, result = run(org.sales1)
    assert [row["label"] for row in result.rows] == ["sales1"]
    assert figures(result.rows[0], *KEYS) == (D("250.50"), D("1000.00"), D("400.00"), 1)
    rep = sales.build.grant(org.sales1, "view_reports")
    _query, result = run(rep)
    # sales2's contract is on a customer shared with sales1: visible, so counted, on a row
    # of its own owner.
    rows = by_label(result)
    assert set(rows) == {"sales1", "sales2"}
    assert figures(rows["sales2"], *KEYS) == (D("2000.00"), D("0.00"), D("1500.00"), 1)
    assert result.totals["contract_amount"] == D("2250.50")
    assert result.totals["payment_amount"] == D("1900.00")


def test_another_company_is_never_counted(org, other_org, sales):
    _query, result = run(org.boss)
    assert D("77777.00") not in [row["order_amount"] for row in result.rows]
    _query, result = run(other_org.boss)
    assert result.totals["order_amount"] == D("77777.00")
    assert result.totals["payment_amount"] == D("7777.00")
    assert by_label(result)["sales1"]["order_amount"] == D("77777.00")


def _query_of(url):
    return QueryDict(urlsplit(url).query)


@pytest.mark.parametrize("who", ["boss", "manager1", "sales1"])
@pytest.mark.parametrize("group_by", ["rep", "group", "month"])
def test_every_figure_drills_down_to_its_records(org, sales, who, group_by):
    user = getattr(org, who)
    _query, result = run(user, group_by)
    for row in [*result.rows, result.totals]:
        for key, kind in (("contract_amount", "contract"), ("order_amount", "order")):
            params = _query_of(row["links"][key])
            listed = agreement_list(
                user, kind=kind, **AgreementFilterForm(params, user=user).filters()
            )
            total = listed.aggregate(total=ExactSum("amount"))["total"] or D("0.00")
            assert total == row[key]
        params = _query_of(row["links"]["payment_amount"])
        listed = payment_list(user, **PaymentFilterForm(params, user=user).filters())
        total = listed.aggregate(total=ExactSum("amount"))["total"] or D("0.00")
        assert total == row["payment_amount"], row.get("label", "totals")
        assert row["drilldown"] == row["links"]["payment_amount"]


def test_the_drill_down_page_counts_the_same(org, sales, client_as):
    _query, result = run(org.boss)
    row = by_label(result)["sales1"]
    page = client_as(org.boss).get(row["links"]["payment_amount"])
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 3  # 400.00, 100.00 and its reversal


@pytest.mark.parametrize("group_by", ["rep", "group", "month", "week"])
def test_a_fixed_number_of_queries(org, sales, group_by):
    template = Payment.objects.filter(company=org.company, amount__gt=0).first()
    at_10, at_200 = query_counts(org.boss, template, run, [group_by])
    assert at_10 == at_200
    assert max(at_200) <= 12
