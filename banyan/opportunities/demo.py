"""Demo data of the opportunities app: opportunities in every stage on about a third of the
demo customers, a few won and lost, made through the services by their reps.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from banyan.accounts.demo import DEMO_RESET_STEPS, DEMO_STEPS
from banyan.accounts.models import DictionaryOption
from banyan.customers.models import Customer
from banyan.opportunities import services
from banyan.opportunities.models import Opportunity, StageChange

PRODUCTS = [
    "ERP 升级项目",
    "CRM 系统采购",
    "年度维保合同",
    "办公设备更新",
    "数据中心扩容",
    "培训服务",
    "MES 实施",
    "网络安全加固",
]
NEXT_STEPS = ["发送报价单", "安排产品演示", "约见采购负责人", "提交技术方案", "商务谈判", ""]
COMPETITORS = ["金蝶", "用友", "浪潮", "鼎捷", ""]
LOST_REASONS = ["价格高于竞品", "客户预算取消", "选择了竞争对手", "项目延期到明年"]


@DEMO_STEPS.register
def demo_opportunities(company, users) -> bool:
    if Opportunity.objects.filter(company=company).exists():
        return False
    rng = random.Random(20261127)
    stages = list(
        DictionaryOption.objects.filter(
            company=company, kind="opportunity_stage", is_active=True
        ).order_by("position", "id")
    )
    customers = list(
        Customer.objects.filter(company=company).select_related("owner").order_by("id")
    )
    today = timezone.localdate()
    for index, customer in enumerate(customers):
        if index % 3:
            continue
        rep = customer.owner
        amount = Decimal(rng.randrange(8, 400) * 1000 + rng.choice([0, 500]))
        opportunity = services.opportunity_create(
            user=rep,
            customer=customer,
            name=f"{customer.name[:12]} · {rng.choice(PRODUCTS)}",
            stage=stages[index // 3 % len(stages)],
            expected_amount=amount,
            expected_close_date=today + timedelta(days=rng.randrange(7, 150)),
            next_step=rng.choice(NEXT_STEPS),
            competitors=rng.choice(COMPETITORS),
        )
        outcome = rng.random()
        if outcome < 0.12:
            services.opportunity_mark_won(user=rep, opportunity=opportunity, reason="客户认可方案")
        elif outcome < 0.2:
            services.opportunity_mark_lost(
                user=rep, opportunity=opportunity, reason=rng.choice(LOST_REASONS)
            )
    return True


@DEMO_RESET_STEPS.register
def demo_opportunities_reset(company) -> None:
    StageChange.objects.filter(company=company).delete()
    Opportunity.objects.filter(company=company).delete()
