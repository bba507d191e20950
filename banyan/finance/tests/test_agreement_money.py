"""Finance's part of the agreement: its planned amount (the sum of its payment plans, stored
on the agreement and kept exact by the plan services, so the agreements app reads it without
knowing finance), the panels of its page, and how its plans stand for its API."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from banyan.agreements import selectors as agreement_selectors
from banyan.agreements import services as agreement_services
from banyan.agreements.models import Agreement
from banyan.core.errors import ValidationFailed
from banyan.core.panels import agreement_view
from banyan.finance import services
from banyan.finance.models import PaymentPlan


def planned(agreement) -> Decimal:
    return Agreement.objects.get(pk=agreement.pk).planned_amount


@pytest.fixture
def agreement(org, make_customer, make_product):
    product = make_product(org.sales1, list_price="1000.00")
    made = agreement_services.agreement_create(
        user=org.sales1,
        kind="order",
        customer=make_customer(org.sales1),
        title="Order",
        lines=[{"product": product.pk, "quantity": "1"}],
    )
    return Agreement.objects.get(pk=made.pk)


def plan(user, agreement, amount, due_on="2026-06-30"):
    return services.plan_create(user=user, agreement=agreement, due_on=due_on, amount=amount)


def test_the_planned_amount_follows_every_plan_change(org, agreement):
    first = plan(org.sales1, agreement, "300.10")
    second = plan(org.sales1, agreement, "200.20", due_on="2026-07-31")
    assert planned(agreement) == Decimal("500.30")

    services.plan_update(user=org.sales1, plan=first, amount="400.00")
    assert planned(agreement) == Decimal("600.20")
    services.plan_update(user=org.sales1, plan=first, note="首付")  # no amount: unchanged
    assert planned(agreement) == Decimal("600.20")

    services.plan_delete(user=org.sales1, plan=second)
    assert planned(agreement) == Decimal("400.00")
    assert services.check_books(org.company.pk) == []


def test_a_refused_plan_leaves_the_planned_amount(org, agreement):
    first = plan(org.sales1, agreement, "600.00")

    with pytest.raises(ValidationFailed):
        plan(org.sales1, agreement, "500.00")
    with pytest.raises(ValidationFailed):
        services.plan_update(user=org.sales1, plan=first, amount="1000.01")

    assert planned(agreement) == Decimal("600.00")
    assert PaymentPlan.objects.get(pk=first.pk).amount == Decimal("600.00")


def test_the_agreement_may_not_go_below_its_planned_amount(org, agreement):
    plan(org.sales1, agreement, "600.00")

    with pytest.raises(ValidationFailed) as refused:
        agreement_services.agreement_update(
            user=org.sales1, agreement=agreement, discount_percent="50"
        )

    assert "below the 600.00 its payment plans add up to" in str(refused.value.errors)
    assert Agreement.objects.get(pk=agreement.pk).amount == Decimal("1000.00")


def test_the_books_check_sees_a_planned_amount_that_drifted(org, agreement):
    plan(org.sales1, agreement, "600.00")
    Agreement.objects.filter(pk=agreement.pk).update(planned_amount=Decimal("1.00"))

    assert services.check_books(org.company.pk) == [agreement.number]


def test_the_migration_fills_the_planned_amount_from_the_plans(org, agreement):
    plan(org.sales1, agreement, "0.47")
    plan(org.sales1, agreement, "0.06", due_on="2026-07-31")
    Agreement.objects.filter(pk=agreement.pk).update(planned_amount=Decimal("0.00"))
    migration = importlib.import_module(
        "banyan.finance.migrations.0007_fill_agreement_planned_amount"
    )

    migration.fill(apps, None)

    assert planned(agreement) == Decimal("0.53")
    migration.empty(apps, None)
    assert planned(agreement) == Decimal("0.00")


def test_finance_draws_its_parts_of_the_agreement_page_through_the_panels():
    for key in ("money", "plans", "payments", "invoices"):
        assert key in agreement_view, key


def test_finance_tells_the_agreement_how_its_plans_stand(org, agreement):
    agreement_services.agreement_sign(user=org.sales1, agreement=agreement)
    overdue = plan(org.sales1, agreement, "100.00", due_on="2020-01-31")
    upcoming = plan(org.sales1, agreement, "200.00", due_on="2999-01-31")

    standing = agreement_selectors.plan_standing(org.sales1, agreement)

    assert standing.next_due_plan == upcoming
    assert standing.overdue_plans == [overdue]


def ledger_queries(org, grant, agreement, size) -> int:
    from django.db import connection
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from banyan.accounts.models import DictionaryOption

    finance = grant(org.vice_boss, "finance")
    method = DictionaryOption.objects.get(
        company=org.company, kind="payment_method", code="bank_transfer"
    )
    for number in range(size):
        instalment = plan(org.sales1, agreement, "10.00", due_on=f"2026-06-{number + 1:02d}")
        services.payment_record(
            user=finance,
            agreement=agreement,
            amount="10.00",
            paid_on="2026-05-01",
            method=method,
            plan=instalment,
        )
    shown = agreement_selectors.get_agreement_for(org.manager1, agreement.pk)
    request = RequestFactory().get("/")
    request.user = org.manager1
    with CaptureQueriesContext(connection) as queries:
        html = "".join(
            panel["html"]
            for slot in ("side", "after_lines")
            for panel in agreement_view.render(request, shown, slot=slot)
        )
    assert html.count('<tr id="plan-') == size
    return len(queries)


@pytest.mark.parametrize("size", [2, 6])
def test_the_agreements_money_panels_read_a_fixed_number_of_queries(size, org, grant, agreement):
    agreement_services.agreement_sign(user=org.sales1, agreement=agreement)

    # The plans, the payments, the invoices, may-change (the customer's shares) and the
    # finance permission: once for the four panels, whatever their length.
    assert ledger_queries(org, grant, agreement, size) <= 5
