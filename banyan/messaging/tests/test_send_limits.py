"""Send limits, per user and hour and per company and day (the demo's much lower), counted
from the outbox: a send that would cross one is refused as a whole, saying the limit, how
many are left and when it fits, and writes nothing. Reminders are never refused: past the
company's limit they are kept, but go to the log only."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from banyan.core.errors import ValidationFailed
from banyan.messaging import services
from banyan.messaging.models import OutboxMessage, SmsLog


def numbers(count: int, start: int = 0) -> list[str]:
    return [f"1380013{n:04d}" for n in range(start, start + count)]


def send(user, count: int, start: int = 0):
    return services.sms_send(user=user, body="您好", recipients=numbers(count, start))


def refusal(user, count: int, start: int = 0) -> str:
    with pytest.raises(ValidationFailed) as info:
        send(user, count, start)
    (message,) = info.value.errors["recipients"]
    return message


def at_minute(minutes_ago: int) -> datetime.datetime:
    return (timezone.now() - datetime.timedelta(minutes=minutes_ago)).replace(
        second=0, microsecond=0
    )


def shanghai(moment: datetime.datetime) -> str:
    return timezone.localtime(moment, timezone.get_fixed_timezone(8 * 60)).strftime(
        "%Y-%m-%d %H:%M"
    )


@override_settings(SEND_LIMIT_PER_USER_HOUR=3, SEND_LIMIT_PER_COMPANY_DAY=100)
def test_the_send_that_crosses_the_users_hourly_limit_is_refused_whole(org):
    send(org.sales1, 2)
    oldest = at_minute(50)
    first, second = OutboxMessage.objects.order_by("pk")
    OutboxMessage.objects.filter(pk=first.pk).update(created_at=oldest)
    OutboxMessage.objects.filter(pk=second.pk).update(
        created_at=oldest + datetime.timedelta(minutes=5)
    )

    message = refusal(org.sales1, 2, start=10)

    assert message == (
        "You can send 3 messages an hour; 1 is left this hour. This send has 2 messages; "
        f"there is room for them from {shanghai(oldest + datetime.timedelta(hours=1))}."
    )
    assert OutboxMessage.objects.count() == 2
    # Another user has their own hour; the last one fits; older messages stop counting.
    assert len(send(org.sales2, 3, start=20).queued) == 3
    assert len(send(org.sales1, 1, start=30).queued) == 1
    assert "0 are left this hour" in refusal(org.sales1, 1, start=40)
    OutboxMessage.objects.filter(created_by=org.sales1).update(created_at=at_minute(61))
    assert len(send(org.sales1, 3, start=50).queued) == 3


def test_the_default_limit_is_200_an_hour_and_a_bigger_send_is_told_to_split(org):
    message = refusal(org.sales1, 201)

    assert message == (
        "You can send 200 messages an hour; 200 are left this hour. This send has 201 "
        "messages: send to fewer recipients at a time."
    )
    assert not OutboxMessage.objects.exists()


@override_settings(SEND_LIMIT_PER_USER_HOUR=100, SEND_LIMIT_PER_COMPANY_DAY=5)
def test_the_send_that_crosses_the_companys_daily_limit_is_refused_whole(org, other_org):
    send(org.sales1, 2)
    send(org.manager1, 2, start=10)
    OutboxMessage.objects.filter(created_by=org.sales1).update(created_at=at_minute(23 * 60))

    message = refusal(org.sales2, 2, start=20)

    freed = at_minute(23 * 60) + datetime.timedelta(days=1)
    assert message == (
        "Your company can send 5 messages a day; 1 is left today. This send has 2 messages; "
        f"there is room for them from {shanghai(freed)}."
    )
    assert OutboxMessage.objects.filter(company=org.company).count() == 4
    assert len(send(other_org.sales1, 5).queued) == 5  # another company's day is its own


@override_settings(SEND_LIMIT_DEMO_DAY=2, SEND_LIMIT_PER_COMPANY_DAY=100)
def test_the_demo_company_has_its_own_much_lower_daily_limit(demo_org, org):
    boss, contact = demo_org.boss, demo_org.contact
    services.sms_send(user=boss, body="您好", contacts=[contact])
    OutboxMessage.objects.update(created_at=at_minute(60))
    services.email_send(user=boss, subject="s", body="b", contacts=[contact])

    with pytest.raises(ValidationFailed) as info:
        services.sms_send(user=boss, body="再次问候", contacts=[contact])

    freed = at_minute(60) + datetime.timedelta(days=1)
    assert info.value.errors["recipients"] == [
        "The demo company can send 2 messages a day; 0 are left today. This send has 1 "
        f"message; there is room for it from {shanghai(freed)}."
    ]
    assert OutboxMessage.objects.filter(company=demo_org.company).count() == 2
    assert len(send(org.sales1, 3).queued) == 3


@override_settings(SEND_LIMIT_PER_USER_HOUR=2)
def test_the_api_answers_a_send_past_the_limit_with_400_on_recipients(org, api_as):
    response = api_as(org.sales1).post(
        "/api/v1/emails/",
        {
            "recipients": ["a@example.com", "b@example.com", "c@example.com"],
            "subject": "s",
            "body": "b",
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "recipients": [
            "You can send 2 messages an hour; 2 are left this hour. This send has 3 messages: "
            "send to fewer recipients at a time."
        ]
    }
    assert not OutboxMessage.objects.exists()


@override_settings(SEND_LIMIT_PER_USER_HOUR=2)
def test_the_page_shows_a_send_past_the_limit_on_the_form_keeping_the_text(
    org, client_as, make_customer
):
    from banyan.customers.models import Contact

    customer = make_customer(org.sales1)
    first = Contact.objects.create(
        company=org.company, customer=customer, name="甲", mobile="13912345678"
    )
    second = Contact.objects.create(
        company=org.company, customer=customer, name="乙", mobile="13912345679"
    )
    send(org.sales1, 1)

    response = client_as(org.sales1).post(
        reverse("sms-send") + f"?customer={customer.pk}",
        {"contacts": [first.pk, second.pk], "body": "周年庆通知", "send": "1"},
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["contacts"]
    assert errors[0].startswith("You can send 2 messages an hour; 1 is left this hour.")
    assert "周年庆通知" in response.content.decode()
    assert OutboxMessage.objects.count() == 1


@override_settings(SEND_LIMIT_PER_COMPANY_DAY=2, SEND_LIMIT_PER_USER_HOUR=2)
def test_reminders_count_toward_the_company_limit_and_past_it_go_to_the_log_only(
    org, aliyun, django_capture_on_commit_callbacks
):
    def remind(n: int):
        return services.enqueue(
            company_id=org.company.pk,
            channel="sms",
            recipient=numbers(1, n)[0],
            body="提醒：回访",
            dedupe_key=f"task:{n}",
        )

    with django_capture_on_commit_callbacks(execute=True):
        reminders = [remind(n) for n in range(3)]  # no user: the per-user limit is not theirs

    assert "Your company can send 2 messages a day; 0 are left today." in refusal(org.sales1, 1)
    for reminder in reminders:
        reminder.refresh_from_db()
    assert [r.status for r in reminders] == ["sent", "sent", "sent"]
    assert [r.gateway for r in reminders] == ["aliyun", "aliyun", "log"]
    assert "limit of 2 messages a day" in reminders[2].gateway_answer
    assert len(aliyun.sends()) == 2
    assert SmsLog.objects.get(message=reminders[2]).gateway == "log"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
def test_an_index_serves_each_count(org):
    since = timezone.now() - datetime.timedelta(days=1)
    rows = OutboxMessage.objects.filter(company_id=org.company.pk, created_at__gt=since)

    def plan(queryset) -> str:
        sql, params = queryset.values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return " ".join(str(row[-1]) for row in cursor.fetchall())

    assert "outbox_company_created" in plan(rows)
    assert "outbox_company_sender" in plan(rows.filter(created_by=org.sales1))


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent row locks need PostgreSQL"
)
@pytest.mark.django_db(transaction=True)
@override_settings(SEND_LIMIT_PER_COMPANY_DAY=5, SEND_LIMIT_PER_USER_HOUR=100)
def test_concurrent_sends_of_one_company_never_cross_its_limit(org):
    """Six people send two messages each at the same moment, under a limit of five: two
    sends go through and four are refused, whatever the order (SQLite serialises writers
    anyway)."""
    from banyan.accounts.models import User

    people = [org.sales1, org.sales2, org.sales3, org.sales4, org.manager1, org.boss]
    barrier = threading.Barrier(len(people))
    outcomes = []

    def send_at_once(index: int, user_pk: int) -> None:
        try:
            user = User.objects.select_related("company").get(pk=user_pk)
            barrier.wait(timeout=60)
            send(user, 2, start=index * 10)
            outcomes.append("sent")
        except ValidationFailed as refused:
            outcomes.append("refused" if "5 messages a day" in str(refused) else refused)
        except Exception as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=send_at_once, args=(index, user.pk))
        for index, user in enumerate(people)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(map(str, outcomes)) == ["refused"] * 4 + ["sent"] * 2
    assert OutboxMessage.objects.filter(company=org.company).count() == 4
