"""Logging in through the real login page, in Chromium: menus by role, errors, phone width."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from banyan.accounts import services
from banyan.accounts.models import Role

PASSWORD = "Banyan-e2e-2026"
SCREENSHOT = "/tmp/banyan-home.png"


@pytest.fixture
def company(transactional_db):
    """A formal company: an admin boss and a sales rep reporting to them."""
    company, boss = services.company_create(
        code="acme",
        name="Acme Trading",
        plan="formal",
        boss_username="boss",
        boss_password=PASSWORD,
        boss_real_name="Boss Wang",
    )
    rep = services.user_create(
        actor=boss,
        username="rep",
        password=PASSWORD,
        real_name="Rep Li",
        role=Role.SALES,
        superior=boss,
    )
    return company, boss, rep


def log_in(page, username, password=PASSWORD, code="acme"):
    page.goto("/login/")
    page.fill("input[name=company]", code)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.fill("input[name=captcha_1]", "PASSED")
    page.click("#login-form button[type=submit]")


def path_of(page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]


def test_rep_logs_in_and_sees_the_workbench_without_the_account_menu(page, company):
    log_in(page, "rep")
    page.wait_for_url(re.compile(r"/$"))
    assert path_of(page) == "/"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    nav = page.locator("nav#sidebar ul#nav-main")
    expect(nav).to_contain_text("Workbench")
    expect(page.locator("ul#nav-account")).to_have_count(0)
    expect(page.locator("#user-menu")).to_contain_text("Rep Li")

    # Switching to Chinese: the page comes back in zh-hans (工作台 once translations exist).
    page.select_option("#language-select", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert path_of(page) == "/"
    if Path(settings.BASE_DIR, "locale/zh_Hans/LC_MESSAGES/django.mo").exists():
        expect(page.locator("ul#nav-main")).to_contain_text("工作台")


def test_admin_boss_sees_the_account_menu(page, company):
    log_in(page, "boss")
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("ul#nav-main")).to_contain_text("Workbench")
    expect(page.locator("ul#nav-account")).to_be_visible()
    expect(page.locator("ul#nav-account")).to_contain_text("Users")
    page.screenshot(path=SCREENSHOT, full_page=True)


def test_wrong_password_shows_an_error_and_stays_on_the_login_page(page, company):
    log_in(page, "rep", password="not-the-password")
    error = page.locator("#login-form .alert-danger")
    expect(error).to_be_visible()
    expect(error).not_to_be_empty()
    assert path_of(page) == "/login/"
    expect(page.locator("ul#nav-main")).to_have_count(0)
    # What the user typed is kept, except the password.
    expect(page.locator("input[name=company]")).to_have_value("acme")
    expect(page.locator("input[name=username]")).to_have_value("rep")
    expect(page.locator("input[name=password]")).to_have_value("")


def test_phone_width_hides_the_sidebar_behind_the_menu_button(new_page, company):
    page = new_page(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    log_in(page, "rep")
    page.wait_for_url(re.compile(r"/$"))
    sidebar = page.locator("nav#sidebar")
    expect(sidebar).to_be_hidden()
    menu_button = page.locator("button[aria-controls=sidebar]")
    expect(menu_button).to_be_visible()
    menu_button.click()
    expect(sidebar).to_be_visible()
    expect(sidebar.locator("ul#nav-main")).to_contain_text("Workbench")
    # The page does not scroll sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
