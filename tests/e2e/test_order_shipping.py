"""An order's goods leave the warehouse and ship, in Chromium: the rep asks for the outbound
slip of a signed order, the warehouse keeper confirms it from their queue (stock falls), and
the rep ships the order, which then shows as shipped."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from banyan.accounts import services
from banyan.accounts.models import Role
from banyan.agreements import services as agreement_services
from banyan.customers import services as customer_services
from banyan.inventory import services as inventory_services
from banyan.inventory.models import StockLevel, StockSlip
from banyan.products import services as product_services

from .test_login import PASSWORD, log_in


@pytest.fixture
def order(transactional_db):
    company, boss = services.company_create(
        code="acme", name="Acme Trading", plan="formal", boss_username="boss",
        boss_password=PASSWORD,
    )  # fmt: skip
    company.uses_inventory = True
    company.save()
    rep = services.user_create(
        actor=boss, username="rep", password=PASSWORD, real_name="Rep Li", role=Role.SALES,
        superior=boss,
    )  # fmt: skip
    keeper = services.user_create(
        actor=boss, username="keeper", password=PASSWORD, real_name="Deng Jianguo",
        role=Role.SALES, superior=boss, permissions=["warehouse_keeper"],
    )  # fmt: skip
    warehouse = inventory_services.warehouse_create(user=boss, name="上海总仓", keepers=[keeper])
    printer = product_services.product_create(
        user=boss, code="PR-01", name="Laser printer", kind="physical", list_price="3000.00",
        cost="2000.00", unit="台", tracks_stock=True,
    )  # fmt: skip
    inventory_services.initial_stock(
        user=keeper, warehouse=warehouse, lines=[{"product": printer.pk, "quantity": "10"}]
    )
    customer = customer_services.customer_create(user=rep, name="北京沃力科技有限公司")
    agreement = agreement_services.agreement_create(
        user=rep, kind="order", customer=customer, title="打印机采购",
        lines=[{"product": printer.pk, "quantity": "3"}],
    )  # fmt: skip
    return agreement_services.agreement_sign(user=rep, agreement=agreement)


def test_keeper_confirms_the_orders_outbound_slip_and_the_rep_ships_it(new_page, order):
    level = StockLevel.objects.get(product__code="PR-01")
    rep_page = new_page()
    log_in(rep_page, "rep")
    rep_page.wait_for_url(re.compile(r"/$"))
    rep_page.goto(f"/agreements/{order.pk}/")
    expect(rep_page.locator("#shipping-state")).to_have_text("Unshipped")
    expect(rep_page.locator("#order-ship-link")).to_have_count(0)  # nothing released yet
    rep_page.locator("#order-outbound-form select").select_option(label="上海总仓")
    rep_page.locator("#order-outbound-form button[type=submit]").click()
    expect(rep_page.locator("#order-slips")).to_contain_text("Waiting for confirmation")
    slip = StockSlip.objects.get(agreement=order)

    keeper_page = new_page()
    log_in(keeper_page, "keeper")
    keeper_page.wait_for_url(re.compile(r"/$"))
    keeper_page.click("nav#sidebar >> text=Stock slips to confirm")
    keeper_page.click(f"#queue-table >> text={slip.number}")
    keeper_page.locator("#slip-confirm-form button[type=submit]").click()
    expect(keeper_page.locator("main")).to_contain_text("Confirmed")
    level.refresh_from_db()
    assert level.quantity == Decimal("7.00")

    rep_page.goto(f"/agreements/{order.pk}/")
    rep_page.click("#order-ship-link")
    form = rep_page.locator("#shipment-form")
    form.locator("input[name=carrier]").fill("顺丰速运")
    form.locator("input[name=tracking_number]").fill("SF1234567890")
    expect(form.locator(f"input[name=quantity_{order.lines.get().pk}]")).to_have_value("3.00")
    form.locator("button[type=submit]").click()
    rep_page.wait_for_url(re.compile(rf"/agreements/{order.pk}/"))
    expect(rep_page.locator("#shipping-state")).to_have_text("Shipped")
    expect(rep_page.locator("#order-shipments")).to_contain_text("SF1234567890")
    assert inventory_services.check_stock(order.company_id) == []
