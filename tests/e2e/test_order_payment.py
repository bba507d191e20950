"""An order from the rep's side to finance's, in Chromium: the rep creates an order with two
discounted lines and a payment plan of two instalments; a finance user records a payment that
covers the first instalment, and the order shows what is still receivable."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from banyan.accounts import services
from banyan.accounts.models import Role
from banyan.agreements.models import Agreement
from banyan.customers import services as customer_services
from banyan.products import services as product_services
from banyan.products.models import Product

from .test_login import PASSWORD, log_in


@pytest.fixture
def team(transactional_db):
    _company, boss = services.company_create(
        code="acme", name="Acme Trading", plan="formal", boss_username="boss",
        boss_password=PASSWORD,
    )  # fmt: skip
    rep = services.user_create(
        actor=boss, username="rep", password=PASSWORD, real_name="Rep Li", role=Role.SALES,
        superior=boss,
    )  # fmt: skip
    finance = services.user_create(
        actor=boss, username="finance", password=PASSWORD, real_name="Xu Hui", role=Role.BOSS,
        permissions=["finance"],
    )  # fmt: skip
    product_services.product_create(
        user=boss, code="SRV-01", name="Tower server", kind="physical", list_price="12000.00",
        cost="8000.00", unit="台",
    )  # fmt: skip
    product_services.product_create(
        user=boss, code="SW-24", name="Switch 24 ports", kind="physical", list_price="2500.00",
        cost="1500.00", unit="台",
    )  # fmt: skip
    customer_services.customer_create(user=rep, name="北京沃力科技有限公司")
    return rep, finance


def test_rep_orders_with_discounts_and_a_plan_and_finance_covers_the_first_instalment(
    new_page, team
):
    page = new_page()
    log_in(page, "rep")
    page.wait_for_url(re.compile(r"/$"))

    # The order: 2 servers at 10% off, 4 switches at list price 5% off, 2% off the whole.
    page.click("nav#sidebar >> text=Orders")
    page.click("#add-agreement")
    form = page.locator("#agreement-form")
    form.locator("input[name=title]").fill("机房改造")
    form.locator("select[name=customer]").select_option(label="北京沃力科技有限公司")
    form.locator("input[name=discount_percent]").fill("2")
    first, second = form.locator("[data-line]").nth(0), form.locator("[data-line]").nth(1)
    first.locator("select").select_option(value=str(Product.objects.get(code="SRV-01").pk))
    expect(first.locator("[data-unit-price]")).to_have_value("12000.00")  # filled by the page
    first.locator("input[name$=quantity]").fill("2")
    first.locator("input[name$=discount_percent]").fill("10")
    second.locator("select").select_option(value=str(Product.objects.get(code="SW-24").pk))
    second.locator("input[name$=quantity]").fill("4")
    second.locator("input[name$=discount_percent]").fill("5")
    page.click("#save-agreement")
    page.wait_for_url(re.compile(r"/agreements/\d+/$"))

    order = Agreement.objects.get(title="机房改造")
    # 2 × 12000 × 0.90 = 21600; 4 × 2500 × 0.95 = 9500; (21600 + 9500) × 0.98 = 30478.
    assert order.kind == "order"
    assert order.lines_total == Decimal("31100.00")
    assert order.amount == Decimal("30478.00")
    expect(page.locator("#agreement-amount")).to_contain_text("30,478.00")
    expect(page.locator("#gross-profit-heading")).to_have_count(0)  # a rep sees no costs

    # Sign it, then plan two instalments.
    page.click("#sign-agreement")
    expect(page.locator("#agreement-title")).to_contain_text("Signed")
    for due_on, amount in (("2026-12-15", "15000.00"), ("2027-01-15", "15478.00")):
        page.click("#add-plan")
        plan_form = page.locator("#plan-form")
        plan_form.locator("input[name=due_on]").fill(due_on)
        plan_form.locator("input[name=amount]").fill(amount)
        plan_form.locator("button[type=submit]").click()
        page.wait_for_url(re.compile(rf"/agreements/{order.pk}/"))
    expect(page.locator("#plan-table")).to_contain_text("2026-12-15")
    expect(page.locator("#plan-table")).to_contain_text("2027-01-15")
    expect(page.locator("#record-payment")).to_have_count(0)  # a rep records no payments
    first_plan = order.payment_plans.get(due_on="2026-12-15")

    # Finance records a payment against the first instalment, from the finance desk.
    finance_page = new_page()
    log_in(finance_page, "finance")
    finance_page.wait_for_url(re.compile(r"/$"))
    finance_page.click("nav#sidebar >> text=Finance")
    expect(finance_page.locator("main")).to_contain_text(order.number)
    finance_page.goto(f"/agreements/{order.pk}/")
    finance_page.click(f"#plan-{first_plan.pk} >> text=Record payment")
    payment_form = finance_page.locator("#payment-form")
    expect(payment_form.locator("input[name=amount]")).to_have_value("15000.00")
    payment_form.locator("select[name=method]").select_option(label="Bank transfer")
    payment_form.locator("button[type=submit]").click()
    finance_page.wait_for_url(re.compile(rf"/agreements/{order.pk}/"))

    expect(finance_page.locator(f"#plan-{first_plan.pk}")).to_contain_text("Covered")
    expect(finance_page.locator("#money-paid")).to_contain_text("15,000.00")
    expect(finance_page.locator("#money-receivable")).to_contain_text("15,478.00")
    expect(finance_page.locator("#money-next-due")).to_contain_text("2027-01-15")
    first_plan.refresh_from_db()
    assert first_plan.is_covered
    order.refresh_from_db()
    assert (order.paid_amount, order.receivable) == (Decimal("15000.00"), Decimal("15478.00"))
