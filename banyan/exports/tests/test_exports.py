"""Exports: the rows a list shows the user, typed and neutralised cells, the permission, the
cost columns, the log and its files."""

import csv
import io
import re
from datetime import date, datetime, timedelta
from types import SimpleNamespace

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from banyan.accounts import services as account_services
from banyan.accounts.models import Company, User
from banyan.agreements import services as agreement_services
from banyan.customers import selectors as customer_selectors
from banyan.customers import services as customer_services
from banyan.exports import services
from banyan.exports.models import ExportJob
from banyan.exports.registry import all_kinds
from banyan.products import services as product_services

pytestmark = pytest.mark.django_db

FORMULA_NAME = '=HYPERLINK("http://evil.example","点我")'


def _grant(user, *codenames):
    admin = User.objects.get(company_id=user.company_id, is_admin=True)
    had = set(user.user_permissions.values_list("codename", flat=True))
    account_services.user_update(actor=admin, user=user, permissions=sorted(had | set(codenames)))


@pytest.fixture(scope="module")
def world(alpha_build, beta_build, django_db_blocker):
    """Customers of three reps (one named like a formula), contacts, products and an order,
    built once for the module inside the companies' module transaction."""
    assert alpha_build is not None
    with django_db_blocker.unblock():
        org = alpha_build
        _grant(org.boss, "export_data", "see_costs", "manage_products")
        for user in (org.sales1, org.manager1, org.sales3):
            _grant(user, "export_data")
        _grant(beta_build.boss, "export_data")

        def customer(owner, name, **fields):
            return customer_services.customer_create(
                user=owner, name=name, confirm_duplicates=True, **fields
            )

        own = [
            customer(org.sales1, "甲公司", phone="010-62345678"),
            customer(org.sales1, FORMULA_NAME),
            customer(org.sales1, "-10+20 公司", notes="+86 来电"),
        ]
        team = [customer(org.sales2, "乙公司"), customer(org.sales2, "@乙二")]
        other = [customer(org.sales3, "丙公司"), customer(org.sales4, "丁公司")]
        customer_services.contact_create(user=org.sales1, customer=own[0], name="张三")
        customer_services.contact_create(user=org.sales2, customer=team[0], name="李四")
        boss = User.objects.get(pk=org.boss.pk)
        product = product_services.product_create(
            user=boss,
            code="P-1",
            name="路由器",
            kind="physical",
            unit="台",
            list_price="199.50",
            cost="120.25",
        )
        order = agreement_services.agreement_create(
            user=org.sales1,
            kind="order",
            customer=own[0],
            title="首单",
            lines=[{"product": product.pk, "quantity": "3"}],
        )
        customer(beta_build.sales1, "别家公司")
    return SimpleNamespace(own=own, team=team, other=other, product=product, order=order)


def _read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _read_xlsx(content: bytes, sheet: int = 0) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [tuple(row) for row in workbook.worksheets[sheet].iter_rows(values_only=True)]


