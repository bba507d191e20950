"""Purchasing services: suppliers, purchase orders from draft to received, receipt into stock
through inbound slips a keeper confirms, cancelling, and purchase prices (costs) only for
those who may see costs. Refusals also assert that nothing changed."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from banyan.accounts.models import User
from banyan.core.errors import DomainError, NotFound, PermissionRefused, ValidationFailed
from banyan.inventory import services as inventory_services
from banyan.inventory.models import StockLevel, StockMovement, StockSlip
from banyan.purchasing import services
from banyan.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier

pytestmark = pytest.mark.django_db

D = Decimal


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


@pytest.fixture
def buy(org, grant, make_product):
    """Company A using inventory: `buyer` (director2) has the purchasing permission but may
    not see costs, `costed_buyer` (manager2) has both, `keeper` (sales_boss) keeps 上海总仓;
    交换机 (cost 60) and 网线 (cost 2.50) track stock, 安装服务 is a service."""
    org.company.uses_inventory = True
    org.company.save(update_fields=["uses_inventory", "updated_at"])
    keeper = grant(org.sales_boss, "warehouse_keeper")
    boss = fresh(org.boss)
    warehouse = inventory_services.warehouse_create(user=boss, name="上海总仓", keepers=[keeper])
    buyer = grant(org.director2, "purchasing")
    return SimpleNamespace(
        company=org.company,
        boss=boss,
        buyer=buyer,
        costed_buyer=grant(org.manager2, "purchasing", "see_costs"),
        keeper=keeper,
        rep=fresh(org.sales1),
        warehouse=warehouse,
        supplier=services.supplier_create(user=buyer, name="华信网络设备"),
        switch=make_product(org.sales1, code="SW-01", name="交换机", tracks_stock=True),
        cable=make_product(org.sales1, code="CB-01", name="网线", cost="2.50", tracks_stock=True),
        service=make_product(org.sales1, code="SV-01", name="安装服务", kind="service"),
    )


def new_order(buy, lines=None, user=None, **fields):
    return services.purchase_order_create(
        user=user or buy.buyer,
        supplier=buy.supplier.pk,
        warehouse=buy.warehouse.pk,
        lines=lines
        or [
            {"product": buy.switch.pk, "quantity": "10"},
            {"product": buy.cable.pk, "quantity": "200"},
        ],
        **fields,
    )


def placed_order(buy, lines=None):
    order = new_order(buy, lines)
    return services.purchase_order_place(user=buy.buyer, order=order)


def po_lines(order) -> list[tuple]:
    return list(
        PurchaseOrderLine.objects.filter(purchase_order=order)
        .order_by("position")
        .values_list("product__code", "quantity", "unit_price", "amount", "received_quantity")
    )


def line_of(order, product) -> PurchaseOrderLine:
    return PurchaseOrderLine.objects.get(purchase_order=order, product=product)


def snapshot(order) -> tuple:
    """Everything a refused change of a purchase order must leave as it was."""
    order.refresh_from_db()
    return (
        order.status,
        order.supplier_id,
        order.warehouse_id,
        order.amount,
        order.ordered_on,
        po_lines(order),
        sorted(StockSlip.objects.filter(purchase_order=order).values_list("pk", "status")),
        StockMovement.objects.filter(company_id=order.company_id).count(),
    )


def level(buy, product) -> Decimal:
    row = StockLevel.objects.filter(warehouse=buy.warehouse, product=product).first()
    return row.quantity if row else D("0")


# --- suppliers ----------------------------------------------------------------------------


def test_purchasing_staff_keep_suppliers(buy):
    supplier = services.supplier_create(
        user=buy.buyer,
        name="  佳印  办公设备 ",
        contact_name="陈经理",
        phone="138 0013 8000",
        email=" Sales@JiaYin.example ",
        address="上海市徐汇区",
    )

    assert (supplier.name, supplier.contact_name, supplier.email, supplier.company) == (
        "佳印 办公设备",
        "陈经理",
        "sales@jiayin.example",
        buy.company,
    )
    assert supplier.phone == "13800138000" and supplier.is_active

    services.supplier_update(user=buy.buyer, supplier=supplier, is_active=False, notes="停用")
    supplier.refresh_from_db()
    assert (supplier.is_active, supplier.notes) == (False, "停用")


def test_suppliers_need_the_purchasing_permission(org, buy):
    for user in (buy.keeper, buy.rep, fresh(org.vice_boss)):
        with pytest.raises(PermissionRefused) as refused:
            services.supplier_create(user=user, name="某供应商")
        assert str(refused.value) == "Only purchasing staff may do this."
        with pytest.raises(PermissionRefused):
            services.supplier_update(user=user, supplier=buy.supplier, name="改名")
    buy.supplier.refresh_from_db()
    assert buy.supplier.name == "华信网络设备"
    assert Supplier.objects.filter(company=buy.company).count() == 1


def test_a_supplier_needs_a_unique_name_and_valid_details(buy):
    with pytest.raises(ValidationFailed) as refused:
        services.supplier_create(
            user=buy.buyer, name="华信网络设备", email="not-an-email", phone="12", colour="red"
        )
    assert refused.value.errors["name"] == ["There is already a supplier of that name."]
    assert refused.value.errors["email"] == ["Enter a valid e-mail address."]
    assert refused.value.errors["colour"] == ["Unknown field."]
    assert set(refused.value.errors) == {"name", "email", "phone", "colour"}
    with pytest.raises(ValidationFailed) as refused:
        services.supplier_create(user=buy.buyer, name=" ")
    assert refused.value.errors == {"name": ["Enter the supplier's name."]}
    assert Supplier.objects.filter(company=buy.company).count() == 1


def test_a_supplier_of_another_company_is_not_found(buy, other_org, grant):
    foreign_buyer = grant(other_org.director2, "purchasing")

    with pytest.raises(NotFound):
        services.supplier_update(user=foreign_buyer, supplier=buy.supplier, name="抢走")
    with pytest.raises(NotFound):
        services.supplier_delete(user=foreign_buyer, supplier=buy.supplier)
    buy.supplier.refresh_from_db()
    assert buy.supplier.name == "华信网络设备"


def test_a_supplier_with_purchase_orders_is_set_inactive_not_deleted(buy):
    spare = services.supplier_create(user=buy.buyer, name="备用供应商")
    new_order(buy)

    with pytest.raises(DomainError) as refused:
        services.supplier_delete(user=buy.buyer, supplier=buy.supplier)
    assert str(refused.value) == "华信网络设备 has purchase orders: set it inactive instead."
    services.supplier_delete(user=buy.buyer, supplier=spare)

    assert list(Supplier.objects.filter(company=buy.company)) == [buy.supplier]


# --- purchase orders: draft, prices ----------------------------------------------------------


def test_a_purchase_order_starts_as_a_draft_priced_at_cost(buy):
    order = new_order(buy, expected_on="2026-12-10", note=" 年底备货 ")

    assert order.number.startswith("CG")
    assert (order.status, order.supplier, order.warehouse, order.created_by) == (
        "draft",
        buy.supplier,
        buy.warehouse,
        buy.buyer,
    )
    assert (order.expected_on, order.ordered_on, order.note) == (
        date(2026, 12, 10),
        None,
        "年底备货",
    )
    assert po_lines(order) == [
        ("SW-01", D("10"), D("60.00"), D("600.00"), D("0")),
        ("CB-01", D("200"), D("2.50"), D("500.00"), D("0")),
    ]
    assert order.amount == D("1100.00")


def test_only_someone_who_may_see_costs_sets_purchase_prices(buy):
    lines = [{"product": buy.switch.pk, "quantity": "10", "unit_price": "55.5"}]

    with pytest.raises(ValidationFailed) as refused:
        new_order(buy, lines)
    assert refused.value.errors == {
        "lines": ["Line 1: only users who may see costs set purchase prices"]
    }
    assert not PurchaseOrder.objects.filter(company=buy.company).exists()

    order = new_order(buy, lines, user=buy.costed_buyer)
    assert po_lines(order) == [("SW-01", D("10"), D("55.50"), D("555.00"), D("0"))]
    assert order.amount == D("555.00")

    # Without a price of its own a changed line keeps the agreed price: a buyer who may not
    # see costs does not reset it to the product's cost.
    services.purchase_order_update(
        user=buy.buyer,
        order=order,
        lines=[
            {"product": buy.switch.pk, "quantity": "12"},
            {"product": buy.cable.pk, "quantity": "10"},
        ],
    )
    assert po_lines(order) == [
        ("SW-01", D("12"), D("55.50"), D("666.00"), D("0")),
        ("CB-01", D("10"), D("2.50"), D("25.00"), D("0")),
    ]
    order.refresh_from_db()
    assert order.amount == D("691.00")


def test_a_purchase_order_refuses_bad_lines_and_header_and_writes_nothing(buy, other_org):
    inactive = services.supplier_create(user=buy.buyer, name="停用供应商", is_active=False)

    with pytest.raises(ValidationFailed) as refused:
        services.purchase_order_create(
            user=buy.buyer,
            supplier=inactive.pk,
            warehouse="x",
            lines=[
                {"product": buy.service.pk, "quantity": "1"},
                {"product": 0, "quantity": "1"},
                {"product": buy.switch.pk, "quantity": "-1"},
                "line",
            ],
            expected_on="明天",
            colour="red",
        )

    assert refused.value.errors["supplier"] == ["Choose an active supplier from the list."]
    assert refused.value.errors["warehouse"] == ["Choose a warehouse from the list."]
    assert refused.value.errors["colour"] == ["Unknown field."]
    assert "expected_on" in refused.value.errors
    assert refused.value.errors["lines"] == [
        "Line 1: 安装服务 is a service: only goods are purchased.",
        "Line 2: choose a product from the catalogue.",
        "Line 3: Enter a quantity above zero.",
        "Line 4: not a line.",
    ]
    with pytest.raises(ValidationFailed) as refused:
        services.purchase_order_create(
            user=buy.buyer, supplier=buy.supplier, warehouse=buy.warehouse, lines=[]
        )
    assert refused.value.errors == {"lines": ["Add at least one product line."]}
    assert not PurchaseOrder.objects.filter(company=buy.company).exists()
    assert not PurchaseOrderLine.objects.filter(company=buy.company).exists()


def test_lines_whose_amount_a_money_field_cannot_hold_are_refused(buy):
    big = {"product": buy.switch.pk, "quantity": "2", "unit_price": "999999999999"}
    half = {"product": buy.cable.pk, "quantity": "1", "unit_price": "600000000000"}

    for lines, message in (
        ([big], "Line 1: the line comes to more than 999,999,999,999.99"),
        ([half, half], "The lines add up to more than 999,999,999,999.99."),
    ):
        with pytest.raises(ValidationFailed) as refused:
            new_order(buy, lines, user=buy.costed_buyer)
        assert refused.value.errors == {"lines": [message]}
    assert not PurchaseOrder.objects.filter(company=buy.company).exists()


def test_purchase_orders_need_the_purchasing_permission(org, other_org, buy, grant):
    order = new_order(buy)
    before = snapshot(order)

    for user in (buy.keeper, buy.rep):
        with pytest.raises(PermissionRefused):
            new_order(buy, user=user)
        with pytest.raises(PermissionRefused):
            services.purchase_order_place(user=user, order=order)
        with pytest.raises(PermissionRefused):
            services.purchase_order_cancel(user=user, order=order)
    foreign_buyer = grant(other_org.director2, "purchasing")
    with pytest.raises(NotFound):
        services.purchase_order_place(user=foreign_buyer, order=order)
    with pytest.raises(NotFound):
        services.purchase_order_update(user=foreign_buyer, order=order, note="x")

    assert snapshot(order) == before
    assert PurchaseOrder.objects.filter(company=buy.company).count() == 1


def test_only_a_draft_changes_or_is_deleted(buy):
    order = new_order(buy)
    services.purchase_order_update(
        user=buy.buyer, order=order, note="改了", expected_on="2026-12-31"
    )
    order.refresh_from_db()
    assert (order.note, order.expected_on) == ("改了", date(2026, 12, 31))
    services.purchase_order_place(user=buy.buyer, order=order)
    before = snapshot(order)

    with pytest.raises(DomainError) as refused:
        services.purchase_order_update(
            user=buy.buyer, order=order, lines=[{"product": buy.switch.pk, "quantity": "1"}]
        )
    assert str(refused.value) == "Only a draft purchase order can change."
    with pytest.raises(DomainError):
        services.purchase_order_delete(user=buy.buyer, order=order)
    assert snapshot(order) == before

    draft = new_order(buy)
    services.purchase_order_delete(user=buy.buyer, order=draft)
    assert list(PurchaseOrder.objects.filter(company=buy.company)) == [order]


def test_placing_sends_the_draft_to_the_supplier_once(buy):
    order = new_order(buy)

    placed = services.purchase_order_place(user=buy.buyer, order=order)

    assert placed.status == "ordered"
    assert placed.ordered_on == timezone.localdate(timezone=buy.company.zone)
    with pytest.raises(DomainError) as refused:
        services.purchase_order_place(user=buy.buyer, order=order)
    assert str(refused.value) == "This purchase order has already been placed."
    other = services.purchase_order_place(
        user=buy.buyer, order=new_order(buy), ordered_on="2026-11-02"
    )
    assert other.ordered_on == date(2026, 11, 2)


# --- receiving ----------------------------------------------------------------------------


def test_a_draft_is_placed_before_it_is_received(buy):
    order = new_order(buy)

    with pytest.raises(DomainError) as refused:
        services.purchase_order_receive(user=buy.buyer, order=order)

    assert str(refused.value) == "Place the purchase order before receiving it."
    assert not StockSlip.objects.filter(company=buy.company).exists()


def test_receiving_writes_an_inbound_slip_that_counts_once_a_keeper_confirms_it(buy):
    order = placed_order(buy)

    slip = services.purchase_order_receive(user=buy.buyer, order=order)

    assert (slip.kind, slip.status, slip.warehouse, slip.purchase_order) == (
        "inbound",
        "draft",
        buy.warehouse,
        order,
    )
    assert slip.number.startswith("RK") and slip.reason == f"Purchase order {order.number}"
    assert sorted(slip.lines.values_list("product__code", "quantity", "purchase_line")) == [
        ("CB-01", D("200"), line_of(order, buy.cable).pk),
        ("SW-01", D("10"), line_of(order, buy.switch).pk),
    ]
    order.refresh_from_db()
    assert order.status == "ordered" and level(buy, buy.switch) == D("0")
    with pytest.raises(PermissionRefused):  # purchasing staff do not confirm: keepers do
        inventory_services.slip_confirm(user=buy.buyer, slip=slip)

    inventory_services.slip_confirm(user=buy.keeper, slip=slip)

    order.refresh_from_db()
    assert order.status == "received"
    assert [line[-1] for line in po_lines(order)] == [D("10"), D("200")]
    assert (level(buy, buy.switch), level(buy, buy.cable)) == (D("10"), D("200"))
    assert set(StockMovement.objects.filter(slip=slip).values_list("reason", flat=True)) == {
        "inbound"
    }
    with pytest.raises(DomainError) as refused:
        services.purchase_order_receive(user=buy.buyer, order=order)
    assert str(refused.value) == "This purchase order is received: there is nothing to receive."
    assert inventory_services.check_stock(buy.company.pk) == []


def test_receiving_part_leaves_the_order_partly_received_until_the_rest_arrives(buy):
    order = placed_order(buy)
    switch_line = line_of(order, buy.switch)

    first = services.purchase_order_receive(
        user=buy.buyer, order=order, lines=[{"line": switch_line.pk, "quantity": "4"}]
    )
    inventory_services.slip_confirm(user=buy.keeper, slip=first)

    order.refresh_from_db()
    assert order.status == "partly_received"
    assert po_lines(order) == [
        ("SW-01", D("10"), D("60.00"), D("600.00"), D("4")),
        ("CB-01", D("200"), D("2.50"), D("500.00"), D("0")),
    ]
    assert level(buy, buy.switch) == D("4")

    rest = services.purchase_order_receive(user=buy.buyer, order=order)
    assert sorted(rest.lines.values_list("product__code", "quantity")) == [
        ("CB-01", D("200")),
        ("SW-01", D("6")),
    ]
    inventory_services.slip_confirm(user=buy.keeper, slip=rest)

    order.refresh_from_db()
    assert order.status == "received"
    assert [line[-1] for line in po_lines(order)] == [D("10"), D("200")]
    assert (level(buy, buy.switch), level(buy, buy.cable)) == (D("10"), D("200"))
    assert inventory_services.check_stock(buy.company.pk) == []


def test_a_waiting_slip_holds_its_quantity_until_it_is_confirmed_or_rejected(buy):
    order = placed_order(buy)
    switch_line = line_of(order, buy.switch)
    waiting = services.purchase_order_receive(
        user=buy.buyer, order=order, lines=[{"line": switch_line.pk, "quantity": "7"}]
    )
    before = snapshot(order)

    with pytest.raises(ValidationFailed) as refused:
        services.purchase_order_receive(
            user=buy.buyer,
            order=order,
            lines=[
                {"line": switch_line.pk, "quantity": "4"},
                {"line": 0, "quantity": "1"},
                {"line": line_of(order, buy.cable).pk, "quantity": ""},
            ],
        )
    assert refused.value.errors == {
        "lines": [
            "Line 1: 3.00 of 交换机 is still to receive.",
            "Line 2: choose a line of this purchase order.",
            "Line 3: Enter a quantity.",
        ]
    }
    assert snapshot(order) == before

    only_cable = services.purchase_order_receive(user=buy.buyer, order=order)
    assert sorted(only_cable.lines.values_list("product__code", "quantity")) == [
        ("CB-01", D("200")),
        ("SW-01", D("3")),
    ]
    with pytest.raises(ValidationFailed) as refused:
        services.purchase_order_receive(user=buy.buyer, order=order)
    assert refused.value.errors == {
        "lines": ["Everything on this purchase order is received or on a waiting slip."]
    }

    inventory_services.slip_reject(user=buy.keeper, slip=waiting, reason="到货破损，退回")
    again = services.purchase_order_receive(user=buy.buyer, order=order)
    assert list(again.lines.values_list("product__code", "quantity")) == [("SW-01", D("7"))]
    order.refresh_from_db()
    assert order.status == "ordered"  # nothing confirmed yet


# --- cancelling ---------------------------------------------------------------------------


def test_a_draft_or_placed_order_is_cancelled(buy):
    draft = new_order(buy)
    placed = placed_order(buy)

    for order in (draft, placed):
        assert services.purchase_order_cancel(user=buy.buyer, order=order).status == "cancelled"

    for action in (services.purchase_order_place, services.purchase_order_receive):
        with pytest.raises(DomainError):
            action(user=buy.buyer, order=draft)
    with pytest.raises(DomainError) as refused:
        services.purchase_order_receive(user=buy.buyer, order=placed)
    assert str(refused.value) == "This purchase order is cancelled: there is nothing to receive."
    with pytest.raises(DomainError):
        services.purchase_order_cancel(user=buy.buyer, order=placed)


def test_an_order_with_a_waiting_slip_or_received_goods_is_not_cancelled(buy):
    order = placed_order(buy)
    slip = services.purchase_order_receive(
        user=buy.buyer, order=order, lines=[{"line": line_of(order, buy.switch).pk, "quantity": 1}]
    )
    before = snapshot(order)

    with pytest.raises(DomainError) as refused:
        services.purchase_order_cancel(user=buy.buyer, order=order)
    assert str(refused.value) == (
        "An inbound slip of this purchase order waits for confirmation: reject it first."
    )
    assert snapshot(order) == before

    inventory_services.slip_confirm(user=buy.keeper, slip=slip)
    with pytest.raises(DomainError) as refused:
        services.purchase_order_cancel(user=buy.buyer, order=order)
    assert str(refused.value) == (
        "Goods were received on this purchase order: it cannot be cancelled."
    )
    order.refresh_from_db()
    assert order.status == "partly_received"


def test_a_rejected_receipt_lets_the_order_be_cancelled(buy):
    order = placed_order(buy)
    slip = services.purchase_order_receive(user=buy.buyer, order=order)
    inventory_services.slip_reject(user=buy.keeper, slip=slip, reason="供应商发错货")

    services.purchase_order_cancel(user=buy.buyer, order=order)

    order.refresh_from_db()
    assert order.status == "cancelled"
    assert not StockMovement.objects.filter(company=buy.company).exists()
