"""The activities report against hand-computed figures (see conftest.build_activities),
the company's time zone at the month's edges, and the drill-downs."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.http import QueryDict

from banyan.activities.forms import ActivityFilterForm
from banyan.activities.models import Activity
from banyan.activities.views import activity_list_rows
from banyan.customers.forms import CustomerFilterForm
from banyan.customers.views import customer_list_rows
from banyan.reports.registry import ReportQuery, report_named
from banyan.reports.tests.conftest import Builder, query_counts

pytestmark = pytest.mark.django_db

REPORT = report_named("activities")
NOV_1, NOV_30 = datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)
DEC_1, DEC_31 = datetime.date(2026, 12, 1), datetime.date(2026, 12, 31)


def run(user, group_by="rep", first=NOV_1, last=NOV_30):
    query = ReportQuery(user=user, date_from=first, date_to=last, group_by=group_by)
    return REPORT.compute(query)


def by_type(activities, row):
    keys = {code: f"type_{option.pk}" for code, option in activities.types.items()}
    return {code: row[key] for code, key in keys.items() if row[key]}


def test_the_boss_per_rep(org, activities):
    result = run(org.boss)
    rows = {row["label"]: row for row in result.rows}
    assert by_type(activities, rows["sales1"]) == {"call": 2, "email": 1}
    assert (rows["sales1"]["total"], rows["sales1"]["without_key_points"]) == (3, 1)
    # C2 (followed up, no task) and C4 (its only task done); C1 has an open task, C3 was
    # never followed up.
    assert rows["sales1"]["customers_without_task"] == 2
    assert by_type(activities, rows["sales2"]) == {"call": 1}
    assert rows["sales2"]["customers_without_task"] == 0
    assert (rows["sales3"]["total"], rows["sales3"]["without_key_points"]) == (1, 0)
    assert rows["sales3"]["customers_without_task"] == 1
    assert rows["manager1"]["total"] == 0
    totals = result.totals
    assert by_type(activities, totals) == {"call": 4, "email": 1}
    assert (totals["total"], totals["without_key_points"], totals["customers_without_task"]) == (
        5,
        1,
        3,
    )
    idle = set(totals["people_without_activity"])
    assert "manager1" in idle and "boss" not in idle and "sales1" not in idle
    assert {"王总", "vice_boss", "director1", "manager1", "sales4"} <= idle
    assert [row["label"] for row in result.sections[0]["rows"]] == totals["people_without_activity"]


def test_the_company_time_zone_decides_the_month(org, activities):
    # 00:30 on 1 December in Shanghai is 16:30 UTC on 30 November: December's.
    december = run(org.boss, first=DEC_1, last=DEC_31).totals
    assert by_type(activities, december) == {"visit": 1}
    assert december["without_key_points"] == 1
    # C1, last followed up in December, has an open task; November's untasked customers
    # were last followed up before the range.
    assert december["customers_without_task"] == 0
    # 23:30 on 30 November in Shanghai (15:30 UTC): November's.
    rows = {row["label"]: row for row in run(org.boss, "month", NOV_1, DEC_31).rows}
    assert by_type(activities, rows["2026-11"]) == {"call": 4, "email": 1}
    assert by_type(activities, rows["2026-12"]) == {"visit": 1}
    days = {row["label"]: row["total"] for row in run(org.boss, "day", NOV_1, DEC_31).rows}
    assert (days["2026-11-30"], days["2026-12-01"]) == (1, 1)
    weeks = {row["label"]: row["total"] for row in run(org.boss, "week").rows}
    assert weeks == {
        "2026-10-26": 0,  # Monday 26 October to Sunday 1 November, clipped to the range
        "2026-11-02": 1,
        "2026-11-09": 2,
        "2026-11-16": 1,
        "2026-11-23": 0,
        "2026-11-30": 1,
    }


def test_a_rep_without_the_permission_sees_their_own(org, activities):
    result = run(org.sales1)
    assert [row["label"] for row in result.rows] == ["sales1"]
    assert result.totals["total"] == 3
    assert result.totals["customers_without_task"] == 2
    assert result.totals["people_without_activity"] == []
    rep = Builder(org).grant(org.sales1, "view_reports")
    result = run(rep)
    # sales2's call is on a customer shared with sales1: visible, so counted for sales2.
    assert {row["label"]: row["total"] for row in result.rows} == {"sales1": 3, "sales2": 1}


def test_a_manager(org, activities):
    assert run(org.manager1).totals["total"] == 0
    manager = Builder(org).grant(org.manager1, "view_reports")
    result = run(manager)
    assert {row["label"]: row["total"] for row in result.rows} == {
        "manager1": 0,
        "sales1": 3,
        "sales2": 1,
    }
    assert result.totals["people_without_activity"] == ["manager1"]


def test_another_company_is_never_counted(org, other_org, activities):
    assert run(org.boss).totals["total"] == 5
    assert run(other_org.boss).totals["total"] == 1


def _params(url):
    return QueryDict(urlsplit(url).query)


@pytest.mark.parametrize("who", ["boss", "sales1"])
@pytest.mark.parametrize("group_by", ["rep", "week"])
def test_drill_downs_list_the_records_counted(org, activities, who, group_by):
    user = getattr(org, who)
    result = run(user, group_by)
    for row in [*result.rows, result.totals]:
        for key, url in row["links"].items():
            if key == "customers_without_task":
                form = CustomerFilterForm(_params(url), user=user)
                assert customer_list_rows(user, form).count() == row[key], key
            else:
                form = ActivityFilterForm(_params(url), user=user)
                assert activity_list_rows(user, form, "-occurred_at").count() == row[key], key


def test_a_fixed_number_of_queries(org, activities):
    template = Activity.objects.filter(company=org.company).first()
    at_10, at_200 = query_counts(org.boss, template, run, ("rep", "week"))
    assert at_10 == at_200
    assert max(at_200) <= 10