def _content(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _api_export(client, kind, format, filters=None):
    return client.post(
        "/api/v1/exports/",
        {"kind": kind, "format": format, "filters": filters or {}},
        format="json",
    )


def _download(client, answer) -> bytes:
    assert answer["status"] == "done", answer
    response = client.get(answer["download"])
    assert response.status_code == 200
    return _content(response)


# Rows as the list shows them ----------------------------------------------------------------


def test_a_reps_csv_export_holds_their_list_rows_only(world, org, api_as):
    client = api_as(org.sales1)

    response = _api_export(client, "customers", "csv")

    assert response.status_code == 201
    answer = response.json()
    assert set(answer) >= {"id", "status", "rows", "download"}
    rows = _read_csv(_download(client, answer))
    expected = [c.pk for c in customer_selectors.customer_list(org.sales1, ordering="-created_at")]
    assert [int(row[0]) for row in rows[1:]] == expected
    assert answer["rows"] == len(expected) == 3
    assert rows[0][:2] == ["ID", "Customer name"]
    owners = {row[rows[0].index("Owner (user name)")] for row in rows[1:]}
    assert owners == {"sales1"}


def test_a_managers_xlsx_export_holds_their_subtrees_rows(world, org, api_as):
    client = api_as(org.manager1)

    answer = _api_export(client, "customers", "xlsx").json()

    rows = _read_xlsx(_download(client, answer))
    ids = [row[0] for row in rows[1:]]
    listed = client.get("/api/v1/customers/", {"page_size": 100}).json()["results"]
    assert ids == [row["id"] for row in listed]
    assert set(ids) == {c.pk for c in world.own + world.team}


def test_the_api_filters_are_the_list_apis_parameters(world, org, api_as):
    client = api_as(org.manager1)

    answer = _api_export(client, "customers", "csv", {"search": "乙", "ordering": "name"}).json()

    rows = _read_csv(_download(client, answer))
    listed = client.get("/api/v1/customers/", {"search": "乙", "ordering": "name"}).json()
    assert [int(row[0]) for row in rows[1:]] == [row["id"] for row in listed["results"]]
    assert answer["rows"] == 2


def test_a_bad_api_filter_is_refused_naming_it(world, org, api_as):
    response = _api_export(api_as(org.sales1), "customers", "csv", {"ordering": "password"})

    assert response.status_code == 400
    assert "filters.ordering" in response.json()
    assert not ExportJob.objects.filter(user=org.sales1).exists()


def test_an_unknown_list_or_format_is_refused(world, org, api_as):
    client = api_as(org.sales1)

    assert _api_export(client, "salaries", "csv").status_code == 400
    assert "format" in _api_export(client, "customers", "pdf").json()


def test_the_page_button_exports_the_lists_filters_and_sort(world, org, client_as):
    client = client_as(org.manager1)
    page = client.get(reverse("customer-list"), {"q": "乙", "sort": "name"})
    assert b'data-export-kind="customers"' in page.content
    assert b'name="query" value="q=%E4%B9%99&amp;sort=name"' in page.content
    form = re.search(rb"<form[^>]*export-buttons.*?</form>", page.content, re.S).group(0)
    assert b'name="csrfmiddlewaretoken" value="' in form  # the POST passes the CSRF check

    response = client.post(
        reverse("export-start"), {"kind": "customers", "format": "csv", "query": "q=乙&sort=name"}
    )

    assert response.status_code == 200
    rows = _read_csv(_content(response))
    assert sorted(row[1] for row in rows[1:]) == sorted(["乙公司", "'@乙二"])
    job = ExportJob.objects.get(user=org.manager1)
    assert (job.status, job.rows, job.origin) == ("done", 2, "page")
    assert job.filters == {"q": "乙", "sort": "name"}


def test_the_page_xlsx_of_contacts_holds_the_reps_contacts(world, org, client_as):
    response = client_as(org.sales1).post(
        reverse("export-start"), {"kind": "contacts", "format": "xlsx", "query": ""}
    )

    assert response.status_code == 200
    rows = _read_xlsx(_content(response))
    assert [row[1] for row in rows[1:]] == ["张三"]


# The permission -----------------------------------------------------------------------------


def test_without_the_permission_there_is_no_export(world, org, api_as, client_as):
    before = ExportJob.objects.count()

    assert _api_export(api_as(org.sales2), "customers", "csv").status_code == 403
    page = client_as(org.sales2).get(reverse("customer-list"))
    assert page.status_code == 200
    assert b"export-buttons" not in page.content
    direct = client_as(org.sales2).post(
        reverse("export-start"), {"kind": "customers", "format": "csv", "query": ""}
    )
    assert direct.status_code == 403
    assert ExportJob.objects.count() == before


def test_the_button_shows_with_the_permission(world, org, client_as):
    page = client_as(org.sales1).get(reverse("product-list"))

    assert b'data-export-kind="products"' in page.content


# Cost columns -------------------------------------------------------------------------------


def test_cost_columns_only_for_who_sees_costs(world, org, api_as):
    rep = api_as(org.sales1)
    boss = api_as(org.boss)

    rep_rows = _read_xlsx(_download(rep, _api_export(rep, "products", "xlsx").json()))
    boss_rows = _read_xlsx(_download(boss, _api_export(boss, "products", "xlsx").json()))

    assert "Cost" not in rep_rows[0]
    assert "Cost" in boss_rows[0]
    cost = boss_rows[1][boss_rows[0].index("Cost")]
    assert cost == pytest.approx(120.25)


def test_an_orders_lines_sheet_has_gross_profit_only_with_the_cost_permission(world, org, api_as):
    rep = api_as(org.sales1)
    boss = api_as(org.boss)

    rep_content = _download(rep, _api_export(rep, "orders", "xlsx").json())
    boss_content = _download(boss, _api_export(boss, "orders", "xlsx").json())

    rep_lines = _read_xlsx(rep_content, sheet=1)
    boss_lines = _read_xlsx(boss_content, sheet=1)
    assert "Gross profit" not in rep_lines[0] and "Unit cost" not in rep_lines[0]
    assert rep_lines[1][rep_lines[0].index("Quantity")] == 3
    gross = boss_lines[1][boss_lines[0].index("Gross profit")]
    assert gross == pytest.approx(3 * 199.50 - 3 * 120.25)


# Cells ----------------------------------------------------------------------------------------


def test_formula_cells_are_neutralised_in_csv_and_xlsx(world, org, api_as):
    client = api_as(org.sales1)

    csv_rows = _read_csv(_download(client, _api_export(client, "customers", "csv").json()))
    xlsx_rows = _read_xlsx(_download(client, _api_export(client, "customers", "xlsx").json()))

    for rows in (csv_rows, xlsx_rows):
        names = {row[1] for row in rows[1:]}
        assert names == {"甲公司", "'" + FORMULA_NAME, "'-10+20 公司"}
        notes = {row[-1] for row in rows[1:]}
        assert "'+86 来电" in notes


def test_a_control_character_does_not_break_the_xlsx(world, org, api_as):
    customer = world.own[0]
    customer_services.customer_change(user=org.sales1, customer=customer, notes="甲\x07乙\x1b")
    client = api_as(org.sales1)

    rows = _read_xlsx(_download(client, _api_export(client, "customers", "xlsx").json()))

    assert "甲乙" in {row[-1] for row in rows[1:]}


def test_numbers_and_dates_stay_typed_in_xlsx(world, org, api_as):
    client = api_as(org.sales1)

    rows = _read_xlsx(_download(client, _api_export(client, "orders", "xlsx").json()))

    header, row = rows[0], rows[1]
    assert isinstance(row[header.index("Amount")], int | float)
    assert row[header.index("Amount")] == pytest.approx(598.50)
    created = row[header.index("Created")]
    assert isinstance(created, datetime)
    local = timezone.localtime(world.order.created_at, org.company.zone).replace(tzinfo=None)
    assert abs(created - local) < timedelta(seconds=1)
    assert isinstance(row[0], int)


def test_csv_rows_read_in_a_fixed_number_of_queries(world, org, client_as):
    client = client_as(org.boss)

    def export_queries() -> tuple[int, int]:
        connection.queries_log.clear()  # a full log (it keeps 9,000) would count nothing
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                reverse("export-start"), {"kind": "customers", "format": "csv", "query": ""}
            )
            rows = _read_csv(_content(response))
        return len(queries), len(rows)

    few, few_rows = export_queries()
    for number in range(30):
        customer_services.customer_create(
            user=org.sales1, name=f"批量{number}", confirm_duplicates=True
        )
    many, many_rows = export_queries()

    assert many_rows == few_rows + 30
    assert 0 < many == few


