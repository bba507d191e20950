"""The iCalendar feed: exactly the user's open tasks, stable UIDs, alarms, token auth."""

import datetime

import pytest
from icalendar import Calendar

from banyan.activities import services
from banyan.activities.tests.conftest import local


def feed_url(user) -> str:
    return f"/calendar/feed/{services.calendar_feed_get_or_create(user=user).token}.ics"


@pytest.fixture
def tasks(org, other_org, records):
    """sales1: the records' customer task, a personal one with a reminder, one from their
    manager, one done; and tasks of a peer and of another company's sales1."""
    personal = services.task_create(
        user=org.sales1,
        subject="写周报",
        details="本周拜访三家",
        due_at=local(2031, 3, 6, 17, 0),
        remind_at=local(2031, 3, 6, 16, 30),
        remind_by_email=True,
    )
    from_manager = services.task_create(
        user=org.manager1, subject="准备合同", due_at=local(2031, 3, 7, 9, 0), assignee=org.sales1
    )
    done = services.task_create(user=org.sales1, subject="已完成", due_at=local(2031, 3, 1, 9, 0))
    services.task_set_done(user=org.sales1, task=done)
    services.task_create(user=org.sales2, subject="同事的", due_at=local(2031, 3, 5, 9, 0))
    services.task_create(user=other_org.sales1, subject="别家的", due_at=local(2031, 3, 5, 9, 0))
    own = services.task_create(user=org.sales1, subject="给自己", due_at=local(2031, 3, 8, 9, 0))
    return {
        "customer_task": records["task"],
        "personal": personal,
        "from_manager": from_manager,
        "own": own,
    }


def events(response):
    calendar = Calendar.from_ical(response.content)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}, calendar


def test_the_feed_holds_exactly_the_users_open_tasks(org, tasks, client):
    response = client.get(feed_url(org.sales1))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    found, calendar = events(response)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Shanghai"
    own = [tasks[key].pk for key in ("customer_task", "personal", "from_manager", "own")]
    assert sorted(found) == sorted(f"task-{pk}@banyan" for pk in own)
    assert len(found) == 4


def test_an_event_carries_due_time_subject_customer_and_alarm(org, tasks, client):
    found, _calendar = events(client.get(feed_url(org.sales1)))

    on_customer = found[f"task-{tasks['customer_task'].pk}@banyan"]
    assert on_customer.decoded("DTSTART") == local(2031, 3, 5, 9, 30)
    assert str(on_customer["SUMMARY"]) == "发报价单 · 北京沃力科技"
    assert on_customer.walk("VALARM") == []
    personal = found[f"task-{tasks['personal'].pk}@banyan"]
    assert personal.decoded("DTSTART") == local(2031, 3, 6, 17, 0)
    assert str(personal["SUMMARY"]) == "写周报"
    assert str(personal["DESCRIPTION"]) == "本周拜访三家"
    (alarm,) = personal.walk("VALARM")
    assert alarm.decoded("TRIGGER") == datetime.timedelta(minutes=-30)
    assert str(alarm["ACTION"]) == "DISPLAY"


def test_uids_stay_when_a_task_changes(org, tasks, client):
    url = feed_url(org.sales1)
    before, _calendar = events(client.get(url))

    services.task_update(user=org.sales1, task=tasks["personal"], subject="改了")
    after, _calendar = events(client.get(url))

    assert sorted(before) == sorted(after)
    assert str(after[f"task-{tasks['personal'].pk}@banyan"]["SUMMARY"]) == "改了"


def test_a_peer_feed_holds_only_the_peers_tasks(org, tasks, client):
    found, _calendar = events(client.get(feed_url(org.sales2)))

    assert [str(e["SUMMARY"]) for e in found.values()] == ["同事的"]


def test_a_done_task_leaves_the_feed(org, tasks, client):
    url = feed_url(org.sales1)
    services.task_set_done(user=org.sales1, task=tasks["personal"])

    found, _calendar = events(client.get(url))

    assert f"task-{tasks['personal'].pk}@banyan" not in found and len(found) == 3


@pytest.mark.parametrize("token", ["unknown", "x" * 43, ""])
def test_an_unknown_token_is_not_found(db, client, token):
    assert client.get(f"/calendar/feed/{token}.ics").status_code == 404


def test_a_revoked_token_is_not_found(org, tasks, client):
    old = feed_url(org.sales1)

    services.calendar_feed_regenerate(user=org.sales1)

    assert client.get(old).status_code == 404
    assert client.get(feed_url(org.sales1)).status_code == 200


def test_a_deactivated_users_feed_is_not_found(org, tasks, client):
    from banyan.accounts import services as account_services

    url = feed_url(org.sales2)
    account_services.user_deactivate(actor=org.boss, user=org.sales2, hand_over_to=org.sales1)

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("extra", [1, 15])
def test_feed_query_count_is_fixed(org, client, extra, django_assert_max_num_queries):
    for n in range(extra):
        services.task_create(
            user=org.sales1,
            subject=f"t{n}",
            due_at=local(2031, 3, 3, 8, 0) + datetime.timedelta(hours=n),
        )
    url = feed_url(org.sales1)

    with django_assert_max_num_queries(3):
        response = client.get(url)

    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == extra
