"""Inventory services: warehouses and keepers, initial stock, slips by hand and from orders,
confirming and rejecting, shortages, shipments, stocktakes, the movement ledger and the
`check_stock` command. State is built through the services; refusals also assert that
nothing changed."""

from datetime import date
from decimal import Decimal
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from banyan.accounts import services as account_services
from banyan.accounts.models import User
from banyan.agreements import services as agreement_services
from banyan.agreements.models import Agreement
from banyan.core.errors import DomainError, NotFound, PermissionRefused, ValidationFailed
from banyan.customers import services as customer_services
from banyan.inventory import selectors, services
from banyan.inventory.models import (
    Shipment,
    ShipmentLine,
    StockLevel,
    StockMovement,
    StockSlip,
    StockSlipLine,
    Stocktake,
    Warehouse,
)

pytestmark = pytest.mark.django_db

D = Decimal


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)


@pytest.fixture
def inv(org, grant, make_product):
    """Company A using inventory: 上海总仓 kept by `keeper` (sales_boss), 北京仓 kept by
    `north_keeper` (sales4); stock items 交换机 and 网线, an untracked physical 机柜 and a
    service 安装服务; `rep` (sales1) sells them."""
    org.company.uses_inventory = True
    org.company.save(update_fields=["uses_inventory", "updated_at"])
    boss = fresh(org.boss)
    keeper = grant(org.sales_boss, "warehouse_keeper")
    north_keeper = grant(org.sales4, "warehouse_keeper")
    main = services.warehouse_create(user=boss, name="上海总仓", keepers=[keeper.pk])
    north = services.warehouse_create(user=boss, name="北京仓", keepers=[north_keeper])
    return SimpleNamespace(
        company=org.company,
        boss=boss,
        keeper=keeper,
        north_keeper=north_keeper,
        rep=fresh(org.sales1),
        main=main,
        north=north,
        switch=make_product(org.sales1, code="SW-01", name="交换机", tracks_stock=True),
        cable=make_product(org.sales1, code="CB-01", name="网线", tracks_stock=True),
        rack=make_product(org.sales1, code="RK-01", name="机柜"),
        service=make_product(org.sales1, code="SV-01", name="安装服务", kind="service"),
    )


def level(warehouse, product) -> Decimal:
    row = StockLevel.objects.filter(warehouse=warehouse, product=product).first()
    return row.quantity if row else D("0")


def ledger(company) -> list[tuple]:
    """Every movement of the company, oldest first, as comparable tuples."""
    return list(
        StockMovement.objects.filter(company=company)
        .order_by("id")
        .values_list("warehouse__name", "product__code", "quantity", "reason")
    )


def stock_papers(company) -> tuple:
    """Everything a refused stock change must leave as it was."""
    return (
        sorted(
            StockLevel.objects.filter(company=company).values_list(
                "warehouse_id", "product_id", "quantity"
            )
        ),
        StockMovement.objects.filter(company=company).count(),
        sorted(StockSlip.objects.filter(company=company).values_list("pk", "status")),
        StockSlipLine.objects.filter(company=company).count(),
        sorted(Stocktake.objects.filter(company=company).values_list("pk", "status")),
        ShipmentLine.objects.filter(company=company).count(),
    )


def put_in(inv, warehouse, product, quantity, keeper=None):
    services.initial_stock(
        user=keeper or (inv.keeper if warehouse == inv.main else inv.north_keeper),
        warehouse=warehouse,
        lines=[{"product": product.pk, "quantity": str(quantity)}],
    )


def by_hand(inv, kind, lines, *, warehouse=None, keeper=None, reason="样品"):
    return services.slip_create(
        user=keeper or inv.keeper,
        kind=kind,
        warehouse=(warehouse or inv.main).pk,
        reason=reason,
        lines=[{"product": product.pk, "quantity": str(quantity)} for product, quantity in lines],
    )


@pytest.fixture
def signed_order(inv, make_customer, make_agreement):
    """`signed_order([(product, quantity), ...], status="signed")` → an order of the rep's."""

    def make(lines, status="signed"):
        customer = make_customer(inv.rep)
        order = make_agreement(
            inv.rep,
            customer,
            lines=[{"product": p.pk, "quantity": str(q)} for p, q in lines],
        )
        if status in ("signed", "executing"):
            agreement_services.agreement_sign(user=inv.rep, agreement=order)
        if status == "executing":
            agreement_services.agreement_start(user=inv.rep, agreement=order)
        order.refresh_from_db()
        return order

    return make


def order_line(order, product):
    return order.lines.get(product=product)


def state(user, order) -> str:
    return selectors.shipping_state(selectors.order_shipping(user, order))


# --- warehouses and keepers ---------------------------------------------------------------


def test_an_admin_boss_creates_warehouses_with_keepers_who_hold_the_permission(inv):
    assert list(inv.main.keepers.all()) == [inv.keeper]
    assert inv.main.company == inv.company and inv.main.is_active

    services.warehouse_update(
        user=inv.boss, warehouse=inv.main, keepers=[inv.keeper, inv.north_keeper]
    )

    assert set(inv.main.keepers.all()) == {inv.keeper, inv.north_keeper}
    assert selectors.keeps(inv.north_keeper, inv.main) and selectors.keeps(inv.keeper, inv.main)
    assert not selectors.keeps(inv.keeper, inv.north)


def test_a_non_admin_boss_cannot_create_or_change_warehouses(org, inv):
    with pytest.raises(PermissionRefused):
        services.warehouse_create(user=fresh(org.vice_boss), name="广州仓")
    with pytest.raises(PermissionRefused):
        services.warehouse_update(user=inv.keeper, warehouse=inv.main, name="改名")
    assert Warehouse.objects.filter(company=inv.company).count() == 2
    inv.main.refresh_from_db()
    assert inv.main.name == "上海总仓"


