"""The boss's workbench in Chromium: the dashboard is loaded after the page, its trend charts
are drawn (a canvas inside each chart element) with no console error, and a figure's link
opens the list of the records behind it with the same count."""

import re

import pytest
from playwright.sync_api import expect

from banyan.accounts import services
from banyan.accounts.models import DictionaryOption, Role
from banyan.activities import services as activity_services
from banyan.customers import services as customer_services

from .test_login import PASSWORD, log_in


@pytest.fixture
def team(transactional_db):
    company, boss = services.company_create(
        code="acme", name="Acme Trading", plan="formal", boss_username="boss",
        boss_password=PASSWORD,
    )  # fmt: skip
    rep = services.user_create(
        actor=boss, username="rep", password=PASSWORD, real_name="Rep Li", role=Role.SALES,
        superior=boss,
    )  # fmt: skip
    call = DictionaryOption.objects.get(company=company, kind="activity_type", code="call")
    for name in ("北京沃力科技有限公司", "上海远航贸易有限公司"):
        customer = customer_services.customer_create(user=rep, name=name)
        activity_services.activity_log(user=rep, customer=customer, type=call, subject="电话沟通")
    return boss


def test_the_boss_sees_the_dashboard_with_its_charts_and_follows_a_figure(new_page, team):
    page = new_page()
    errors = []

    def on_console(message):
        # A resource that failed is caught by its response below (the browser's own
        # /favicon.ico request is not ours).
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def on_response(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            errors.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", on_response)
    log_in(page, "boss")
    page.wait_for_url(re.compile(r"/$"))

    dashboard = page.locator("#dashboard")
    expect(dashboard).to_be_visible()
    customers = page.locator("#dashboard-customers")
    expect(customers.locator("[data-figure=this-month]")).to_have_text("2")
    expect(page.locator("#dashboard-activities [data-figure=this-month]")).to_have_text("2")
    expect(page.locator(".dashboard-trend canvas")).to_have_count(5)
    assert errors == []

    customers.locator("a.dashboard-link").click()
    page.wait_for_url(re.compile(r"/customers/\?created_from="))
    expect(page.locator("#customer-table tbody tr")).to_have_count(2)
    assert errors == []