# Large exports, the log and its files -----------------------------------------------------------


def test_a_large_export_runs_on_the_worker_and_waits_in_the_log(world, org, client_as, settings):
    settings.EXPORT_INLINE_ROWS = 1
    client = client_as(org.manager1)

    response = client.post(
        reverse("export-start"), {"kind": "customers", "format": "xlsx", "query": ""}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("export-log")
    job = ExportJob.objects.get(user=org.manager1)
    assert (job.status, job.rows) == ("done", 5)  # the immediate backend ran the task
    log = client.get(reverse("export-log"))
    assert reverse("export-download", args=[job.pk]).encode() in log.content
    assert len(_read_xlsx(_content(client.get(reverse("export-download", args=[job.pk]))))) == 6


def test_a_csv_too_long_to_stream_goes_to_the_worker(world, org, client_as, settings):
    settings.EXPORT_STREAM_ROWS = 2
    client = client_as(org.manager1)

    response = client.post(
        reverse("export-start"), {"kind": "customers", "format": "csv", "query": ""}
    )

    assert response.status_code == 302
    job = ExportJob.objects.get(user=org.manager1)
    assert (job.status, job.rows, job.format) == ("done", 5, "csv")
    content = _content(client.get(reverse("export-download", args=[job.pk])))
    assert len(_read_csv(content)) == 6


def test_the_file_is_served_only_to_who_made_it(world, org, other_org, api_as, client_as):
    answer = _api_export(api_as(org.sales1), "customers", "csv").json()
    job_id = answer["id"]

    boss = api_as(org.boss)
    assert job_id in [row["id"] for row in boss.get("/api/v1/exports/").json()["results"]]
    assert boss.get(f"/api/v1/exports/{job_id}/").json()["download"] is None
    assert boss.get(f"/api/v1/exports/{job_id}/download/").status_code == 404
    assert api_as(org.manager1).get(f"/api/v1/exports/{job_id}/").status_code == 404
    assert api_as(org.manager1).get(f"/api/v1/exports/{job_id}/download/").status_code == 404
    stranger = api_as(other_org.boss)
    assert stranger.get(f"/api/v1/exports/{job_id}/").status_code == 404
    assert stranger.get(f"/api/v1/exports/{job_id}/download/").status_code == 404
    page_url = reverse("export-download", args=[job_id])
    assert client_as(org.boss).get(page_url).status_code == 404
    assert client_as(other_org.boss).get(page_url).status_code == 404
    assert client_as(org.sales1).get(page_url).status_code == 200


def test_an_admin_boss_sees_the_companys_log_and_a_rep_their_own(world, org, client_as, api_as):
    _api_export(api_as(org.sales1), "customers", "csv")
    _api_export(api_as(org.manager1), "contacts", "csv")

    boss_log = client_as(org.boss).get(reverse("export-log"))
    rep_log = client_as(org.sales1).get(reverse("export-log"))

    assert len(re.findall(rb'id="export-\d+"', boss_log.content)) == 2
    assert len(re.findall(rb'id="export-\d+"', rep_log.content)) == 1
    assert len(api_as(org.sales1).get("/api/v1/exports/").json()["results"]) == 1
    assert b'href="/account/exports/"' in rep_log.content  # the account menu's entry


def test_files_past_keeping_are_swept(world, org, api_as):
    client = api_as(org.sales1)
    answer = _api_export(client, "customers", "csv").json()
    job = ExportJob.objects.get(pk=answer["id"])
    path = services.export_file_path(job)
    assert path.is_file()
    ExportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(days=8))

    assert client.get(f"/api/v1/exports/{job.pk}/download/").status_code == 404
    assert services.export_sweep() == 1

    assert not path.exists()
    assert ExportJob.objects.get(pk=job.pk).file_removed