def test_keepers_must_hold_the_permission_and_belong_to_the_company(org, other_org, inv):
    with pytest.raises(ValidationFailed) as refused:
        services.warehouse_create(
            user=inv.boss, name="广州仓", keepers=[org.sales2.pk, other_org.sales1.pk, "x"]
        )
    assert refused.value.errors["keepers"] == [
        "sales2 does not have the warehouse keeper permission.",
        "Choose active users of your company.",
        "Choose active users of your company.",
    ]
    with pytest.raises(ValidationFailed) as refused:
        services.warehouse_create(user=inv.boss, name=" 上海总仓 ")
    assert refused.value.errors == {"name": ["There is already a warehouse of that name."]}
    with pytest.raises(ValidationFailed) as refused:
        services.warehouse_create(user=inv.boss, name="  ")
    assert refused.value.errors == {"name": ["Enter the warehouse's name."]}
    assert Warehouse.objects.filter(company=inv.company).count() == 2


def test_a_keeper_acts_only_in_the_warehouses_assigned_to_them(org, inv):
    # The admin boss holds every special permission but keeps no warehouse.
    for user in (inv.north_keeper, inv.boss, inv.rep):
        with pytest.raises(PermissionRefused) as refused:
            put_in(inv, inv.main, inv.switch, 5, keeper=user)
        assert str(refused.value) == "Only a keeper of 上海总仓 may do this."
    # Assigned, but the permission was taken away since: no longer a keeper.
    services.warehouse_update(user=inv.boss, warehouse=inv.main, keepers=[inv.keeper])
    account_services.user_update(actor=inv.boss, user=inv.keeper, permissions=[])
    with pytest.raises(PermissionRefused):
        put_in(inv, inv.main, inv.switch, 5, keeper=fresh(inv.keeper))
    assert StockMovement.objects.filter(company=inv.company).count() == 0


# --- initial stock ------------------------------------------------------------------------


def test_initial_stock_sets_the_level_and_writes_one_movement_per_product(inv):
    services.initial_stock(
        user=inv.keeper,
        warehouse=inv.main.pk,
        lines=[
            {"product": inv.switch.pk, "quantity": "12"},
            {"product": inv.cable.pk, "quantity": "300.5"},
        ],
        note="开账",
    )

    assert level(inv.main, inv.switch) == D("12.00")
    assert level(inv.main, inv.cable) == D("300.50")
    moves = StockMovement.objects.filter(company=inv.company).order_by("product__code")
    assert [(m.product.code, m.quantity, m.reason, m.note, m.moved_by) for m in moves] == [
        ("CB-01", D("300.50"), "initial", "开账", inv.keeper),
        ("SW-01", D("12.00"), "initial", "开账", inv.keeper),
    ]
    assert all(m.slip is None and m.warehouse == inv.main for m in moves)


def test_initial_stock_is_entered_once_per_product_and_warehouse(inv):
    put_in(inv, inv.main, inv.switch, 5)
    before = stock_papers(inv.company)

    with pytest.raises(ValidationFailed) as refused:
        services.initial_stock(
            user=inv.keeper,
            warehouse=inv.main,
            lines=[
                {"product": inv.cable.pk, "quantity": "3"},
                {"product": inv.switch.pk, "quantity": "5"},
            ],
        )

    assert refused.value.errors == {
        "lines": ["交换机 already have stock records here: count them in a stocktake instead."]
    }
    assert stock_papers(inv.company) == before  # not even the cable line went in
    put_in(inv, inv.north, inv.switch, 2)  # another warehouse starts on its own
    assert level(inv.north, inv.switch) == D("2")


def test_initial_stock_is_refused_once_a_slip_moved_the_product(inv):
    slip = by_hand(inv, "inbound", [(inv.switch, 4)])
    services.slip_confirm(user=inv.keeper, slip=slip)

    with pytest.raises(ValidationFailed):
        put_in(inv, inv.main, inv.switch, 10)
    assert level(inv.main, inv.switch) == D("4")


def test_initial_stock_takes_only_stock_items_of_the_company(inv, other_org, make_product):
    foreign = make_product(other_org.sales1, tracks_stock=True)

    with pytest.raises(ValidationFailed) as refused:
        services.initial_stock(
            user=inv.keeper,
            warehouse=inv.main,
            lines=[
                {"product": inv.rack.pk, "quantity": "1"},
                {"product": inv.service.pk, "quantity": "1"},
                {"product": foreign.pk, "quantity": "1"},
                {"product": inv.switch.pk, "quantity": "0"},
                {"product": inv.cable.pk, "quantity": "1.234"},
            ],
        )

    assert refused.value.errors == {
        "lines": [
            "Line 1: 机柜 does not track stock.",
            "Line 2: 安装服务 does not track stock.",
            "Line 3: choose a product from the catalogue.",
            "Line 4: Enter a quantity above zero.",
            "Line 5: Give at most two decimal places.",
        ]
    }
    with pytest.raises(ValidationFailed) as refused:
        services.initial_stock(user=inv.keeper, warehouse=inv.main, lines=[])
    assert refused.value.errors == {"lines": ["Add at least one product line."]}
    assert StockLevel.objects.filter(company=inv.company).count() == 0


def test_a_closed_or_foreign_warehouse_takes_no_stock(inv, other_org):
    services.warehouse_update(user=inv.boss, warehouse=inv.main, is_active=False)
    foreign = services.warehouse_create(user=fresh(other_org.boss), name="外仓")
    lines = [{"product": inv.switch.pk, "quantity": "1"}]

    with pytest.raises(ValidationFailed) as refused:
        services.initial_stock(user=inv.keeper, warehouse=inv.main, lines=lines)
    assert refused.value.errors == {"warehouse": ["上海总仓 is closed."]}
    with pytest.raises(ValidationFailed) as refused:
        services.initial_stock(user=inv.keeper, warehouse=foreign.pk, lines=lines)
    assert refused.value.errors == {"warehouse": ["Choose a warehouse from the list."]}


# --- slips by hand ------------------------------------------------------------------------


