"""API of activities, tasks and work summaries: the visibility matrix, writes, filters,
fixed query counts."""

import datetime

import pytest

from banyan.activities import services
from banyan.activities.models import Activity, Task, WorkSummary
from banyan.activities.tests.conftest import (
    CHANGERS,
    LOGGERS,
    READERS,
    STRANGERS,
    activity_type,
    local,
)

ACTIVITIES = "/api/v1/activities/"
TASKS = "/api/v1/tasks/"
SUMMARIES = "/api/v1/work-summaries/"


def expected_status(who, allowed, *, ok=200):
    if who in allowed:
        return ok
    return 404 if who in STRANGERS else 403


def iso(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).isoformat()


# The matrix ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS + STRANGERS)
def test_reading(records, actor, api_as, who):
    client = api_as(actor(who))
    for url, record in (
        (ACTIVITIES, records["activity"]),
        (TASKS, records["task"]),
        (SUMMARIES, records["summary"]),
    ):
        listed = [row["id"] for row in client.get(url).json()["results"]]
        detail = client.get(f"{url}{record.pk}/")

        assert (record.pk in listed) is (who in READERS), url
        assert detail.status_code == (200 if who in READERS else 404), url


@pytest.mark.parametrize("who", READERS + STRANGERS)
def test_editing(records, actor, api_as, who):
    client = api_as(actor(who))

    activity = client.patch(
        f"{ACTIVITIES}{records['activity'].pk}/", {"subject": "改"}, format="json"
    )
    task = client.patch(f"{TASKS}{records['task'].pk}/", {"subject": "改"}, format="json")
    summary = client.patch(f"{SUMMARIES}{records['summary'].pk}/", {"content": "改"}, format="json")

    assert activity.status_code == expected_status(who, CHANGERS)
    assert task.status_code == expected_status(who, CHANGERS)
    assert summary.status_code == expected_status(who, CHANGERS)
    changed = who in CHANGERS
    assert (Activity.objects.get().subject == "改") is changed
    assert (Task.objects.get().subject == "改") is changed
    assert (WorkSummary.objects.get().content == "改") is changed


@pytest.mark.parametrize("who", READERS + STRANGERS)
def test_marking_a_task_done(records, actor, api_as, who):
    response = api_as(actor(who)).patch(
        f"{TASKS}{records['task'].pk}/", {"is_done": True}, format="json"
    )

    assert response.status_code == expected_status(who, CHANGERS)
    assert (Task.objects.get().done_at is not None) is (who in CHANGERS)
    if who in CHANGERS:
        assert response.json()["is_done"] is True and response.json()["done_at"]


@pytest.mark.parametrize("who", READERS + STRANGERS)
def test_deleting(records, actor, api_as, who):
    client = api_as(actor(who))

    statuses = [
        client.delete(f"{ACTIVITIES}{records['activity'].pk}/").status_code,
        client.delete(f"{TASKS}{records['task'].pk}/").status_code,
        client.delete(f"{SUMMARIES}{records['summary'].pk}/").status_code,
    ]

    assert statuses == [expected_status(who, CHANGERS, ok=204)] * 3
    kept = who not in CHANGERS
    assert (Activity.objects.exists(), Task.objects.exists(), WorkSummary.objects.exists()) == (
        kept,
        kept,
        kept,
    )


@pytest.mark.parametrize("who", READERS + STRANGERS)
def test_creating_on_the_customer(customer, call_type, actor, api_as, who):
    client = api_as(actor(who))

    activity = client.post(
        ACTIVITIES,
        {"customer": customer.pk, "type": call_type.pk, "subject": "电话"},
        format="json",
    )
    task = client.post(
        TASKS,
        {"customer": customer.pk, "subject": "回访", "due_at": iso(local(2031, 3, 5, 9, 0))},
        format="json",
    )
    summary = client.post(
        SUMMARIES,
        {"customer": customer.pk, "kind": "evaluation", "content": "好"},
        format="json",
    )

    # An invisible customer is an unknown id in the body: 400 naming the field.
    expected = 201 if who in LOGGERS else (400 if who in STRANGERS else 403)
    assert [activity.status_code, task.status_code, summary.status_code] == [expected] * 3
    if who in STRANGERS:
        if who == "other_company":
            # Another company's activity type is unknown too.
            assert activity.json() == {
                "customer": ["Choose a customer you can see."],
                "type": ["Choose an activity type from the list."],
            }
        else:
            assert activity.json() == {"customer": ["Choose a customer you can see."]}
    created = 1 if who in LOGGERS else 0
    assert (Activity.objects.count(), Task.objects.count(), WorkSummary.objects.count()) == (
        created,
        created,
        created,
    )


# Writes --------------------------------------------------------------------------------------


def test_logging_returns_the_plain_fields(org, customer, contact, call_type, api_as):
    at = local(2025, 3, 4, 10, 30)

    response = api_as(org.sales1).post(
        ACTIVITIES,
        {
            "customer": customer.pk,
            "contact": contact.pk,
            "type": call_type.pk,
            "subject": "谈了报价",
            "details": "九折",
            "occurred_at": iso(at),
        },
        format="json",
    )

    assert response.status_code == 201
    data = response.json()
    activity = Activity.objects.get()
    assert data == {
        "id": activity.pk,
        "customer": customer.pk,
        "contact": contact.pk,
        "type": call_type.pk,
        "subject": "谈了报价",
        "details": "九折",
        "occurred_at": "2025-03-04T10:30:00+08:00",
        "owner": org.sales1.pk,
        "created_at": data["created_at"],
        "updated_at": data["updated_at"],
    }
    customer.refresh_from_db()
    assert customer.last_contacted_at == at


