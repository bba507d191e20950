"""The demo company's contracts, orders and money: made through the services, in every status,
with plans covered, overdue and due soon, payments by the finance clerk, a reversal or two,
invoices, and books that add up."""

from datetime import timedelta

import pytest
from django.utils import timezone

from banyan.accounts import demo
from banyan.agreements import services as agreement_services
from banyan.agreements.models import Agreement, AgreementLine
from banyan.finance import services
from banyan.finance.models import Invoice, Payment, PaymentPlan

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_company(db, demo_build):
    return demo_build.company


def test_the_demo_has_contracts_and_orders_in_every_status(demo_company):
    agreements = Agreement.objects.filter(company=demo_company)
    assert 35 <= agreements.count() <= 45
    statuses = set(agreements.values_list("status", flat=True))
    assert statuses == {"draft", "signed", "executing", "completed", "cancelled"}
    assert agreements.filter(status="cancelled").count() == 1
    assert agreements.filter(status__in=["signed", "executing"]).count() > agreements.count() / 2
    assert set(agreements.values_list("kind", flat=True)) == {"contract", "order"}
    assert agreements.values("owner").distinct().count() >= 10

    contract_lines = AgreementLine.objects.filter(agreement__in=agreements.filter(kind="contract"))
    assert set(contract_lines.values_list("product__kind", flat=True)) == {"service"}
    for agreement in agreements.prefetch_related("lines"):
        assert 1 <= len(agreement.lines.all()) <= 5
        assert agreement.amount == agreement_services.recompute_amount(agreement) > 0
    assert AgreementLine.objects.filter(
        agreement__in=agreements.filter(kind="order"), discount_percent__gt=0
    ).exists()


def test_the_demo_has_plans_payments_reversals_and_invoices_and_the_books_add_up(
    demo_company,
):
    today = timezone.localdate()
    plans = list(PaymentPlan.objects.filter(company=demo_company))
    assert len(plans) >= 40
    open_plans = [plan for plan in plans if not plan.is_covered]
    assert any(plan.is_covered for plan in plans)
    assert any(plan.due_on < today for plan in open_plans)  # overdue
    assert any(today <= plan.due_on <= today + timedelta(days=30) for plan in open_plans)

    payments = Payment.objects.filter(company=demo_company)
    assert payments.filter(amount__gt=0).count() >= 20
    assert 1 <= payments.filter(reverses__isnull=False).count() <= 3
    assert set(payments.values_list("recorded_by__username", flat=True)) == {"xuhui"}
    assert not payments.filter(paid_on__gt=today).exists()

    invoices = Invoice.objects.filter(company=demo_company)
    assert invoices.count() >= 5
    assert set(invoices.values_list("recorded_by__username", flat=True)) == {"xuhui"}
    for agreement in Agreement.objects.filter(company=demo_company):
        assert agreement.invoiced_amount <= agreement.paid_amount <= agreement.amount
    assert not Payment.objects.filter(agreement__status__in=["draft", "cancelled"]).exists()

    assert services.check_books(demo_company.pk) == []

    # Seeding again adds nothing.
    counts = [
        model.objects.filter(company=demo_company).count()
        for model in (Agreement, PaymentPlan, Payment, Invoice)
    ]
    assert not demo.build_demo_company().changed
    assert [
        model.objects.filter(company=demo_company).count()
        for model in (Agreement, PaymentPlan, Payment, Invoice)
    ] == counts