def test_a_slip_by_hand_needs_a_reason_and_a_keeper_of_its_warehouse(inv):
    lines = [{"product": inv.switch.pk, "quantity": "2"}]

    with pytest.raises(ValidationFailed) as refused:
        services.slip_create(user=inv.keeper, kind="inbound", warehouse=inv.main, lines=lines)
    assert refused.value.errors == {"reason": ["Give the reason."]}
    with pytest.raises(ValidationFailed) as refused:
        services.slip_create(
            user=inv.keeper, kind="sideways", warehouse=inv.main, lines=lines, reason=" "
        )
    assert set(refused.value.errors) == {"kind", "reason"}
    with pytest.raises(PermissionRefused):
        services.slip_create(
            user=inv.north_keeper, kind="inbound", warehouse=inv.main, lines=lines, reason="补货"
        )
    assert StockSlip.objects.filter(company=inv.company).count() == 0

    slip = services.slip_create(
        user=inv.keeper, kind="outbound", warehouse=inv.main, lines=lines, reason="  展会 样机 "
    )
    assert (slip.kind, slip.status, slip.reason, slip.created_by) == (
        "outbound",
        "draft",
        "展会 样机",
        inv.keeper,
    )
    assert slip.number.startswith("CK") and slip.agreement is None
    assert list(slip.lines.values_list("product__code", "quantity")) == [("SW-01", D("2.00"))]
    assert StockMovement.objects.filter(company=inv.company).count() == 0  # waits for a keeper


def test_confirming_an_inbound_slip_raises_stock_with_one_movement_per_product(inv):
    put_in(inv, inv.main, inv.switch, 3)
    slip = by_hand(inv, "inbound", [(inv.switch, 2), (inv.cable, 10), (inv.switch, 1)])

    confirmed = services.slip_confirm(user=inv.keeper, slip=slip)

    assert confirmed.status == StockSlip.Status.CONFIRMED
    assert confirmed.decided_by == inv.keeper and confirmed.decided_at is not None
    assert level(inv.main, inv.switch) == D("6")
    assert level(inv.main, inv.cable) == D("10")
    assert sorted(
        StockMovement.objects.filter(slip=slip).values_list("product__code", "quantity", "reason")
    ) == [("CB-01", D("10.00"), "inbound"), ("SW-01", D("3.00"), "inbound")]
    assert services.check_stock(inv.company.pk) == []


def test_confirming_an_outbound_slip_lowers_stock(inv):
    put_in(inv, inv.main, inv.switch, 5)
    slip = by_hand(inv, "outbound", [(inv.switch, 5)])

    services.slip_confirm(user=inv.keeper, slip=slip)

    assert level(inv.main, inv.switch) == D("0")
    assert ledger(inv.company) == [
        ("上海总仓", "SW-01", D("5.00"), "initial"),
        ("上海总仓", "SW-01", D("-5.00"), "outbound"),
    ]


def test_only_a_keeper_of_the_slips_warehouse_confirms_or_rejects_it(inv):
    slip = by_hand(inv, "inbound", [(inv.switch, 2)])

    for user in (inv.north_keeper, inv.boss):
        with pytest.raises(PermissionRefused):
            services.slip_confirm(user=user, slip=slip)
        with pytest.raises(PermissionRefused):
            services.slip_reject(user=user, slip=slip, reason="不对")
    with pytest.raises(NotFound):  # a rep does not see slips made by hand
        services.slip_confirm(user=inv.rep, slip=slip)
    slip.refresh_from_db()
    assert slip.status == "draft" and slip.decided_by is None


def test_a_slip_of_another_company_is_not_found(inv, other_org, grant):
    foreign_keeper = grant(other_org.sales_boss, "warehouse_keeper")
    foreign_warehouse = services.warehouse_create(
        user=fresh(other_org.boss), name="外仓", keepers=[foreign_keeper]
    )
    slip = by_hand(inv, "inbound", [(inv.switch, 2)])
    assert foreign_warehouse.company_id != slip.company_id

    with pytest.raises(NotFound):
        services.slip_confirm(user=foreign_keeper, slip=slip)
    with pytest.raises(NotFound):
        services.slip_reject(user=foreign_keeper, slip=slip, reason="x")


def test_only_drafts_are_confirmed_or_rejected(inv):
    put_in(inv, inv.main, inv.switch, 5)
    confirmed = services.slip_confirm(
        user=inv.keeper, slip=by_hand(inv, "outbound", [(inv.switch, 1)])
    )
    rejected = services.slip_reject(
        user=inv.keeper, slip=by_hand(inv, "outbound", [(inv.switch, 1)]), reason=" 客户取消 "
    )
    assert (rejected.status, rejected.reject_reason, rejected.decided_by) == (
        "rejected",
        "客户取消",
        inv.keeper,
    )
    before = stock_papers(inv.company)

    for slip, status in ((confirmed, "confirmed"), (rejected, "rejected")):
        with pytest.raises(DomainError) as refused:
            services.slip_confirm(user=inv.keeper, slip=slip)
        assert str(refused.value) == f"Slip {slip.number} is already {status}."
        with pytest.raises(DomainError):
            services.slip_reject(user=inv.keeper, slip=slip, reason="再来")

    assert stock_papers(inv.company) == before
    assert level(inv.main, inv.switch) == D("4")  # the rejected slip moved nothing


def test_a_rejection_needs_its_reason(inv):
    slip = by_hand(inv, "inbound", [(inv.switch, 2)])

    with pytest.raises(ValidationFailed) as refused:
        services.slip_reject(user=inv.keeper, slip=slip, reason="   ")

    assert refused.value.errors == {"reason": ["Give the reason."]}
    slip.refresh_from_db()
    assert (slip.status, slip.reject_reason, slip.decided_at) == ("draft", "", None)


# --- shortages ----------------------------------------------------------------------------


def test_a_shortage_is_refused_naming_the_product_what_is_there_needed_and_short(inv):
    put_in(inv, inv.main, inv.switch, 3)
    put_in(inv, inv.main, inv.cable, 100)
    slip = by_hand(inv, "outbound", [(inv.cable, 20), (inv.switch, 5)])
    before = stock_papers(inv.company)

    with pytest.raises(DomainError) as refused:
        services.slip_confirm(user=inv.keeper, slip=slip)

    assert str(refused.value) == (
        "Not enough stock. 交换机: 3 in stock at 上海总仓, 5 needed (2 short)."
    )
    # Nothing half written: the cable that was there did not go out either.
    assert stock_papers(inv.company) == before
    slip.refresh_from_db()
    assert (slip.status, slip.decided_by, slip.decided_at) == ("draft", None, None)
    assert level(inv.main, inv.cable) == D("100")