# Every list ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_every_list_exports_from_the_page_and_the_api(world, org, api_as, client_as, format):
    Company.objects.filter(pk=org.company.pk).update(uses_inventory=True)
    kinds = [kind.key for kind in all_kinds()]
    assert {
        "customers",
        "contacts",
        "activities",
        "tasks",
        "opportunities",
        "contracts",
        "orders",
        "payment_plans",
        "payments",
        "invoices",
        "products",
        "stock",
        "stock_slips",
        "purchase_orders",
        "sms",
        "emails",
    } <= set(kinds)
    api = api_as(org.boss)
    page = client_as(org.boss)

    for kind in kinds:
        answer = _api_export(api, kind, format).json()
        assert answer["status"] == "done", (kind, answer)
        response = page.post(reverse("export-start"), {"kind": kind, "format": format, "query": ""})
        assert response.status_code == 200, kind
        content = _content(response)
        header = _read_csv(content)[0] if format == "csv" else _read_xlsx(content)[0]
        assert len(header) > 2, kind


def test_the_headers_follow_the_users_language(world, org, api_as):
    client = api_as(org.sales1)

    answer = client.post(
        "/api/v1/exports/",
        {"kind": "customers", "format": "csv"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).json()

    rows = _read_csv(_download(client, answer))
    assert rows[0][1] == "客户名称"


def test_a_date_column_is_a_date(world, org, api_as):
    client = api_as(org.sales1)
    contact = world.own[0]
    customer_services.contact_create(
        user=org.sales1, customer=contact, name="王五", birthday=date(1990, 5, 4)
    )

    rows = _read_xlsx(_download(client, _api_export(client, "contacts", "xlsx").json()))

    birthdays = [row[rows[0].index("Birthday")] for row in rows[1:]]
    assert datetime(1990, 5, 4) in birthdays


def test_the_export_log_reads_in_a_fixed_number_of_queries(world, org, api_as, client_as):
    client = client_as(org.boss)
    client.get(reverse("export-log"))  # the session and the menu, once

    def log_queries() -> tuple[int, bytes]:
        connection.queries_log.clear()  # a full log (it keeps 9,000) would count nothing
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("export-log"))
        return len(queries), page.content

    for user in (org.sales1, org.manager1, org.boss):
        _api_export(api_as(user), "customers", "csv")
    few, _content_few = log_queries()
    for user in (org.sales1, org.manager1, org.boss, org.sales1, org.manager1):
        _api_export(api_as(user), "contacts", "csv")
    many, content = log_queries()

    assert 0 < many == few
    assert len(re.findall(rb'id="export-\d+"', content)) == 8


