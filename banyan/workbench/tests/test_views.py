"""The workbench page (工作台): which panels each person sees, what is in them, and a query
count that does not grow with the rows."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from banyan.accounts.models import User
from banyan.workbench.tests.conftest import hot, log, task_for

ALWAYS = ["announcements", "my_tasks", "plans_due", "hot_customers"]
TEAM = ["team_activity", "idle_members"]


def page(client_as, user):
    response = client_as(User.objects.get(pk=user.pk)).get(reverse("home"))
    assert response.status_code == 200
    return response


# Panels of other apps (the targets' self-motivation) are theirs to test.
OTHERS = {"motivation"}


def panels(response) -> dict[str, str]:
    return {
        panel["key"]: panel["html"]
        for panel in response.context["panels"]
        if panel["key"] not in OTHERS
    }


def test_a_rep_sees_only_their_own_items_and_no_team_panels(world, client_as):
    org = world.org
    response = page(client_as, org.sales1)
    shown = panels(response)

    assert list(shown) == ALWAYS  # page order; no team, finance, keeper or complaint panels
    assert "Me" in response.content.decode()
    assert "回访沃力" in shown["my_tasks"] and "Overdue" in shown["my_tasks"]
    assert "明天的事" not in shown["my_tasks"] and "远航报价" not in shown["my_tasks"]
    assert "沃力科技" in shown["hot_customers"] and "远航贸易" not in shown["hot_customers"]
    plans = shown["plans_due"]
    assert f"workbench-plan-{world.overdue_plan.pk}" in plans
    assert f"workbench-plan-{world.soon_plan.pk}" in plans
    for hidden in (world.far_plan, world.covered_plan, world.sales3_plan):
        assert f"workbench-plan-{hidden.pk}" not in plans
    # The overdue plan is highlighted, the one due soon is not.
    assert plans.count("text-bg-danger") == 1
    assert "No announcements." in shown["announcements"]


def test_a_manager_sees_their_subtree(world, client_as):
    org = world.org
    shown = panels(page(client_as, org.manager1))

    assert list(shown) == ["announcements", "my_tasks", "plans_due", "hot_customers", *TEAM]
    assert f"workbench-activity-{world.sales1_call.pk}" in shown["team_activity"]
    assert f"workbench-activity-{world.sales3_call.pk}" not in shown["team_activity"]
    # sales1 logged today, sales2 did not; sales3 is not in manager1's team.
    assert f"workbench-idle-{org.sales2.pk}" in shown["idle_members"]
    assert f"workbench-idle-{org.sales1.pk}" not in shown["idle_members"]
    assert f"workbench-idle-{org.sales3.pk}" not in shown["idle_members"]
    # Plans of the agreements owned in the subtree; manager1's own tasks only.
    assert f"workbench-plan-{world.soon_plan.pk}" in shown["plans_due"]
    assert f"workbench-plan-{world.sales3_plan.pk}" not in shown["plans_due"]
    assert "回访沃力" not in shown["my_tasks"]
    # Hot customers are the user's own, not the team's.
    assert "沃力科技" not in shown["hot_customers"]

    director = panels(page(client_as, org.director1))
    assert f"workbench-activity-{world.sales3_call.pk}" in director["team_activity"]
    assert f"workbench-plan-{world.sales3_plan.pk}" in director["plans_due"]


def test_the_keeper_finance_and_customer_service_panels(world, client_as, grant):
    org = world.org
    keeper = panels(page(client_as, world.keeper))
    assert f"workbench-slip-{world.slip.pk}" in keeper["slips_to_confirm"]
    assert "payments_to_record" not in keeper and "complaints" not in keeper

    finance = panels(page(client_as, world.finance))
    assert f"workbench-collect-{world.order1.pk}" in finance["payments_to_record"]
    assert f"workbench-collect-{world.order3.pk}" in finance["payments_to_record"]
    assert "slips_to_confirm" not in finance

    service = panels(page(client_as, grant(org.sales2, "customer_service")))
    assert "No new or overdue complaints." in service["complaints"]


def test_another_companys_data_never_shows(world, other_org, client_as):
    shown = panels(page(client_as, other_org.boss))
    html = "".join(shown.values())
    for name in ("沃力科技", "远航贸易", "星河电子", "回访沃力"):
        assert name not in html
    assert f"workbench-slip-{world.slip.pk}" not in html


def grow(world, make_customer, make_product, make_agreement, size: int):
    """More of every row the workbench lists, for the boss's and sales1's panels."""
    from banyan.finance.tests.page_helpers import plan, signed_agreement

    org = world.org
    now = timezone.now()
    for n in range(size):
        customer = make_customer(org.sales1, name=f"新客户{n}")
        hot(org.sales1, customer)
        task_for(org.sales1, f"任务{n}", now - datetime.timedelta(minutes=n + 1))
        task_for(org.boss, f"老板任务{n}", now - datetime.timedelta(minutes=n + 1))
        log(org.sales2, world.yuanhang, f"活动{n}")
        order = signed_agreement(make_product, make_agreement, org.sales1, customer, "900.00")
        plan(org.sales1, order, "900.00", due_in_days=n)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_has_a_fixed_query_count(
    world, client_as, make_customer, make_product, make_agreement, django_assert_max_num_queries
):
    org = world.org
    url = reverse("home")
    clients = {
        "boss": client_as(User.objects.get(pk=org.boss.pk)),
        "sales1": client_as(User.objects.get(pk=org.sales1.pk)),
        "keeper": client_as(User.objects.get(pk=world.keeper.pk)),
    }
    for client in clients.values():
        client.get(url)  # warm the session
    baseline = {name: count_queries(client, url) for name, client in clients.items()}

    grow(world, make_customer, make_product, make_agreement, 2)
    for name, client in clients.items():
        with django_assert_max_num_queries(baseline[name]):
            client.get(url)
    grow(world, make_customer, make_product, make_agreement, 6)
    for name, client in clients.items():
        with django_assert_max_num_queries(baseline[name]):
            response = client.get(url)
    assert response.status_code == 200
