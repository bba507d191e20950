"""Demo data of the activities app: a follow-up history on the demo customers, open tasks
(some overdue, some today, most ahead) and a few work summaries, through the services."""

import datetime
import random

from django.utils import timezone

from banyan.accounts.demo import DEMO_RESET_STEPS, DEMO_STEPS
from banyan.accounts.models import DictionaryOption
from banyan.activities import services
from banyan.activities.models import Activity, Task, WorkSummary
from banyan.customers.models import Customer

SUBJECTS = {
    "call": ["电话沟通采购需求", "电话确认预算范围", "回访使用情况", "电话跟进报价反馈"],
    "email": ["发送产品资料", "邮件发送报价单", "邮件确认合同条款"],
    "visit": ["上门拜访采购经理", "现场演示产品", "拜访技术负责人，了解现有系统"],
    "online": ["微信沟通交付时间", "线上会议演示方案"],
    "other": ["参加客户年会", "行业展会上交流"],
}
DETAILS = [
    "客户对价格比较敏感，希望下月再谈。",
    "对方关心交付周期和售后服务。",
    "技术负责人认可方案，需要走内部审批。",
    "",
]
NEXT_STEPS = ["发送正式报价单", "安排产品演示", "约见采购负责人", "回访确认需求", "跟进合同审批"]
SUMMARIES = [
    ("evaluation", "客户规模中等，决策链较长，但预算充足，值得重点跟进。"),
    ("evaluation", "老客户，复购意愿强，对服务响应速度要求高。"),
    ("help_request", "客户需要定制接口，请技术部评估工作量。"),
]


@DEMO_STEPS.register
def demo_activities(company, users) -> bool:
    if Activity.objects.filter(company=company).exists():
        return False
    rng = random.Random(20261128)
    types = {
        o.code: o for o in DictionaryOption.objects.filter(company=company, kind="activity_type")
    }
    now = timezone.now()
    customers = list(
        Customer.objects.filter(company=company).select_related("owner").order_by("id")
    )
    for index, customer in enumerate(customers):
        rep = customer.owner
        contact = customer.contacts.order_by("id").first()
        for _ in range(rng.randint(0, 4)):
            code = rng.choice(list(SUBJECTS))
            services.activity_log(
                user=rep,
                customer=customer,
                type=types[code],
                subject=rng.choice(SUBJECTS[code]),
                details=rng.choice(DETAILS),
                occurred_at=now
                - datetime.timedelta(days=rng.randint(0, 60), hours=rng.randint(0, 8)),
                contact=contact,
            )
        if index % 5 in (0, 2):
            due = now + datetime.timedelta(days=rng.randint(-5, 20), hours=rng.randint(1, 8))
            task = services.task_create(
                user=rep,
                customer=customer,
                subject=rng.choice(NEXT_STEPS),
                due_at=due,
                remind_at=due - datetime.timedelta(hours=1),
                remind_by_sms=rng.random() < 0.3,
            )
            if due < now and rng.random() < 0.5:
                services.task_set_done(user=rep, task=task, is_done=True)
        if index % 17 == 0:
            kind, content = rng.choice(SUMMARIES)
            services.work_summary_create(
                user=rep,
                customer=customer,
                kind=kind,
                content=content,
                addressed_to=rep.superior if kind == "help_request" else None,
            )
    return True


@DEMO_RESET_STEPS.register
def demo_activities_reset(company) -> None:
    WorkSummary.objects.filter(company=company).delete()
    Task.objects.filter(company=company).delete()
    Activity.objects.filter(company=company).delete()
