"""Fixtures of the activities tests: a customer of org.sales1 with two contacts, shared with
sales4 to view and with sales_boss to edit, and the company's activity types."""

import datetime
import zoneinfo

import pytest

from banyan.accounts.models import DictionaryOption
from banyan.customers import services as customer_services

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime.datetime:
    """An aware datetime in the company's zone (Asia/Shanghai)."""
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def activity_type(company, code="call") -> DictionaryOption:
    return DictionaryOption.objects.get(company=company, kind="activity_type", code=code)


@pytest.fixture
def call_type(org):
    return activity_type(org.company, "call")


@pytest.fixture
def visit_type(org):
    return activity_type(org.company, "visit")


@pytest.fixture
def customer(org, make_customer):
    """Owned by org.sales1, contact 张伟; shared with sales4 (view) and sales_boss (edit)."""
    customer = make_customer(org.sales1, name="北京沃力科技", contacts=[{"name": "张伟"}])
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales4, level="view"
    )
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales_boss, level="edit"
    )
    return customer


@pytest.fixture
def contact(customer):
    return customer.contacts.get()


# The visibility matrix: who, for a record by org.sales1 on org.sales1's customer.
READERS = ["sales1", "manager1", "director1", "boss", "assistant", "view_share", "edit_share"]
STRANGERS = ["peer", "manager2", "other_company"]
CHANGERS = ["sales1", "manager1", "director1", "boss", "assistant"]
# May see but not change: shared to view; shared to edit (may log their own, not change this).
REFUSED = ["view_share", "edit_share"]
LOGGERS = ["sales1", "manager1", "director1", "boss", "assistant", "edit_share"]


@pytest.fixture
def actor(org, other_org):
    """`actor(name)` → the user a matrix name stands for."""
    names = {
        "peer": org.sales2,
        "view_share": org.sales4,
        "edit_share": org.sales_boss,
        "other_company": other_org.sales1,
    }

    def find(name):
        return names.get(name) or getattr(org, name)

    return find


@pytest.fixture
def records(org, customer, contact, call_type):
    """An activity, a task and a work summary by org.sales1 on the customer."""
    from banyan.activities import services

    activity = services.activity_log(
        user=org.sales1,
        customer=customer,
        type=call_type,
        subject="谈了报价",
        contact=contact,
        occurred_at=local(2025, 3, 4, 10, 30),
    )
    task = services.task_create(
        user=org.sales1, customer=customer, subject="发报价单", due_at=local(2031, 3, 5, 9, 30)
    )
    summary = services.work_summary_create(
        user=org.sales1, customer=customer, kind="evaluation", content="意向强烈"
    )
    return {"activity": activity, "task": task, "summary": summary}
