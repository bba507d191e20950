"""The demo company's templates and SMS log, and the demo reset past the log's guard."""

import pytest
from django.conf import settings

from banyan.accounts.models import User
from banyan.messaging import services
from banyan.messaging.models import MessageTemplate, OutboxMessage, SmsLog

pytestmark = pytest.mark.django_db


def test_the_demo_has_templates_and_an_sms_log_that_the_reset_removes(demo_build):
    company = demo_build.company

    assert MessageTemplate.objects.filter(company=company, channel="sms").count() == 3
    assert MessageTemplate.objects.filter(company=company, channel="email").count() == 1
    logs = SmsLog.objects.filter(company=company)
    assert logs.count() >= 8
    assert set(logs.values_list("status", flat=True)) == {"sent", "failed"}
    assert all(log.sender_id and log.body and log.recipient for log in logs)
    # The log is of past weeks: the demo's visitors have the whole of today's send limit.
    assert all(log.message.created_at == log.at for log in logs)
    boss = User.objects.get(company=company, username="boss")
    services.ensure_room_to_send(user=boss, count=settings.SEND_LIMIT_DEMO_DAY)

    from banyan.messaging.demo import demo_messaging, demo_messaging_reset

    assert demo_messaging(company, {}) is False  # idempotent
    demo_messaging_reset(company)
    assert not SmsLog.objects.filter(company=company).exists()
    assert not OutboxMessage.objects.filter(company=company).exists()