def test_stock_a_quantity_field_cannot_hold_is_refused_naming_the_product(inv):
    put_in(inv, inv.main, inv.switch, "999999999999")
    slip = by_hand(inv, "inbound", [(inv.switch, "1")])
    before = stock_papers(inv.company)

    with pytest.raises(DomainError) as refused:
        services.slip_confirm(user=inv.keeper, slip=slip)

    assert str(refused.value) == "交换机: the stock at 上海总仓 would pass 999,999,999,999.99."
    assert stock_papers(inv.company) == before


def test_a_shortage_of_several_products_names_each_and_stock_elsewhere_does_not_count(inv):
    put_in(inv, inv.north, inv.switch, 50)  # another warehouse's stock does not help
    put_in(inv, inv.main, inv.cable, D("1.5"))
    slip = by_hand(inv, "outbound", [(inv.switch, 2), (inv.cable, D("2.25"))])

    with pytest.raises(DomainError) as refused:
        services.slip_confirm(user=inv.keeper, slip=slip)

    assert str(refused.value) == (
        "Not enough stock. 交换机: 0 in stock at 上海总仓, 2 needed (2 short); "
        "网线: 1.50 in stock at 上海总仓, 2.25 needed (0.75 short)."
    )
    assert level(inv.north, inv.switch) == D("50")
    assert services.check_stock(inv.company.pk) == []


def test_a_refused_slip_goes_through_once_stock_arrives(inv):
    put_in(inv, inv.main, inv.switch, 1)
    slip = by_hand(inv, "outbound", [(inv.switch, 3)])
    with pytest.raises(DomainError):
        services.slip_confirm(user=inv.keeper, slip=slip)

    services.slip_confirm(user=inv.keeper, slip=by_hand(inv, "inbound", [(inv.switch, 2)]))
    services.slip_confirm(user=inv.keeper, slip=slip)

    assert level(inv.main, inv.switch) == D("0")
    assert services.check_stock(inv.company.pk) == []


# --- outbound slips from orders -----------------------------------------------------------


def test_an_order_asks_for_its_stock_items_only(inv, signed_order):
    order = signed_order([(inv.switch, 3), (inv.rack, 1), (inv.service, 1), (inv.cable, 20)])

    slip = services.slip_from_order(user=inv.rep, agreement=order, warehouse=inv.main.pk)

    assert (slip.kind, slip.status, slip.agreement, slip.warehouse) == (
        "outbound",
        "draft",
        order,
        inv.main,
    )
    assert sorted(
        slip.lines.values_list("product__code", "quantity", "agreement_line__product__code")
    ) == [("CB-01", D("20.00"), "CB-01"), ("SW-01", D("3.00"), "SW-01")]
    assert slip in selectors.slips_to_confirm(inv.keeper)
    assert slip not in selectors.slips_to_confirm(inv.north_keeper)


def test_slips_follow_their_orders_customer_by_the_orders_own_columns(
    inv, org, signed_order, make_customer, make_agreement
):
    own = services.slip_from_order(
        user=inv.rep, agreement=signed_order([(inv.switch, 1)]), warehouse=inv.main
    )
    colleague = fresh(org.sales3)
    shared_customer = make_customer(colleague)
    shared_order = make_agreement(
        colleague, shared_customer, lines=[{"product": inv.switch.pk, "quantity": "1"}]
    )
    agreement_services.agreement_sign(user=colleague, agreement=shared_order)
    shared = services.slip_from_order(user=colleague, agreement=shared_order, warehouse=inv.main)
    customer_services.customer_share(
        user=colleague, customer=shared_customer, target=inv.rep.pk, level="view"
    )
    by_hand = services.slip_create(
        user=inv.keeper,
        kind="inbound",
        warehouse=inv.main,
        reason="退货",
        lines=[{"product": inv.switch.pk, "quantity": "1"}],
    )

    def seen(user):
        return set(selectors.visible_slips(fresh(user)).values_list("pk", flat=True))

    assert seen(inv.rep) == {own.pk, shared.pk}
    assert seen(org.manager1) == seen(org.assistant) == {own.pk}
    assert seen(org.manager2) == {shared.pk}
    assert seen(org.sales2) == set()
    assert seen(inv.keeper) == seen(org.boss) == {own.pk, shared.pk, by_hand.pk}
    rep = fresh(inv.rep)
    with CaptureQueriesContext(connection) as captured:
        list(selectors.visible_slips(rep))
    # the owners of the line and the shared customers are looked up first, then written
    # into the slips' own query: no subquery over the orders (a rep's slips are read as the
    # union of their own orders' and the shared customers' orders', each joined by key)
    sql = captured.captured_queries[-1]["sql"]
    assert sql.count("SELECT") in (1, 2 + sql.count(" UNION ALL ")), sql
    assert " IN (SELECT" not in sql and 'FROM "agreements_' not in sql, sql


@pytest.mark.parametrize("status", ["signed", "executing"])
def test_signed_and_executing_orders_go_out_of_stock(inv, signed_order, status):
    order = signed_order([(inv.switch, 2)], status=status)

    slip = services.slip_from_order(user=inv.rep, agreement=order, warehouse=inv.main)

    assert slip.lines.get().quantity == D("2")


def test_drafts_cancelled_and_completed_orders_and_contracts_do_not_go_out_of_stock(
    inv, signed_order, make_customer, make_agreement
):
    draft = signed_order([(inv.switch, 2)], status="draft")
    cancelled = signed_order([(inv.switch, 2)])
    agreement_services.agreement_cancel(user=inv.rep, agreement=cancelled, reason="客户取消")
    completed = signed_order([(inv.switch, 2)], status="executing")
    agreement_services.agreement_complete(user=inv.rep, agreement=completed)
    contract = make_agreement(inv.rep, make_customer(inv.rep), kind="contract")
    agreement_services.agreement_sign(user=inv.rep, agreement=contract)

    for order in (draft, cancelled, completed):
        with pytest.raises(DomainError) as refused:
            services.slip_from_order(user=inv.rep, agreement=order, warehouse=inv.main)
        assert str(refused.value) == "Sign the order before asking for its goods."
    with pytest.raises(DomainError) as refused:
        services.slip_from_order(user=inv.rep, agreement=contract, warehouse=inv.main)
    assert str(refused.value) == "Only orders go out of stock: a contract sells services."
    assert StockSlip.objects.filter(company=inv.company).count() == 0


