"""The sales-performance report in Chromium: the chart is drawn (a canvas or SVG inside the
chart element) with no console error, the range switches, and a figure's drill-down opens
the payment list whose net total is that figure, row for row."""

import re

import pytest
from playwright.sync_api import expect

from banyan.accounts import services
from banyan.accounts.models import DictionaryOption, Role
from banyan.agreements import services as agreement_services
from banyan.customers import services as customer_services
from banyan.finance import services as finance_services
from banyan.products import services as product_services

from .test_login import PASSWORD, log_in


@pytest.fixture
def sales(transactional_db):
    company, boss = services.company_create(
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
    services.user_update(
        actor=boss, user=boss, permissions=["manage_products", "see_costs", "export_data"]
    )
    product = product_services.product_create(
        user=boss, code="SRV-01", name="Tower server", kind="physical", list_price="12000.00",
        cost="8000.00", unit="台",
    )  # fmt: skip
    customer = customer_services.customer_create(user=rep, name="北京沃力科技有限公司")
    order = agreement_services.agreement_create(
        user=rep, kind="order", customer=customer, title="机房改造",
        lines=[{"product": product.pk, "quantity": "1"}],
    )  # fmt: skip
    today = company.today()
    order = agreement_services.agreement_sign(user=rep, agreement=order, signed_on=today)
    method = DictionaryOption.objects.get(company=company, kind="payment_method", code="cash")
    for amount in ("3000.00", "1500.50"):
        finance_services.payment_record(
            user=finance, agreement=order, amount=amount, paid_on=today, method=method
        )
    return rep


def test_the_boss_reads_sales_performance_and_drills_down_to_the_payments(new_page, sales):
    page = new_page()
    errors = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and errors.append(f"{message.text} {message.location.get('url')}")
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, "boss")
    page.wait_for_url(re.compile(r"/$"))

    page.click("nav#sidebar >> text=Reports")
    page.click("[data-report=sales-performance]")
    page.wait_for_url(re.compile(r"/reports/sales-performance/"))
    expect(page.locator("#report-chart canvas, #report-chart svg").first).to_be_attached()
    figure = page.locator("#report-table tr.report-row", has_text="Rep Li").locator(
        "td[data-key=payment_amount] a"
    )
    expect(figure).to_have_text("¥4,500.50")

    # Last month: nothing was paid; the range shown follows.
    this_month = page.locator("#report-range").get_attribute("data-from")
    page.select_option("#report-controls select[name=range]", "last_month")
    page.click("#report-controls button[type=submit]")
    expect(page.locator("#report-range")).not_to_have_attribute("data-from", this_month)
    expect(
        page.locator("#report-table tr.report-row", has_text="Rep Li").locator(
            "td[data-key=payment_amount]"
        )
    ).to_have_text("¥0.00")
    expect(page.locator("#report-chart canvas, #report-chart svg").first).to_be_attached()

    page.select_option("#report-controls select[name=range]", "this_month")
    page.click("#report-controls button[type=submit]")
    expect(page.locator("#report-range")).to_have_attribute("data-from", this_month)
    figure.click()
    page.wait_for_url(re.compile(r"/finance/payments/\?"))
    expect(page.locator("#total-count")).to_have_text("2")
    expect(page.locator("#total-net")).to_have_text("¥4,500.50")
    # The site has no favicon yet: the browser's own request for it is not the page's error.
    assert [error for error in errors if not error.endswith("/favicon.ico")] == []
