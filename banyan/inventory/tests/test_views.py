"""Inventory pages: warehouses, stock, low stock, movements, slips and the keeper's queue,
stocktakes, shipments, and the order's shipping panel and forms.

Who is who (company A uses inventory):
- keeper: keeper of 上海仓 (sales_boss with the warehouse-keeper permission);
- other_keeper: keeper of 北京仓 only (sales4, same permission);
- rep: sales1, no special permission; owns the customer and the orders;
- buyer: sales2 with the purchasing permission;
- boss: the admin boss, who sees costs (`make_product` grants it);
- vice_boss: a boss without admin rights or costs.
"""

from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.urls import reverse

from banyan.accounts.models import Company, User
from banyan.agreements import services as agreement_services
from banyan.core.panels import agreement_view
from banyan.customers import services as customer_services
from banyan.inventory import services
from banyan.inventory.models import (
    Shipment,
    StockLevel,
    StockMovement,
    StockSlip,
    Stocktake,
    Warehouse,
)


def use_inventory(company, on=True):
    Company.objects.filter(pk=company.pk).update(uses_inventory=on)


def fresh(user):
    """The user as a new request would load them (their company's switches as they are now)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def inventory_product_fields():
    """The pages show costs and low stock: the product has a cost and a threshold."""
    return {"cost": "2.50", "low_stock_threshold": "3"}


@pytest.fixture
def make_order(inv, make_agreement):
    """`make_order(quantity="5")`: a signed order of 螺丝 by the rep."""

    def make(quantity="5", product=None):
        order = make_agreement(
            inv.rep,
            inv.customer,
            lines=[{"product": (product or inv.product).pk, "quantity": quantity}],
        )
        agreement_services.agreement_sign(user=inv.rep, agreement=order)
        order.refresh_from_db()
        return order

    return make


def level(inv, warehouse=None, product=None) -> Decimal:
    row = StockLevel.objects.filter(
        warehouse=warehouse or inv.shanghai, product=product or inv.product
    ).first()
    return row.quantity if row else Decimal("0")


def slip_by_hand(inv, kind="outbound", quantity="3", warehouse=None, user=None):
    return services.slip_create(
        user=user or inv.keeper,
        kind=kind,
        warehouse=warehouse or inv.shanghai,
        reason="Sample",
        lines=[{"product": inv.product.pk, "quantity": quantity}],
    )


def flashed(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def nav_keys(client) -> list[str]:
    return [item.key for item in client.get(reverse("home")).context["nav_main"]]


def text(response) -> str:
    return response.content.decode()


# --- the module switch and the menus ---------------------------------------------------------

INVENTORY_PAGES = [
    "warehouse-list",
    "warehouse-create",
    "stock-list",
    "low-stock",
    "movement-list",
    "slip-list",
    "slip-queue",
    "slip-create",
    "stocktake-list",
    "stocktake-create",
]
INVENTORY_MENUS = {
    "slip-queue",
    "stock",
    "warehouses",
    "stock-slips",
    "stock-movements",
    "stocktakes",
    "shipments",
}


def test_without_inventory_the_pages_are_gone_and_the_menus_absent(inv, client_as, make_order):
    order = make_order()
    slip = slip_by_hand(inv)
    stocktake = services.stocktake_start(user=inv.keeper, warehouse=inv.shanghai)
    use_inventory(inv.org.company, False)

    for user in (inv.boss, inv.keeper):
        client = client_as(user)
        for name in INVENTORY_PAGES:
            assert client.get(reverse(name)).status_code == 404, name
        for name, pk in (
            ("warehouse-detail", inv.shanghai.pk),
            ("warehouse-edit", inv.shanghai.pk),
            ("warehouse-initial-stock", inv.shanghai.pk),
            ("slip-detail", slip.pk),
            ("stocktake-detail", stocktake.pk),
        ):
            assert client.get(reverse(name, args=[pk])).status_code == 404, name
        for name, pk in (
            ("slip-confirm", slip.pk),
            ("slip-reject", slip.pk),
            ("stocktake-confirm", stocktake.pk),
        ):
            assert client.post(reverse(name, args=[pk]), {"reason": "x"}).status_code == 404
        assert not INVENTORY_MENUS & set(nav_keys(client))

    rep = client_as(inv.rep)
    response = rep.post(reverse("order-outbound", args=[order.pk]), {"warehouse": inv.shanghai.pk})
    assert response.status_code == 404
    # Shipments belong to orders: a company without inventory ships directly.
    assert rep.get(reverse("shipment-list")).status_code == 200
    assert rep.get(reverse("order-ship", args=[order.pk])).status_code == 200
    slip.refresh_from_db()
    assert slip.status == StockSlip.Status.DRAFT
    assert StockSlip.objects.count() == 1


def test_the_menus_follow_the_user(inv, client_as):
    assert set(nav_keys(client_as(inv.keeper))) >= INVENTORY_MENUS
    assert set(nav_keys(client_as(inv.rep))) & INVENTORY_MENUS == {
        "stock",
        "warehouses",
        "stock-slips",
        "shipments",
    }
    buyer = set(nav_keys(client_as(inv.buyer)))
    assert {"stock-movements", "stocktakes"} <= buyer and "slip-queue" not in buyer
    boss = set(nav_keys(client_as(inv.vice_boss)))
    assert {"stock-movements", "stocktakes"} <= boss and "slip-queue" not in boss


# --- warehouses ------------------------------------------------------------------------------


def test_everyone_sees_the_warehouses_and_only_the_admin_boss_manages_them(inv, client_as):
    response = client_as(inv.rep).get(reverse("warehouse-list"))
    assert response.status_code == 200
    assert [w.name for w in response.context["page"].object_list] == ["上海仓", "北京仓"]
    html = text(response)
    assert "sales_boss" in html and reverse("warehouse-create") not in html
    assert reverse("warehouse-edit", args=[inv.shanghai.pk]) not in html

    html = text(client_as(inv.boss).get(reverse("warehouse-list")))
    assert reverse("warehouse-create") in html
    assert reverse("warehouse-edit", args=[inv.shanghai.pk]) in html

    for user in (inv.vice_boss, inv.keeper, inv.rep):
        client = client_as(user)
        response = client.get(reverse("warehouse-create"))
        assert response.status_code == 403
        assert "Only an administrator boss manages warehouses." in text(response)
        assert client.get(reverse("warehouse-edit", args=[inv.shanghai.pk])).status_code == 403
        assert client.post(reverse("warehouse-create"), {"name": "广州仓"}).status_code == 403
        assert (
            client.post(
                reverse("warehouse-edit", args=[inv.shanghai.pk]), {"name": "改名"}
            ).status_code
            == 403
        )
    assert Warehouse.objects.filter(company=inv.org.company).count() == 2
    inv.shanghai.refresh_from_db()
    assert inv.shanghai.name == "上海仓"


def test_the_admin_boss_adds_and_edits_a_warehouse_with_keepers(inv, client_as):
    client = client_as(inv.boss)
    form = client.get(reverse("warehouse-create")).context["form"]
    # Only users holding the keeper permission are offered (the founding boss holds every
    # special permission).
    assert {int(pk) for pk, _label in form.fields["keepers"].choices} == {
        inv.boss.pk,
        inv.keeper.pk,
        inv.other_keeper.pk,
    }

    response = client.post(
        reverse("warehouse-create"),
        {"name": " 广州仓 ", "address": "天河路1号", "keepers": [inv.keeper.pk]},
    )
    warehouse = Warehouse.objects.get(company=inv.org.company, name="广州仓")
    assert response.status_code == 302 and response.url == warehouse.get_absolute_url()
    assert (warehouse.address, list(warehouse.keepers.all())) == ("天河路1号", [inv.keeper])

    response = client.post(
        reverse("warehouse-edit", args=[warehouse.pk]),
        {"name": "广州二仓", "address": "", "keepers": [inv.other_keeper.pk], "is_active": ""},
    )
    assert response.status_code == 302
    warehouse.refresh_from_db()
    assert (warehouse.name, warehouse.is_active) == ("广州二仓", False)
    assert list(warehouse.keepers.all()) == [inv.other_keeper]


def test_warehouse_input_is_refused_on_its_field_and_kept(inv, client_as):
    client = client_as(inv.boss)

    response = client.post(reverse("warehouse-create"), {"name": "上海仓", "address": "长江路9号"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["There is already a warehouse of that name."]
    assert 'value="长江路9号"' in text(response)

    response = client.post(reverse("warehouse-create"), {"name": "广州仓", "keepers": [inv.rep.pk]})
    assert response.status_code == 200 and "keepers" in response.context["form"].errors
    response = client.post(reverse("warehouse-create"), {"name": "", "keepers": ["9" * 20]})
    assert response.status_code == 200
    assert {"name", "keepers"} <= set(response.context["form"].errors)
    assert Warehouse.objects.filter(company=inv.org.company).count() == 2


def test_another_companys_warehouse_does_not_exist(inv, other, client_as):
    client = client_as(inv.boss)
    for name in ("warehouse-detail", "warehouse-edit", "warehouse-initial-stock"):
        assert client.get(reverse(name, args=[other.shanghai.pk])).status_code == 404, name
    assert client.get(reverse("warehouse-detail", args=["9" * 20])).status_code == 404
    names = [w.name for w in client.get(reverse("warehouse-list")).context["page"].object_list]
    assert names == ["上海仓", "北京仓"]


def test_the_warehouse_page_shows_stock_value_only_with_costs(inv, client_as):
    boss = client_as(inv.boss).get(reverse("warehouse-detail", args=[inv.shanghai.pk]))
    assert boss.status_code == 200
    html = text(boss)
    assert "Stock value" in html and "¥25.00" in html
    assert boss.context["stock_value"] == Decimal("25.00")

    for user in (inv.rep, inv.keeper, inv.vice_boss):
        response = client_as(user).get(reverse("warehouse-detail", args=[inv.shanghai.pk]))
        html = text(response)
        assert response.status_code == 200
        assert "Stock value" not in html and "¥25.00" not in html and "stock-value" not in html
        assert response.context["stock_value"] is None
        assert "螺丝" in html and "10" in html


def test_the_warehouse_page_offers_initial_stock_and_stocktakes_to_its_keepers(inv, client_as):
    slip = slip_by_hand(inv)
    url = reverse("warehouse-detail", args=[inv.shanghai.pk])
    initial = reverse("warehouse-initial-stock", args=[inv.shanghai.pk])

    html = text(client_as(inv.keeper).get(url))
    assert initial in html and "Start a stocktake" in html
    assert slip.number in html  # its open slips

    for user in (inv.other_keeper, inv.rep, inv.boss):
        html = text(client_as(user).get(url))
        assert initial not in html and "Start a stocktake" not in html
    # A rep sees the slips of their orders only: a slip by hand is not one.
    assert slip.number not in text(client_as(inv.rep).get(url))


def test_initial_stock_is_for_the_keepers_of_the_warehouse(inv, other, client_as, make_product):
    screw = make_product(inv.boss, code="B-1", name="垫片", tracks_stock=True)
    url = reverse("warehouse-initial-stock", args=[inv.beijing.pk])
    data = {
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": str(screw.pk),
        "lines-0-quantity": "8",
        "lines-1-product": "",
        "lines-1-quantity": "",
        "note": "开账",
    }

    for user in (inv.keeper, inv.rep, inv.boss, inv.buyer):
        response = client_as(user).get(url)
        assert response.status_code == 403, user
        assert "Only a keeper of 北京仓 may do this." in text(response)
        assert client_as(user).post(url, data).status_code == 403
    assert client_as(other.other_keeper).get(url).status_code == 404
    assert level(inv, inv.beijing, screw) == 0

    client = client_as(inv.other_keeper)
    response = client.get(url)
    assert response.status_code == 200
    choices = dict(response.context["lines"].forms[0].fields["product"].choices)
    assert str(screw.pk) in choices and str(inv.product.pk) in choices

    response = client.post(url, data)
    assert response.status_code == 302 and response.url == inv.beijing.get_absolute_url()
    assert level(inv, inv.beijing, screw) == Decimal("8")
    movement = StockMovement.objects.get(warehouse=inv.beijing, product=screw)
    assert (movement.reason, movement.quantity, movement.note) == ("initial", Decimal("8"), "开账")

    response = client.post(url, data)
    assert response.status_code == 200
    assert (
        "垫片 already have stock records here: count them in a stocktake instead."
        in response.context["form"].non_field_errors()
    )
    assert level(inv, inv.beijing, screw) == Decimal("8")


def test_initial_stock_input_is_checked_and_kept(inv, client_as):
    client = client_as(inv.other_keeper)
    url = reverse("warehouse-initial-stock", args=[inv.beijing.pk])
    data = {
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": str(inv.product.pk),
        "lines-0-quantity": "-2",
        "note": "开账",
    }

    response = client.post(url, data)
    assert response.status_code == 200
    assert any("Line 1" in error for error in response.context["form"].non_field_errors())
    assert 'value="-2"' in text(response) and 'value="开账"' in text(response)

    # "Add a line" without JavaScript: the page comes back with one more row, nothing saved.
    response = client.post(url, {**data, "add_line": "1"})
    assert response.status_code == 200 and len(response.context["lines"].forms) == 2
    response = client.post(url, {**data, "lines-0-product": "9" * 20, "lines-0-quantity": "1"})
    assert response.status_code == 200 and response.context["lines"].forms[0].errors
    assert not StockMovement.objects.filter(warehouse=inv.beijing).exists()


# --- stock, low stock, movements -------------------------------------------------------------


def test_the_stock_list_shows_value_only_with_costs(inv, client_as, make_product):
    bolt = make_product(inv.boss, code="A-2", name="螺栓", tracks_stock=True, cost="10.00")
    services.initial_stock(
        user=inv.other_keeper, warehouse=inv.beijing, lines=[{"product": bolt.pk, "quantity": 3}]
    )

    boss = client_as(inv.boss).get(reverse("stock-list"))
    assert boss.status_code == 200
    assert [(lv.product.code, lv.warehouse.name) for lv in boss.context["levels"]] == [
        ("A-1", "上海仓"),
        ("A-2", "北京仓"),
    ]
    assert [lv.value for lv in boss.context["levels"]] == [Decimal("25.00"), Decimal("30.00")]
    assert boss.context["stock_value"] == Decimal("55.00")
    assert "¥55.00" in text(boss) and "Stock value" in text(boss)

    for user in (inv.rep, inv.keeper, inv.vice_boss, inv.buyer):
        response = client_as(user).get(reverse("stock-list"))
        html = text(response)
        assert response.status_code == 200 and len(response.context["levels"]) == 2
        assert "Stock value" not in html and "¥" not in html and "stock-value" not in html
        assert not hasattr(response.context["levels"][0], "value")


def test_stock_filters(inv, client_as, make_product):
    bolt = make_product(inv.boss, code="A-2", name="螺栓", tracks_stock=True, low_stock_threshold=5)
    services.initial_stock(
        user=inv.other_keeper, warehouse=inv.beijing, lines=[{"product": bolt.pk, "quantity": 2}]
    )
    client = client_as(inv.rep)

    def codes(**params):
        response = client.get(reverse("stock-list"), params)
        assert response.status_code == 200
        return [lv.product.code for lv in response.context["levels"]]

    assert codes(warehouse=inv.beijing.pk) == ["A-2"]
    assert codes(q="螺丝") == ["A-1"]
    assert codes(low="on") == ["A-2"]
    assert codes(sort="-quantity") == ["A-1", "A-2"]
    assert codes(warehouse="9" * 20, page_size="7") == ["A-1", "A-2"]  # ignored, not a 500


def test_low_stock_list_and_the_keepers_banner(inv, client_as, make_product):
    queue = client_as(inv.keeper).get(reverse("slip-queue"))
    assert queue.context["low_stock_count"] == 0 and "low-stock-banner" not in text(queue)
    bolt = make_product(inv.boss, code="A-2", name="螺栓", tracks_stock=True, low_stock_threshold=5)

    response = client_as(inv.rep).get(reverse("low-stock"))
    assert response.status_code == 200
    rows = [(p.code, p.stock, p.low_stock_threshold) for p in response.context["page"]]
    assert rows == [("A-2", Decimal("0"), Decimal("5.00"))]
    assert "螺栓" in text(response)

    queue = client_as(inv.keeper).get(reverse("slip-queue"))
    assert queue.context["low_stock_count"] == 1
    assert "1 product is low on stock." in text(queue)
    assert reverse("low-stock") in text(queue) and bolt.name not in text(queue)


@pytest.mark.parametrize("who", ["keeper", "other_keeper", "buyer", "boss", "vice_boss"])
def test_movements_are_for_keepers_purchasing_and_bosses(who, inv, client_as):
    response = client_as(getattr(inv, who)).get(reverse("movement-list"))
    assert response.status_code == 200
    rows = [(m.product.code, m.quantity, m.reason) for m in response.context["page"]]
    assert rows == [("A-1", Decimal("10.00"), "initial")]


def test_anyone_else_is_refused_the_movements_with_the_reason(inv, client_as):
    response = client_as(inv.rep).get(reverse("movement-list"))
    assert response.status_code == 403
    assert "Only warehouse keepers, purchasing staff and bosses see the stock records." in text(
        response
    )


def test_movement_filters_and_tenant_isolation(inv, other, client_as):
    slip = slip_by_hand(inv, quantity="4")
    services.slip_confirm(user=inv.keeper, slip=slip)
    client = client_as(inv.boss)

    def rows(**params):
        response = client.get(reverse("movement-list"), params)
        assert response.status_code == 200
        return [(m.quantity, m.reason) for m in response.context["page"]]

    assert rows() == [(Decimal("-4.00"), "outbound"), (Decimal("10.00"), "initial")]
    assert rows(reason="outbound") == [(Decimal("-4.00"), "outbound")]
    assert rows(warehouse=inv.beijing.pk) == []
    assert rows(warehouse=other.shanghai.pk) == rows()  # not one of ours: not applied
    assert rows(q="nothing") == []


# --- slips -----------------------------------------------------------------------------------


def test_the_slip_list_and_its_filters(inv, client_as, make_order):
    by_hand = slip_by_hand(inv, kind="inbound")
    order = make_order()
    for_order = services.slip_from_order(user=inv.rep, agreement=order, warehouse=inv.beijing)
    client = client_as(inv.boss)

    def numbers(user=inv.boss, **params):
        response = client_as(user).get(reverse("slip-list"), params)
        assert response.status_code == 200
        return [s.number for s in response.context["page"]]

    assert numbers() == [for_order.number, by_hand.number]
    assert numbers(kind="inbound") == [by_hand.number]
    assert numbers(warehouse=inv.beijing.pk) == [for_order.number]
    assert numbers(status="confirmed") == []
    # A rep sees the slips of the orders they see, and nothing else.
    assert numbers(user=inv.rep) == [for_order.number]
    assert numbers(user=inv.org.sales3) == []
    assert client.get(reverse("slip-list"), {"kind": "x", "status": "y"}).status_code == 200


def test_the_queue_is_the_keepers_own(inv, client_as):
    shanghai_slip = slip_by_hand(inv)
    beijing_slip = slip_by_hand(inv, warehouse=inv.beijing, user=inv.other_keeper)
    done = slip_by_hand(inv, quantity="1")
    services.slip_confirm(user=inv.keeper, slip=done)

    response = client_as(inv.keeper).get(reverse("slip-queue"))
    assert response.status_code == 200
    assert [s.number for s in response.context["page"]] == [shanghai_slip.number]
    response = client_as(inv.other_keeper).get(reverse("slip-queue"))
    assert [s.number for s in response.context["page"]] == [beijing_slip.number]

    # The founding boss holds the keeper permission but keeps no warehouse: an empty queue.
    assert list(client_as(inv.boss).get(reverse("slip-queue")).context["page"]) == []
    for user in (inv.rep, inv.vice_boss, inv.buyer):
        response = client_as(user).get(reverse("slip-queue"))
        assert response.status_code == 403
        assert "Only warehouse keepers may do this." in text(response)


def test_a_keeper_of_the_warehouse_confirms_a_slip_through_the_page(inv, client_as):
    slip = slip_by_hand(inv, quantity="4")
    url = reverse("slip-detail", args=[slip.pk])

    html = text(client_as(inv.keeper).get(url))
    assert reverse("slip-confirm", args=[slip.pk]) in html
    assert reverse("slip-reject", args=[slip.pk]) in html
    for user in (inv.other_keeper, inv.boss, inv.buyer):
        response = client_as(user).get(url)
        assert response.status_code == 200
        assert reverse("slip-confirm", args=[slip.pk]) not in text(response)
        assert reverse("slip-reject", args=[slip.pk]) not in text(response)

    response = client_as(inv.keeper).post(reverse("slip-confirm", args=[slip.pk]), follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert f"Slip {slip.number} is confirmed." in flashed(response)
    slip.refresh_from_db()
    assert (slip.status, slip.decided_by) == (StockSlip.Status.CONFIRMED, inv.keeper)
    assert level(inv) == Decimal("6")
    assert [m.quantity for m in response.context["movements"]] == [Decimal("-4.00")]
    assert reverse("slip-confirm", args=[slip.pk]) not in text(response)

    # Twice is refused with the reason; nothing moves again.
    response = client_as(inv.keeper).post(reverse("slip-confirm", args=[slip.pk]), follow=True)
    assert f"Slip {slip.number} is already confirmed." in flashed(response)
    assert level(inv) == Decimal("6")


@pytest.mark.parametrize("who", ["other_keeper", "boss", "buyer", "vice_boss"])
def test_others_may_not_decide_a_slip(who, inv, client_as):
    slip = slip_by_hand(inv)
    client = client_as(getattr(inv, who))

    response = client.post(reverse("slip-confirm", args=[slip.pk]))
    assert response.status_code == 403
    assert "Only a keeper of 上海仓 may do this." in text(response)
    assert client.post(reverse("slip-reject", args=[slip.pk]), {"reason": "no"}).status_code == 403
    assert client.post(reverse("slip-reject", args=[slip.pk]), {"reason": ""}).status_code == 403
    slip.refresh_from_db()
    assert slip.status == StockSlip.Status.DRAFT and level(inv) == Decimal("10")


def test_a_rep_sees_the_slip_of_their_order_but_not_others(inv, client_as, make_order):
    slip = services.slip_from_order(user=inv.rep, agreement=make_order(), warehouse=inv.shanghai)
    by_hand = slip_by_hand(inv)

    response = client_as(inv.rep).get(reverse("slip-detail", args=[slip.pk]))
    assert response.status_code == 200 and response.context["can_decide"] is False
    assert slip.agreement.get_absolute_url() in text(response)
    assert client_as(inv.rep).post(reverse("slip-confirm", args=[slip.pk])).status_code == 403
    for user in (inv.rep, inv.org.sales3):
        assert client_as(user).get(reverse("slip-detail", args=[by_hand.pk])).status_code == 404
        assert client_as(user).post(reverse("slip-confirm", args=[by_hand.pk])).status_code == 404
    assert client_as(inv.org.sales3).get(reverse("slip-detail", args=[slip.pk])).status_code == 404
    # The keeper sees the slip but not the customer's order: the number, without a link.
    response = client_as(inv.keeper).get(reverse("slip-detail", args=[slip.pk]))
    assert response.context["order_visible"] is False
    assert slip.agreement.number in text(response)
    assert slip.agreement.get_absolute_url() not in text(response)


def test_another_companys_slip_does_not_exist(inv, other, client_as):
    slip = slip_by_hand(other)
    client = client_as(inv.keeper)

    assert client.get(reverse("slip-detail", args=[slip.pk])).status_code == 404
    assert client.post(reverse("slip-confirm", args=[slip.pk])).status_code == 404
    assert client.post(reverse("slip-reject", args=[slip.pk]), {"reason": "x"}).status_code == 404
    slip.refresh_from_db()
    assert slip.status == StockSlip.Status.DRAFT


def test_a_shortage_is_refused_with_the_message_naming_the_product(inv, client_as):
    slip = slip_by_hand(inv, quantity="12")

    response = client_as(inv.keeper).post(reverse("slip-confirm", args=[slip.pk]), follow=True)

    assert response.status_code == 200
    assert flashed(response) == [
        "Not enough stock. 螺丝: 10 in stock at 上海仓, 12 needed (2 short)."
    ]
    assert "螺丝: 10 in stock at 上海仓, 12 needed (2 short)" in text(response)
    slip.refresh_from_db()
    assert slip.status == StockSlip.Status.DRAFT
    assert level(inv) == Decimal("10")
    assert StockMovement.objects.filter(slip=slip).count() == 0


def test_rejecting_needs_a_reason(inv, client_as):
    slip = slip_by_hand(inv)
    client = client_as(inv.keeper)

    response = client.post(reverse("slip-reject", args=[slip.pk]), {"reason": "  "})
    assert response.status_code == 200
    assert response.context["reject_form"].errors["reason"] == ["Give the reason."]
    slip.refresh_from_db()
    assert slip.status == StockSlip.Status.DRAFT

    response = client.post(reverse("slip-reject", args=[slip.pk]), {"reason": "货损"}, follow=True)
    assert f"Slip {slip.number} is rejected." in flashed(response)
    slip.refresh_from_db()
    assert (slip.status, slip.reject_reason) == (StockSlip.Status.REJECTED, "货损")
    assert "货损" in text(response) and level(inv) == Decimal("10")


def test_a_keeper_writes_a_slip_by_hand(inv, client_as):
    client = client_as(inv.keeper)
    url = reverse("slip-create") + "?kind=outbound"
    response = client.get(url)
    assert response.status_code == 200
    # One warehouse kept: it is the only choice.
    assert response.context["form"].fields["warehouse"].choices == [
        (str(inv.shanghai.pk), "上海仓")
    ]
    data = {
        "warehouse": inv.shanghai.pk,
        "reason": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": str(inv.product.pk),
        "lines-0-quantity": "2",
    }

    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Give the reason."]
    assert 'value="2"' in text(response)
    assert not StockSlip.objects.exists()

    response = client.post(url, {**data, "reason": "样品"})
    slip = StockSlip.objects.get()
    assert response.status_code == 302 and response.url == reverse("slip-detail", args=[slip.pk])
    assert (slip.kind, slip.status, slip.reason, slip.created_by) == (
        "outbound",
        "draft",
        "样品",
        inv.keeper,
    )
    assert [(line.product, line.quantity) for line in slip.lines.all()] == [
        (inv.product, Decimal("2.00"))
    ]
    assert level(inv) == Decimal("10")  # waits for confirmation


def test_slips_by_hand_are_for_keepers_of_the_warehouse(inv, client_as):
    data = {
        "warehouse": inv.shanghai.pk,
        "reason": "样品",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": str(inv.product.pk),
        "lines-0-quantity": "2",
    }
    for user in (inv.rep, inv.vice_boss, inv.buyer):
        client = client_as(user)
        assert client.get(reverse("slip-create") + "?kind=inbound").status_code == 403
        assert client.post(reverse("slip-create") + "?kind=inbound", data).status_code == 403
    # The founding boss holds the keeper permission but keeps no warehouse.
    response = client_as(inv.boss).get(reverse("slip-create") + "?kind=inbound")
    assert response.status_code == 200 and "You keep no open warehouse" in text(response)
    # A keeper of another warehouse is not offered this one, and cannot post it.
    response = client_as(inv.other_keeper).post(reverse("slip-create") + "?kind=inbound", data)
    assert response.status_code == 200 and "warehouse" in response.context["form"].errors
    assert client_as(inv.keeper).get(reverse("slip-create") + "?kind=sideways").status_code == 404
    assert not StockSlip.objects.exists()


# --- stocktakes ------------------------------------------------------------------------------


def test_stocktakes_are_for_keepers_purchasing_and_bosses(inv, other, client_as):
    stocktake = services.stocktake_start(user=inv.keeper, warehouse=inv.shanghai)
    theirs = services.stocktake_start(user=other.keeper, warehouse=other.shanghai)
    url = reverse("stocktake-detail", args=[stocktake.pk])

    for user in (inv.keeper, inv.other_keeper, inv.buyer, inv.boss, inv.vice_boss):
        client = client_as(user)
        response = client.get(reverse("stocktake-list"))
        assert [s.number for s in response.context["page"]] == [stocktake.number]
        assert client.get(url).status_code == 200
        assert client.get(reverse("stocktake-detail", args=[theirs.pk])).status_code == 404
    response = client_as(inv.rep).get(reverse("stocktake-list"))
    assert response.status_code == 403
    assert "Only warehouse keepers, purchasing staff and bosses" in text(response)
    assert client_as(inv.rep).get(url).status_code == 404
    assert client_as(inv.rep).get(reverse("stocktake-create")).status_code == 403
    # Only its keepers count it.
    assert client_as(inv.keeper).get(url).context["form"] is not None
    for user in (inv.other_keeper, inv.boss):
        assert client_as(user).get(url).context["form"] is None


def test_a_keeper_starts_a_stocktake_from_the_warehouse_page(inv, client_as):
    client = client_as(inv.keeper)

    response = client.post(reverse("stocktake-create"), {"warehouse": inv.shanghai.pk})
    stocktake = Stocktake.objects.get()
    assert response.status_code == 302 and response.url == stocktake.get_absolute_url()
    assert stocktake.warehouse == inv.shanghai and stocktake.created_by == inv.keeper

    response = client.post(reverse("stocktake-create"), {"warehouse": inv.shanghai.pk})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "A stocktake of this warehouse is already open: finish it first."
    ]
    html = text(client.get(reverse("warehouse-detail", args=[inv.shanghai.pk])))
    assert stocktake.get_absolute_url() in html
    response = client_as(inv.other_keeper).post(
        reverse("stocktake-create"), {"warehouse": inv.shanghai.pk}
    )
    assert response.status_code == 200 and "warehouse" in response.context["form"].errors
    assert Stocktake.objects.count() == 1


def test_counting_a_difference_needs_a_reason_and_confirming_adjusts_stock(inv, client_as):
    stocktake = services.stocktake_start(user=inv.keeper, warehouse=inv.shanghai)
    line = stocktake.lines.get(product=inv.product)
    client = client_as(inv.keeper)
    url = stocktake.get_absolute_url()

    response = client.get(url)
    assert response.status_code == 200
    assert "10" in text(response) and response.context["progress"]["counted"] == 0

    # Confirming before counting is refused, naming what is missing.
    response = client.post(reverse("stocktake-confirm", args=[stocktake.pk]), follow=True)
    assert flashed(response) == ["Count every product first: 螺丝."]

    response = client.post(url, {f"counted_{line.pk}": "8", f"reason_{line.pk}": ""})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "螺丝: counted 8 against 10 in the books; give the reason for the difference."
    ]
    assert 'value="8"' in text(response)
    line.refresh_from_db()
    assert line.counted_quantity is None

    response = client.post(url, {f"counted_{line.pk}": "8", f"reason_{line.pk}": "损坏"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.counted_quantity, line.reason) == (Decimal("8.00"), "损坏")
    response = client.get(url)
    assert response.context["progress"] == {"total": 1, "counted": 1, "differing": 1}
    assert "-2" in text(response)

    response = client.post(reverse("stocktake-confirm", args=[stocktake.pk]), follow=True)
    assert f"Stocktake {stocktake.number} is confirmed: the differences are now in stock." in (
        flashed(response)
    )
    stocktake.refresh_from_db()
    assert stocktake.status == Stocktake.Status.CONFIRMED
    assert level(inv) == Decimal("8")
    movement = StockMovement.objects.get(stocktake=stocktake)
    assert (movement.quantity, movement.reason) == (Decimal("-2.00"), "stocktake")
    # History: read-only once confirmed, listed among the confirmed ones.
    assert response.context["form"] is None and "损坏" in text(response)
    listed = client.get(reverse("stocktake-list"), {"status": "confirmed"}).context["page"]
    assert [s.pk for s in listed] == [stocktake.pk]
    response = client.post(url, {f"counted_{line.pk}": "1", f"reason_{line.pk}": "x"}, follow=True)
    assert flashed(response) == ["This stocktake is already confirmed."]
    assert level(inv) == Decimal("8")


def test_others_may_not_count_or_confirm_a_stocktake(inv, client_as):
    stocktake = services.stocktake_start(user=inv.keeper, warehouse=inv.shanghai)
    line = stocktake.lines.get()
    for user in (inv.other_keeper, inv.boss, inv.buyer):
        client = client_as(user)
        response = client.post(
            stocktake.get_absolute_url(), {f"counted_{line.pk}": "1", f"reason_{line.pk}": "x"}
        )
        assert response.status_code == 403
        assert client.post(reverse("stocktake-confirm", args=[stocktake.pk])).status_code == 403
    line.refresh_from_db()
    stocktake.refresh_from_db()
    assert line.counted_quantity is None and stocktake.status == Stocktake.Status.DRAFT


# --- orders: the shipping panel, the outbound slip, shipments --------------------------------


def render_panel(user, order) -> dict:
    from banyan.agreements import selectors as agreement_selectors

    user = fresh(user)
    request = RequestFactory().get("/")
    request.user = user
    shown = agreement_selectors.get_agreement_for(user, order.pk)
    return {panel["key"]: panel["html"] for panel in agreement_view.render(request, shown)}


def test_the_shipping_panel_of_an_order(inv, client_as, make_order, make_agreement):
    order = make_order("5")
    panels = render_panel(inv.rep, order)
    html = panels["shipping"]
    assert "Unshipped" in html and "螺丝" in html
    assert reverse("order-outbound", args=[order.pk]) in html
    assert reverse("order-ship", args=[order.pk]) not in html  # nothing released yet
    assert "<script" not in html

    response = client_as(inv.rep).post(
        reverse("order-outbound", args=[order.pk]), {"warehouse": inv.shanghai.pk}, follow=True
    )
    slip = StockSlip.objects.get(agreement=order)
    assert response.redirect_chain[-1][0].endswith(order.get_absolute_url() + "#panel-shipping")
    assert (slip.kind, slip.warehouse, slip.status) == ("outbound", inv.shanghai, "draft")
    assert [line.quantity for line in slip.lines.all()] == [Decimal("5.00")]
    html = render_panel(inv.rep, order)["shipping"]
    assert slip.number in html and reverse("order-outbound", args=[order.pk]) not in html

    services.slip_confirm(user=inv.keeper, slip=slip)
    html = render_panel(inv.rep, order)["shipping"]
    assert reverse("order-ship", args=[order.pk]) in html

    # A contract has no shipping panel.
    contract = make_agreement(inv.rep, inv.customer, kind="contract")
    assert "shipping" not in render_panel(inv.rep, contract)


def test_outbound_and_shipping_need_the_right_to_change_the_order(
    inv, other, client_as, make_order
):
    order = make_order("5")
    customer_services.customer_share(
        user=inv.rep, customer=inv.customer, target=inv.org.sales3, level="view"
    )
    viewer = inv.org.sales3
    html = render_panel(viewer, order)["shipping"]
    assert "Unshipped" in html and reverse("order-outbound", args=[order.pk]) not in html

    client = client_as(viewer)
    data = {"warehouse": inv.shanghai.pk}
    assert client.post(reverse("order-outbound", args=[order.pk]), data).status_code == 403
    assert client.get(reverse("order-ship", args=[order.pk])).status_code == 403
    for user in (inv.org.sales2, other.rep):
        client = client_as(user)
        assert client.post(reverse("order-outbound", args=[order.pk]), data).status_code == 404
        assert client.get(reverse("order-ship", args=[order.pk])).status_code == 404
    assert client_as(inv.rep).get(reverse("order-outbound", args=[order.pk])).status_code == 405
    assert not StockSlip.objects.exists()


def test_an_outbound_request_is_refused_with_the_reason(inv, client_as, make_order):
    order = make_order("5")
    client = client_as(inv.rep)

    response = client.post(
        reverse("order-outbound", args=[order.pk]), {"warehouse": "9" * 20}, follow=True
    )
    assert flashed(response) == ["Choose a warehouse from the list."]
    services.slip_from_order(user=inv.rep, agreement=order, warehouse=inv.shanghai)
    response = client.post(
        reverse("order-outbound", args=[order.pk]), {"warehouse": inv.shanghai.pk}, follow=True
    )
    assert flashed(response) == ["Every stock item of this order is already on a slip."]
    assert StockSlip.objects.count() == 1


def test_the_order_is_shipped_after_its_outbound_slip_is_confirmed(inv, client_as, make_order):
    order = make_order("5")
    slip = services.slip_from_order(
        user=inv.rep,
        agreement=order,
        warehouse=inv.shanghai,
        lines=[{"agreement_line": order.lines.get().pk, "quantity": "3"}],
    )
    keeper = client_as(inv.keeper)
    assert keeper.post(reverse("slip-confirm", args=[slip.pk])).status_code == 302
    assert level(inv) == Decimal("7")
    line = order.lines.get()
    client = client_as(inv.rep)
    url = reverse("order-ship", args=[order.pk])

    response = client.get(url)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial.get(f"quantity_{line.pk}") is None
    assert form.fields[f"quantity_{line.pk}"].initial == Decimal("3.00")  # what may ship now

    data = {
        "carrier": "顺丰",
        "tracking_number": "SF100",
        "shipped_on": "2026-06-01",
        f"quantity_{line.pk}": "4",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Line 1: only 3 of 螺丝 has left the warehouse and not shipped yet; confirm its "
        "outbound slip first."
    ]
    assert 'value="SF100"' in text(response) and 'value="4"' in text(response)
    assert not Shipment.objects.exists()

    response = client.post(url, {**data, f"quantity_{line.pk}": "3"})
    assert response.status_code == 302
    shipment = Shipment.objects.get()
    assert (shipment.carrier, shipment.tracking_number, str(shipment.shipped_on)) == (
        "顺丰",
        "SF100",
        "2026-06-01",
    )
    assert [(sl.agreement_line, sl.quantity) for sl in shipment.lines.all()] == [
        (line, Decimal("3.00"))
    ]
    html = render_panel(inv.rep, order)["shipping"]
    assert "Partly shipped" in html and "SF100" in html

    rest = services.slip_from_order(user=inv.rep, agreement=order, warehouse=inv.shanghai)
    services.slip_confirm(user=inv.keeper, slip=rest)
    response = client.post(url, {**data, f"quantity_{line.pk}": "3"})
    assert response.context["form"].non_field_errors() == [
        "Line 1: 螺丝 has 2 left to ship of what was ordered."
    ]
    response = client.post(url, {**data, f"quantity_{line.pk}": "2"})
    assert response.status_code == 302
    assert "Shipped" in render_panel(inv.rep, order)["shipping"]
    assert Shipment.objects.count() == 2


def test_shipping_input_is_refused_on_its_field(inv, client_as, make_order):
    order = make_order("5")
    line = order.lines.get()
    client = client_as(inv.rep)
    url = reverse("order-ship", args=[order.pk])

    response = client.post(
        url, {"carrier": "", "shipped_on": "not a day", f"quantity_{line.pk}": ""}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["carrier"] == ["Enter the carrier."]
    response = client.post(url, {"carrier": "顺丰", "shipped_on": "2026-13-45"})
    assert "shipped_on" in response.context["form"].errors
    assert response.context["can_ship"] is False  # nothing released yet
    assert not Shipment.objects.exists()


def test_without_inventory_an_order_ships_directly(inv, client_as, make_order):
    use_inventory(inv.org.company, False)
    order = make_order("5")
    line = order.lines.get()
    html = render_panel(inv.rep, order)["shipping"]
    assert reverse("order-ship", args=[order.pk]) in html
    assert reverse("order-outbound", args=[order.pk]) not in html and "On slips" not in html

    client = client_as(inv.rep)
    response = client.get(reverse("order-ship", args=[order.pk]))
    assert response.context["form"].fields[f"quantity_{line.pk}"].initial == Decimal("5.00")
    response = client.post(
        reverse("order-ship", args=[order.pk]),
        {"carrier": "EMS", "shipped_on": "2026-06-01", f"quantity_{line.pk}": "6"},
    )
    assert response.context["form"].non_field_errors() == [
        "Line 1: 螺丝 has 5 left to ship of what was ordered."
    ]
    response = client.post(
        reverse("order-ship", args=[order.pk]),
        {"carrier": "EMS", "shipped_on": "2026-06-01", f"quantity_{line.pk}": "5"},
    )
    assert response.status_code == 302
    assert "Shipped" in render_panel(inv.rep, order)["shipping"]


def test_a_contract_or_a_draft_order_does_not_ship(inv, client_as, make_agreement):
    contract = make_agreement(inv.rep, inv.customer, kind="contract")
    client = client_as(inv.rep)
    assert client.get(reverse("order-ship", args=[contract.pk])).status_code == 404
    assert (
        client.post(
            reverse("order-outbound", args=[contract.pk]), {"warehouse": inv.shanghai.pk}
        ).status_code
        == 404
    )
    draft = make_agreement(
        inv.rep, inv.customer, lines=[{"product": inv.product.pk, "quantity": "1"}]
    )
    response = client.get(reverse("order-ship", args=[draft.pk]))
    assert response.status_code == 200 and response.context["can_ship"] is False
    assert "Only a signed or executing order ships." in text(response)
    response = client.post(
        reverse("order-outbound", args=[draft.pk]), {"warehouse": inv.shanghai.pk}, follow=True
    )
    assert flashed(response) == ["Sign the order before asking for its goods."]


def test_shipments_follow_the_customer(inv, other, client_as, make_order):
    use_inventory(inv.org.company, False)
    order = make_order("5")
    services.shipment_create(
        user=fresh(inv.rep), agreement=order, carrier="顺丰", shipped_on="2026-06-01"
    )
    theirs = make_order_for(other)

    def listed(user, **params):
        response = client_as(user).get(reverse("shipment-list"), params)
        assert response.status_code == 200
        return [s.agreement.number for s in response.context["page"]]

    for user in (inv.rep, inv.org.manager1, inv.boss):
        assert listed(user) == [order.number]
    for user in (inv.org.sales2, inv.org.sales3, inv.keeper):
        assert listed(user) == []
    assert listed(inv.boss, q="顺丰") == [order.number]
    assert listed(inv.boss, q="EMS") == []
    assert listed(inv.boss, shipped_from="2026-06-02") == []
    assert listed(inv.boss, shipped_to="2026-06-01", shipped_from="bad") == [order.number]
    shown = client_as(inv.boss).get(reverse("shipment-list")).context["page"]
    assert [s.agreement_id for s in shown] == [order.pk] and theirs.pk != order.pk


def make_order_for(company_inv):
    from banyan.agreements.models import Agreement

    order = agreement_services.agreement_create(
        user=company_inv.rep,
        kind=Agreement.Kind.ORDER,
        customer=company_inv.customer,
        title="B",
        lines=[{"product": company_inv.product.pk, "quantity": "1"}],
    )
    agreement_services.agreement_sign(user=company_inv.rep, agreement=order)
    use_inventory(company_inv.org.company, False)
    services.shipment_create(
        user=fresh(company_inv.rep), agreement=order, carrier="顺丰", shipped_on="2026-06-01"
    )
    return order


# --- query counts ----------------------------------------------------------------------------


@pytest.fixture
def many(org, grant, make_product, build_inventory, make_agreement):
    """`many(size)`: `size` rows of every list."""

    def fill(size):
        inv = build_inventory(org)
        grant(inv.boss, "see_costs")
        products = [inv.product] + [
            make_product(inv.boss, tracks_stock=True, low_stock_threshold=100)
            for _ in range(size - 1)
        ]
        services.initial_stock(
            user=inv.other_keeper,
            warehouse=inv.beijing,
            lines=[{"product": p.pk, "quantity": "50"} for p in products],
        )
        for index in range(size):
            slip = services.slip_create(
                user=inv.keeper,
                kind="inbound",
                warehouse=inv.shanghai,
                reason="x",
                lines=[{"product": p.pk, "quantity": "1"} for p in products[:3]],
            )
            if index % 2:
                services.slip_confirm(user=inv.keeper, slip=slip)
        for _ in range(size):
            stocktake = services.stocktake_start(user=inv.other_keeper, warehouse=inv.beijing)
            services.stocktake_count(
                user=inv.other_keeper,
                stocktake=stocktake,
                counts={line.pk: {"counted": line.book_quantity} for line in stocktake.lines.all()},
            )
            services.stocktake_confirm(user=inv.other_keeper, stocktake=stocktake)
        orders = []
        for _ in range(size):
            order = make_agreement(
                inv.rep,
                inv.customer,
                lines=[{"product": p.pk, "quantity": "1"} for p in products[:2]],
            )
            agreement_services.agreement_sign(user=inv.rep, agreement=order)
            slip = services.slip_from_order(user=inv.rep, agreement=order, warehouse=inv.beijing)
            services.slip_confirm(user=inv.other_keeper, slip=slip)
            services.shipment_create(
                user=inv.rep, agreement=order, carrier="顺丰", shipped_on="2026-06-01"
            )
            orders.append(order)
        for index in range(size - 2):
            services.warehouse_create(
                user=inv.boss, name=f"仓{index}", keepers=[inv.keeper.pk, inv.other_keeper.pk]
            )
        inv.orders = orders
        return inv

    return fill


# (url name, who, the most queries): session, user, company, permissions (user + group),
# then the page's own: the filter's warehouses, count, rows, prefetches, totals.
LIST_QUERIES = [
    ("warehouse-list", "boss", 8),  # + keepers prefetched, the warehouses the user keeps
    ("stock-list", "boss", 8),  # + the stock value of the whole filtered list
    ("stock-list", "rep", 7),
    ("low-stock", "rep", 6),
    ("movement-list", "boss", 7),
    ("slip-list", "boss", 7),
    ("slip-list", "rep", 8),  # + the customers shared with the rep
    ("slip-queue", "keeper", 7),  # + the low-stock count
    ("stocktake-list", "boss", 7),
    ("shipment-list", "boss", 7),  # + the lines with their products
    ("shipment-list", "rep", 8),
]


@pytest.mark.parametrize("size", [3, 12])
def test_list_query_counts_do_not_grow(size, many, client_as, django_assert_max_num_queries):
    inv = many(size)

    for name, who, limit in LIST_QUERIES:
        client = client_as(getattr(inv, who))
        client.get(reverse("home"))  # the session and its user are warm
        with django_assert_max_num_queries(limit):
            response = client.get(reverse(name), {"page_size": 100})
        assert response.status_code == 200, name
        assert len(response.context["page"].object_list) >= 2, name


@pytest.mark.parametrize("size", [3, 12])
def test_detail_query_counts_do_not_grow(size, many, client_as, django_assert_max_num_queries):
    inv = many(size)
    stocktake = Stocktake.objects.filter(company=inv.org.company).first()
    slip = StockSlip.objects.filter(company=inv.org.company, agreement__isnull=False).first()
    pages = [
        (reverse("warehouse-detail", args=[inv.beijing.pk]), inv.boss, 12),
        (reverse("stocktake-detail", args=[stocktake.pk]), inv.other_keeper, 8),
        (reverse("slip-detail", args=[slip.pk]), inv.other_keeper, 9),
        (reverse("order-ship", args=[inv.orders[0].pk]), inv.rep, 9),
    ]
    for url, user, limit in pages:
        client = client_as(user)
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200, url

    order = inv.orders[0]
    from banyan.agreements import selectors as agreement_selectors

    shown = agreement_selectors.get_agreement_for(inv.rep, order.pk)
    request = RequestFactory().get("/")
    request.user = inv.rep
    # The lines, what is on slips, what shipped, permissions (2), shares, the slips, the
    # shipments and their lines (the shipping panel's slot: finance's panels count apart).
    with django_assert_max_num_queries(9):
        panels = agreement_view.render(request, shown, slot="main")
    assert [p["key"] for p in panels if p["key"] == "shipping"] == ["shipping"]
