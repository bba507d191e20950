"""The workbench's world, built through the services (company A, Asia/Shanghai):

- customers: 沃力 (sales1, hot), 远航 (sales2, hot), 星河 (sales3);
- tasks: sales1 has one overdue (due an hour ago) and one due tomorrow; sales2 one overdue;
- activities today: sales1 on 沃力, sales3 on 星河 (so sales2 logged nothing today);
- payment plans (10 000.00 orders signed by their owners): on sales1's order one overdue
  (5 days ago), one due in 10 days, one in 60 days (too far) and one covered (paid);
  on sales3's order one due in 5 days;
- finance: director1; keeper: sales4 of 上海仓, with one slip waiting.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from banyan.accounts.models import Company, DictionaryOption
from banyan.activities import services as activity_services
from banyan.customers import services as customer_services
from banyan.finance.tests.page_helpers import pay, plan, signed_agreement
from banyan.inventory import services as inventory_services


def call_type(company) -> DictionaryOption:
    return DictionaryOption.objects.get(company=company, kind="activity_type", code="call")


def task_for(user, subject, due_at, **fields):
    return activity_services.task_create(user=user, subject=subject, due_at=due_at, **fields)


def log(user, customer, subject="电话沟通", **fields):
    return activity_services.activity_log(
        user=user, customer=customer, type=call_type(user.company), subject=subject, **fields
    )


def hot(user, customer):
    return customer_services.customer_set_hot(user=user, customer=customer, is_hot=True)


@pytest.fixture
def world(org, grant, make_customer, make_product, make_agreement):
    now = timezone.now()
    w = SimpleNamespace(org=org)
    w.wolly = make_customer(org.sales1, name="沃力科技")
    w.yuanhang = make_customer(org.sales2, name="远航贸易")
    w.xinghe = make_customer(org.sales3, name="星河电子")

    w.overdue_task = task_for(org.sales1, "回访沃力", now - datetime.timedelta(hours=1))
    w.tomorrow_task = task_for(org.sales1, "明天的事", now + datetime.timedelta(days=2))
    w.peer_task = task_for(org.sales2, "远航报价", now - datetime.timedelta(hours=1))

    w.sales1_call = log(org.sales1, w.wolly, "沃力谈价格")
    w.sales3_call = log(org.sales3, w.xinghe, "星河谈价格")

    w.finance = grant(org.director1, "finance")
    w.order1 = signed_agreement(make_product, make_agreement, org.sales1, w.wolly, "10000.00")
    w.overdue_plan = plan(org.sales1, w.order1, "1000.00", due_in_days=-5)
    w.soon_plan = plan(org.sales1, w.order1, "2000.00", due_in_days=10)
    w.far_plan = plan(org.sales1, w.order1, "3000.00", due_in_days=60)
    w.covered_plan = plan(org.sales1, w.order1, "500.00", due_in_days=3)
    pay(w.finance, w.order1, "500.00", plan=w.covered_plan)
    w.order3 = signed_agreement(make_product, make_agreement, org.sales3, w.xinghe, "10000.00")
    w.sales3_plan = plan(org.sales3, w.order3, "4000.00", due_in_days=5)
    # After the signing, which ends a customer's "hot" mark.
    hot(org.sales1, w.wolly)
    hot(org.sales2, w.yuanhang)

    Company.objects.filter(pk=org.company.pk).update(uses_inventory=True)
    w.keeper = grant(org.sales4, "warehouse_keeper")
    product = make_product(org.boss, code="S-1", name="螺丝", tracks_stock=True)
    w.shanghai = inventory_services.warehouse_create(
        user=org.boss, name="上海仓", keepers=[w.keeper.pk]
    )
    w.slip = inventory_services.slip_create(
        user=w.keeper,
        kind="inbound",
        warehouse=w.shanghai,
        reason="到货",
        lines=[{"product": product.pk, "quantity": "5"}],
    )
    return w
