"""Payments recorded at the same moment: the agreement's row lock lets them in one at a time,
so the over-payment rule holds and the stored paid total never loses an update. And the same
payment sent several times at once (one form token, one Idempotency-Key) is booked once.

Needs PostgreSQL (real row locks and concurrent connections); skipped on SQLite. Run alone:
    DATABASE_URL=postgres://... pytest banyan/finance/tests/test_concurrency.py -p no:xdist
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from banyan.accounts import services as account_services
from banyan.accounts.models import DictionaryOption
from banyan.agreements import services as agreement_services
from banyan.agreements.models import Agreement
from banyan.core import idempotency
from banyan.core.errors import DomainError
from banyan.core.idempotency import new_form_token
from banyan.core.tests.same_instant import all_at_once, holding_the_first_until_the_others_wait
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


# --- the same payment sent several times at once ----------------------------------------------

SAME_TIME = 8


@pytest.fixture
def signed_order(org, make_customer, make_product):
    product = make_product(org.boss, list_price="10000.00")
    agreement = agreement_services.agreement_create(
        user=org.sales1,
        kind="order",
        customer=make_customer(org.sales1),
        title="Double click",
        lines=[{"product": product.pk, "quantity": "1"}],
    )
    return agreement_services.agreement_sign(user=org.sales1, agreement=agreement)


def payment_body(org, agreement) -> dict:
    method = DictionaryOption.objects.get(
        company=org.company, kind="payment_method", code="bank_transfer"
    )
    return {
        "agreement": agreement.pk,
        "amount": "1000.00",
        "paid_on": "2026-05-01",
        "method": method.pk,
    }


def test_eight_identical_api_payments_at_once_with_one_key_book_one(org, signed_order, monkeypatch):
    """The first holds its transaction open until the seven others are all waiting on its
    key; they then answer exactly what it answered, and one payment is booked."""
    token = account_services.api_token_for(org.boss)
    body = payment_body(org, signed_order)
    first = holding_the_first_until_the_others_wait(
        monkeypatch, services, "payment_record", others=SAME_TIME - 1
    )

    def send(index):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        response = client.post(
            "/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="double-click"
        )
        return response.status_code, response.json(), response.get("Idempotent-Replayed")

    answers = all_at_once(send, SAME_TIME)

    assert first == {"waiting": SAME_TIME - 1, "calls": 1}
    assert [error for error in answers if isinstance(error, Exception)] == []
    payment = Payment.objects.get(agreement=signed_order)
    assert {(status, json["id"]) for status, json, _replayed in answers} == {(201, payment.pk)}
    assert all(json == answers[0][1] for _status, json, _replayed in answers)
    assert sorted(str(replayed) for *_answer, replayed in answers) == ["None"] + ["true"] * 7
    stored = Agreement.objects.get(pk=signed_order.pk)
    assert stored.paid_amount == Decimal("1000.00")
    assert services.check_books(org.company.pk) == []


def test_eight_identical_payment_forms_at_once_book_one(org, signed_order, monkeypatch):
    """A double (or eightfold) click on the payment form: one payment, every answer sends the
    user to the agreement."""
    data = {
        **payment_body(org, signed_order),
        "owner": org.sales1.pk,
        "plan": "",
        "note": "",
        "form_token": new_form_token(org.boss),
    }
    data.pop("agreement")
    url = reverse("payment-create", args=[signed_order.pk])
    clients = []
    for _index in range(SAME_TIME):
        client = Client()
        client.force_login(org.boss, backend="banyan.accounts.backends.CompanyUserBackend")
        clients.append(client)
    first = holding_the_first_until_the_others_wait(
        monkeypatch, services, "payment_record", others=SAME_TIME - 1
    )

    def send(index):
        response = clients[index].post(url, data)
        return response.status_code, response["Location"]

    answers = all_at_once(send, SAME_TIME)

    assert first == {"waiting": SAME_TIME - 1, "calls": 1}
    assert answers == [(302, signed_order.get_absolute_url())] * SAME_TIME
    assert Payment.objects.filter(agreement=signed_order).count() == 1
    assert services.check_books(org.company.pk) == []


def test_a_request_whose_key_is_still_being_processed_is_answered_409(
    org, signed_order, monkeypatch
):
    token = account_services.api_token_for(org.boss)
    body = payment_body(org, signed_order)
    inside, release = threading.Event(), threading.Event()
    original = services.payment_record

    def slow_record(**kwargs):
        payment = original(**kwargs)
        inside.set()
        release.wait(timeout=30)
        return payment

    monkeypatch.setattr(services, "payment_record", slow_record)
    monkeypatch.setattr(idempotency, "IN_FLIGHT_WAIT_MS", 200)

    def post():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client.post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="slow")

    answers = {}

    def first():
        try:
            answers["first"] = post()
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(timeout=30)
    try:
        meanwhile = post()
    finally:
        release.set()
        thread.join(timeout=30)
    later = post()

    assert meanwhile.status_code == 409
    assert meanwhile.json() == {
        "detail": "A request with this Idempotency-Key is being processed: try again in a moment."
    }
    assert answers["first"].status_code == later.status_code == 201
    assert later.json() == answers["first"].json() and later["Idempotent-Replayed"] == "true"
    assert Payment.objects.filter(agreement=signed_order).count() == 1


def test_a_form_still_being_recorded_says_so_and_records_once(org, signed_order, monkeypatch):
    data = {
        **payment_body(org, signed_order),
        "owner": org.sales1.pk,
        "plan": "",
        "note": "",
        "form_token": new_form_token(org.boss),
    }
    url = reverse("payment-create", args=[signed_order.pk])
    inside, release = threading.Event(), threading.Event()
    original = services.payment_record

    def slow_record(**kwargs):
        payment = original(**kwargs)
        inside.set()
        release.wait(timeout=30)
        return payment

    monkeypatch.setattr(services, "payment_record", slow_record)
    monkeypatch.setattr(idempotency, "IN_FLIGHT_WAIT_MS", 200)

    def post():
        client = Client()
        client.force_login(org.boss, backend="banyan.accounts.backends.CompanyUserBackend")
        return client.post(url, data)

    answers = {}

    def first():
        try:
            answers["first"] = post()
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert inside.wait(timeout=30)
    try:
        meanwhile = post()
    finally:
        release.set()
        thread.join(timeout=30)

    assert meanwhile.status_code == 409
    assert "This form was sent a moment ago and is still being recorded." in meanwhile.text
    assert answers["first"].status_code == 302
    assert Payment.objects.filter(agreement=signed_order).count() == 1
