"""The import pages: upload, the preview table, the progress bar, confirm and revert."""

import re

from django.urls import reverse

from banyan.customers.models import Customer
from banyan.imports import services
from banyan.imports.models import ImportJob
from banyan.imports.tests import files


def test_the_import_entry_is_in_the_account_menu_and_on_the_lists(org, client_as, grant):
    client = client_as(org.sales1)

    page = client.get(reverse("customer-list")).content.decode()
    assert 'id="import-customers"' in page
    assert 'id="nav-account"' not in page  # the account menu is the admin bosses'
    boss_page = client_as(org.boss).get(reverse("customer-list")).content.decode()
    account_menu = boss_page[boss_page.index('id="nav-account"') :]
    assert f'href="{reverse("import-list")}"' in account_menu[: account_menu.index("</ul>")]
    manager = grant(org.sales1, "manage_products")
    products = client_as(manager).get(reverse("product-list")).content.decode()
    assert 'id="import-products"' in products


def test_upload_shows_the_preview_then_confirm_imports(org, client_as):
    client = client_as(org.sales1)
    rows = [
        ["客户名称", "联系人", "手机"],
        ["北京沃力森信息技术有限公司", "张三", "13812345678"],
        ["坏公司", "李四", "123"],
    ]

    response = client.post(
        reverse("import-list"),
        {"kind": "customers", "file": files.csv(rows, encoding="gbk"), "on_duplicate": "skip"},
    )

    job = ImportJob.objects.get(company=org.company)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'id="import-errors"' in page and "坏公司" not in page  # row 3, column 手机
    assert "<td>3</td><td>手机</td>" in page
    assert 'id="import-confirm"' in page, page[page.index('id="import-job"') :][:3000]

    client.post(reverse("import-confirm", args=[job.pk]))

    assert Customer.objects.filter(company=org.company).count() == 1
    page = client.get(job.get_absolute_url()).content.decode()
    assert 'id="import-revert"' in page and 'id="import-confirm"' not in page


def test_a_refused_file_is_shown_on_the_form(org, client_as):
    client = client_as(org.sales1)

    response = client.post(
        reverse("import-list"),
        {"kind": "customers", "file": files.raw(b"%PDF-1.7 ...", "a.xlsx"), "on_duplicate": "skip"},
    )

    assert response.status_code == 400
    assert "not an Excel workbook" in response.content.decode()
    assert not ImportJob.objects.filter(company=org.company).exists()


def test_a_working_job_polls_its_progress(org, client_as):
    job = services.import_job_create(
        user=org.sales1, kind="customers", upload=files.csv([["客户名称"], ["甲"]])
    )
    ImportJob.objects.filter(pk=job.pk).update(status="running", progress=40)
    client = client_as(org.sales1)

    fragment = client.get(reverse("import-progress", args=[job.pk])).content.decode()

    assert 'hx-trigger="every 1s"' in fragment
    assert 'aria-valuenow="40"' in fragment
    ImportJob.objects.filter(pk=job.pk).update(status="done", progress=100)
    fragment = client.get(reverse("import-progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in fragment


def test_another_users_job_is_a_404(org, other_org, client_as):
    job = services.import_job_create(
        user=org.sales1, kind="customers", upload=files.csv([["客户名称"], ["甲"]])
    )
    for outsider in (org.sales2, other_org.boss):
        client = client_as(outsider)
        for name in ("import-detail", "import-progress"):
            assert client.get(reverse(name, args=[job.pk])).status_code == 404
        assert client.post(reverse("import-confirm", args=[job.pk])).status_code == 404
        assert client.post(reverse("import-revert", args=[job.pk])).status_code == 404
    assert client_as(org.boss).get(job.get_absolute_url()).status_code == 200


def test_the_list_page_has_a_fixed_query_count(org, client_as, django_assert_max_num_queries):
    for n in range(3):
        services.import_job_create(
            user=org.sales1, kind="customers", upload=files.csv([["客户名称"], [f"甲{n}"]])
        )
    client = client_as(org.sales1)
    client.get(reverse("import-list"))  # warm the caches

    with django_assert_max_num_queries(12):
        response = client.get(reverse("import-list"))

    assert len(re.findall(r'href="/imports/\d+/"', response.content.decode())) == 3


def test_the_template_links_give_files(org, client_as):
    client = client_as(org.sales1)

    response = client.get(reverse("import-template", args=["customers", "csv"]))

    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert client.get("/imports/templates/nope.csv").status_code == 404
