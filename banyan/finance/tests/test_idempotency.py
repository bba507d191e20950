"""Money is booked once, however often the same submission arrives: a payment form's
one-time token, and the API's Idempotency-Key header, on payments, reversals, invoices and
payment plans. (The same instant on PostgreSQL: test_concurrency.py.)"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from banyan.core import idempotency
from banyan.core.models import IdempotencyKey
from banyan.finance.models import Invoice, Payment, PaymentPlan
from banyan.finance.tests.page_helpers import (
    bank_transfer,
    days,
    pay,
    signed_agreement,
    today,
    vat_special,
)

PAYMENTS = "/api/v1/payments/"
ALREADY = "This form was already submitted; nothing was recorded twice."


@pytest.fixture
def deal(org, make_customer, make_product, make_agreement):
    """A signed order of 10,000.00 for sales1's customer 沃力科技."""
    customer = make_customer(org.sales1, name="沃力科技")
    return signed_agreement(make_product, make_agreement, org.sales1, customer, "10000.00")


def token_on(page) -> str:
    """The one-time token the page's form carries."""
    found = re.findall(r'<input type="hidden" name="form_token" value="([^"]+)">', page.text)
    assert len(found) == 1, found
    return found[0]


def flashed(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def payment_fields(org, amount="4000.00", **fields):
    return {
        "paid_on": today(org.boss).isoformat(),
        "amount": amount,
        "method": bank_transfer(org.company).pk,
        "owner": org.sales1.pk,
        "plan": "",
        "note": "首付款",
        **fields,
    }


def api_body(org, deal, amount="4000.00", **fields):
    return {
        "agreement": deal.pk,
        "amount": amount,
        "paid_on": str(today(org.boss)),
        "method": bank_transfer(org.company).pk,
        **fields,
    }


# --- pages ------------------------------------------------------------------------------------


def test_a_payment_form_posted_twice_records_one_payment(org, client_as, deal):
    client = client_as(org.boss)
    url = reverse("payment-create", args=[deal.pk])
    data = {**payment_fields(org), "form_token": token_on(client.get(url))}

    first = client.post(url, data)
    second = client.post(url, data, follow=True)

    assert first.status_code == 302 and first["Location"] == deal.get_absolute_url()
    assert second.redirect_chain == [(deal.get_absolute_url(), 302)]
    # A double click: the page the user lands on tells both.
    assert flashed(second) == ["A payment of ¥4,000.00 on DD000001 has been recorded.", ALREADY]
    assert list(Payment.objects.values_list("amount", flat=True)) == [Decimal("4000.00")]
    deal.refresh_from_db()
    assert deal.paid_amount == Decimal("4000.00")
    # A new visit to the form is a new payment.
    fresh = {**payment_fields(org, "1000.00"), "form_token": token_on(client.get(url))}
    assert fresh["form_token"] != data["form_token"]
    assert client.post(url, fresh).status_code == 302
    assert Payment.objects.count() == 2


def test_a_resubmit_that_would_now_be_refused_still_lands_on_the_first_result(org, client_as, deal):
    """Back and resubmit after paying in full: not an over-payment error, the first result."""
    client = client_as(org.boss)
    url = reverse("payment-create", args=[deal.pk])
    data = {**payment_fields(org, "10000.00"), "form_token": token_on(client.get(url))}
    assert client.post(url, data, follow=True).status_code == 200

    again = client.post(url, data, follow=True)

    assert again.redirect_chain == [(deal.get_absolute_url(), 302)]
    assert flashed(again) == [ALREADY]
    assert Payment.objects.count() == 1


def test_a_form_with_errors_keeps_its_token_and_the_corrected_resubmit_records_once(
    org, client_as, deal
):
    client = client_as(org.boss)
    url = reverse("payment-create", args=[deal.pk])
    token = token_on(client.get(url))

    # The service refuses the over-payment: nothing is recorded, the token stays on the form.
    refused = client.post(url, {**payment_fields(org, "12000.00"), "form_token": token})
    assert refused.status_code == 200 and refused.context["form"].errors
    assert token_on(refused) == token
    assert not Payment.objects.exists() and not IdempotencyKey.objects.exists()

    corrected = {**payment_fields(org, "12000.00", confirm_overpayment="on"), "form_token": token}
    assert client.post(url, corrected, follow=True).status_code == 200
    again = client.post(url, corrected, follow=True)

    assert flashed(again) == [ALREADY]
    assert list(Payment.objects.values_list("amount", flat=True)) == [Decimal("12000.00")]


def test_a_reversal_form_posted_twice_lands_on_the_agreement(org, client_as, deal):
    payment = pay(org.boss, deal, "3000.00")
    client = client_as(org.boss)
    url = reverse("payment-reverse", args=[payment.pk])
    data = {"reason": "退票", "form_token": token_on(client.get(url))}

    first = client.post(url, data, follow=True)
    second = client.post(url, data, follow=True)

    assert first.redirect_chain == second.redirect_chain == [(deal.get_absolute_url(), 302)]
    assert flashed(second) == [ALREADY]
    assert Payment.objects.filter(reverses=payment).count() == 1


def test_an_invoice_and_an_instalment_posted_twice_are_recorded_once(org, client_as, deal):
    pay(org.boss, deal, "5000.00")
    finance = client_as(org.boss)
    url = reverse("invoice-create", args=[deal.pk])
    data = {
        "number": "No.0001",
        "type": vat_special(org.company).pk,
        "title": "沃力科技",
        "tax_id": "",
        "amount": "5000.00",
        "issued_on": today(org.boss).isoformat(),
        "note": "",
        "form_token": token_on(finance.get(url)),
    }
    assert finance.post(url, data, follow=True).redirect_chain[0][1] == 302
    again = finance.post(url, data, follow=True)
    assert flashed(again) == [ALREADY]
    assert Invoice.objects.count() == 1

    rep = client_as(org.sales1)
    url = reverse("plan-create", args=[deal.pk])
    data = {
        "due_on": days(org.sales1, 30).isoformat(),
        "amount": "4000.00",
        "note": "尾款",
        "form_token": token_on(rep.get(url)),
    }
    assert rep.post(url, data, follow=True).redirect_chain[0][1] == 302
    again = rep.post(url, data, follow=True)
    assert again.redirect_chain == [(deal.get_absolute_url(), 302)]
    assert flashed(again) == [ALREADY]
    assert PaymentPlan.objects.count() == 1


def test_a_token_counts_only_for_the_user_it_was_made_for(org, client_as, deal, grant):
    """Another user's (or a made-up) token is no token: the form records as it always did."""
    clerk = grant(org.vice_boss, "finance")
    url = reverse("payment-create", args=[deal.pk])
    someone_elses = idempotency.new_form_token(org.boss)
    client = client_as(clerk)

    for token in (someone_elses, someone_elses, "made-up", ""):
        response = client.post(url, {**payment_fields(org, "100.00"), "form_token": token})
        assert response.status_code == 302

    assert Payment.objects.count() == 4
    assert not IdempotencyKey.objects.exists()


def test_a_view_that_records_once_must_replay_resubmissions():
    request = RequestFactory().post("/", {"form_token": "x"})

    with pytest.raises(Exception, match="needs @submitted_once"):
        idempotency.record_once(request, lambda: None, result_url=lambda _nothing: "/")


# --- the API ----------------------------------------------------------------------------------


def test_the_same_key_twice_records_one_payment_and_answers_the_same(org, api_as, deal, grant):
    api = api_as(org.boss)
    body = api_body(org, deal, "1000.00")

    first = api.post(PAYMENTS, body, format="json", HTTP_IDEMPOTENCY_KEY="pay-0001")
    # The same body, its keys in another order.
    second = api.post(
        PAYMENTS, dict(reversed(body.items())), format="json", HTTP_IDEMPOTENCY_KEY="pay-0001"
    )

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert list(Payment.objects.values_list("pk", flat=True)) == [first.json()["id"]]
    deal.refresh_from_db()
    assert deal.paid_amount == Decimal("1000.00")

    # Keys are per user, and a request without a key records as it always did.
    clerk = api_as(grant(org.vice_boss, "finance"))
    other = clerk.post(PAYMENTS, body, format="json", HTTP_IDEMPOTENCY_KEY="pay-0001")
    plain = api.post(PAYMENTS, body, format="json")
    assert other.status_code == plain.status_code == 201
    assert Payment.objects.count() == 3


def test_the_same_key_with_a_different_body_is_refused(org, api_as, deal):
    api = api_as(org.boss)
    assert (
        api.post(
            PAYMENTS, api_body(org, deal), format="json", HTTP_IDEMPOTENCY_KEY="k1"
        ).status_code
        == 201
    )

    other_amount = api.post(
        PAYMENTS, api_body(org, deal, "1.00"), format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    payment = Payment.objects.get()
    other_endpoint = api.post(
        f"{PAYMENTS}{payment.pk}/reverse/",
        {"reason": "x"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k1",
    )

    refusal = {
        "detail": "This Idempotency-Key was already used for a different request: send a new "
        "key with a new request."
    }
    assert (other_amount.status_code, other_amount.json()) == (422, refusal)
    assert (other_endpoint.status_code, other_endpoint.json()) == (422, refusal)
    assert Payment.objects.count() == 1


def test_a_refused_request_keeps_no_key_and_its_corrected_retry_records_once(org, api_as, deal):
    api = api_as(org.boss)
    over = api_body(org, deal, "12000.00")

    refused = api.post(PAYMENTS, over, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    assert refused.status_code == 400 and list(refused.json()) == ["amount"]
    assert not IdempotencyKey.objects.exists()

    confirmed = {**over, "confirm_overpayment": True}
    first = api.post(PAYMENTS, confirmed, format="json", HTTP_IDEMPOTENCY_KEY="k2")
    again = api.post(PAYMENTS, confirmed, format="json", HTTP_IDEMPOTENCY_KEY="k2")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Payment.objects.count() == 1


def test_a_reversal_retried_with_its_key_gets_the_same_answer(org, api_as, deal):
    payment = pay(org.boss, deal, "3000.00")
    api = api_as(org.boss)
    url = f"{PAYMENTS}{payment.pk}/reverse/"

    first = api.post(url, {"reason": "Bounced"}, format="json", HTTP_IDEMPOTENCY_KEY="rev-1")
    again = api.post(url, {"reason": "Bounced"}, format="json", HTTP_IDEMPOTENCY_KEY="rev-1")
    # Without the key the rule still answers: a payment is reversed at most once.
    plain = api.post(url, {"reason": "Bounced"}, format="json")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert plain.json() == {"detail": ["This payment has already been reversed."]}
    assert Payment.objects.filter(reverses=payment).count() == 1


def test_invoices_and_plans_take_the_key_too(org, api_as, deal):
    pay(org.boss, deal, "5000.00")
    api = api_as(org.boss)
    invoice = {
        "agreement": deal.pk,
        "number": "No.0002",
        "type": vat_special(org.company).pk,
        "amount": "5000.00",
        "issued_on": str(today(org.boss)),
    }
    plan = {"agreement": deal.pk, "due_on": str(days(org.boss, 30)), "amount": "4000.00"}

    for url, body in (("/api/v1/invoices/", invoice), ("/api/v1/payment-plans/", plan)):
        first = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=url)
        again = api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=url)
        assert first.status_code == again.status_code == 201, first.json()
        assert again.json() == first.json()

    assert Invoice.objects.count() == PaymentPlan.objects.count() == 1


@pytest.mark.parametrize("key", ["", "   ", "x" * 256, "中文", "tab\tin"])
def test_a_bad_key_is_refused_naming_the_header(org, api_as, deal, key):
    response = api_as(org.boss).post(
        PAYMENTS, api_body(org, deal), format="json", HTTP_IDEMPOTENCY_KEY=key
    )

    assert response.status_code == 400
    assert response.json() == {
        "Idempotency-Key": [
            "An Idempotency-Key is 1 to 255 printable ASCII characters, e.g. a UUID."
        ]
    }
    assert not Payment.objects.exists()


def test_keys_expire_after_the_configured_hours(org, api_as, deal, settings):
    settings.IDEMPOTENCY_KEY_HOURS = 24
    api = api_as(org.boss)
    body = api_body(org, deal, "100.00")
    assert api.post(PAYMENTS, body, format="json", HTTP_IDEMPOTENCY_KEY="old").status_code == 201
    assert api.post(PAYMENTS, body, format="json", HTTP_IDEMPOTENCY_KEY="new").status_code == 201
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))

    # An expired key is a new key again.
    again = api.post(PAYMENTS, body, format="json", HTTP_IDEMPOTENCY_KEY="old")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Payment.objects.count() == 3

    IdempotencyKey.objects.filter(key="new").update(created_at=timezone.now() - timedelta(hours=25))
    call_command("purge_idempotency_keys", verbosity=0)
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["old"]


def test_the_schema_asks_clients_to_send_a_key(db, api_client):
    paths = api_client.get("/api/schema/", {"format": "json"}).json()["paths"]

    for path in (
        PAYMENTS,
        PAYMENTS + "{id}/reverse/",
        "/api/v1/invoices/",
        "/api/v1/payment-plans/",
        "/api/v1/stock-slips/",
        "/api/v1/stocktakes/",
        "/api/v1/shipments/",
        "/api/v1/purchase-orders/{id}/receive/",
    ):
        headers = [p for p in paths[path]["post"]["parameters"] if p["in"] == "header"]
        assert [p["name"] for p in headers] == ["Idempotency-Key"], path
        assert "Idempotent-Replayed" in headers[0]["description"]
    # Reading and changing take none.
    assert "parameters" not in paths["/api/v1/invoices/{id}/"]["put"] or all(
        p["in"] != "header" for p in paths["/api/v1/invoices/{id}/"]["put"]["parameters"]
    )