def test_an_order_never_asks_for_more_than_ordered(inv, signed_order):
    order = signed_order([(inv.switch, 5), (inv.rack, 1), (inv.service, 1)])
    switch_line = order_line(order, inv.switch)
    first = services.slip_from_order(
        user=inv.rep,
        agreement=order,
        warehouse=inv.main,
        lines=[{"agreement_line": switch_line.pk, "quantity": "2"}],
    )
    before = stock_papers(inv.company)

    with pytest.raises(ValidationFailed) as refused:
        services.slip_from_order(
            user=inv.rep,
            agreement=order,
            warehouse=inv.main,
            lines=[
                {"agreement_line": switch_line.pk, "quantity": "4"},
                {"agreement_line": order_line(order, inv.rack).pk, "quantity": "1"},
                {"agreement_line": order_line(order, inv.service).pk, "quantity": "1"},
                {"agreement_line": switch_line.pk, "quantity": "0"},
            ],
        )
    assert refused.value.errors == {
        "lines": [
            "Line 1: 交换机 has 3 left to take out of stock.",
            "Line 2: choose a stock item of this order.",
            "Line 3: choose a stock item of this order.",
            "Line 4: the same line as line 1; give each line once.",
        ]
    }
    assert stock_papers(inv.company) == before

    rest = services.slip_from_order(user=inv.rep, agreement=order, warehouse=inv.north)
    assert rest.lines.get().quantity == D("3")
    with pytest.raises(ValidationFailed) as refused:
        services.slip_from_order(user=inv.rep, agreement=order, warehouse=inv.main)
    assert refused.value.errors == {
        "lines": ["Every stock item of this order is already on a slip."]
    }

    # A rejected slip gives its quantity back to the order.
    services.slip_reject(user=inv.keeper, slip=first, reason="仓库缺货")
    again = services.slip_from_order(user=inv.rep, agreement=order, warehouse=inv.main)
    assert again.lines.get().quantity == D("2")


def test_an_order_needs_a_warehouse(inv, signed_order):
    order = signed_order([(inv.switch, 1)])
    for warehouse in (None, "", 999999):
        with pytest.raises(ValidationFailed) as refused:
            services.slip_from_order(user=inv.rep, agreement=order, warehouse=warehouse)
        assert refused.value.errors == {"warehouse": ["Choose a warehouse from the list."]}
    assert StockSlip.objects.filter(company=inv.company).count() == 0


def test_only_whoever_may_change_the_order_asks_for_its_goods(org, other_org, inv, signed_order):
    order = signed_order([(inv.switch, 1)])

    for outsider in (inv.keeper, fresh(org.sales3), fresh(other_org.boss)):
        with pytest.raises(NotFound):
            services.slip_from_order(user=outsider, agreement=order, warehouse=inv.main)
    assert StockSlip.objects.filter(company=inv.company).count() == 0
    slip = services.slip_from_order(user=fresh(org.manager1), agreement=order, warehouse=inv.main)
    assert slip.created_by == org.manager1


def test_without_inventory_an_order_ships_directly_instead(org, inv, signed_order):
    order = signed_order([(inv.switch, 1)])
    org.company.uses_inventory = False
    org.company.save(update_fields=["uses_inventory", "updated_at"])

    with pytest.raises(DomainError) as refused:
        services.slip_from_order(user=fresh(inv.rep), agreement=order, warehouse=inv.main)

    assert str(refused.value) == "Your company does not use inventory: ship the order directly."


def test_confirming_an_order_slip_is_refused_on_a_shortage_and_nothing_moves(inv, signed_order):
    put_in(inv, inv.main, inv.switch, 1)
    order = signed_order([(inv.switch, 4)])
    slip = services.slip_from_order(user=inv.rep, agreement=order, warehouse=inv.main)
    before = stock_papers(inv.company)

    with pytest.raises(DomainError) as refused:
        services.slip_confirm(user=inv.keeper, slip=slip)

    assert "交换机: 1 in stock at 上海总仓, 4 needed (3 short)" in str(refused.value)
    assert stock_papers(inv.company) == before
    entry = selectors.order_shipping(inv.rep, order)[0]
    assert (entry.on_slips, entry.released, entry.shippable) == (D("4"), D("0"), D("0"))


# --- shipments ----------------------------------------------------------------------------


def ship(user, order, lines=None, **fields):
    fields.setdefault("carrier", "顺丰速运")
    fields.setdefault("shipped_on", "2026-11-20")
    return services.shipment_create(user=user, agreement=order, lines=lines, **fields)


def test_with_inventory_only_what_left_the_warehouse_ships(inv, signed_order):
    put_in(inv, inv.main, inv.switch, 10)
    order = signed_order([(inv.switch, 5), (inv.service, 1)])
    line = order_line(order, inv.switch)
    before = stock_papers(inv.company)

    with pytest.raises(ValidationFailed) as refused:
        ship(inv.rep, order)
    assert refused.value.errors == {"lines": ["Nothing of this order can ship now."]}
    slip = services.slip_from_order(
        user=inv.rep,
        agreement=order,
        warehouse=inv.main,
        lines=[{"agreement_line": line.pk, "quantity": "2"}],
    )
    with pytest.raises(ValidationFailed) as refused:  # the slip still waits
        ship(inv.rep, order, lines=[{"agreement_line": line.pk, "quantity": "1"}])
    assert refused.value.errors == {
        "lines": [
            "Line 1: only 0 of 交换机 has left the warehouse and not shipped yet; confirm its "
            "outbound slip first."
        ]
    }
    assert ShipmentLine.objects.filter(company=inv.company).count() == before[-1] == 0
    assert state(inv.rep, order) == "unshipped"

    services.slip_confirm(user=inv.keeper, slip=slip)
    shipment = ship(inv.rep, order, tracking_number=" SF1234 ", note="先发两台")

    assert (shipment.carrier, shipment.tracking_number, shipment.shipped_on) == (
        "顺丰速运",
        "SF1234",
        date(2026, 11, 20),
    )
    assert shipment.customer_id == order.customer_id and shipment.created_by == inv.rep
    assert list(shipment.lines.values_list("agreement_line", "quantity")) == [(line.pk, D("2"))]
    assert state(inv.rep, order) == "partly_shipped"
    with pytest.raises(ValidationFailed) as refused:
        ship(inv.rep, order, lines=[{"agreement_line": line.pk, "quantity": "1"}])
    assert "confirm its outbound slip first" in refused.value.errors["lines"][0]

    rest = services.slip_from_order(user=inv.rep, agreement=order, warehouse=inv.main)
    services.slip_confirm(user=inv.keeper, slip=rest)
    ship(inv.rep, order, lines=[{"agreement_line": line.pk, "quantity": "3"}])

    assert state(inv.rep, order) == "shipped"  # the service line never ships
    assert level(inv.main, inv.switch) == D("5")
    with pytest.raises(ValidationFailed) as refused:
        ship(inv.rep, order, lines=[{"agreement_line": line.pk, "quantity": "1"}])
    assert refused.value.errors == {
        "lines": ["Line 1: 交换机 has 0 left to ship of what was ordered."]
    }


