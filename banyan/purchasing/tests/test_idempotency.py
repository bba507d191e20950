"""Receiving a purchase order writes one inbound slip, however often the same receipt is
sent: the page's one-time form token and the API's Idempotency-Key header."""

from decimal import Decimal

import pytest
from django.urls import reverse

from banyan.core.idempotency import new_form_token
from banyan.inventory.models import StockSlip
from banyan.purchasing.tests.test_views import build, flashed, line_of, placed_order


@pytest.fixture
def buy(org, grant, make_product):
    return build(org, grant, make_product)


def test_a_receipt_posted_twice_writes_one_inbound_slip(buy, client_as):
    order = placed_order(buy)
    client = client_as(buy.buyer)
    assert 'name="form_token"' in client.get(order.get_absolute_url()).text
    switch, cable = line_of(order, buy.switch), line_of(order, buy.cable)
    url = reverse("purchase-order-receive", args=[order.pk])
    token = new_form_token(buy.buyer)

    # Too much: the page comes back with its token, and nothing is written.
    refused = client.post(url, {f"quantity_{switch.pk}": "9", "form_token": token})
    assert refused.status_code == 200 and f'value="{token}"' in refused.text
    assert not StockSlip.objects.exists()

    # One of three now: a second receipt of one would still fit.
    data = {f"quantity_{switch.pk}": "1", f"quantity_{cable.pk}": "0", "form_token": token}
    first = client.post(url, data, follow=True)
    second = client.post(url, data, follow=True)

    assert first.redirect_chain == second.redirect_chain == [(order.get_absolute_url(), 302)]
    assert flashed(second) == ["This form was already submitted; nothing was recorded twice."]
    slip = StockSlip.objects.get(purchase_order=order)
    assert list(slip.lines.values_list("quantity", flat=True)) == [Decimal("1.00")]


def test_a_receipt_retried_with_its_key_writes_one_inbound_slip(buy, api_as):
    order = placed_order(buy)
    line = line_of(order, buy.switch)
    api = api_as(buy.buyer)
    url = f"/api/v1/purchase-orders/{order.pk}/receive/"
    body = {"lines": [{"line": line.pk, "quantity": "1"}]}

    first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="receipt-1")
    again = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="receipt-1")
    changed = api.post(
        url,
        {"lines": [{"line": line.pk, "quantity": "2"}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="receipt-1",
    )

    assert first.status_code == again.status_code == 201, first.json()
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert changed.status_code == 422
    assert StockSlip.objects.filter(purchase_order=order).count() == 1
