"""Pages: the visibility matrix, lists with fixed query counts, the calendar, the feed page."""

import datetime
import re

import pytest
from django.urls import reverse

from banyan.activities import selectors, services
from banyan.activities.models import Activity, CalendarFeed, Task, WorkSummary
from banyan.activities.tests.conftest import (
    CHANGERS,
    LOGGERS,
    READERS,
    STRANGERS,
    local,
)
from banyan.customers import services as customer_services


def text(response) -> str:
    return response.content.decode()


def expected_status(who, allowed, *, ok=200):
    if who in allowed:
        return ok
    return 404 if who in STRANGERS else 403


# The matrix ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS + STRANGERS)
def test_activity_and_task_lists_show_a_record_exactly_to_its_readers(
    records, actor, client_as, who
):
    client = client_as(actor(who))

    activities = client.get(reverse("activity-list"))
    tasks = client.get(reverse("task-list"), {"scope": "all", "status": "all"})

    assert activities.status_code == tasks.status_code == 200
    assert (f'id="activity-{records["activity"].pk}"' in text(activities)) is (who in READERS)
    assert (f'id="task-{records["task"].pk}"' in text(tasks)) is (who in READERS)


@pytest.mark.parametrize("who", READERS + STRANGERS)
def test_the_log_and_summary_forms_open_for_those_who_may_edit_the_customer(
    customer, actor, client_as, who
):
    client = client_as(actor(who))

    log = client.get(reverse("activity-log", args=[customer.pk]))
    summary = client.get(reverse("work-summary-create", args=[customer.pk]))
    task = client.get(reverse("customer-task-create", args=[customer.pk]))

    assert log.status_code == expected_status(who, LOGGERS)
    assert summary.status_code == expected_status(who, LOGGERS)
    assert task.status_code == expected_status(who, LOGGERS)


@pytest.mark.parametrize("who", READERS + STRANGERS)
def test_editing_an_activity(records, actor, client_as, who):
    activity = records["activity"]
    client = client_as(actor(who))

    page = client.get(reverse("activity-edit", args=[activity.pk]))
    saved = client.post(
        reverse("activity-edit", args=[activity.pk]),
        {"type": activity.type_id, "subject": "改过", "occurred_at": "2025-03-04T10:30"},
    )

    assert page.status_code == expected_status(who, CHANGERS)
    assert saved.status_code == expected_status(who, CHANGERS, ok=302)
    activity.refresh_from_db()
    assert activity.subject == ("改过" if who in CHANGERS else "谈了报价")
    assert activity.occurred_at == local(2025, 3, 4, 10, 30)


@pytest.mark.parametrize("who", READERS + STRANGERS)
def test_deleting_an_activity_and_a_summary(records, actor, client_as, who):
    client = client_as(actor(who))

    activity = client.post(reverse("activity-delete", args=[records["activity"].pk]))
    summary = client.post(reverse("work-summary-delete", args=[records["summary"].pk]))

    assert activity.status_code == expected_status(who, CHANGERS, ok=302)
    assert summary.status_code == expected_status(who, CHANGERS, ok=302)
    assert Activity.objects.filter(pk=records["activity"].pk).exists() is (who not in CHANGERS)
    assert WorkSummary.objects.filter(pk=records["summary"].pk).exists() is (who not in CHANGERS)


@pytest.mark.parametrize("who", READERS + STRANGERS)
def test_editing_marking_and_deleting_a_task(records, actor, client_as, who):
    task = records["task"]
    client = client_as(actor(who))

    page = client.get(reverse("task-edit", args=[task.pk]))
    done = client.post(reverse("task-done", args=[task.pk]), {"done": "1"})
    done_now = Task.objects.get(pk=task.pk).done_at is not None
    deleted = client.post(reverse("task-delete", args=[task.pk]))

    assert page.status_code == expected_status(who, CHANGERS)
    assert done.status_code == expected_status(who, CHANGERS, ok=302)
    assert done_now is (who in CHANGERS)
    assert deleted.status_code == expected_status(who, CHANGERS, ok=302)
    assert Task.objects.filter(pk=task.pk).exists() is (who not in CHANGERS)