def test_goods_that_do_not_track_stock_ship_directly_even_with_inventory(inv, signed_order):
    order = signed_order([(inv.rack, 2), (inv.switch, 1)])

    shipment = ship(inv.rep, order)  # by default: everything that may ship now

    assert list(shipment.lines.values_list("agreement_line__product__code", "quantity")) == [
        ("RK-01", D("2"))
    ]
    assert state(inv.rep, order) == "partly_shipped"


def test_without_inventory_an_order_ships_directly_up_to_what_was_ordered(org, inv, signed_order):
    org.company.uses_inventory = False
    org.company.save(update_fields=["uses_inventory", "updated_at"])
    rep = fresh(inv.rep)
    order = signed_order([(inv.switch, 5), (inv.rack, 1)])
    switch_line = order_line(order, inv.switch)
    assert state(rep, order) == "unshipped"

    ship(rep, order, lines=[{"agreement_line": switch_line.pk, "quantity": "3"}])
    assert state(rep, order) == "partly_shipped"
    with pytest.raises(ValidationFailed) as refused:
        ship(
            rep,
            order,
            lines=[
                {"agreement_line": switch_line.pk, "quantity": "3"},
                {"agreement_line": order_line(order, inv.rack).pk, "quantity": "1"},
            ],
        )
    assert refused.value.errors == {
        "lines": ["Line 1: 交换机 has 2 left to ship of what was ordered."]
    }
    assert ShipmentLine.objects.filter(company=inv.company).count() == 1
    ship(rep, order)

    assert state(rep, order) == "shipped"
    assert sorted(
        ShipmentLine.objects.filter(company=inv.company).values_list(
            "agreement_line__product__code", "quantity"
        )
    ) == [("RK-01", D("1")), ("SW-01", D("2")), ("SW-01", D("3"))]
    assert StockMovement.objects.filter(company=inv.company).count() == 0
    with pytest.raises(ValidationFailed) as refused:
        ship(rep, order)
    assert refused.value.errors == {"lines": ["Nothing of this order can ship now."]}


def test_services_do_not_ship(inv, signed_order):
    order = signed_order([(inv.service, 1), (inv.rack, 1)])

    with pytest.raises(ValidationFailed) as refused:
        ship(
            inv.rep,
            order,
            lines=[{"agreement_line": order_line(order, inv.service).pk, "quantity": "1"}],
        )

    assert refused.value.errors == {"lines": ["Line 1: choose a line of this order."]}
    services_only = signed_order([(inv.service, 2)])
    assert state(inv.rep, services_only) == ""
    with pytest.raises(ValidationFailed):
        ship(inv.rep, services_only)
    assert Shipment.objects.filter(company=inv.company).count() == 0


def test_a_shipment_needs_a_carrier_and_a_date_and_a_shippable_order(inv, signed_order):
    order = signed_order([(inv.rack, 1)])

    with pytest.raises(ValidationFailed) as refused:
        ship(inv.rep, order, carrier="  ", shipped_on="2026-13-45")
    assert set(refused.value.errors) == {"carrier", "shipped_on"}
    with pytest.raises(ValidationFailed) as refused:
        ship(inv.rep, order, shipped_on="")
    assert set(refused.value.errors) == {"shipped_on"}
    draft = signed_order([(inv.rack, 1)], status="draft")
    with pytest.raises(DomainError) as refused:
        ship(inv.rep, draft)
    assert str(refused.value) == "Only a signed or executing order ships."
    with pytest.raises(NotFound):
        ship(inv.keeper, order)
    assert Shipment.objects.filter(company=inv.company).count() == 0


def test_an_order_list_knows_which_orders_shipped(inv, signed_order):
    put_in(inv, inv.main, inv.switch, 5)
    untouched = signed_order([(inv.rack, 1), (inv.service, 1)])
    partly = signed_order([(inv.rack, 2), (inv.service, 1)])
    ship(
        inv.rep,
        partly,
        lines=[{"agreement_line": order_line(partly, inv.rack).pk, "quantity": "1"}],
    )
    done = signed_order([(inv.rack, 1), (inv.service, 1)])
    ship(inv.rep, done)

    rows = {
        row.pk: (row.shipped_any, row.not_fully_shipped)
        for row in selectors.with_shipping_state(
            inv.rep, Agreement.objects.filter(pk__in=[untouched.pk, partly.pk, done.pk])
        )
    }

    assert rows == {
        untouched.pk: (False, True),
        partly.pk: (True, True),
        done.pk: (True, False),  # the service line does not keep it from being shipped
    }
    assert [state(inv.rep, o) for o in (untouched, partly, done)] == [
        "unshipped",
        "partly_shipped",
        "shipped",
    ]


# --- stocktakes ---------------------------------------------------------------------------


def counts(stocktake, **by_code):
    """{line id: {"counted": q, "reason": r}} for the lines of the given product codes
    (keys with "_" for "-")."""
    wanted = {code.replace("_", "-"): value for code, value in by_code.items()}
    return {
        line.pk: wanted[line.product.code]
        for line in stocktake.lines.select_related("product")
        if line.product.code in wanted
    }


