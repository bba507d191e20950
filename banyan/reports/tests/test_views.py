"""The report pages, the API and the export: who sees what, the contract, the .xlsx."""

import io

import pytest
from openpyxl import load_workbook

from banyan.exports.models import ExportJob
from banyan.reports.tests.conftest import Builder

pytestmark = pytest.mark.django_db

NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}
REPORTS = ["sales-performance", "pipeline", "activities"]


@pytest.mark.parametrize("name", REPORTS)
@pytest.mark.parametrize("who", ["boss", "sales1"])
def test_every_report_page_and_api_answer(org, client_as, api_as, sales, name, who):
    user = getattr(org, who)
    page = client_as(user).get(f"/reports/{name}/", {**NOVEMBER, "range": "custom"})
    assert page.status_code == 200
    assert b'id="report-table"' in page.content
    assert b'id="report-chart-data"' in page.content
    assert (b'id="report-own-only"' in page.content) == (who == "sales1")
    data = api_as(user).get(f"/api/v1/reports/{name}/", NOVEMBER).json()
    assert list(data)[:7] == ["name", "from", "to", "group_by", "columns", "rows", "totals"]
    assert data["name"] == name
    keys = {column["key"] for column in data["columns"]}
    for row in data["rows"]:
        assert keys <= set(row)
        assert row["drilldown"].startswith("http://testserver/")


def test_the_api_carries_exact_money_and_the_rights(org, api_as, sales):
    data = api_as(org.boss).get("/api/v1/reports/sales-performance/", NOVEMBER).json()
    rows = {row["label"]: row for row in data["rows"]}
    assert rows["sales3"]["payment_amount"] == "999.99"
    assert rows["sales3"]["rank"] == 2
    assert data["totals"]["payment_amount"] == "3699.99"
    # Without "view reports" a manager's report is their own figures only.
    data = api_as(org.manager1).get("/api/v1/reports/sales-performance/", NOVEMBER).json()
    assert [row["label"] for row in data["rows"]] == ["manager1"]
    assert data["totals"]["payment_amount"] == "300.00"
    manager = Builder(org).grant(org.manager1, "view_reports")
    data = api_as(manager).get("/api/v1/reports/sales-performance/", NOVEMBER).json()
    assert data["totals"]["payment_amount"] == "2200.00"
    data = api_as(org.boss).get("/api/v1/reports/").json()
    assert [entry["name"] for entry in data][:3] == REPORTS


def test_the_listing_and_the_menu(org, client_as):
    page = client_as(org.sales1).get("/reports/")
    assert page.status_code == 200
    assert b'id="reports-own-only"' in page.content
    for name in REPORTS:
        assert f'data-report="{name}"'.encode() in page.content
    assert b'href="/reports/"' in client_as(org.sales1).get("/").content


def test_the_pipeline_is_absent_without_opportunity_tracking(org, client_as, api_as):
    org.company.uses_opportunity_tracking = False
    org.company.save(update_fields=["uses_opportunity_tracking"])
    assert client_as(org.boss).get("/reports/pipeline/").status_code == 404
    assert api_as(org.boss).get("/api/v1/reports/pipeline/").status_code == 404
    names = [entry["name"] for entry in api_as(org.boss).get("/api/v1/reports/").json()]
    assert "pipeline" not in names


def test_export_needs_the_permission_and_holds_the_table(org, client_as, sales):
    query = "range=custom&from=2026-11-01&to=2026-11-30&group_by=group"
    url = "/reports/sales-performance/export/"
    refused = client_as(org.sales1).post(url, {"query": query})
    assert refused.status_code == 403
    page = client_as(org.sales1).get(f"/reports/sales-performance/?{query}")
    assert b'id="report-export"' not in page.content
    exporter = Builder(org).grant(org.boss, "export_data")
    page = client_as(exporter).get(f"/reports/sales-performance/?{query}")
    assert b'id="report-export"' in page.content
    response = client_as(exporter).post(url, {"query": query})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Group", "Contracts signed", "Orders signed", "Contract target")
    assert [row[0] for row in rows[1:]] == [
        "director1",
        "manager1",
        "manager2",
        "director2",
        "Total",
    ]
    manager1 = rows[2]
    assert manager1[1:4] == (2250.5, 1300, 5000)
    job = ExportJob.objects.get(company=org.company, kind="report-sales-performance")
    assert (job.user_id, job.status, job.rows, job.filters["group_by"]) == (
        exporter.pk,
        "done",
        4,
        "group",
    )