@pytest.mark.parametrize("who", LOGGERS)
def test_logging_with_a_follow_up_from_the_page(
    customer, contact, call_type, actor, client_as, who
):
    user = actor(who)

    response = client_as(user).post(
        reverse("activity-log", args=[customer.pk]),
        {
            "type": call_type.pk,
            "subject": "电话沟通",
            "occurred_at": "2025-03-04T10:30",
            "contact": contact.pk,
            "next_subject": "上门拜访",
            "next_due_at": "2031-03-05T14:00",
            "remind_at": "2031-03-05T13:30",
            "remind_by_sms": "on",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == customer.get_absolute_url()
    activity = Activity.objects.get()
    task = Task.objects.get()
    assert (activity.owner, activity.subject, activity.occurred_at, activity.contact_id) == (
        user,
        "电话沟通",
        local(2025, 3, 4, 10, 30),
        contact.pk,
    )
    assert (task.subject, task.due_at, task.remind_at, task.remind_by_sms, task.assignee) == (
        "上门拜访",
        local(2031, 3, 5, 14, 0),
        local(2031, 3, 5, 13, 30),
        True,
        user,
    )


def test_the_log_form_keeps_what_was_typed_and_shows_errors_by_the_field(
    customer, call_type, org, client_as
):
    response = client_as(org.sales1).post(
        reverse("activity-log", args=[customer.pk]),
        {
            "type": call_type.pk,
            "subject": "电话沟通",
            "next_subject": "上门拜访",
            "next_due_at": "2031-03-05T14:00",
            "remind_at": "2031-03-05T15:00",
        },
    )

    assert response.status_code == 200
    page = text(response)
    assert 'value="电话沟通"' in page and 'value="上门拜访"' in page
    assert 'id="id_remind_at_errors"' in page
    assert "The reminder must come before the due time, or at it." in page
    assert Activity.objects.count() == Task.objects.count() == 0


def test_next_may_not_leave_the_site(customer, call_type, org, client_as):
    response = client_as(org.sales1).post(
        reverse("activity-log", args=[customer.pk]),
        {"type": call_type.pk, "subject": "a", "next": "https://evil.example/"},
    )

    assert response["Location"] == customer.get_absolute_url()


def test_the_quick_task_form_adds_a_task_for_oneself(customer, org, client_as):
    response = client_as(org.sales1).post(
        reverse("customer-task-create", args=[customer.pk]),
        {"subject": "回电话", "due_at": "2031-03-05T09:00", "next": "/customers/"},
    )

    assert response.status_code == 302 and response["Location"] == "/customers/"
    task = Task.objects.get()
    assert (task.customer, task.assignee, task.due_at) == (
        customer,
        org.sales1,
        local(2031, 3, 5, 9, 0),
    )


def test_a_manager_assigns_a_task_on_the_task_page(org, client_as):
    response = client_as(org.manager1).post(
        reverse("task-create"),
        {"subject": "准备材料", "due_at": "2031-03-05T09:00", "assignee": org.sales2.pk},
    )

    assert response.status_code == 302
    assert Task.objects.get().assignee == org.sales2


def test_a_rep_cannot_pick_a_peer_as_assignee(org, client_as):
    response = client_as(org.sales1).post(
        reverse("task-create"),
        {"subject": "a", "due_at": "2031-03-05T09:00", "assignee": org.sales2.pk},
    )

    assert response.status_code == 200
    assert 'id="id_assignee_errors"' in text(response)
    assert Task.objects.count() == 0


def test_reopening_a_task(org, client_as):
    task = services.task_create(user=org.sales1, subject="a", due_at=local(2031, 3, 5, 9, 0))
    services.task_set_done(user=org.sales1, task=task)

    response = client_as(org.sales1).post(reverse("task-done", args=[task.pk]), {"done": "0"})

    assert response.status_code == 302
    assert Task.objects.get(pk=task.pk).done_at is None


def test_a_work_summary_from_the_page(customer, org, client_as):
    response = client_as(org.sales_boss).post(
        reverse("work-summary-create", args=[customer.pk]),
        {"kind": "help_request", "content": "需要支持", "addressed_to": org.director1.pk},
    )

    assert response.status_code == 302
    summary = WorkSummary.objects.get()
    assert (summary.author, summary.kind, summary.addressed_to) == (
        org.sales_boss,
        "help_request",
        org.director1,
    )


def test_pages_need_a_login(client, records):
    for url in (
        reverse("activity-list"),
        reverse("task-list"),
        reverse("calendar"),
        reverse("calendar-feed"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


# Lists: filters and fixed query counts -------------------------------------------------------


def make_activities(org, customer, call_type, count):
    for n in range(count):
        services.activity_log(
            user=org.sales1,
            customer=customer,
            type=call_type,
            subject=f"活动{n}",
            occurred_at=local(2025, 1, 1, 9, 0) + datetime.timedelta(hours=n),
        )


@pytest.mark.parametrize("count", [3, 30])
def test_activity_list_query_count_is_fixed(
    org, customer, call_type, client_as, count, django_assert_max_num_queries
):
    make_activities(org, customer, call_type, count)
    client = client_as(org.manager1)

    with django_assert_max_num_queries(11):  # 9, and the permissions for the Finance menu entry
        response = client.get(
            reverse("activity-list"),
            {
                "page_size": 50,
                "type": call_type.pk,
                "owner": org.sales1.pk,
                "sort": "customer__name",
            },
        )

    assert len(re.findall(r'<tr id="activity-\d+"', text(response))) == count


def test_activity_list_filters_by_date_in_the_company_zone(org, customer, call_type, client_as):
    services.activity_log(
        user=org.sales1,
        customer=customer,
        type=call_type,
        subject="晚上",
        occurred_at=local(2025, 3, 4, 23, 30),
    )
    services.activity_log(
        user=org.sales1,
        customer=customer,
        type=call_type,
        subject="凌晨",
        occurred_at=local(2025, 3, 5, 0, 30),
    )

    response = client_as(org.sales1).get(
        reverse("activity-list"), {"date_from": "2025-03-04", "date_to": "2025-03-04"}
    )

    assert "晚上" in text(response) and "凌晨" not in text(response)
    assert "2025-03-04 23:30" in text(response)


def test_activity_list_owner_filter_offers_only_visible_owners(org, client_as):
    response = client_as(org.manager1).get(reverse("activity-list"))

    page = text(response)
    assert f'value="{org.sales1.pk}"' in page and f'value="{org.sales3.pk}"' not in page


@pytest.mark.parametrize("count", [3, 30])
def test_task_list_query_count_is_fixed(org, client_as, count, django_assert_max_num_queries):
    for n in range(count):
        services.task_create(
            user=org.manager1,
            subject=f"任务{n}",
            due_at=local(2031, 1, 1, 9, 0) + datetime.timedelta(hours=n),
            assignee=org.sales1 if n % 2 else org.sales2,
        )
    client = client_as(org.manager1)

    with django_assert_max_num_queries(7):  # 5, and the permissions for the Finance menu entry
        response = client.get(reverse("task-list"), {"page_size": 50, "scope": "team"})

    assert len(re.findall(r'<tr id="task-\d+"', text(response))) == count


def test_task_list_team_scope_is_offered_to_managers_only(org, client_as):
    assert 'value="team"' in text(client_as(org.manager1).get(reverse("task-list")))
    assert 'value="team"' in text(client_as(org.assistant).get(reverse("task-list")))
    assert 'value="team"' not in text(client_as(org.sales1).get(reverse("task-list")))


# Calendar ------------------------------------------------------------------------------------


@pytest.fixture
def calendar_tasks(org, records):
    """sales1's tasks on Wednesday 2031-03-05 (local) and just after midnight; a peer's."""
    late = services.task_create(user=org.sales1, subject="深夜", due_at=local(2031, 3, 5, 23, 30))
    after_midnight = services.task_create(
        user=org.sales1, subject="零点后", due_at=local(2031, 3, 6, 0, 30)
    )
    peer = services.task_create(user=org.sales2, subject="同事的", due_at=local(2031, 3, 5, 10, 0))
    given = services.task_create(
        user=org.manager1, subject="经理派的", due_at=local(2031, 3, 9, 18, 0), assignee=org.sales1
    )
    return {
        "morning": records["task"],
        "late": late,
        "after_midnight": after_midnight,
        "peer": peer,
        "given": given,
    }


def cell(page: str, day: str, hour: int) -> str:
    match = re.search(rf'<td[^>]*data-day="{day}" data-hour="{hour}">(.*?)</td>', page, re.S)
    assert match, (day, hour)
    return match.group(1)


def test_the_day_view_shows_the_users_tasks_at_their_local_hour(org, calendar_tasks, client_as):
    response = client_as(org.sales1).get(reverse("calendar"), {"view": "day", "date": "2031-03-05"})

    page = text(response)
    assert response.status_code == 200
    assert f'id="calendar-task-{calendar_tasks["morning"].pk}"' in cell(page, "2031-03-05", 9)
    assert "09:30" in cell(page, "2031-03-05", 9)
    assert f'id="calendar-task-{calendar_tasks["late"].pk}"' in cell(page, "2031-03-05", 23)
    assert "23:30" in cell(page, "2031-03-05", 23)
    assert "零点后" not in page and "同事的" not in page
    assert re.findall(r'id="calendar-task-(\d+)"', page) == [
        str(calendar_tasks["morning"].pk),
        str(calendar_tasks["late"].pk),
    ]
    assert 'href="?view=day&amp;date=2031-03-04"' in page
    assert 'href="?view=day&amp;date=2031-03-06"' in page


def test_the_week_view_starts_on_monday(org, calendar_tasks, client_as):
    response = client_as(org.sales1).get(
        reverse("calendar"), {"view": "week", "date": "2031-03-07"}
    )

    page = text(response)
    days = re.findall(r'<th scope="col" class="[^"]*" id="day-([\d-]+)"', page)
    assert days == [f"2031-03-{d:02d}" for d in range(3, 10)]
    assert f'id="calendar-task-{calendar_tasks["after_midnight"].pk}"' in cell(
        page, "2031-03-06", 0
    )
    assert f'id="calendar-task-{calendar_tasks["given"].pk}"' in cell(page, "2031-03-09", 18)
    assert sorted(re.findall(r'id="calendar-task-(\d+)"', page)) == sorted(
        str(calendar_tasks[k].pk) for k in ("morning", "late", "after_midnight", "given")
    )
    assert 'href="?view=week&amp;date=2031-02-24"' in page
    assert 'href="?view=week&amp;date=2031-03-10"' in page


def test_the_calendar_follows_the_company_time_zone(org, calendar_tasks, client_as):
    from banyan.accounts.models import Company

    Company.objects.filter(pk=org.company.pk).update(time_zone="Europe/London")

    response = client_as(org.sales1).get(reverse("calendar"), {"view": "day", "date": "2031-03-05"})

    # 09:30 in Shanghai is 01:30 in London; 23:30 in Shanghai is 15:30 in London.
    page = text(response)
    assert "01:30" in cell(page, "2031-03-05", 1)
    assert "15:30" in cell(page, "2031-03-05", 15)
    assert "16:30" in cell(page, "2031-03-05", 16)  # 00:30 on the 6th in Shanghai


def test_a_bad_calendar_date_shows_this_week(org, client_as):
    response = client_as(org.sales1).get(reverse("calendar"), {"view": "month", "date": "x"})

    assert response.status_code == 200
    assert len(re.findall(r'<th scope="col" class="[^"]*" id="day-', text(response))) == 7


@pytest.mark.parametrize("count", [2, 20])
def test_calendar_query_count_is_fixed(org, client_as, count, django_assert_max_num_queries):
    for n in range(count):
        services.task_create(
            user=org.sales1,
            subject=f"t{n}",
            due_at=local(2031, 3, 3, 8, 0) + datetime.timedelta(hours=n * 7),
        )

    client = client_as(org.sales1)

    with django_assert_max_num_queries(6):  # 4, and the permissions for the Finance menu entry
        response = client.get(reverse("calendar"), {"view": "week", "date": "2031-03-03"})

    assert len(re.findall(r'id="calendar-task-\d+"', text(response))) == count


# Calendar feed page --------------------------------------------------------------------------


def test_the_feed_page_shows_the_private_url_and_regenerates_it(org, client_as):
    client = client_as(org.sales1)

    page = text(client.get(reverse("calendar-feed")))
    token = CalendarFeed.objects.get(user=org.sales1).token
    assert f"http://testserver/calendar/feed/{token}.ics" in page
    assert client.get(f"/calendar/feed/{token}.ics").status_code == 200

    response = client.post(reverse("calendar-feed-regenerate"))

    new_token = CalendarFeed.objects.get(user=org.sales1).token
    assert response.status_code == 302 and new_token != token
    assert client.get(f"/calendar/feed/{token}.ics").status_code == 404
    assert client.get(f"/calendar/feed/{new_token}.ics").status_code == 200
    assert f"/calendar/feed/{new_token}.ics" in text(client.get(reverse("calendar-feed")))


def test_navigation_shows_tracking_entries_only_when_the_module_is_on(org, client_as):
    from banyan.accounts.models import Company

    page = text(client_as(org.sales1).get(reverse("task-list")))
    assert 'href="/activities/"' in page and 'href="/calendar/"' in page

    Company.objects.filter(pk=org.company.pk).update(uses_customer_tracking=False)
    page = text(client_as(org.sales1).get(reverse("task-list")))
    assert 'href="/activities/"' not in page and 'href="/tasks/"' not in page


def test_an_edit_link_shows_exactly_where_the_service_accepts_the_change(
    org, customer, call_type, client_as
):
    """sales_boss logged on a customer shared to edit; the share is then cut to view. Their
    activity and task stay theirs, but neither the lists, the calendar nor the customer view
    offer to change them, as the service refuses; the boss above both lines still may."""
    from banyan.activities.models import Activity as ActivityModel
    from banyan.core.errors import PermissionRefused

    activity = services.activity_log(
        user=org.sales_boss, customer=customer, type=call_type, subject="共享后的电话"
    )
    task = services.task_create(
        user=org.sales_boss,
        subject="共享后的回访",
        due_at=local(2031, 3, 5, 9, 30),
        customer=customer,
    )
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales_boss, level="view"
    )
    activity = ActivityModel.objects.get(pk=activity.pk)  # fresh, as a request fetches them
    task = Task.objects.get(pk=task.pk)

    rep = client_as(org.sales_boss)
    pages = {
        "activity list": rep.get(reverse("activity-list")).content.decode(),
        "task list": rep.get(reverse("task-list")).content.decode(),
        "calendar": rep.get(reverse("calendar"), {"date": "2031-03-05"}).content.decode(),
        "customer view": rep.get(customer.get_absolute_url()).content.decode(),
    }
    assert "共享后的电话" in pages["activity list"] and "共享后的回访" in pages["task list"]
    for name, page in pages.items():
        assert reverse("activity-edit", args=[activity.pk]) not in page, name
        assert reverse("task-edit", args=[task.pk]) not in page, name
    assert not selectors.can_change_activity(org.sales_boss, activity)
    assert not selectors.can_change_task(org.sales_boss, task)
    with pytest.raises(PermissionRefused):
        services.activity_update(user=org.sales_boss, activity=activity, subject="改")
    with pytest.raises(PermissionRefused):
        services.task_update(user=org.sales_boss, task=task, subject="改")

    boss_page = client_as(org.boss).get(reverse("activity-list")).content.decode()
    assert reverse("activity-edit", args=[activity.pk]) in boss_page
    assert selectors.can_change_activity(org.boss, activity)
