"""Stock is booked once, however often the same submission arrives: slips by hand, an
order's outbound slip, initial stock, stocktakes and shipments, by page (the form's one-time
token) and by API (the Idempotency-Key header). (The same instant on PostgreSQL:
test_concurrency.py.)"""

from decimal import Decimal

import pytest
from django.urls import reverse

from banyan.agreements import services as agreement_services
from banyan.core.idempotency import new_form_token
from banyan.inventory import services
from banyan.inventory.models import Shipment, StockMovement, StockSlip, Stocktake
from banyan.inventory.tests.test_views import flashed

ALREADY = "This form was already submitted; nothing was recorded twice."


@pytest.fixture
def inventory_product_fields():
    return {"cost": "2.50", "low_stock_threshold": "3"}


@pytest.fixture
def order(inv, make_agreement):
    """A signed order of 5 螺丝 by the rep."""
    order = make_agreement(
        inv.rep, inv.customer, lines=[{"product": inv.product.pk, "quantity": "5"}]
    )
    return agreement_services.agreement_sign(user=inv.rep, agreement=order)


def twice(client, url, data):
    """The same form sent twice (a double click): both answers, each followed."""
    return client.post(url, data, follow=True), client.post(url, data, follow=True)


def test_a_slip_by_hand_posted_twice_is_written_once(inv, client_as):
    client = client_as(inv.keeper)
    url = reverse("slip-create") + "?kind=inbound"
    page = client.get(url)
    token = new_form_token(inv.keeper)
    assert 'name="form_token"' in page.text
    data = {
        "warehouse": inv.shanghai.pk,
        "reason": "退货",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": str(inv.product.pk),
        "lines-0-quantity": "2",
        "form_token": token,
    }

    # "Add a line" and a refusal (no reason) keep the token and write nothing.
    more = client.post(url, {**data, "add_line": "1"})
    assert more.status_code == 200 and f'value="{token}"' in more.text
    refused = client.post(url, {**data, "reason": ""})
    assert refused.status_code == 200 and f'value="{token}"' in refused.text
    assert not StockSlip.objects.filter(kind="inbound").exists()

    first, second = twice(client, url, data)

    slip = StockSlip.objects.get(kind="inbound")
    assert first.redirect_chain == second.redirect_chain == [(slip.get_absolute_url(), 302)]
    assert flashed(second) == [ALREADY]


def test_initial_stock_and_a_stocktake_posted_twice_land_on_the_first_result(inv, client_as):
    client = client_as(inv.keeper)
    screw = services.warehouse_create(user=inv.boss, name="广州仓", keepers=[inv.keeper.pk])
    url = reverse("warehouse-initial-stock", args=[screw.pk])
    data = {
        "note": "开账",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": str(inv.product.pk),
        "lines-0-quantity": "4",
        "form_token": new_form_token(inv.keeper),
    }
    assert 'name="form_token"' in client.get(url).text

    first, second = twice(client, url, data)

    assert first.redirect_chain == second.redirect_chain == [(screw.get_absolute_url(), 302)]
    assert flashed(second) == [ALREADY]  # not "already have stock records here"
    assert StockMovement.objects.filter(warehouse=screw).count() == 1

    start = {"warehouse": screw.pk, "note": "", "form_token": new_form_token(inv.keeper)}
    assert 'name="form_token"' in client.get(reverse("warehouse-detail", args=[screw.pk])).text
    first, second = twice(client, reverse("stocktake-create"), start)

    stocktake = Stocktake.objects.get(warehouse=screw)
    assert first.redirect_chain == second.redirect_chain == [(stocktake.get_absolute_url(), 302)]
    assert flashed(second) == [ALREADY]  # not "a stocktake is already open"


def test_an_orders_outbound_slip_and_its_shipment_posted_twice_are_written_once(
    inv, client_as, order
):
    client = client_as(inv.rep)
    back = order.get_absolute_url() + "#panel-shipping"
    outbound = {"warehouse": inv.shanghai.pk, "form_token": new_form_token(inv.rep)}
    assert 'name="form_token"' in client.get(order.get_absolute_url()).text

    first, second = twice(client, reverse("order-outbound", args=[order.pk]), outbound)

    slip = StockSlip.objects.get(agreement=order)
    assert first.redirect_chain == second.redirect_chain == [(back, 302)]
    assert flashed(second) == [ALREADY]  # not "every stock item is already on a slip"
    services.slip_confirm(user=inv.keeper, slip=slip)

    line = order.lines.get()
    url = reverse("order-ship", args=[order.pk])
    assert 'name="form_token"' in client.get(url).text
    shipment = {
        "carrier": "顺丰",
        "tracking_number": "SF100",
        "shipped_on": "2026-06-01",
        f"quantity_{line.pk}": "2",  # part of it: a second shipment would fit
        "form_token": new_form_token(inv.rep),
    }
    first, second = twice(client, url, shipment)

    assert first.redirect_chain == second.redirect_chain == [(back, 302)]
    assert flashed(second) == [ALREADY]
    assert [s.lines.get().quantity for s in Shipment.objects.all()] == [Decimal("2.00")]


# --- the API ----------------------------------------------------------------------------------


def test_slips_stocktakes_and_shipments_retried_with_their_key_are_written_once(inv, api_as, order):
    keeper = api_as(inv.keeper)
    rep = api_as(inv.rep)
    line = order.lines.get()
    slip_by_hand = {
        "kind": "inbound",
        "warehouse": inv.shanghai.pk,
        "reason": "退货",
        "lines": [{"product": inv.product.pk, "quantity": "2"}],
    }
    order_slip = {"agreement": order.pk, "warehouse": inv.shanghai.pk}

    for api, url, body, key in (
        (keeper, "/api/v1/stock-slips/", slip_by_hand, "slip-1"),
        (rep, "/api/v1/stock-slips/", order_slip, "slip-2"),
        (api_as(inv.other_keeper), "/api/v1/stocktakes/", {"warehouse": inv.beijing.pk}, "c-1"),
    ):
        first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        again = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert first.status_code == again.status_code == 201, first.json()
        assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"

    assert StockSlip.objects.filter(kind="inbound").count() == 1
    outbound = StockSlip.objects.get(agreement=order)
    assert Stocktake.objects.count() == 1
    services.slip_confirm(user=inv.keeper, slip=outbound)

    shipment = {
        "agreement": order.pk,
        "carrier": "顺丰",
        "shipped_on": "2026-06-01",
        "lines": [{"agreement_line": line.pk, "quantity": "2"}],
    }
    first = rep.post("/api/v1/shipments/", shipment, format="json", HTTP_IDEMPOTENCY_KEY="s-1")
    again = rep.post("/api/v1/shipments/", shipment, format="json", HTTP_IDEMPOTENCY_KEY="s-1")
    assert first.status_code == again.status_code == 201, first.json()
    assert again.json() == first.json()
    assert Shipment.objects.count() == 1
