"""Demo data of the messaging app: a few SMS and e-mail templates, and an SMS log of the past
weeks (sent by the reps to their contacts, one refused by the gateway).

The log rows are written as the log backend would have written them: the demo never talks
to a real gateway, whatever SMS_BACKEND says.
"""

import random
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from banyan.accounts.demo import DEMO_RESET_STEPS, DEMO_STEPS
from banyan.customers.models import Contact
from banyan.messaging import services
from banyan.messaging.models import Channel, MessageTemplate, OutboxMessage, SmsLog

TEMPLATES = [
    (
        "sms",
        "拜访确认",
        "",
        "{contact_name}您好，我是{customer_name}的客户经理{my_name}，明天上午十点拜访贵司，如有变动请回复。",
    ),
    (
        "sms",
        "节日问候",
        "",
        "{contact_name}您好！值此佳节，{my_name}祝您和家人节日快乐，万事如意！",
    ),
    (
        "sms",
        "回款提醒",
        "",
        "{contact_name}您好，贵司（{customer_name}）本期款项即将到期，烦请安排付款，谢谢！——{my_name}",
    ),
    (
        "email",
        "报价单",
        "{customer_name} 报价单",
        "{contact_name}您好：\n\n附件为本次报价单，请查收。如有疑问请随时联系。\n\n{my_name}",
    ),
]


@DEMO_STEPS.register
def demo_messaging(company, users) -> bool:
    if MessageTemplate.objects.filter(company=company).exists():
        return False
    boss = users["boss"]
    for channel, name, subject, body in TEMPLATES:
        services.template_create(user=boss, channel=channel, name=name, subject=subject, body=body)
    rng = random.Random(6)
    contacts = list(
        Contact.objects.filter(company=company)
        .exclude(mobile="")
        .select_related("customer__owner")
        .order_by("id")[:40]
    )
    now = timezone.now()
    for index, contact in enumerate(rng.sample(contacts, min(len(contacts), 14))):
        sender = contact.customer.owner
        _channel, _name, _subject, body = TEMPLATES[index % 3]
        try:
            recipient = services.sms_recipient(contact.mobile)
        except ValidationError:
            continue  # a landline in the mobile field: no SMS
        at = now - timedelta(days=rng.randint(1, 25), minutes=rng.randint(0, 600))
        failed = index == 5
        answer = (
            '{"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发天级流控Permits:10"}'
            if failed
            else "logged, not sent"
        )
        text = services.render_text(body, user=sender, contact=contact)
        message = OutboxMessage.objects.create(
            company=company,
            channel=Channel.SMS,
            recipient=recipient,
            body=text,
            status=OutboxMessage.Status.FAILED if failed else OutboxMessage.Status.SENT,
            attempts=services.MAX_ATTEMPTS if failed else 1,
            next_attempt_at=at,
            sent_at=None if failed else at,
            gateway="log",
            gateway_answer=answer,
            created_by=sender,
            customer=contact.customer,
            contact=contact,
        )
        # Sent in the past, as the log says: not today's, so they leave the demo's daily
        # send limit to its visitors.
        OutboxMessage.objects.filter(pk=message.pk).update(created_at=at)
        SmsLog.objects.create(
            company=company,
            message=message,
            sender=sender,
            recipient=recipient,
            body=text,
            status=SmsLog.Status.FAILED if failed else SmsLog.Status.SENT,
            gateway="log",
            gateway_answer=answer,
            at=at,
        )
    return True


@DEMO_RESET_STEPS.register
def demo_messaging_reset(company) -> None:
    """The SMS log is never deleted by the application; the demo reset alone removes it,
    past the ledger's guard (the base manager has no guard)."""
    SmsLog._base_manager.filter(company=company).delete()
    OutboxMessage.objects.filter(company=company).delete()
    MessageTemplate.objects.filter(company=company).delete()