def test_a_stocktake_lists_the_book_quantities_of_every_stock_item(inv, make_product):
    put_in(inv, inv.main, inv.switch, 7)
    make_product(inv.rep, code="OLD-1", name="停产件", tracks_stock=True, is_active=False)

    stocktake = services.stocktake_start(user=inv.keeper, warehouse=inv.main, note="十一月盘点")

    assert stocktake.number.startswith("PD") and stocktake.status == "draft"
    assert (stocktake.warehouse, stocktake.created_by, stocktake.note) == (
        inv.main,
        inv.keeper,
        "十一月盘点",
    )
    assert list(
        stocktake.lines.order_by("product__code").values_list(
            "product__code", "book_quantity", "counted_quantity"
        )
    ) == [("CB-01", D("0"), None), ("SW-01", D("7"), None)]


def test_only_a_keeper_of_the_warehouse_counts_it_and_one_stocktake_is_open_at_a_time(inv):
    with pytest.raises(PermissionRefused):
        services.stocktake_start(user=inv.north_keeper, warehouse=inv.main)
    stocktake = services.stocktake_start(user=inv.keeper, warehouse=inv.main)

    with pytest.raises(DomainError) as refused:
        services.stocktake_start(user=inv.keeper, warehouse=inv.main)
    assert str(refused.value) == "A stocktake of this warehouse is already open: finish it first."
    with pytest.raises(PermissionRefused):
        services.stocktake_count(
            user=inv.north_keeper,
            stocktake=stocktake,
            counts=counts(stocktake, SW_01={"counted": 0}),
        )
    with pytest.raises(NotFound):
        services.stocktake_confirm(user=inv.rep, stocktake=stocktake)
    assert services.stocktake_start(user=inv.north_keeper, warehouse=inv.north)
    assert Stocktake.objects.filter(company=inv.company).count() == 2


def test_each_difference_needs_its_reason(inv):
    put_in(inv, inv.main, inv.switch, 7)
    stocktake = services.stocktake_start(user=inv.keeper, warehouse=inv.main)

    with pytest.raises(ValidationFailed) as refused:
        services.stocktake_count(
            user=inv.keeper,
            stocktake=stocktake,
            counts=counts(stocktake, SW_01={"counted": "6"}, CB_01={"counted": "x"}),
        )
    assert sorted(refused.value.errors["lines"]) == [
        "交换机: counted 6 against 7 in the books; give the reason for the difference.",
        "网线: Enter a quantity, e.g. 2 or 1.5.",
    ]
    assert not stocktake.lines.exclude(counted_quantity=None).exists()
    with pytest.raises(ValidationFailed) as refused:
        services.stocktake_count(user=inv.keeper, stocktake=stocktake, counts={0: {"counted": 1}})
    assert refused.value.errors == {"lines": ["Count only the lines of this stocktake."]}

    services.stocktake_count(
        user=inv.keeper,
        stocktake=stocktake,
        counts=counts(
            stocktake, SW_01={"counted": "6", "reason": " 损坏 1 台 "}, CB_01={"counted": "0"}
        ),
    )
    assert sorted(stocktake.lines.values_list("product__code", "counted_quantity", "reason")) == [
        ("CB-01", D("0"), ""),  # as in the books: no reason needed
        ("SW-01", D("6"), "损坏 1 台"),
    ]


def test_confirming_needs_every_line_counted_and_writes_the_differences_as_adjustments(inv):
    put_in(inv, inv.main, inv.switch, 7)
    put_in(inv, inv.main, inv.cable, 100)
    stocktake = services.stocktake_start(user=inv.keeper, warehouse=inv.main)
    services.stocktake_count(
        user=inv.keeper, stocktake=stocktake, counts=counts(stocktake, SW_01={"counted": "7"})
    )
    with pytest.raises(ValidationFailed) as refused:
        services.stocktake_confirm(user=inv.keeper, stocktake=stocktake)
    assert refused.value.errors == {"lines": ["Count every product first: 网线."]}
    services.stocktake_count(
        user=inv.keeper,
        stocktake=stocktake,
        counts=counts(
            stocktake,
            SW_01={"counted": "9", "reason": "上次漏记入库"},
            CB_01={"counted": "96.5", "reason": "截断损耗"},
        ),
    )

    confirmed = services.stocktake_confirm(user=inv.keeper, stocktake=stocktake)

    assert (confirmed.status, confirmed.confirmed_by) == ("confirmed", inv.keeper)
    assert confirmed.confirmed_at is not None
    assert level(inv.main, inv.switch) == D("9")
    assert level(inv.main, inv.cable) == D("96.5")
    moves = StockMovement.objects.filter(stocktake=stocktake).order_by("product__code")
    assert [(m.product.code, m.quantity, m.reason, m.note) for m in moves] == [
        ("CB-01", D("-3.50"), "stocktake", stocktake.number),
        ("SW-01", D("2.00"), "stocktake", stocktake.number),
    ]
    # Confirmed is history: it no longer changes, and the next count may start.
    with pytest.raises(DomainError):
        services.stocktake_count(
            user=inv.keeper, stocktake=stocktake, counts=counts(stocktake, SW_01={"counted": 1})
        )
    with pytest.raises(DomainError):
        services.stocktake_confirm(user=inv.keeper, stocktake=stocktake)
    assert StockMovement.objects.filter(stocktake=stocktake).count() == 2
    assert services.stocktake_start(user=inv.keeper, warehouse=inv.main).status == "draft"
    assert services.check_stock(inv.company.pk) == []


def test_a_count_without_differences_writes_no_movement(inv):
    put_in(inv, inv.main, inv.switch, 7)
    stocktake = services.stocktake_start(user=inv.keeper, warehouse=inv.main)
    services.stocktake_count(
        user=inv.keeper,
        stocktake=stocktake,
        counts=counts(stocktake, SW_01={"counted": "7"}, CB_01={"counted": "0"}),
    )

    services.stocktake_confirm(user=inv.keeper, stocktake=stocktake)

    assert not StockMovement.objects.filter(stocktake=stocktake).exists()
    assert level(inv.main, inv.switch) == D("7")


