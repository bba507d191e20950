"""The workbench's self-motivation panel and its JSON data."""

import json
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.template.loader import render_to_string

from banyan.accounts.models import DictionaryOption
from banyan.activities import services as activity_services
from banyan.core.panels import workbench
from banyan.targets import panels

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 20 Nov, noon in Shanghai


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(autouse=True)
def november():
    with mock.patch("django.utils.timezone.now", return_value=MOMENT):
        yield


def render(user):
    panel = next(p for p in workbench.panels_for(user) if p.key == "motivation")
    return panel, render_to_string(panel.template, {"user": user, **panel.context(user, None)})


def test_the_panel_shows_a_managers_own_and_group_figures(
    org, set_target, sign, pay, django_assert_max_num_queries
):
    set_target(org.manager1, "1000.00", "4000.00", by=org.director1)
    set_target(org.manager1, "2000.00", "0", is_group=True)
    pay(sign(org.manager1, "1000.00", "2026-11-02"), "500.00", "2026-11-03")
    pay(sign(org.sales1, "3000.00", "2026-11-02"), "300.00", "2026-11-04")
    sign(org.sales3, "9000.00", "2026-11-02")  # not in manager1's group
    panel = next(p for p in workbench.panels_for(org.manager1) if p.key == "motivation")
    with django_assert_max_num_queries(5):
        panel, html = render(org.manager1)
    assert (panel.order, str(panel.title)) == (5, "Self-motivation")
    assert "2026-11: 11 days left." in html
    assert 'data-payment-percent="50.0"' in html and 'data-contract-percent="25.0"' in html
    assert 'data-payment-percent="40.0"' in html and 'data-contract-percent="0.0"' in html
    assert "js/targets.js" in html and "vendor/echarts/echarts.min.js" in html
    assert "<script>" not in html

    data = panels.data(org.manager1)
    assert json.loads(json.dumps(data)) == data
    assert data == {
        "month": "2026-11",
        "days_left": 11,
        "rows": [
            {
                "is_group": False,
                "label": "Me",
                "payment_target": "1000.00",
                "contract_target": "4000.00",
                "payment_amount": "500.00",
                "contract_amount": "1000.00",
                "payment_percent": 50.0,
                "contract_percent": 25.0,
                "days_left": 11,
            },
            {
                "is_group": True,
                "label": "My group",
                "payment_target": "2000.00",
                "contract_target": "0.00",
                "payment_amount": "800.00",
                "contract_amount": "4000.00",
                "payment_percent": 40.0,
                "contract_percent": 0.0,
                "days_left": 11,
            },
        ],
        "own": [],
    }


def test_a_rep_without_a_target_sees_their_month_against_last_month(
    org, other_org, sign, pay, make_customer, django_assert_num_queries
):
    """No target: the rep's own contract amount, payments, new customers and follow-ups of
    November against October (Asia/Shanghai days), not an empty 0 % chart."""
    call = DictionaryOption.objects.get(company=org.company, kind="activity_type", code="call")
    november_deal = sign(org.sales1, "300.00", "2026-11-02")  # its customer: new in November
    october_deal = sign(org.sales1, "200.00", "2026-10-15")  # its customer: new in November
    pay(november_deal, "100.00", "2026-11-03")
    pay(october_deal, "50.00", "2026-10-31")
    sign(org.sales2, "999.00", "2026-11-02")  # someone else's
    sign(other_org.sales1, "999.00", "2026-11-02")  # another company's
    with mock.patch("django.utils.timezone.now", return_value=utc("2026-10-31 16:30")):
        first_minutes = make_customer(org.sales1)  # 00:30 on 1 Nov in Shanghai: November
    with mock.patch("django.utils.timezone.now", return_value=utc("2026-10-31 15:30")):
        make_customer(org.sales1)  # 23:30 on 31 Oct in Shanghai: October
    for moment in ("2026-10-31 16:30", "2026-10-31 15:30", "2026-11-10 02:00"):
        activity_services.activity_log(
            user=org.sales1,
            customer=first_minutes,
            type=call,
            subject="电话沟通",
            occurred_at=utc(moment),
        )

    panel = next(p for p in workbench.panels_for(org.sales1) if p.key == "motivation")
    with django_assert_num_queries(5):  # the targets, then one query per figure
        html = render_to_string(panel.template, {"user": org.sales1, **panel.context(org.sales1)})
    assert 'id="motivation-no-target"' in html
    assert "motivation-chart" not in html and 'id="motivation-table"' not in html
    assert 'data-key="contracts" data-this-month="300.00" data-last-month="200.00"' in html
    assert 'data-change="50.0"' in html
    data = panels.data(org.sales1)
    assert data["rows"] == []
    assert data["own"] == [
        {
            "key": "contracts",
            "label": "Contract amount",
            "this_month": "300.00",
            "last_month": "200.00",
            "change": "50.0",
        },
        {
            "key": "payments",
            "label": "Payments",
            "this_month": "100.00",
            "last_month": "50.00",
            "change": "100.0",
        },
        {
            "key": "customers",
            "label": "New customers",
            "this_month": "3",
            "last_month": "1",
            "change": "200.0",
        },
        {
            "key": "activities",
            "label": "Follow-ups",
            "this_month": "2",
            "last_month": "1",
            "change": "100.0",
        },
    ]


def test_a_rep_with_a_target_sees_the_target_not_the_months(org, set_target, sign):
    set_target(org.sales1, "1000.00", "600.00")
    sign(org.sales1, "300.00", "2026-11-02")
    _panel, html = render(org.sales1)
    assert 'id="motivation-no-target"' not in html and "motivation-chart" in html
    data = panels.data(org.sales1)
    assert data["own"] == []
    assert [(r["contract_amount"], r["contract_percent"]) for r in data["rows"]] == [
        ("300.00", 50.0)
    ]
