"""The public demo is no SMS or e-mail relay: whatever is configured, nothing of the demo
company leaves the system (its messages go to the log only), and its visitors may send only
to the demo's own contacts."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from banyan.activities import services as activity_services
from banyan.messaging import services
from banyan.messaging.models import OutboxMessage, SmsLog

OUTSIDER = "13700001111"
DEMO_ONLY = "In the demo company, messages can only go to the demo's own contacts."


@pytest.fixture
def smtp_like(settings):
    """An e-mail backend that delivers (into django.core.mail.outbox), as SMTP would."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_nothing_of_the_demo_reaches_a_gateway_whatever_is_configured(
    demo_org, org, aliyun, smtp_like, django_capture_on_commit_callbacks
):
    boss = demo_org.boss
    with django_capture_on_commit_callbacks(execute=True):
        # A manual send, a bulk send by both channels, and messages queued straight into the
        # outbox (as a reminder is), to anyone.
        services.sms_send(user=boss, body="{contact_name}您好", contacts=[demo_org.contact])
        services.email_send(user=boss, subject="报价", body="请查收", contacts=[demo_org.contact])
        for channel, recipient in (("sms", OUTSIDER), ("email", "outsider@example.com")):
            services.enqueue(
                company_id=demo_org.company.pk,
                channel=channel,
                recipient=recipient,
                subject="提醒",
                body="提醒",
                dedupe_key=f"other:{channel}",
            )
    # A task reminder of the demo boss, sent by the sweep once due.
    activity_services.task_create(
        user=boss,
        subject="回访",
        due_at=timezone.now() + datetime.timedelta(hours=2),
        remind_at=timezone.now() + datetime.timedelta(hours=1),
        remind_by_sms=True,
        remind_by_email=True,
    )
    OutboxMessage.objects.filter(status="queued").update(
        next_attempt_at=timezone.now() - datetime.timedelta(hours=1)
    )
    services.sweep()

    demo_messages = OutboxMessage.objects.filter(company=demo_org.company)
    assert demo_messages.count() == 6
    assert set(demo_messages.values_list("status", "gateway")) == {("sent", "log")}
    assert all(
        "demo" in answer for answer in demo_messages.values_list("gateway_answer", flat=True)
    )
    logs = SmsLog.objects.filter(company=demo_org.company)
    assert logs.count() == 3
    assert set(logs.values_list("status", "gateway")) == {("sent", "log")}
    assert aliyun.calls == []
    assert mail.outbox == []

    # A normal company's messages, by the same configuration, do reach the gateway and mail.
    with django_capture_on_commit_callbacks(execute=True):
        services.sms_send(user=org.sales1, body="您好", recipients=[OUTSIDER])
        services.email_send(user=org.sales1, subject="报价", body="请查收", recipients=["a@b.cn"])
    assert [call["params"]["PhoneNumbers"] for call in aliyun.sends()] == [OUTSIDER]
    assert [message.to for message in mail.outbox] == [["a@b.cn"]]
    assert set(
        OutboxMessage.objects.filter(company=org.company).values_list("gateway", flat=True)
    ) == {"aliyun", "email"}


def test_the_email_log_shows_a_demo_email_was_only_logged(
    demo_org, client_as, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.email_send(
            user=demo_org.boss, subject="报价", body="请查收", contacts=[demo_org.contact]
        )

    listed = client_as(demo_org.boss).get(reverse("email-log"))

    page = listed.content.decode()
    assert listed.status_code == 200
    assert "The demo company: logged, not sent." in page and ">log</span>" in page


def test_a_demo_send_to_an_outside_number_or_address_is_refused_and_queues_nothing(demo_org):
    from banyan.core.errors import ValidationFailed

    for send, extra in (
        (services.sms_send, {"recipients": [OUTSIDER]}),
        (services.email_send, {"recipients": ["outsider@example.com"], "subject": "s"}),
    ):
        with pytest.raises(ValidationFailed) as info:
            send(user=demo_org.boss, body="您好", contacts=[demo_org.contact], **extra)
        assert info.value.errors["recipients"][0] == DEMO_ONLY
        assert extra["recipients"][0] in info.value.errors["recipients"][1]
    assert not OutboxMessage.objects.exists()


def test_a_demo_send_to_its_own_contacts_typed_in_goes_to_the_log(
    demo_org, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sms = services.sms_send(user=demo_org.boss, body="您好", recipients=["+86 139 1234 5678"])
        email = services.email_send(
            user=demo_org.boss, subject="s", body="b", recipients=["Zhang@Example.com"]
        )

    assert [m.recipient for m in sms.queued + email.queued] == [
        "13912345678",
        "Zhang@Example.com",
    ]
    assert set(OutboxMessage.objects.values_list("status", "gateway")) == {("sent", "log")}


def test_the_api_refuses_a_demo_send_to_an_outside_number_with_the_field(demo_org, api_as):
    response = api_as(demo_org.boss).post(
        "/api/v1/sms/",
        {"recipients": [OUTSIDER], "contacts": [demo_org.contact.pk], "body": "您好"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["recipients"][0] == DEMO_ONLY
    assert not OutboxMessage.objects.exists()


def test_the_page_refuses_a_demo_send_to_an_outside_number_keeping_what_was_typed(demo_org, client):
    assert client.post(reverse("demo-login")).status_code == 302  # "Try the demo"
    url = reverse("sms-send") + f"?customer={demo_org.customer.pk}"

    response = client.post(
        url,
        {
            "contacts": [demo_org.contact.pk],
            "extra_recipients": OUTSIDER,
            "body": "限时优惠",
            "send": "1",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert DEMO_ONLY.replace("'", "&#x27;") in page
    assert response.context["form"].errors["extra_recipients"][0] == DEMO_ONLY
    assert OUTSIDER in page and "限时优惠" in page
    assert not OutboxMessage.objects.exists()