def test_a_contact_of_another_customer_is_refused(org, customer, make_customer, call_type, api_as):
    other = make_customer(org.sales1, name="其他", contacts=[{"name": "李四"}])

    response = api_as(org.sales1).post(
        ACTIVITIES,
        {
            "customer": customer.pk,
            "contact": other.contacts.get().pk,
            "type": call_type.pk,
            "subject": "a",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"contact": ["Choose a contact of this customer."]}
    assert Activity.objects.count() == 0


def test_a_task_for_someone_one_may_not_assign_to_is_refused(org, api_as):
    response = api_as(org.sales1).post(
        TASKS,
        {"subject": "a", "due_at": iso(local(2031, 3, 5, 9, 0)), "assignee": org.sales2.pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "assignee": ["You can assign tasks only to yourself or to the people below you."]
    }
    assert Task.objects.count() == 0


def test_a_task_returns_the_plain_fields(org, api_as):
    due = local(2031, 3, 5, 9, 0)

    response = api_as(org.manager1).post(
        TASKS,
        {
            "subject": "准备合同",
            "due_at": iso(due),
            "remind_at": iso(due - datetime.timedelta(hours=1)),
            "remind_by_email": True,
            "assignee": org.sales1.pk,
        },
        format="json",
    )

    assert response.status_code == 201
    data = response.json()
    task = Task.objects.get()
    assert data == {
        "id": task.pk,
        "customer": None,
        "subject": "准备合同",
        "details": "",
        "due_at": "2031-03-05T09:00:00+08:00",
        "remind_at": "2031-03-05T08:00:00+08:00",
        "remind_by_sms": False,
        "remind_by_email": True,
        "assignee": org.sales1.pk,
        "is_done": False,
        "done_at": None,
        "created_by": org.manager1.pk,
        "created_at": data["created_at"],
        "updated_at": data["updated_at"],
    }


def test_the_assignee_marks_done_and_reopens_a_task_from_their_manager(org, api_as):
    task = services.task_create(
        user=org.manager1, subject="a", due_at=local(2031, 3, 5, 9, 0), assignee=org.sales1
    )

    done = api_as(org.sales1).patch(f"{TASKS}{task.pk}/", {"is_done": True}, format="json")
    reopened = api_as(org.sales1).patch(f"{TASKS}{task.pk}/", {"is_done": False}, format="json")

    assert done.status_code == reopened.status_code == 200
    assert done.json()["is_done"] is True
    assert reopened.json()["is_done"] is False and Task.objects.get().done_at is None


def test_the_customer_of_a_record_stays(org, records, make_customer, api_as):
    other = make_customer(org.sales1, name="其他")

    response = api_as(org.sales1).patch(
        f"{ACTIVITIES}{records['activity'].pk}/", {"customer": other.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"customer": ["The customer of an activity cannot be changed."]}
    assert Activity.objects.get().customer_id == records["activity"].customer_id


def test_a_bad_time_names_the_field(org, api_as):
    response = api_as(org.sales1).post(TASKS, {"subject": "a", "due_at": "tomorrow"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["due_at"]


# Filters -------------------------------------------------------------------------------------


def test_filters(org, customer, make_customer, call_type, visit_type, api_as):
    other = make_customer(org.sales1, name="其他")
    call = services.activity_log(user=org.sales1, customer=customer, type=call_type, subject="a")
    visit = services.activity_log(user=org.manager1, customer=other, type=visit_type, subject="b")
    soon = services.task_create(user=org.sales1, subject="soon", due_at=local(2031, 3, 5, 9, 0))
    later = services.task_create(
        user=org.manager1, subject="later", due_at=local(2031, 4, 5, 9, 0), assignee=org.sales2
    )
    services.task_set_done(user=org.sales1, task=soon)
    client = api_as(org.manager1)

    def ids(url, **params):
        return sorted(row["id"] for row in client.get(url, params).json()["results"])

    assert ids(ACTIVITIES, customer=customer.pk) == [call.pk]
    assert ids(ACTIVITIES, type=visit_type.pk) == [visit.pk]
    assert ids(ACTIVITIES, owner=org.manager1.pk) == [visit.pk]
    assert ids(TASKS, assignee=org.sales2.pk) == [later.pk]
    assert ids(TASKS, is_done="true") == [soon.pk]
    assert ids(TASKS, is_done="false") == [later.pk]
    assert ids(TASKS, due_after=iso(local(2031, 4, 1, 0, 0))) == [later.pk]
    assert ids(TASKS, due_before=iso(local(2031, 4, 1, 0, 0))) == [soon.pk]


# Query counts --------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 25])
def test_list_query_counts_are_fixed(
    org, customer, contact, call_type, api_as, count, django_assert_max_num_queries
):
    for n in range(count):
        services.activity_log(
            user=org.sales1, customer=customer, type=call_type, subject=f"a{n}", contact=contact
        )
        services.task_create(
            user=org.sales1, customer=customer, subject=f"t{n}", due_at=local(2031, 1, 1, 9, 0)
        )
        services.work_summary_create(
            user=org.sales1, customer=customer, kind="evaluation", content=f"s{n}"
        )
    client = api_as(org.manager1)

    for url in (ACTIVITIES, TASKS, SUMMARIES):
        with django_assert_max_num_queries(5):
            response = client.get(url, {"page_size": 50})
        assert len(response.json()["results"]) == count


def test_other_companys_type_is_unknown(org, other_org, customer, api_as):
    response = api_as(org.sales1).post(
        ACTIVITIES,
        {"customer": customer.pk, "type": activity_type(other_org.company).pk, "subject": "a"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"type": ["Choose an activity type from the list."]}
