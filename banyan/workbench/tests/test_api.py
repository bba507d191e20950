"""`GET /api/v1/workbench/`: the data of the panels the user sees, as JSON."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

URL = "/api/v1/workbench/"


def panels(response) -> dict:
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"panels"}
    for panel in body["panels"]:
        assert set(panel) == {"key", "title", "data"}
    # Panels of other apps (the targets' self-motivation) are theirs to test.
    return {panel["key"]: panel for panel in body["panels"] if panel["key"] != "motivation"}


def test_a_rep_gets_their_panels_data(world, api_as):
    shown = panels(api_as(world.org.sales1).get(URL))

    assert list(shown) == ["announcements", "my_tasks", "plans_due", "hot_customers"]
    assert shown["my_tasks"]["title"] == "Today's and overdue tasks"
    [task] = shown["my_tasks"]["data"]["tasks"]
    assert (task["id"], task["subject"], task["is_overdue"]) == (
        world.overdue_task.pk,
        "回访沃力",
        True,
    )
    assert [p["id"] for p in shown["plans_due"]["data"]["plans"]] == [
        world.overdue_plan.pk,
        world.soon_plan.pk,
    ]
    overdue, soon = shown["plans_due"]["data"]["plans"]
    assert (overdue["is_overdue"], overdue["amount"], overdue["outstanding"]) == (
        True,
        "1000.00",
        "1000.00",
    )
    assert soon["is_overdue"] is False
    assert [c["name"] for c in shown["hot_customers"]["data"]["customers"]] == ["沃力科技"]
    assert shown["announcements"]["data"] == {"announcements": []}


def test_a_manager_gets_the_team_panels(world, api_as):
    org = world.org
    shown = panels(api_as(org.manager1).get(URL))

    assert [a["id"] for a in shown["team_activity"]["data"]["activities"]] == [world.sales1_call.pk]
    assert shown["idle_members"]["data"]["members"] == [
        {"id": org.sales2.pk, "name": org.sales2.display_name}
    ]


def test_finance_and_keepers_get_their_queues(world, api_as):
    finance = panels(api_as(world.finance).get(URL))
    agreements = finance["payments_to_record"]["data"]["agreements"]
    assert {a["id"] for a in agreements} == {world.order1.pk, world.order3.pk}
    mine = next(a for a in agreements if a["id"] == world.order1.pk)
    assert (mine["amount"], mine["paid"], mine["receivable"]) == ("10000.00", "500.00", "9500.00")

    keeper = panels(api_as(world.keeper).get(URL))
    assert [s["id"] for s in keeper["slips_to_confirm"]["data"]["slips"]] == [world.slip.pk]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_is_read_only(world, api_as, method):
    assert getattr(api_as(world.org.sales1), method)(URL).status_code == 405


def test_it_needs_a_login(world, api_client):
    assert api_client.get(URL).status_code in (401, 403)


def test_the_api_has_a_fixed_query_count(
    world, api_as, make_customer, django_assert_max_num_queries
):
    from banyan.workbench.tests.conftest import hot

    client = api_as(world.org.boss)
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    for n in range(5):
        hot(world.org.boss, make_customer(world.org.boss, name=f"老板客户{n}"))
    with django_assert_max_num_queries(len(queries)):
        shown = panels(client.get(URL))
    assert len(shown["hot_customers"]["data"]["customers"]) == 5
