"""The reports framework: the registry, the range form, the pages and the API's contract."""

import datetime
from unittest import mock

import pytest

from banyan.reports import registry
from banyan.reports.forms import ReportRangeForm, range_bounds

pytestmark = pytest.mark.django_db


def test_named_ranges_around_a_day():
    today = datetime.date(2026, 11, 18)
    assert range_bounds("this_month", today) == (
        datetime.date(2026, 11, 1),
        datetime.date(2026, 11, 30),
    )
    assert range_bounds("last_month", today) == (
        datetime.date(2026, 10, 1),
        datetime.date(2026, 10, 31),
    )
    assert range_bounds("this_quarter", today) == (
        datetime.date(2026, 10, 1),
        datetime.date(2026, 12, 31),
    )
    assert range_bounds("this_year", today) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 12, 31),
    )
    january = datetime.date(2026, 1, 5)
    assert range_bounds("last_month", january) == (
        datetime.date(2025, 12, 1),
        datetime.date(2025, 12, 31),
    )
    assert range_bounds("this_quarter", january) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 3, 31),
    )


def test_the_registry_lists_every_report_for_everyone(org):
    names = [report.name for report in registry.reports_for(org.sales1)]
    assert "sales-performance" in names
    assert registry.report_named("nope") is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01", "to": "2026-11-30"}, "from"),
        ({"from": "2026-11-01", "to": "yesterday"}, "to"),
        ({"from": "2026-11-30", "to": "2026-11-01"}, "to"),
        ({"from": "2026-11-01"}, "to"),
        ({"to": "2026-11-01"}, "from"),
        ({"from": "2020-01-01", "to": "2026-11-01"}, "to"),
        ({"group_by": "planet"}, "group_by"),
        ({"range": "forever"}, "range"),
    ],
)
def test_bad_input_names_the_field(org, params, field):
    report = registry.report_named("sales-performance")
    form = ReportRangeForm(params, user=org.boss, report=report)
    assert form.report_query() is None
    assert list(form.errors) == [field]


def test_a_custom_range_and_the_default(org):
    report = registry.report_named("sales-performance")
    form = ReportRangeForm(
        {"from": "2026-02-03", "to": "2026-04-05", "group_by": "month"},
        user=org.boss,
        report=report,
    )
    query = form.report_query()
    assert (query.date_from, query.date_to, query.group_by) == (
        datetime.date(2026, 2, 3),
        datetime.date(2026, 4, 5),
        "month",
    )
    assert query.buckets() == [
        (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)),
        (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)),
        (datetime.date(2026, 4, 1), datetime.date(2026, 4, 30)),
    ]
    # 2026-11-30 16:30 UTC is already 1 December in Shanghai: "this month" is December.
    with mock.patch(
        "django.utils.timezone.now",
        return_value=datetime.datetime(2026, 11, 30, 16, 30, tzinfo=datetime.UTC),
    ):
        query = ReportRangeForm(
            {"range": "this_month"}, user=org.boss, report=report
        ).report_query()
    assert (query.date_from, query.date_to, query.group_by) == (
        datetime.date(2026, 12, 1),
        datetime.date(2026, 12, 31),
        "rep",
    )
    assert query.start == datetime.datetime(2026, 11, 30, 16, 0, tzinfo=datetime.UTC)


def test_the_pages_answer(org, client_as):
    client = client_as(org.boss)
    listing = client.get("/reports/")
    assert listing.status_code == 200
    assert b'data-report="sales-performance"' in listing.content
    page = client.get("/reports/sales-performance/?range=last_month&group_by=group")
    assert page.status_code == 200
    assert b'id="report-chart"' in page.content
    assert b'id="report-chart-data"' in page.content
    assert client.get("/reports/nope/").status_code == 404
    bad = client.get("/reports/sales-performance/?from=2026-02-30&to=2026-03-01")
    assert bad.status_code == 400
    assert b'data-error="from"' in bad.content


def test_the_api_contract(org, api_as):
    api = api_as(org.boss)
    listing = api.get("/api/v1/reports/")
    assert listing.status_code == 200
    assert "sales-performance" in {r["name"] for r in listing.json()}
    answer = api.get(
        "/api/v1/reports/sales-performance/?from=2026-11-01&to=2026-11-30&group_by=rep"
    )
    assert answer.status_code == 200
    data = answer.json()
    assert list(data) == ["name", "from", "to", "group_by", "columns", "rows", "totals"]
    assert (data["name"], data["from"], data["to"], data["group_by"]) == (
        "sales-performance",
        "2026-11-01",
        "2026-11-30",
        "rep",
    )
    assert all(set(column) == {"key", "label"} for column in data["columns"])
    assert all(row["drilldown"].startswith("http") for row in data["rows"])
    assert api.get("/api/v1/reports/nope/").status_code == 404
    bad = api.get("/api/v1/reports/sales-performance/?group_by=planet")
    assert bad.status_code == 400 and list(bad.json()) == ["group_by"]
    bad = api.get("/api/v1/reports/sales-performance/?from=2026-11-31&to=2026-12-01")
    assert bad.status_code == 400 and list(bad.json()) == ["from"]