def test_the_sweep_command_removes_old_files(world, org, api_as):
    from io import StringIO

    from django.core.management import call_command

    answer = _api_export(api_as(org.sales1), "customers", "csv").json()
    ExportJob.objects.filter(pk=answer["id"]).update(created_at=timezone.now() - timedelta(days=30))
    out = StringIO()

    call_command("sweep_exports", stdout=out)

    assert "export files removed: 1" in out.getvalue()


def test_a_failed_export_says_why_and_leaves_no_file(world, org, monkeypatch):
    from banyan.exports import writers

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writers, "write_xlsx", broken)
    folder = services._export_root() / "exports" / str(org.company.pk)
    before = set(folder.glob("*"))

    job = services.export_start(user=org.sales1, kind="customers", format="xlsx")

    assert (job.status, job.error, job.file) == ("failed", "disk full", "")
    assert set(folder.glob("*")) == before


def test_an_id_no_row_can_have_is_not_found(world, org, api_as, client_as):
    client = api_as(org.sales1)

    assert client.get("/api/v1/exports/99999999999999999999/").status_code == 404
    assert client.get("/api/v1/exports/99999999999999999999/download/").status_code == 404
    assert (
        client_as(org.sales1).get("/account/exports/99999999999999999999/download/").status_code
        == 404
    )


def test_the_schema_documents_the_exports_api(db, api_client):
    response = api_client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert set(paths["/api/v1/exports/"]) == {"get", "post"}
    assert set(paths["/api/v1/exports/{id}/"]) == {"get"}
    assert set(paths["/api/v1/exports/{id}/download/"]) == {"get"}
    fields = schema["components"]["schemas"]["ExportJob"]["properties"]
    assert {"id", "status", "rows", "download", "kind", "format", "filters"} <= set(fields)
    assert {"kind", "format", "filters"} <= set(
        schema["components"]["schemas"]["ExportRequestRequest"]["properties"]
    )


def test_an_orders_export_follows_the_customers_line(world, org, api_as):
    def numbers(user):
        client = api_as(user)
        rows = _read_csv(_download(client, _api_export(client, "orders", "csv").json()))
        return [row[rows[0].index("Number")] for row in rows[1:]]

    assert numbers(org.sales1) == [world.order.number]
    assert numbers(org.manager1) == [world.order.number]
    assert numbers(org.sales3) == []


def test_a_large_api_export_is_done_by_the_worker_within_the_request(world, org, api_as, settings):
    settings.EXPORT_INLINE_ROWS = 1
    client = api_as(org.manager1)

    response = _api_export(client, "customers", "xlsx")

    assert response.status_code == 201
    answer = response.json()
    assert (answer["status"], answer["rows"]) == ("done", 5)  # the immediate backend
    assert len(_read_xlsx(_download(client, answer))) == 6
    assert client.get(f"/api/v1/exports/{answer['id']}/").json()["status"] == "done"
