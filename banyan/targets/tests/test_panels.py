"""The workbench's self-motivation panel and its JSON data."""

import json
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.template.loader import render_to_string

from banyan.core.panels import workbench
from banyan.targets import panels

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 20 Nov, noon in Shanghai


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
    }


def test_a_rep_without_a_target_sees_their_achievement(org, sign):
    sign(org.sales1, "300.00", "2026-11-02")
    _panel, html = render(org.sales1)
    assert "no target" in html
    data = panels.data(org.sales1)
    assert [(r["is_group"], r["payment_target"], r["contract_amount"]) for r in data["rows"]] == [
        (False, None, "300.00")
    ]