def test_stock_moved_during_the_count_is_kept_and_never_taken_below_zero(inv):
    put_in(inv, inv.main, inv.switch, 10)
    stocktake = services.stocktake_start(user=inv.keeper, warehouse=inv.main)
    services.slip_confirm(user=inv.keeper, slip=by_hand(inv, "outbound", [(inv.switch, 8)]))
    services.stocktake_count(
        user=inv.keeper,
        stocktake=stocktake,
        counts=counts(
            stocktake, SW_01={"counted": "7", "reason": "丢失 3 台"}, CB_01={"counted": "0"}
        ),
    )
    before = stock_papers(inv.company)

    # Counted 7 against 10 in the books: −3 on today's 2 would go below zero.
    with pytest.raises(DomainError) as refused:
        services.stocktake_confirm(user=inv.keeper, stocktake=stocktake)

    assert str(refused.value) == (
        "Not enough stock. 交换机: 2 in stock at 上海总仓, 3 needed (1 short)."
    )
    assert stock_papers(inv.company) == before

    services.stocktake_count(
        user=inv.keeper,
        stocktake=stocktake,
        counts=counts(stocktake, SW_01={"counted": "9", "reason": "丢失 1 台"}),
    )
    services.stocktake_confirm(user=inv.keeper, stocktake=stocktake)
    assert level(inv.main, inv.switch) == D("1")  # 10 − 8 out − 1 lost


# --- the ledger ---------------------------------------------------------------------------


def test_movements_are_never_changed_or_deleted(inv):
    put_in(inv, inv.main, inv.switch, 5)
    movement = StockMovement.objects.get(company=inv.company)

    movement.quantity = D("50")
    with pytest.raises(PermissionRefused):
        movement.save()
    with pytest.raises(PermissionRefused):
        movement.delete()
    with pytest.raises(PermissionRefused):
        StockMovement.objects.filter(pk=movement.pk).update(quantity=D("50"))
    with pytest.raises(PermissionRefused):
        StockMovement.objects.filter(pk=movement.pk).delete()
    with pytest.raises(PermissionRefused):
        StockMovement.objects.all().delete()

    movement.refresh_from_db()
    assert movement.quantity == D("5") and StockMovement.objects.count() == 1


def test_a_stock_level_never_goes_below_zero_in_the_database(inv):
    from django.db import IntegrityError, transaction

    put_in(inv, inv.main, inv.switch, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(company=inv.company).update(quantity=D("-1"))
    assert level(inv.main, inv.switch) == D("1")


def test_stock_equals_the_sum_of_movements_after_everything(inv, signed_order):
    put_in(inv, inv.main, inv.switch, 10)
    put_in(inv, inv.north, inv.cable, 50)
    services.slip_confirm(user=inv.keeper, slip=by_hand(inv, "inbound", [(inv.cable, 30)]))
    services.slip_reject(
        user=inv.keeper, slip=by_hand(inv, "inbound", [(inv.cable, 5)]), reason="错单"
    )
    order = signed_order([(inv.switch, 4), (inv.cable, 20), (inv.rack, 1)])
    slip = services.slip_from_order(user=inv.rep, agreement=order, warehouse=inv.main)
    services.slip_confirm(user=inv.keeper, slip=slip)
    ship(inv.rep, order)
    short = by_hand(inv, "outbound", [(inv.switch, 99)])
    with pytest.raises(DomainError):
        services.slip_confirm(user=inv.keeper, slip=short)
    stocktake = services.stocktake_start(user=inv.north_keeper, warehouse=inv.north)
    services.stocktake_count(
        user=inv.north_keeper,
        stocktake=stocktake,
        counts=counts(stocktake, SW_01={"counted": "0"}, CB_01={"counted": "48", "reason": "损耗"}),
    )
    services.stocktake_confirm(user=inv.north_keeper, stocktake=stocktake)

    assert services.check_stock(inv.company.pk) == []
    assert services.check_stock() == []
    assert sorted(
        StockLevel.objects.filter(company=inv.company).values_list(
            "warehouse__name", "product__code", "quantity"
        )
    ) == [
        ("上海总仓", "CB-01", D("10")),  # 30 in, 20 out
        ("上海总仓", "SW-01", D("6")),
        ("北京仓", "CB-01", D("48")),
    ]
    assert state(inv.rep, order) == "shipped"


def test_check_stock_reports_a_level_that_differs_from_its_movements(inv):
    put_in(inv, inv.main, inv.switch, 5)
    put_in(inv, inv.north, inv.cable, 3)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inventory_stocklevel SET quantity = 7 WHERE warehouse_id = %s",
            [inv.main.pk],
        )
        cursor.execute("DELETE FROM inventory_stocklevel WHERE warehouse_id = %s", [inv.north.pk])

    assert services.check_stock(inv.company.pk) == [
        "上海总仓 / SW-01: level 7, movements 5",
        f"warehouse {inv.north.pk} / product {inv.cable.pk}: no level, movements 3",
    ]


# --- the check_stock command --------------------------------------------------------------


def check_stock_command(*args) -> str:
    out = StringIO()
    call_command("check_stock", *args, stdout=out)
    return out.getvalue()


def test_check_stock_command_says_so_when_every_level_is_right(inv, other_org):
    put_in(inv, inv.main, inv.switch, 5)

    assert check_stock_command() == "Stock levels equal the sum of their movements.\n"
    assert check_stock_command("--company", "ALPHA") == (
        "Stock levels equal the sum of their movements.\n"
    )


def test_check_stock_command_prints_each_mismatch_and_fails(inv, other_org):
    put_in(inv, inv.main, inv.switch, 5)
    put_in(inv, inv.main, inv.cable, 2)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE inventory_stocklevel SET quantity = quantity + 1 WHERE company_id = %s",
            [inv.company.pk],
        )
    out = StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("check_stock", stdout=out)

    assert out.getvalue().splitlines() == [
        "alpha: 上海总仓 / CB-01: level 3, movements 2",
        "alpha: 上海总仓 / SW-01: level 6, movements 5",
    ]
    assert str(failed.value) == "2 stock levels differ from the sum of their movements."
    assert failed.value.returncode == 1
    # Another company's books are right.
    assert check_stock_command("--company", "beta") == (
        "Stock levels equal the sum of their movements.\n"
    )
    with pytest.raises(CommandError, match="No company with the code nope"):
        check_stock_command("--company", "nope")
