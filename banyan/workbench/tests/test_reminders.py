"""Reminders through the outbox: a task's at its remind time, a payment plan's once within
the company's window, and the sweep that catches what no worker queued. Nothing twice."""

import datetime

from django.core.management import call_command
from django.utils import timezone

from banyan.accounts.models import Company, User
from banyan.activities import services as activity_services
from banyan.activities.models import Task
from banyan.activities.reminders import reminder_key
from banyan.finance.models import PaymentPlan
from banyan.finance.reminders import dangerously_remind_due_plans
from banyan.finance.tests.page_helpers import pay, plan, signed_agreement
from banyan.messaging import services as messaging_services
from banyan.messaging.models import OutboxMessage

MOBILE = "13800138000"


def reachable(user, mobile=MOBILE, email="rep@example.com") -> User:
    User.objects.filter(pk=user.pk).update(mobile=mobile, email=email)
    return User.objects.get(pk=user.pk)


def sweep() -> None:
    call_command("send_reminders", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_a_task_reminder_is_queued_for_its_time_on_its_channels(org):
    rep = reachable(org.sales1)
    now = timezone.now()
    remind_at = now + datetime.timedelta(hours=1)

    task = activity_services.task_create(
        user=rep,
        subject="回访",
        due_at=now + datetime.timedelta(hours=2),
        remind_at=remind_at,
        remind_by_sms=True,
        remind_by_email=True,
    )

    messages = {m.channel: m for m in OutboxMessage.objects.filter(company=org.company)}
    assert set(messages) == {"sms", "email"}
    assert (messages["sms"].recipient, messages["sms"].next_attempt_at) == (MOBILE, remind_at)
    assert messages["email"].recipient == "rep@example.com"
    assert "回访" in messages["sms"].body and "回访" in messages["email"].subject
    assert messages["sms"].dedupe_key == reminder_key(task, "sms")
    assert messages["sms"].dedupe_key.startswith(f"task:{task.pk}:")

    # Saving the task again queues nothing more; a new remind time replaces the reminders.
    activity_services.task_update(user=rep, task=task, subject="回访沃力")
    assert OutboxMessage.objects.count() == 2
    later = remind_at + datetime.timedelta(minutes=30)
    activity_services.task_update(user=rep, task=task, remind_at=later)
    assert sorted(OutboxMessage.objects.values_list("channel", "next_attempt_at")) == [
        ("email", later),
        ("sms", later),
    ]


def test_a_task_done_before_its_reminder_withdraws_it_and_reopening_brings_it_back(org):
    rep = reachable(org.sales1)
    now = timezone.now()
    task = activity_services.task_create(
        user=rep,
        subject="回访",
        due_at=now + datetime.timedelta(hours=2),
        remind_at=now + datetime.timedelta(hours=1),
        remind_by_sms=True,
    )
    assert OutboxMessage.objects.filter(status="queued").count() == 1

    activity_services.task_set_done(user=rep, task=task)
    assert not OutboxMessage.objects.exists()
    sweep()
    assert not OutboxMessage.objects.exists()  # the sweep does not revive it

    activity_services.task_set_done(user=rep, task=task, is_done=False)
    assert OutboxMessage.objects.filter(status="queued").count() == 1
    activity_services.task_delete(user=rep, task=Task.objects.get(pk=task.pk))
    assert not OutboxMessage.objects.exists()


def test_no_channel_or_no_address_queues_nothing_and_a_bad_mobile_does_not_block_the_task(org):
    now = timezone.now()
    later = now + datetime.timedelta(hours=1)
    activity_services.task_create(user=org.sales1, subject="无提醒", due_at=later)
    activity_services.task_create(  # sales1 has no mobile
        user=org.sales1, subject="无号码", due_at=later, remind_at=later, remind_by_sms=True
    )
    rep = reachable(org.sales2, mobile="12345")  # unusable for an SMS
    task = activity_services.task_create(
        user=rep, subject="座机", due_at=later, remind_at=later, remind_by_sms=True
    )
    assert Task.objects.filter(pk=task.pk).exists()
    assert OutboxMessage.objects.count() == 0


def test_a_missed_reminder_goes_out_once_when_the_sweep_runs(org, other_org):
    rep = reachable(org.sales1)
    now = timezone.now()
    # Written while reminders were not queued (an import, or before this module): no outbox
    # row, and its remind time passed while no worker ran.
    missed = Task.objects.create(
        company=org.company,
        subject="错过的提醒",
        due_at=now + datetime.timedelta(hours=1),
        remind_at=now - datetime.timedelta(hours=3),
        remind_by_sms=True,
        assignee=rep,
        created_by=rep,
    )
    done = Task.objects.create(
        company=org.company,
        subject="已完成",
        due_at=now,
        remind_at=now - datetime.timedelta(hours=3),
        remind_by_sms=True,
        assignee=rep,
        created_by=rep,
        done_at=now,
    )
    future = Task.objects.create(
        company=org.company,
        subject="还没到",
        due_at=now + datetime.timedelta(days=2),
        remind_at=now + datetime.timedelta(days=1),
        remind_by_sms=True,
        assignee=rep,
        created_by=rep,
    )
    # Queued in time by the service, then its time passed while no worker ran.
    queued = activity_services.task_create(
        user=rep,
        subject="已排队",
        due_at=now + datetime.timedelta(minutes=2),
        remind_at=now + datetime.timedelta(minutes=1),
        remind_by_sms=True,
    )

    sweep()
    sweep()

    keys = sorted(OutboxMessage.objects.values_list("dedupe_key", flat=True))
    assert keys == sorted([reminder_key(missed, "sms"), reminder_key(queued, "sms")])
    assert not any(f"task:{t.pk}:" in k for k in keys for t in (done, future))

    # It goes out once (the log backend), and sending again does nothing.
    message = OutboxMessage.objects.get(dedupe_key=reminder_key(missed, "sms"))
    assert messaging_services.send_pending(message.pk) == OutboxMessage.Status.SENT
    assert messaging_services.send_pending(message.pk) is None
    sweep()
    assert OutboxMessage.objects.filter(dedupe_key=reminder_key(missed, "sms")).count() == 1
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxMessage.Status.SENT


def test_a_plan_reminds_its_owner_once_within_the_window(
    org, grant, make_customer, make_product, make_agreement
):
    rep = reachable(org.sales1)
    finance = grant(org.director1, "finance")
    customer = make_customer(rep, name="沃力科技")
    order = signed_agreement(make_product, make_agreement, rep, customer, "10000.00")
    soon = plan(rep, order, "1000.00", due_in_days=10)
    overdue = plan(rep, order, "1000.00", due_in_days=-2)
    far = plan(rep, order, "1000.00", due_in_days=45)
    covered = plan(rep, order, "500.00", due_in_days=5)
    pay(finance, order, "500.00", plan=covered)

    now = timezone.now()
    assert dangerously_remind_due_plans(now) == 2
    assert dangerously_remind_due_plans(now) == 0
    sweep()

    messages = OutboxMessage.objects.filter(company=org.company)
    assert sorted(messages.values_list("dedupe_key", flat=True)) == sorted(
        [f"plan:{soon.pk}:{soon.due_on.isoformat()}", f"plan:{overdue.pk}:{overdue.due_on}"]
    )
    assert {m.recipient for m in messages} == {MOBILE}
    assert all("沃力科技" in m.body for m in messages)
    reminded = dict(PaymentPlan.objects.values_list("pk", "reminded_at"))
    assert reminded[soon.pk] == now and reminded[overdue.pk] == now
    assert reminded[far.pk] is None and reminded[covered.pk] is None


def test_the_window_is_the_companys_setting(
    org, client_as, make_customer, make_product, make_agreement
):
    assert org.company.payment_reminder_days == 30
    response = client_as(org.boss).post(
        "/account/settings/",
        {
            "uses_contracts": "on",
            "uses_orders": "on",
            "uses_customer_tracking": "on",
            "hot_customer_cap": "10",
            "payment_reminder_days": "60",
        },
    )
    assert response.status_code == 302
    assert Company.objects.get(pk=org.company.pk).payment_reminder_days == 60

    bad = client_as(org.boss).post(
        "/account/settings/",
        {"uses_contracts": "on", "hot_customer_cap": "10", "payment_reminder_days": "0"},
    )
    assert bad.status_code == 200 and "payment_reminder_days" in bad.context["form"].errors
    assert Company.objects.get(pk=org.company.pk).payment_reminder_days == 60

    rep = reachable(org.sales1, mobile="", email="rep@example.com")
    order = signed_agreement(
        make_product, make_agreement, rep, make_customer(rep, name="远航"), "9000.00"
    )
    far = plan(rep, order, "1000.00", due_in_days=45)
    assert dangerously_remind_due_plans() == 1
    message = OutboxMessage.objects.get()
    assert (message.channel, message.recipient) == ("email", "rep@example.com")
    assert message.dedupe_key == f"plan:{far.pk}:{far.due_on.isoformat()}"
