"""Fixtures of the targets tests: a finance clerk, signed agreements at chosen amounts and
dates, and payments credited to their owners."""

from decimal import Decimal

import pytest

from banyan.accounts.models import DictionaryOption
from banyan.agreements import services as agreement_services
from banyan.finance import services as finance_services
from banyan.targets import services


@pytest.fixture
def clerk(org, grant):
    """A finance clerk who sees the whole company (a boss without admin rights)."""
    return grant(org.vice_boss, "finance")


@pytest.fixture
def sign(org, make_customer, make_product):
    """`sign(owner, "1000.00", "2026-11-05")` → an agreement of that owner and amount, signed
    on that day."""

    def make(owner, amount, signed_on):
        customer = make_customer(owner)
        product = make_product(owner, list_price=amount)
        agreement = agreement_services.agreement_create(
            user=owner,
            kind="order",
            customer=customer,
            title="Order",
            lines=[{"product": product.pk, "quantity": "1"}],
        )
        return agreement_services.agreement_sign(
            user=owner, agreement=agreement, signed_on=signed_on
        )

    return make


@pytest.fixture
def pay(org, clerk):
    """`pay(agreement, "300.00", "2026-11-01")` → a payment credited to the agreement's owner."""
    method = DictionaryOption.objects.get(
        company=org.company, kind="payment_method", code="bank_transfer"
    )

    def record(agreement, amount, paid_on):
        return finance_services.payment_record(
            user=clerk,
            agreement=agreement,
            amount=amount,
            paid_on=paid_on,
            method=method,
            confirm_overpayment=True,
        )

    return record


@pytest.fixture
def reverse(clerk):
    def undo(payment, paid_on):
        return finance_services.payment_reverse(
            user=clerk, payment=payment, reason="bounced", paid_on=paid_on
        )

    return undo


@pytest.fixture
def set_target(org):
    """`set_target(person, payment, contract, by=None, month="2026-11", is_group=False)`."""

    def make(person, payment="1000.00", contract="2000.00", by=None, month="2026-11", **kw):
        return services.target_set(
            user=by or org.boss,
            target_user=person,
            month=month,
            payment_amount=Decimal(payment),
            contract_amount=Decimal(contract),
            **kw,
        )

    return make
