"""The demo company's templates and SMS log, and the demo reset past the log's guard."""

import pytest

from banyan.accounts import demo
from banyan.messaging.models import MessageTemplate, OutboxMessage, SmsLog

pytestmark = pytest.mark.django_db


def test_the_demo_has_templates_and_an_sms_log_that_the_reset_removes():
    company = demo.build_demo_company().company

    assert MessageTemplate.objects.filter(company=company, channel="sms").count() == 3
    assert MessageTemplate.objects.filter(company=company, channel="email").count() == 1
    logs = SmsLog.objects.filter(company=company)
    assert logs.count() >= 8
    assert set(logs.values_list("status", flat=True)) == {"sent", "failed"}
    assert all(log.sender_id and log.body and log.recipient for log in logs)

    from banyan.messaging.demo import demo_messaging, demo_messaging_reset

    assert demo_messaging(company, {}) is False  # idempotent
    demo_messaging_reset(company)
    assert not SmsLog.objects.filter(company=company).exists()
    assert not OutboxMessage.objects.filter(company=company).exists()
