"""The panels on the customer view: who sees what, quick forms, fixed query counts."""

import datetime

import pytest
from django.test import RequestFactory

from banyan.activities import services
from banyan.activities.tests.conftest import LOGGERS, READERS, local
from banyan.core.panels import customer_view
from banyan.customers.selectors import get_customer_for


def render(user, customer) -> dict:
    """The panels as the customer view renders them, for a customer it fetched for `user`."""
    request = RequestFactory().get(f"/customers/{customer.pk}/")
    request.user = user
    customer = get_customer_for(user, customer.pk)
    return {panel["key"]: panel["html"] for panel in customer_view.render(request, customer)}


@pytest.mark.parametrize("who", READERS)
def test_the_panels_show_the_records_and_quick_forms_to_who_may_use_them(records, actor, who):
    panels = render(actor(who), records["activity"].customer)

    assert "谈了报价" in panels["activities"]
    assert "发报价单" in panels["tasks"]
    assert "意向强烈" in panels["work_summaries"]
    may_write = who in LOGGERS
    assert ('id="quick-activity-form"' in panels["activities"]) is may_write
    assert ('id="quick-task-form"' in panels["tasks"]) is may_write
    assert ('id="add-work-summary"' in panels["work_summaries"]) is may_write


def test_the_activities_panel_shows_the_newest_twenty(org, customer, call_type):
    for n in range(22):
        services.activity_log(
            user=org.sales1,
            customer=customer,
            type=call_type,
            subject=f"活动{n:02d}",
            occurred_at=local(2025, 1, 1, 9, 0) + datetime.timedelta(hours=n),
        )

    html = render(org.sales1, customer)["activities"]

    assert "活动21" in html and "活动02" in html and "活动01" not in html
    assert html.index("活动21") < html.index("活动20")


def test_the_tasks_panel_shows_open_tasks_only(org, customer):
    open_task = services.task_create(
        user=org.sales1, customer=customer, subject="待办", due_at=local(2031, 1, 1, 9, 0)
    )
    done = services.task_create(
        user=org.sales1, customer=customer, subject="做完了", due_at=local(2031, 1, 1, 9, 0)
    )
    services.task_set_done(user=org.sales1, task=done)

    html = render(org.sales1, customer)["tasks"]

    assert f'id="task-{open_task.pk}"' in html and "做完了" not in html


def test_tracking_panels_follow_the_module_switch(org, customer):
    from banyan.accounts.models import Company

    Company.objects.filter(pk=org.company.pk).update(uses_customer_tracking=False)
    org.sales1.company.refresh_from_db()

    panels = render(org.sales1, customer)

    assert "activities" not in panels and "tasks" not in panels
    assert "work_summaries" in panels


MINE = {"activities", "tasks", "work_summaries"}


@pytest.mark.parametrize("count", [2, 20])
def test_panel_query_counts_are_fixed(
    org, customer, call_type, count, django_assert_max_num_queries, monkeypatch
):
    # Only this app's panels: the other apps pin their own counts.
    monkeypatch.setattr(
        customer_view, "_panels", {k: p for k, p in customer_view._panels.items() if k in MINE}
    )
    for n in range(count):
        services.activity_log(user=org.sales1, customer=customer, type=call_type, subject=f"a{n}")
        services.task_create(
            user=org.sales1, customer=customer, subject=f"t{n}", due_at=local(2031, 1, 1, 9, 0)
        )
        services.work_summary_create(
            user=org.sales1, customer=customer, kind="evaluation", content=f"s{n}"
        )
    user = org.sales_boss  # shared to edit: every "may edit" check runs its query
    assert user.company.uses_customer_tracking  # loaded once per request by the middleware

    fetched = get_customer_for(user, customer.pk)
    request = RequestFactory().get(f"/customers/{customer.pk}/")
    request.user = user
    with django_assert_max_num_queries(7):
        panels = {p["key"]: p["html"] for p in customer_view.render(request, fetched)}

    assert panels["activities"].count('id="activity-') == count
    assert panels["tasks"].count('<li class="border-bottom') == count
    assert panels["work_summaries"].count('id="work-summary-') == count
