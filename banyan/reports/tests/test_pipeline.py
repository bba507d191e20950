"""The pipeline report against hand-computed figures (see conftest.build_pipeline)."""

import datetime
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.http import QueryDict

from banyan.opportunities.forms import OpportunityFilterForm
from banyan.opportunities.models import Opportunity
from banyan.opportunities.selectors import opportunity_list
from banyan.reports.registry import ReportQuery, report_named
from banyan.reports.tests.conftest import Builder, now_is, query_counts, shanghai

pytestmark = pytest.mark.django_db

D = Decimal
REPORT = report_named("pipeline")
NOV_1, NOV_30 = datetime.date(2026, 11, 1), datetime.date(2026, 11, 30)


def run(user, group_by="stage"):
    query = ReportQuery(user=user, date_from=NOV_1, date_to=NOV_30, group_by=group_by)
    with now_is(shanghai("2026-11-20T10:00")):
        return REPORT.compute(query)


def open_figures(row):
    return (row["count"], row["amount"], row["weighted"])


def test_the_boss_by_stage(org, pipeline):
    result = run(org.boss)
    rows = {row["label"]: row for row in result.rows}
    assert list(rows) == [
        "Initial contact",
        "Needs confirmed",
        "Proposal and quote",
        "Negotiation",
        "Verbal commitment",
    ]
    assert open_figures(rows["Initial contact"]) == (1, D("1000.00"), D("100.00"))
    assert open_figures(rows["Needs confirmed"]) == (0, D("0.00"), D("0.00"))
    # 333.33 × 50 % + 2000.00 × 45 % = 166.665 + 900 → 1066.67 (rounded once, half up)
    assert open_figures(rows["Proposal and quote"]) == (2, D("2333.33"), D("1066.67"))
    assert open_figures(rows["Negotiation"]) == (1, D("4000.00"), D("2800.00"))
    assert open_figures(rows["Verbal commitment"]) == (1, D("0.01"), D("0.01"))
    totals = result.totals
    assert open_figures(totals) == (5, D("7333.34"), D("3966.67"))
    # Closed in November: two won (35.5 and 28.98 days), one lost (10 days); the win of
    # 00:30 on 1 December in Shanghai (16:30 UTC on 30 November) is December's.
    assert (totals["won"], totals["lost"], totals["won_amount"]) == (2, 1, D("1300.00"))
    assert totals["win_rate"] == 66.7
    assert totals["average_cycle_days"] == 24.8
    forecast = {row["month"]: open_figures(row) for row in totals["forecast"]}
    assert forecast == {
        "2026-11": (1, D("2000.00"), D("900.00")),
        "2026-12": (1, D("1000.00"), D("100.00")),
        "2027-01": (1, D("333.33"), D("166.67")),
        "2027-02": (0, D("0.00"), D("0.00")),
        "2027-03": (0, D("0.00"), D("0.00")),
        "2027-04": (0, D("0.00"), D("0.00")),
    }
    assert result.sections[1]["rows"] == totals["forecast"]


def test_a_rep_sees_their_own(org, pipeline):
    result = run(org.sales1)
    assert open_figures(result.totals) == (2, D("1333.33"), D("266.67"))
    assert (result.totals["won"], result.totals["lost"]) == (1, 1)
    assert result.totals["win_rate"] == 50.0
    assert result.totals["average_cycle_days"] == 22.8  # (35.5 + 10) / 2 = 22.75
    rows = run(org.sales1, "rep").rows
    assert [row["label"] for row in rows] == ["sales1"]


def test_a_manager_with_and_without_the_permission(org, pipeline):
    assert open_figures(run(org.manager1).totals) == (0, D("0.00"), D("0.00"))
    manager = (
        pipeline.build.grant(org.manager1, "view_reports") if hasattr(pipeline, "build") else None
    )

    manager = Builder(org).grant(org.manager1, "view_reports")
    result = run(manager, "rep")
    rows = {row["label"]: row for row in result.rows}
    assert set(rows) == {"manager1", "sales1", "sales2"}
    assert open_figures(rows["sales2"]) == (1, D("2000.00"), D("900.00"))
    assert (rows["sales2"]["won"], rows["sales2"]["lost"], rows["sales2"]["win_rate"]) == (
        1,
        0,
        100.0,
    )
    assert rows["sales2"]["average_cycle_days"] == 29.0  # 28 days 23.5 hours
    assert (rows["sales1"]["won"], rows["sales1"]["lost"]) == (1, 1)
    assert open_figures(result.totals) == (3, D("3333.33"), D("1166.67"))
    assert result.totals["win_rate"] == 66.7


def test_another_company_is_never_counted(org, other_org, pipeline):
    assert run(org.boss).totals["amount"] == D("7333.34")
    assert open_figures(run(other_org.boss).totals) == (1, D("99999.00"), D("9999.90"))


def _listed(user, url):
    params = QueryDict(urlsplit(url).query)
    return opportunity_list(user, **OpportunityFilterForm(params, user=user).filters())


@pytest.mark.parametrize("who", ["boss", "sales1"])
@pytest.mark.parametrize("group_by", ["stage", "rep"])
def test_drill_downs_list_the_records_counted(org, pipeline, who, group_by):
    user = getattr(org, who)
    result = run(user, group_by)
    for row in [*result.rows, result.totals, *result.totals["forecast"]]:
        assert _listed(user, row["links"]["count"]).count() == row["count"]
    for row in [*(result.rows if group_by == "rep" else []), result.totals]:
        assert _listed(user, row["links"]["won"]).count() == row["won"]
        assert _listed(user, row["links"]["lost"]).count() == row["lost"]


def test_a_fixed_number_of_queries(org, pipeline):
    template = Opportunity.objects.filter(company=org.company, status="open").first()
    at_10, at_200 = query_counts(org.boss, template, run, ("stage", "rep"))
    assert at_10 == at_200
    assert max(at_200) <= 10
