from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from banyan.core.errors import PermissionRefused, ValidationFailed
from banyan.messaging import backends, services
from banyan.messaging.models import OutboxMessage, SmsLog

MOBILE = "13800138000"


def queue_sms(org, recipient=MOBILE, body="您好", **extra):
    return services.enqueue(
        company_id=org.company.pk,
        channel="sms",
        recipient=recipient,
        body=body,
        created_by=extra.pop("created_by", org.sales1),
        **extra,
    )


def expire(message, **fields):
    """Move the message's next attempt (or its sending lease) into the past."""
    fields.setdefault("next_attempt_at", timezone.now() - timedelta(seconds=1))
    OutboxMessage.objects.filter(pk=message.pk).update(**fields)


# Counting and number rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (0, 0)),
        ("好" * 70, (70, 1)),
        ("a" * 70, (70, 1)),
        ("好" * 71, (71, 2)),
        ("a" * 134, (134, 2)),
        ("好" * 134, (134, 2)),
        ("好" * 135, (135, 3)),
        ("好a" * 100, (200, 3)),
    ],
)
def test_sms_parts_counts_characters_like_chinese_gateways(text, expected):
    assert services.sms_parts(text) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+86 138 0013 8000", MOBILE),
        ("１３８００１３８０００", MOBILE),
        ("0086 13800138000", MOBILE),
        ("138-0013-8000", MOBILE),
        (" 13800138000 ", MOBILE),
        ("+8613912345678", "13912345678"),
        # Fixed-line and PHS (小灵通) numbers: the area code, then the number.
        ("010-62881234", "01062881234"),
        ("0755-8888 8888", "075588888888"),
        ("(021) 6288-1234", "02162881234"),
    ],
)
def test_mobile_numbers_are_normalised(raw, expected):
    assert services.sms_recipient(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("12345", "11 digits"),
        ("5678", "not a"),
        ("1380013800", "11 digits"),
        ("138001380001", "11 digits"),
        ("13800l38000", "characters"),
        ("", "No mobile number"),
        ("+1 650 253 0000", "not a mainland China mobile or fixed-line number"),
    ],
)
def test_bad_numbers_are_refused_with_the_reason(raw, reason):
    with pytest.raises(ValidationError) as info:
        services.sms_recipient(raw)

    assert reason in " ".join(info.value.messages)


# The outbox --------------------------------------------------------------------------------


