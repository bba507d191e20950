"""The reports' test data, built once per module through the services (expected figures are
computed by hand in the tests): agreements, payments and targets of November 2026 in company
alpha, and a few in company beta that no report of alpha may ever count."""

from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from banyan.accounts import services as account_services
from banyan.accounts.models import DictionaryOption, User
from banyan.activities import services as activity_services
from banyan.agreements import services as agreement_services
from banyan.customers import services as customer_services
from banyan.finance import services as finance_services
from banyan.opportunities import services as opportunity_services
from banyan.products import services as product_services
from banyan.targets import services as target_services


class Builder:
    def __init__(self, org):
        self.org = org
        self.admin = org.boss
        self.count = 0
        self.clerks = {}

    def _admin_of(self, user):
        return User.objects.get(company_id=user.company_id, is_admin=True)

    def grant(self, user, *codenames):
        had = set(user.user_permissions.values_list("codename", flat=True))
        account_services.user_update(
            actor=self._admin_of(user), user=user, permissions=sorted(had | set(codenames))
        )
        return User.objects.get(pk=user.pk)

    def customer(self, owner, **fields):
        self.count += 1
        return customer_services.customer_create(
            user=owner, name=f"客户{self.count}", confirm_duplicates=True, **fields
        )

    def sign(self, owner, amount, signed_on, *, kind="order", customer=None):
        self.count += 1
        admin = self._admin_of(owner)
        if not admin.has_perm("accounts.manage_products"):
            self.grant(admin, "manage_products", "see_costs")
            admin = self._admin_of(owner)
        product = product_services.product_create(
            user=admin,
            code=f"P{self.count:04d}",
            name=f"产品{self.count}",
            kind="service" if kind == "contract" else "physical",
            list_price=amount,
            cost="1.00",
            unit="件",
        )
        customer = customer or self.customer(owner)
        agreement = agreement_services.agreement_create(
            user=owner,
            kind=kind,
            customer=customer,
            title=f"{kind} {self.count}",
            lines=[{"product": product.pk, "quantity": "1"}],
        )
        return agreement_services.agreement_sign(
            user=owner, agreement=agreement, signed_on=signed_on
        )

    def clerk(self, company_user):
        key = company_user.company_id
        if key not in self.clerks:
            vice = User.objects.get(company_id=key, username="vice_boss")
            self.clerks[key] = self.grant(vice, "finance")
        return self.clerks[key]

    def pay(self, agreement, amount, paid_on):
        clerk = self.clerk(agreement.owner)
        method = DictionaryOption.objects.get(
            company_id=agreement.company_id, kind="payment_method", code="bank_transfer"
        )
        return finance_services.payment_record(
            user=clerk,
            agreement=agreement,
            amount=amount,
            paid_on=paid_on,
            method=method,
            confirm_overpayment=True,
        )

    def reverse(self, payment, paid_on):
        return finance_services.payment_reverse(
            user=self.clerk(payment.owner), payment=payment, reason="bounced", paid_on=paid_on
        )

    def target(self, person, payment, contract, month="2026-11", is_group=False):
        return target_services.target_set(
            user=self.admin,
            target_user=person,
            month=month,
            payment_amount=Decimal(payment),
            contract_amount=Decimal(contract),
            is_group=is_group,
        )


def build_sales(org, other_org) -> SimpleNamespace:
    """November 2026 (expected figures in the tests):

    sales1   contract 250.50 (11-30), order 1000.00 (11-01); order 700.00 on 10-31 and a
             cancelled order of 5000.00 (11-15) not counted; payments 400.00 (11-01),
             100.00 (11-30) reversed on 11-30, 700.00 on 10-31 (out)
    sales2   contract 2000.00 (11-10) on a customer shared with sales1; payment 1500.00
    manager1 order 300.00 (11-20); payment 300.00
    sales3   order 4000.00 (11-11); payment 999.99 (manager2's group)
    sales4   contract 8000.00 (11-11); payment 500.00 (director2's group)
    beta     sales1's order 77777.00 and payment 7777.00 in November: never counted.
    Targets: sales1 800.00 / 2500.00; manager1's group 4000.00 / 5000.00.
    """
    build = Builder(org)
    data = SimpleNamespace(build=build)
    data.a1 = build.sign(org.sales1, "1000.00", "2026-11-01")
    data.a2 = build.sign(org.sales1, "250.50", "2026-11-30", kind="contract")
    data.a3 = build.sign(org.sales1, "700.00", "2026-10-31")
    cancelled = build.sign(org.sales1, "5000.00", "2026-11-15")
    agreement_services.agreement_cancel(user=org.sales1, agreement=cancelled, reason="lost")
    shared = build.customer(org.sales2)
    customer_services.customer_share(
        user=org.sales2, customer=shared, target=org.sales1, level="view"
    )
    data.b1 = build.sign(org.sales2, "2000.00", "2026-11-10", kind="contract", customer=shared)
    data.m1 = build.sign(org.manager1, "300.00", "2026-11-20")
    data.c1 = build.sign(org.sales3, "4000.00", "2026-11-11")
    data.d1 = build.sign(org.sales4, "8000.00", "2026-11-11", kind="contract")

    build.pay(data.a1, "400.00", "2026-11-01")
    bounced = build.pay(data.a1, "100.00", "2026-11-30")
    build.reverse(bounced, "2026-11-30")
    build.pay(data.a3, "700.00", "2026-10-31")
    build.pay(data.b1, "1500.00", "2026-11-05")
    build.pay(data.m1, "300.00", "2026-11-06")
    build.pay(data.c1, "999.99", "2026-11-07")
    build.pay(data.d1, "500.00", "2026-11-20")

    build.target(org.sales1, "800.00", "2500.00")
    build.target(org.manager1, "4000.00", "5000.00", is_group=True)

    beta = Builder(other_org)
    foreign = beta.sign(other_org.sales1, "77777.00", "2026-11-10")
    beta.pay(foreign, "7777.00", "2026-11-10")
    return data


