"""Payments recorded at the same moment: the agreement's row lock lets them in one at a time,
so the over-payment rule holds and the stored paid total never loses an update.

Needs PostgreSQL (real row locks and concurrent connections); skipped on SQLite. Run alone:
    DATABASE_URL=postgres://... pytest banyan/finance/tests/test_concurrency.py -p no:xdist
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from banyan.accounts.models import DictionaryOption
from banyan.agreements import services as agreement_services
from banyan.agreements.models import Agreement
from banyan.core.errors import DomainError
from banyan.finance import services
from banyan.finance.models import Payment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 10


@pytest.fixture(autouse=True)
def postgresql_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: row locks across concurrent connections")


def test_ten_payments_of_100_at_once_on_an_agreement_of_500_let_exactly_five_in(
    org, make_customer, make_product
):
    product = make_product(org.boss, list_price="500.00")
    agreement = agreement_services.agreement_create(
        user=org.sales1,
        kind="order",
        customer=make_customer(org.sales1),
        title="Contested",
        lines=[{"product": product.pk, "quantity": "1"}],
    )
    agreement_services.agreement_sign(user=org.sales1, agreement=agreement)
    method = DictionaryOption.objects.get(
        company=org.company, kind="payment_method", code="bank_transfer"
    )
    finance = org.boss  # the admin boss holds the finance permission
    start = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def record_one():
        try:
            start.wait(timeout=30)
            try:
                services.payment_record(
                    user=finance,
                    agreement=agreement.pk,
                    amount="100.00",
                    paid_on="2026-05-01",
                    method=method.pk,
                )
                outcome = "recorded"
            except DomainError as error:
                outcome = error.code
            except Exception as error:  # reported below, never swallowed
                outcome = f"{type(error).__name__}: {error}"
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=record_one) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["overpayment"] * 5 + ["recorded"] * 5
    stored = Agreement.objects.get(pk=agreement.pk)
    assert stored.paid_amount == Decimal("500.00")
    assert Payment.objects.filter(agreement=agreement).count() == 5
    assert services.check_books(org.company.pk) == []
