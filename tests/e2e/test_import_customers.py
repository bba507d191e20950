"""An admin boss imports a GBK CSV as Chinese Excel saves it: the preview lists the bad row,
the import shows its progress bar, and the customers are in the list."""

import re

import pytest
from playwright.sync_api import expect

from banyan.accounts import services
from banyan.customers.models import Customer

from .test_login import PASSWORD, log_in


@pytest.fixture
def boss(transactional_db):
    _company, boss = services.company_create(
        code="acme", name="Acme Trading", plan="formal", boss_username="boss",
        boss_password=PASSWORD,
    )  # fmt: skip
    return boss


def test_a_gbk_file_is_previewed_imported_and_found_in_the_list(new_page, boss, tmp_path):
    rows = [
        "客户名称,客户类型,电话,联系人,手机",
        "北京沃力森信息技术有限公司,潜在客户,010-62669000,张三,１３８１２３４５６７８",
        "上海榕树贸易有限公司,普通客户,,李四,13912345678",
        "坏手机公司,,,王五,1381234",
    ]
    path = tmp_path / "客户.csv"
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode("gbk"))
    page = new_page()
    log_in(page, "boss")
    page.wait_for_url(re.compile(r"/$"))

    page.click("ul#nav-account >> text=Import data")
    page.select_option("#import-upload select[name=kind]", "customers")
    page.set_input_files("#import-upload input[name=file]", str(path))
    page.click("#import-upload button[type=submit]")
    page.wait_for_url(re.compile(r"/imports/\d+/$"))

    expect(page.locator("#import-status")).to_contain_text("Checked")
    expect(page.locator("#import-rows-valid")).to_have_text("2")
    expect(page.locator("#import-errors")).to_contain_text("a mobile number has 11 digits")
    assert not Customer.objects.exists()
    page.click("#import-confirm")
    expect(page.locator("#import-status")).to_contain_text("Done")
    expect(page.locator("#import-progress")).to_have_attribute("aria-valuenow", "100")

    page.click("nav#sidebar >> text=Customers")
    expect(page.locator("body")).to_contain_text("北京沃力森信息技术有限公司")
    expect(page.locator("body")).to_contain_text("上海榕树贸易有限公司")
    assert Customer.objects.count() == 2