@pytest.fixture(scope="module")
def sales_data(alpha_build, beta_build, django_db_blocker):
    """The sales data of November 2026, built once for the module (None in a module with
    transactional tests: then `sales` builds it per test)."""
    if alpha_build is None or beta_build is None:
        yield None
        return
    with django_db_blocker.unblock():
        yield build_sales(alpha_build, beta_build)


@pytest.fixture
def sales(sales_data, org, other_org):
    return sales_data if sales_data is not None else build_sales(org, other_org)


SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@contextmanager
def now_is(moment: datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment.astimezone(UTC)):
        yield


def build_pipeline(org, other_org) -> SimpleNamespace:
    """Opportunities (stages initial 10 %, needs 30, proposal 50, negotiation 70, commitment
    90; expected figures in the tests):

    open   sales1 initial 1000.00 (closes 2026-12-15), proposal 333.33 (2027-01-10);
           sales2 proposal at 45 % 2000.00 (2026-11-25); sales3 negotiation 4000.00
           (2027-06-01); sales4 commitment 0.01 (no date)
    closed sales1 won 500.00 (created 10-01 00:00, closed 11-05 12:00: 35.5 days), lost
           (11-01 00:00 → 11-11 00:00: 10 days); sales2 won 800.00 (11-02 00:00 → 11-30
           23:30, in November), won 900.00 closed 12-01 00:30 Shanghai (16:30 UTC on 11-30:
           December); all times Asia/Shanghai
    beta   an open opportunity of 99999.00: never counted.
    """
    build = Builder(org)
    stages = {
        option.code: option
        for option in DictionaryOption.objects.filter(company=org.company, kind="opportunity_stage")
    }

    def make(owner, stage, amount, close=None, probability=None, created=None):
        with now_is(shanghai(created or "2026-11-01T09:00")):
            return opportunity_services.opportunity_create(
                user=owner,
                customer=build.customer(owner),
                name=f"机会 {amount}",
                stage=stages[stage],
                probability=probability,
                expected_amount=Decimal(amount),
                expected_close_date=close,
            )

    def close(opportunity, won, at):
        with now_is(shanghai(at)):
            if won:
                return opportunity_services.opportunity_mark_won(
                    user=opportunity.owner, opportunity=opportunity
                )
            return opportunity_services.opportunity_mark_lost(
                user=opportunity.owner, opportunity=opportunity, reason="price"
            )

    data = SimpleNamespace(stages=stages)
    make(org.sales1, "initial", "1000.00", datetime(2026, 12, 15).date())
    make(org.sales1, "proposal", "333.33", datetime(2027, 1, 10).date())
    make(org.sales2, "proposal", "2000.00", datetime(2026, 11, 25).date(), probability=45)
    make(org.sales3, "negotiation", "4000.00", datetime(2027, 6, 1).date())
    make(org.sales4, "commitment", "0.01")
    close(make(org.sales1, "needs", "500.00", created="2026-10-01T00:00"), True, "2026-11-05T12:00")
    close(make(org.sales1, "needs", "50.00", created="2026-11-01T00:00"), False, "2026-11-11T00:00")
    close(make(org.sales2, "needs", "800.00", created="2026-11-02T00:00"), True, "2026-11-30T23:30")
    close(make(org.sales2, "needs", "900.00", created="2026-11-02T00:00"), True, "2026-12-01T00:30")
    beta = Builder(other_org)
    beta_stage = DictionaryOption.objects.get(
        company=other_org.company, kind="opportunity_stage", code="initial"
    )
    opportunity_services.opportunity_create(
        user=other_org.sales1,
        customer=beta.customer(other_org.sales1),
        name="foreign",
        stage=beta_stage,
        expected_amount=Decimal("99999.00"),
    )
    return data


