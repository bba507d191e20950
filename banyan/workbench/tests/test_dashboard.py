"""The dashboard of bosses and managers: hand-computed figures for a manager and the boss,
month boundaries in Asia/Shanghai, another company never counted, the report permission,
the links to the records behind each figure, and a fixed number of queries.

"Now" is 20 Nov 2026, noon in Shanghai: this month is 2026-11, last month 2026-10, the same
month last year 2025-11, and the trend runs from 2025-12 to 2026-11.
"""

import json
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import pytest
from django.urls import reverse

from banyan.accounts.models import DictionaryOption
from banyan.activities import services as activity_services
from banyan.agreements import services as agreement_services
from banyan.core.panels import workbench
from banyan.finance import services as finance_services
from banyan.opportunities import services as opportunity_services
from banyan.targets import services as target_services
from banyan.workbench import selectors, tallies

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 20 Nov 2026, noon in Shanghai
NOV, OCT, NOV_LAST_YEAR = date(2026, 11, 1), date(2026, 10, 1), date(2025, 11, 1)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@contextmanager
def at(moment: datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.fixture(autouse=True)
def november():
    with at(NOW):
        yield


def _call(company):
    return DictionaryOption.objects.get(company=company, kind="activity_type", code="call")


def _method(company):
    return DictionaryOption.objects.get(
        company=company, kind="payment_method", code="bank_transfer"
    )


@pytest.fixture
def world(org, other_org, grant, make_customer, make_product, make_agreement):
    """Records around November 2026 (each one's month in Shanghai in its comment).

    manager1's subtree: manager1, sales1, sales2. sales3 is manager2's, sales4 director2's.
    """
    w = SimpleNamespace(org=org)
    clerk = grant(org.vice_boss, "finance")

    def customer(owner, created_at: datetime, name=None):
        with at(created_at):
            return make_customer(owner, name=name)

    w.c1 = customer(org.sales1, utc("2026-09-05 02:00"))  # 2026-09
    w.c2 = customer(org.sales2, utc("2026-10-31 16:30"))  # 00:30 on 1 Nov: 2026-11
    w.c3 = customer(org.sales3, utc("2026-10-31 15:30"))  # 23:30 on 31 Oct: 2026-10
    w.c4 = customer(org.sales4, utc("2025-11-10 02:00"))  # 2025-11
    w.c5 = customer(org.sales1, utc("2025-10-15 02:00"))  # before the 13 months
    w.c6 = customer(org.sales1, utc("2026-11-05 02:00"))  # 2026-11

    def log(user, on, occurred_at):
        return activity_services.activity_log(
            user=user,
            customer=on,
            type=_call(user.company),
            subject="电话沟通",
            occurred_at=occurred_at,
        )

    log(org.sales1, w.c1, utc("2026-10-31 16:30"))  # 00:30 on 1 Nov: 2026-11
    log(org.sales1, w.c1, utc("2026-10-31 15:30"))  # 23:30 on 31 Oct: 2026-10
    log(org.sales2, w.c2, utc("2026-11-10 02:00"))  # 2026-11
    log(org.sales3, w.c3, utc("2026-11-11 02:00"))  # 2026-11 (not manager1's)
    log(org.sales4, w.c4, utc("2025-11-15 02:00"))  # 2025-11 (not manager1's)

    def sign(owner, on, amount, signed_on):
        product = make_product(owner, list_price=amount)
        agreement = make_agreement(owner, on, lines=[{"product": product.pk, "quantity": "1"}])
        return agreement_services.agreement_sign(
            user=owner, agreement=agreement, signed_on=signed_on
        )

    g1 = sign(org.sales1, w.c1, "1000.00", "2026-11-01")
    sign(org.sales2, w.c2, "250.50", "2026-11-19")
    g3 = sign(org.sales1, w.c1, "700.00", "2026-10-31")
    cancelled = sign(org.sales1, w.c1, "5000.00", "2026-11-15")
    agreement_services.agreement_cancel(user=org.sales1, agreement=cancelled, reason="lost")
    g5 = sign(org.sales3, w.c3, "4000.00", "2026-11-11")
    g6 = sign(org.sales4, w.c4, "8000.00", "2025-11-11")

    def plan(agreement, amount, due_on):
        return finance_services.plan_create(
            user=agreement.owner, agreement=agreement, due_on=due_on, amount=amount
        )

    overdue1 = plan(g1, "600.00", "2026-11-10")  # overdue: 600.00 outstanding
    overdue5 = plan(g5, "1500.00", "2026-11-15")  # overdue: 1000.00 paid, 500.00 outstanding
    plan(g3, "700.00", "2026-12-10")  # not yet due

    def pay(agreement, amount, paid_on, plan=None):
        return finance_services.payment_record(
            user=clerk,
            agreement=agreement,
            amount=amount,
            paid_on=paid_on,
            method=_method(org.company),
            plan=plan,
            confirm_overpayment=True,
        )

    pay(g1, "400.00", "2026-11-01")
    bounced = pay(g1, "100.00", "2026-11-02")
    finance_services.payment_reverse(
        user=clerk, payment=bounced, reason="bounced", paid_on="2026-11-03"
    )
    pay(g3, "300.00", "2026-10-31")
    pay(g5, "1000.00", "2026-11-12", plan=overdue5)
    pay(g6, "2000.00", "2025-11-20")
    assert overdue1.paid_amount == 0

    def opportunity(owner, on, amount, created_at):
        with at(created_at):
            return opportunity_services.opportunity_create(
                user=owner, customer=on, name="机会", expected_amount=Decimal(amount)
            )

    opportunity(org.sales1, w.c1, "1000.00", utc("2026-09-10 02:00"))  # open
    lost = opportunity(org.sales2, w.c2, "2000.00", utc("2026-10-05 02:00"))
    with at(utc("2026-11-10 02:00")):  # open at the end of October, not now
        opportunity_services.opportunity_mark_lost(user=org.sales2, opportunity=lost, reason="x")
    opportunity(org.sales3, w.c3, "3000.00", utc("2025-11-05 02:00"))  # open (not manager1's)
    opportunity(org.sales1, w.c6, "500.00", utc("2026-11-06 02:00"))  # open

    def target(person, payment, contract):
        target_services.target_set(
            user=org.boss,
            target_user=person,
            month="2026-11",
            payment_amount=payment,
            contract_amount=contract,
        )

    target(org.sales1, "1000.00", "2000.00")  # 400.00 → 40.0 %, 1000.00 → 50.0 %
    target(org.sales2, "100.00", "1000.00")  # 0 → 0.0 %, 250.50 → 25.1 %
    target(org.sales3, "500.00", "4000.00")  # 1000.00 → 200.0 %, 4000.00 → 100.0 %

    # Another company's records in the same months: never counted.
    stranger = customer(other_org.sales1, utc("2026-11-05 02:00"))
    log(other_org.sales1, stranger, utc("2026-11-06 02:00"))
    sign(other_org.sales1, stranger, "99999.00", "2026-11-06")
    return w


def figures_of(user) -> dict:
    found = selectors.dashboard(user)
    return {
        figure.key: (figure.this_month, figure.last_month, figure.last_year)
        for figure in found["figures"]
    }


def test_the_bosss_figures_cover_the_company(world):
    boss = world.org.boss
    assert figures_of(boss) == {
        "signed": (Decimal("5250.50"), Decimal("700.00"), Decimal("8000.00")),
        "payments": (Decimal("1400.00"), Decimal("300.00"), Decimal("2000.00")),
        "customers": (2, 1, 1),
        "activities": (3, 1, 1),
        "pipeline": (Decimal("4500.00"), Decimal("6000.00"), Decimal("3000.00")),
    }
    found = selectors.dashboard(boss)
    trends = {figure.key: figure.trend for figure in found["figures"]}
    assert found["figures"][0].months.trend[0] == date(2025, 12, 1)
    assert trends["customers"] == [0] * 9 + [1, 1, 2]  # 2026-09 (c1), 2026-10, 2026-11
    assert trends["pipeline"] == [Decimal("3000.00")] * 9 + [
        Decimal("4000.00"),
        Decimal("6000.00"),
        Decimal("4500.00"),
    ]
    assert [(r.rank, r.target.user.username) for r in found["ranking"]] == [
        (1, "sales3"),
        (2, "sales1"),
        (3, "sales2"),
    ]
    sales3 = found["ranking"][0].target.achievement
    assert (sales3.payment_percent, sales3.contract_percent) == (
        Decimal("200.0"),
        Decimal("100.0"),
    )
    assert found["overdue"]["count"] == 2
    assert found["overdue"]["amount"] == Decimal("1100.00")


def test_a_managers_figures_cover_their_subtree(world, grant):
    manager = grant(world.org.manager1, "view_reports")
    assert figures_of(manager) == {
        "signed": (Decimal("1250.50"), Decimal("700.00"), Decimal("0.00")),
        "payments": (Decimal("400.00"), Decimal("300.00"), Decimal("0.00")),
        "customers": (2, 0, 0),
        "activities": (2, 1, 0),
        "pipeline": (Decimal("1500.00"), Decimal("3000.00"), Decimal("0.00")),
    }
    found = selectors.dashboard(manager)
    assert [(r.rank, r.target.user.username) for r in found["ranking"]] == [
        (1, "sales1"),
        (2, "sales2"),
    ]
    second = found["ranking"][1].target.achievement
    assert (second.payment_percent, second.contract_percent) == (
        Decimal("0.0"),
        Decimal("25.1"),
    )
    assert (found["overdue"]["count"], found["overdue"]["amount"]) == (1, Decimal("600.00"))
    signed = found["figures"][0]
    assert signed.change_on_last_month == Decimal("78.6")  # 1250.50 / 700 − 1
    assert signed.change_on_last_year is None  # from nothing


def test_the_report_permission_is_needed_beyond_ones_own(world, grant):
    org = world.org
    assert selectors.dashboard(org.manager1) is None  # no "view reports"
    assert selectors.dashboard(org.vice_boss) is None  # a boss, not an admin: no permission
    assert selectors.dashboard(grant(org.sales1, "view_reports")) is None  # no team
    assert selectors.dashboard(org.boss) is not None  # the admin boss, by office
    assert selectors.dashboard(grant(org.vice_boss, "view_reports")) is not None
    assert "dashboard" not in [p.key for p in workbench.panels_for(org.manager1)]
    assert "dashboard" in [p.key for p in workbench.panels_for(org.boss)]


def test_the_page_is_refused_without_the_permission(world, client_as):
    response = client_as(world.org.manager1).get(reverse("workbench-dashboard"))
    assert response.status_code == 404
    response = client_as(world.org.sales1).get(reverse("workbench-dashboard"))
    assert response.status_code == 404


def test_each_figure_links_to_the_records_behind_it(world, client_as, grant):
    manager = grant(world.org.manager1, "view_reports")
    found = selectors.dashboard(manager)
    links = {figure.key: [url for _label, url in figure.links] for figure in found["figures"]}
    query = "signed_from=2026-11-01&signed_to=2026-11-30&status=not_cancelled"
    assert links["signed"] == [f"/contracts/?{query}", f"/orders/?{query}"]  # both in use
    client = client_as(manager)
    expected = {  # the records each list shows: the figure's, row for row
        "signed": [0, 2],  # no contract; sales1's 1000.00 and sales2's 250.50 orders
        "payments": [3],  # 400.00, 100.00 and its reversal
        "customers": [2],
        "activities": [2],
        "pipeline": [2],
    }
    for key, counts in expected.items():
        for url, count in zip(links[key], counts, strict=True):
            response = client.get(url)
            assert response.status_code == 200, url
            assert response.context["page"].paginator.count == count, url
    response = client.get(found["overdue"]["url"])
    assert response.context["page"].paginator.count == 1


def test_the_page_renders_the_figures_and_their_charts(world, client_as):
    response = client_as(world.org.boss).get(reverse("workbench-dashboard"), HTTP_HX_REQUEST="1")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="dashboard-signed"' in html and 'data-this-month="5250.50"' in html
    assert 'data-amount="1100.00"' in html and 'data-count="2"' in html
    assert html.count('class="ranking-row"') == 3
    assert "<script>" not in html  # the charts' data is JSON, drawn by dashboard.js
    charts = json.loads(
        html.split('id="dashboard-charts" type="application/json">')[1].split("<")[0]
    )
    assert charts[0]["months"][0] == "2025-12" and charts[0]["values"][-1] == "5250.50"
    assert charts[2] == {
        "key": "customers",
        "label": "New customers",
        "months": [f"{m:%Y-%m}" for m in selectors.Months.of(world.org.boss).trend],
        "values": ["0"] * 9 + ["1", "1", "2"],
    }
    page = client_as(world.org.boss).get(reverse("workbench-dashboard"))  # without htmx
    assert page.status_code == 200 and "<h1" in page.content.decode()
    assert 'id="dashboard-signed"' in page.content.decode()
    home = client_as(world.org.boss).get("/").content.decode()
    assert 'hx-get="/workbench/dashboard/"' in home and "js/dashboard.js" in home


def test_the_api_offers_the_dashboard(world, client_as):
    response = client_as(world.org.boss).get("/api/v1/workbench/dashboard/")
    assert response.status_code == 200
    body = response.json()
    figures = {figure["key"]: figure for figure in body["figures"]}
    assert body["month"] == "2026-11"
    assert figures["payments"]["this_month"] == "1400.00"
    assert figures["payments"]["last_month"] == "300.00"
    assert figures["payments"]["same_month_last_year"] == "2000.00"
    assert figures["payments"]["change_on_last_month"] == "366.7"
    assert figures["payments"]["links"] == [
        {"label": "Payments", "url": "/finance/payments/?paid_from=2026-11-01&paid_to=2026-11-30"}
    ]
    assert body["overdue"] == {
        "count": 2,
        "amount": "1100.00",
        "url": "/finance/plans/?state=overdue",
    }
    assert [(row["rank"], row["user"]) for row in body["ranking"]] == [
        (1, world.org.sales3.display_name),
        (2, world.org.sales1.display_name),
        (3, world.org.sales2.display_name),
    ]
    # The workbench's own answer stays light: the dashboard is not added up there.
    panels = client_as(world.org.boss).get("/api/v1/workbench/").json()["panels"]
    assert "dashboard" not in [panel["key"] for panel in panels]
    refused = client_as(world.org.manager1).get("/api/v1/workbench/dashboard/")
    assert refused.status_code == 404


def _queries(user, django_assert_num_queries, count):
    with django_assert_num_queries(count):
        selectors.dashboard(user)


@pytest.mark.parametrize("more", [0, 12])
def test_the_query_count_does_not_grow_with_the_records(
    world, grant, make_customer, more, django_assert_num_queries
):
    """Five figures, the ranking (targets, payments, agreements) and the overdue total: the
    boss reads them in 9 queries (the report permission is asked once); a manager adds the
    keys of their line for each visible_* read (and one for the permission)."""
    org = world.org
    for n in range(more):
        with at(utc(f"2026-{(n % 11) + 1:02d}-03 02:00")):
            customer = make_customer(org.sales1)
        activity_services.activity_log(
            user=org.sales1, customer=customer, type=_call(org.company), subject="跟进"
        )
    manager = grant(org.manager1, "view_reports")
    _queries(org.boss, django_assert_num_queries, 9)
    # Where PostgreSQL keeps the monthly tallies, the line's keys are read once for the four
    # flows (and the shared customers' rows counted live): two fewer.
    _queries(manager, django_assert_num_queries, 16 if tallies.in_use() else 18)