def test_a_message_is_sent_when_the_transaction_commits(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = queue_sms(org, recipient="+86 138 0013 8000")
        assert message.status == OutboxMessage.Status.QUEUED

    message.refresh_from_db()
    assert len(callbacks) == 1
    assert message.recipient == MOBILE
    assert message.status == OutboxMessage.Status.SENT
    assert message.gateway == "log"
    assert message.attempts == 1
    log = SmsLog.objects.get(message=message)
    assert (log.status, log.gateway, log.recipient, log.sender) == (
        "sent",
        "log",
        MOBILE,
        org.sales1,
    )


def test_enqueue_takes_a_phs_number_with_its_area_code(org):
    assert queue_sms(org, recipient="010-6288 1234").recipient == "01062881234"


def test_enqueue_refuses_a_bad_number_on_the_recipient_field(org):
    with pytest.raises(ValidationFailed) as info:
        queue_sms(org, recipient="+1 650 253 0000")

    assert "not a mainland China" in info.value.errors["recipient"][0]
    assert not OutboxMessage.objects.exists()


def test_a_dedupe_key_makes_a_message_enqueued_twice_one(org, other_org):
    first = queue_sms(org, dedupe_key="task-7-remind")
    second = queue_sms(org, dedupe_key="task-7-remind")
    elsewhere = queue_sms(other_org, dedupe_key="task-7-remind")

    assert first is not None and elsewhere is not None
    assert second is None
    assert OutboxMessage.objects.filter(company=org.company).count() == 1


def test_a_worker_killed_between_gateway_and_mark_does_not_send_twice(
    org, real_gateway, monkeypatch
):
    message = queue_sms(org)
    real_mark_sent = services._mark_sent

    def die(*args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(services, "_mark_sent", die)
    with pytest.raises(SystemExit):
        services.send_pending(message.pk)
    monkeypatch.setattr(services, "_mark_sent", real_mark_sent)

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENDING
    assert len(real_gateway.sends()) == 1
    # While the dead worker's lease runs, nobody else takes the message.
    assert services.send_pending(message.pk) is None
    expire(message)

    assert services.send_pending(message.pk) == OutboxMessage.Status.SENT

    message.refresh_from_db()
    assert len(real_gateway.sends()) == 1
    assert message.attempts == 2
    assert SmsLog.objects.filter(message=message, status="sent").count() == 1
    assert services.send_pending(message.pk) is None
    assert len(real_gateway.sends()) == 1


def test_failures_are_retried_with_backoff_then_failed_with_the_answer(org, real_gateway):
    message = queue_sms(org)
    for _ in range(services.MAX_ATTEMPTS):
        real_gateway.fail_next("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1")
    delays = []

    for attempt in range(1, services.MAX_ATTEMPTS + 1):
        before = timezone.now()
        status = services.send_pending(message.pk)
        message.refresh_from_db()
        assert message.attempts == attempt
        if attempt < services.MAX_ATTEMPTS:
            assert status == OutboxMessage.Status.QUEUED
            delays.append(round((message.next_attempt_at - before).total_seconds() / 60))
            assert services.send_pending(message.pk) is None  # not due yet
            expire(message)

    assert delays == [1, 2, 4, 8]
    assert message.status == OutboxMessage.Status.FAILED
    assert "触发分钟级流控" in message.gateway_answer
    assert len(real_gateway.sends()) == services.MAX_ATTEMPTS
    log = SmsLog.objects.get(message=message)
    assert log.status == "failed"
    assert "BUSINESS_LIMIT_CONTROL" in log.gateway_answer or "触发" in log.gateway_answer


def test_a_permanent_refusal_fails_at_once(org, aliyun):
    message = queue_sms(org)
    aliyun.fail_next("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")

    assert services.send_pending(message.pk) == OutboxMessage.Status.FAILED

    message.refresh_from_db()
    assert message.attempts == 1
    assert "非法手机号" in message.gateway_answer
    assert SmsLog.objects.get(message=message).status == "failed"


def test_a_wrong_secret_is_answered_by_the_gateway_and_recorded(org, real_gateway, settings):
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "wrong"
    settings.SMS_TENCENT_SECRET_KEY = "wrong"
    message = queue_sms(org)

    assert services.send_pending(message.pk) == OutboxMessage.Status.FAILED

    message.refresh_from_db()
    assert "Signature" in message.gateway_answer
    assert real_gateway.calls[0]["signature_ok"] is False


def test_both_gateways_receive_signed_requests_with_the_out_id(org, real_gateway):
    message = queue_sms(org, body="王总您好：合同已寄出。")

    assert services.send_pending(message.pk) == OutboxMessage.Status.SENT

    call = real_gateway.sends()[0]
    assert call["signature_ok"] is True
    message.refresh_from_db()
    if call["gateway"] == "aliyun":
        assert call["params"]["OutId"] == message.out_id
        assert call["params"]["PhoneNumbers"] == MOBILE
        assert "合同已寄出" in call["params"]["TemplateParam"]
        assert message.provider_id.startswith("biz-")
    else:
        assert call["params"]["SessionContext"] == message.out_id
        assert call["params"]["PhoneNumberSet"] == ["+86" + MOBILE]
        assert call["params"]["TemplateParamSet"] == ["王总您好：合同已寄出。"]
        assert message.provider_id.startswith("serial-")
    assert message.gateway == call["gateway"]


def test_an_unreachable_gateway_is_retried(org, settings):
    settings.SMS_BACKEND = "aliyun"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = "id"
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "secret"
    settings.SMS_ALIYUN_SIGN_NAME = "sign"
    settings.SMS_ALIYUN_TEMPLATE_CODE = "SMS_1"
    settings.SMS_ALIYUN_ENDPOINT = "http://127.0.0.1:9/"  # discard port: nobody listens
    message = queue_sms(org)

    assert services.send_pending(message.pk) == OutboxMessage.Status.QUEUED

    message.refresh_from_db()
    assert "unreachable" in message.last_error
    assert not SmsLog.objects.exists()


def test_the_aliyun_signature_matches_the_documented_example():
    """The worked example of Aliyun's "RPC signature" documentation for SendSms."""
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }

    assert backends.aliyun_signature(params, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


# The sweep ----------------------------------------------------------------------------------


def test_the_sweep_sends_a_message_whose_task_never_ran(org, aliyun):
    message = queue_sms(org)  # on_commit never runs here: the task was never enqueued
    expire(message, next_attempt_at=timezone.now() - timedelta(minutes=10))

    assert services.sweep() == 1

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert services.sweep() == 0
    assert len(aliyun.sends()) == 1


def test_a_reminder_due_while_no_worker_ran_goes_out_once(org, tencent):
    remind_at = timezone.now() + timedelta(hours=1)
    message = services.enqueue(
        company_id=org.company.pk,
        channel="sms",
        recipient=org.sales1.mobile or MOBILE,
        body="提醒：15:00 拜访客户",
        dedupe_key="task-1-reminder",
        run_after=remind_at,
    )
    assert services.sweep() == 0  # not due yet
    expire(message, next_attempt_at=timezone.now() - timedelta(hours=3))

    assert services.sweep() == 1
    assert services.sweep() == 0
    assert services.send_pending(message.pk) is None

    assert len(tencent.sends()) == 1
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert SmsLog.objects.get(message=message).sender is None


def test_the_sweep_takes_a_message_abandoned_while_sending(org, aliyun):
    message = queue_sms(org)
    expire(
        message,
        status=OutboxMessage.Status.SENDING,
        attempts=1,
        next_attempt_at=timezone.now() - timedelta(minutes=10),
    )

    assert services.sweep() == 1

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert [c["action"] for c in aliyun.calls] == ["QuerySendDetails", "SendSms"]


# The SMS log is a ledger ---------------------------------------------------------------------


def test_the_sms_log_is_never_changed_or_deleted(org):
    message = queue_sms(org)
    services.send_pending(message.pk)
    log = SmsLog.objects.get()

    log.body = "changed"
    with pytest.raises(PermissionRefused):
        log.save()
    with pytest.raises(PermissionRefused):
        log.delete()
    with pytest.raises(PermissionRefused):
        SmsLog.objects.filter(pk=log.pk).update(body="changed")
    with pytest.raises(PermissionRefused):
        SmsLog.objects.filter(pk=log.pk).delete()
    with pytest.raises(PermissionRefused):
        SmsLog.objects.all().delete()

    log.refresh_from_db()
    assert log.body == "您好"


# E-mail --------------------------------------------------------------------------------------


def test_an_email_goes_through_djangos_backend(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = services.enqueue(
            company_id=org.company.pk,
            channel="email",
            recipient="li@example.com",
            subject="报价单",
            body="请查收。",
            created_by=org.sales1,
        )

    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["li@example.com"]
    assert mail.outbox[0].subject == "报价单"
    assert mail.outbox[0].extra_headers["X-Banyan-Out-Id"] == message.out_id
    assert not SmsLog.objects.exists()


def test_an_email_interrupted_mid_send_is_not_sent_again(org):
    message = services.enqueue(
        company_id=org.company.pk,
        channel="email",
        recipient="li@example.com",
        body="x",
        subject="s",
    )
    expire(message, status=OutboxMessage.Status.SENDING, attempts=1)

    assert services.send_pending(message.pk) == OutboxMessage.Status.FAILED
    assert mail.outbox == []


# Sending from the CRM -----------------------------------------------------------------------


def test_a_bulk_send_queues_the_good_numbers_and_refuses_each_bad_one(org, make_customer):
    from banyan.customers.models import Contact

    customer = make_customer(org.sales1, name="北京沃力科技")
    good = Contact.objects.create(
        company=org.company, customer=customer, name="张三", mobile="+86 139 1234 5678"
    )
    landline = Contact.objects.create(
        company=org.company, customer=customer, name="李四", phone="010-62881234"
    )
    nothing = Contact.objects.create(company=org.company, customer=customer, name="王五")

    report = services.sms_send(
        user=org.sales1,
        body="{contact_name}您好，我是{my_name}（{customer_name}）",
        contacts=[good, landline, nothing],
        recipients=["１３８００１３８０００", "12345", "13912345678"],
    )

    assert [m.recipient for m in report.queued] == ["13912345678", "01062881234", MOBILE]
    assert report.queued[0].body == "张三您好，我是sales1（北京沃力科技）"
    assert report.queued[0].contact == good and report.queued[0].customer == customer
    refused = {r.recipient: r.reason for r in report.refused}
    assert set(refused) == {"王五", "12345", "13912345678"}
    assert "No mobile number" in refused["王五"]
    assert "Already a recipient" in refused["13912345678"]
    assert OutboxMessage.objects.count() == 3


def test_a_send_without_text_or_recipients_names_the_field(org):
    with pytest.raises(ValidationFailed) as info:
        services.sms_send(user=org.sales1, body=" ", recipients=[MOBILE])
    assert "body" in info.value.errors

    with pytest.raises(ValidationFailed) as info:
        services.sms_send(user=org.sales1, body="hi")
    assert "recipients" in info.value.errors

    with pytest.raises(ValidationFailed) as info:
        services.email_send(user=org.sales1, subject="", body="hi", recipients=["a@b.cn"])
    assert "subject" in info.value.errors
    assert not OutboxMessage.objects.exists()


def test_templates_are_changed_by_their_author_or_a_boss(org):
    template = services.template_create(
        user=org.sales1, channel="sms", name="拜访确认", body="{contact_name}您好"
    )

    with pytest.raises(PermissionRefused):
        services.template_update(user=org.sales2, template=template, name="x", body="y")
    services.template_update(user=org.boss, template=template, name="拜访确认2", body="您好")

    template.refresh_from_db()
    assert template.name == "拜访确认2"
    with pytest.raises(ValidationFailed) as info:
        services.template_create(user=org.sales2, channel="sms", name="拜访确认2", body="z")
    assert "name" in info.value.errors