@pytest.fixture(scope="module")
def pipeline_data(alpha_build, beta_build, django_db_blocker):
    if alpha_build is None or beta_build is None:
        yield None
        return
    with django_db_blocker.unblock():
        yield build_pipeline(alpha_build, beta_build)


@pytest.fixture
def pipeline(pipeline_data, org, other_org):
    return pipeline_data if pipeline_data is not None else build_pipeline(org, other_org)


def build_activities(org, other_org) -> SimpleNamespace:
    """Follow-ups (times in Asia/Shanghai; expected figures in the tests):

    sales1  C1: call 2026-11-30 23:30 "电话沟通报价细节" (November), visit 2026-12-01 00:30
            "ok" (December: 16:30 UTC on 11-30; no key points), an open task;
            C2: e-mail 2026-11-10 10:00 "跟进" (no key points), no task;
            C3: never contacted; C4: call 2026-11-12 "确认合同条款", its task done
    sales2  C5 (shared with sales1 to view): call 2026-11-05 09:00 "介绍新产品线", an open task
    sales3  C6: call 2026-11-20 "电话" with details (key points given)
    beta    sales1: a call in November, never counted.
    """
    build = Builder(org)
    types = {
        option.code: option
        for option in DictionaryOption.objects.filter(company=org.company, kind="activity_type")
    }

    def log(owner, customer, kind, at, subject, details="", company_types=types):
        with now_is(shanghai("2026-12-05T12:00")):
            return activity_services.activity_log(
                user=owner,
                customer=customer,
                type=company_types[kind],
                subject=subject,
                details=details,
                occurred_at=shanghai(at),
            )

    def task(owner, customer, done=False):
        with now_is(shanghai("2026-12-05T12:00")):
            made = activity_services.task_create(
                user=owner,
                subject="下次跟进",
                due_at=shanghai("2026-12-20T10:00"),
                customer=customer,
            )
            if done:
                activity_services.task_set_done(user=owner, task=made)
        return made

    data = SimpleNamespace(types=types)
    data.c1 = build.customer(org.sales1)
    log(org.sales1, data.c1, "call", "2026-11-30T23:30", "电话沟通报价细节")
    log(org.sales1, data.c1, "visit", "2026-12-01T00:30", "ok")
    task(org.sales1, data.c1)
    data.c2 = build.customer(org.sales1)
    log(org.sales1, data.c2, "email", "2026-11-10T10:00", "跟进")
    data.c3 = build.customer(org.sales1)
    data.c4 = build.customer(org.sales1)
    log(org.sales1, data.c4, "call", "2026-11-12T15:00", "确认合同条款")
    task(org.sales1, data.c4, done=True)
    data.c5 = build.customer(org.sales2)
    customer_services.customer_share(
        user=org.sales2, customer=data.c5, target=org.sales1, level="view"
    )
    log(org.sales2, data.c5, "call", "2026-11-05T09:00", "介绍新产品线")
    task(org.sales2, data.c5)
    data.c6 = build.customer(org.sales3)
    log(org.sales3, data.c6, "call", "2026-11-20T16:00", "电话", details="约了下周拜访")

    beta_types = {
        option.code: option
        for option in DictionaryOption.objects.filter(
            company=other_org.company, kind="activity_type"
        )
    }
    foreign = Builder(other_org).customer(other_org.sales1)
    log(other_org.sales1, foreign, "call", "2026-11-15T10:00", "跟进", company_types=beta_types)
    return data


@pytest.fixture(scope="module")
def activities_data(alpha_build, beta_build, django_db_blocker):
    if alpha_build is None or beta_build is None:
        yield None
        return
    with django_db_blocker.unblock():
        yield build_activities(alpha_build, beta_build)


@pytest.fixture
def activities(activities_data, org, other_org):
    return activities_data if activities_data is not None else build_activities(org, other_org)


def query_counts(user, template, run, group_bys) -> tuple[list[int], list[int]]:
    """The queries `run(user, group_by)` makes for each grouping with 10 copies of
    `template` (a record the report counts) added, then with 200: (counts at 10, at 200)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    model = type(template)
    fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
    counts = []
    for more in (10, 190):
        model.objects.bulk_create(
            [model(**{name: getattr(template, name) for name in fields}) for _ in range(more)]
        )
        for group_by in group_bys:
            fresh = User.objects.select_related("company").get(pk=user.pk)
            with CaptureQueriesContext(connection) as queries:
                run(fresh, group_by)
            counts.append(len(queries))
    return counts[: len(group_bys)], counts[len(group_bys) :]
