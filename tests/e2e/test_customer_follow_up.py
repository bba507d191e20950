"""A rep's daily loop in Chromium: a new customer with a contact, a call logged with the next
follow-up scheduled, the follow-up in the calendar; a peer rep cannot open that customer."""

import datetime
import re
import zoneinfo

import pytest
from playwright.sync_api import expect

from banyan.accounts import services
from banyan.accounts.models import Role
from banyan.customers.models import Customer

from .test_login import PASSWORD, log_in, path_of


@pytest.fixture
def team(transactional_db):
    _company, boss = services.company_create(
        code="acme", name="Acme Trading", plan="formal", boss_username="boss",
        boss_password=PASSWORD,
    )  # fmt: skip
    manager = services.user_create(
        actor=boss, username="director", password=PASSWORD, role=Role.DIRECTOR, superior=boss
    )
    rep = services.user_create(
        actor=boss, username="rep", password=PASSWORD, real_name="Rep Li", role=Role.SALES,
        superior=manager,
    )  # fmt: skip
    peer = services.user_create(
        actor=boss, username="peer", password=PASSWORD, role=Role.SALES, superior=manager
    )
    return rep, peer


def test_rep_creates_a_customer_logs_a_call_and_sees_the_follow_up_in_the_calendar(new_page, team):
    page = new_page()
    log_in(page, "rep")
    page.wait_for_url(re.compile(r"/$"))

    page.click("nav#sidebar >> text=Customers")
    page.click("#add-customer")
    page.fill("#customer-form input[name=name]", "北京沃力科技有限公司")
    page.fill("#customer-form input[name=phone]", "010-6288 1234")
    page.fill("#customer-form input[name=contact_name]", "张伟")
    page.fill("#customer-form input[name=contact_mobile]", "+86 138 0013 8000")
    page.click("#customer-form button[type=submit]")
    page.wait_for_url(re.compile(r"/customers/\d+/$"))
    customer_url = path_of(page)
    expect(page.locator("h1")).to_contain_text("北京沃力科技有限公司")
    expect(page.locator("body")).to_contain_text("张伟")
    customer = Customer.objects.get(name="北京沃力科技有限公司")
    assert customer.phone == "010-62881234"
    assert customer.contacts.get().mobile == "13800138000"

    # Log the call and schedule the next follow-up, in one form.
    page.click("#log-with-follow-up")
    zone = zoneinfo.ZoneInfo("Asia/Shanghai")
    tomorrow = datetime.datetime.now(zone).date() + datetime.timedelta(days=1)
    form = page.locator("#activity-log-form")
    form.locator("select[name=type]").select_option(label="Phone call")
    form.locator("input[name=subject]").fill("电话沟通了需求，对方关心交付周期")
    form.locator("input[name=next_subject]").fill("发送正式报价单")
    form.locator("input[name=next_due_at]").fill(f"{tomorrow:%Y-%m-%d}T10:30")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(customer_url) + r"$"))
    expect(page.locator("body")).to_contain_text("电话沟通了需求")
    customer.refresh_from_db()
    assert customer.last_contacted_at is not None

    # The follow-up is in the week's calendar, on tomorrow at 10:30 local time.
    page.goto(f"/calendar/?view=week&date={tomorrow:%Y-%m-%d}")
    expect(page.locator("main")).to_contain_text("发送正式报价单")
    expect(page.locator("main")).to_contain_text("10:30")

    # A peer rep in the same team cannot open that customer's page.
    peer_page = new_page()
    log_in(peer_page, "peer")
    peer_page.wait_for_url(re.compile(r"/$"))
    response = peer_page.goto(customer_url)
    assert response.status == 404
    expect(peer_page.locator("body")).not_to_contain_text("北京沃力科技有限公司")
