"""Finance services: payment plans and their sum limit and coverage, payments as a ledger
(finance only, never changed or deleted, corrected by one reversal), invoices and the paid
limit, visibility, and the books staying equal to the sums of their rows.

State is built through the services; a refusal also asserts that nothing changed.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from banyan.accounts import services as account_services
from banyan.accounts.models import DictionaryOption
from banyan.agreements import services as agreement_services
from banyan.agreements.models import Agreement
from banyan.core.errors import DomainError, NotFound, PermissionRefused, ValidationFailed
from banyan.customers import services as customer_services
from banyan.finance import services
from banyan.finance.models import Invoice, Payment, PaymentPlan


def option(company, kind, code):
    return DictionaryOption.objects.get(company=company, kind=kind, code=code)


def books(agreement):
    """The stored money figures of an agreement and of each of its plans, and its rows."""
    agreement = Agreement.objects.get(pk=agreement.pk)
    return (
        agreement.amount,
        agreement.paid_amount,
        agreement.invoiced_amount,
        list(
            PaymentPlan.objects.filter(agreement=agreement)
            .order_by("id")
            .values_list("id", "due_on", "amount", "paid_amount", "note")
        ),
        list(
            Payment.objects.filter(agreement=agreement)
            .order_by("id")
            .values_list("id", "amount", "plan_id", "reverses_id")
        ),
        list(
            Invoice.objects.filter(agreement=agreement)
            .order_by("id")
            .values_list("id", "number", "amount", "title")
        ),
    )


@pytest.fixture
def customer(org, make_customer):
    return make_customer(org.sales1)


@pytest.fixture
def finance(org, grant):
    """A finance clerk who sees the whole company (a boss without admin rights)."""
    return grant(org.vice_boss, "finance")


@pytest.fixture
def method(org):
    return option(org.company, "payment_method", "bank_transfer")


@pytest.fixture
def vat(org):
    return option(org.company, "invoice_type", "vat_special")


@pytest.fixture
def make_signed(org, customer, make_product):
    """`make_signed(amount="1000.00", user=sales1, customer=...)` → a signed order of one line
    at that amount."""

    def make(amount="1000.00", user=None, customer=customer, status="signed"):
        user = user or org.sales1
        product = make_product(user, list_price=amount)
        agreement = agreement_services.agreement_create(
            user=user,
            kind="order",
            customer=customer,
            title="Order",
            lines=[{"product": product.pk, "quantity": "1"}],
        )
        if status != "draft":
            agreement_services.agreement_sign(user=user, agreement=agreement)
        return Agreement.objects.get(pk=agreement.pk)

    return make


@pytest.fixture
def agreement(make_signed):
    return make_signed("1000.00")


@pytest.fixture
def pay(finance, method):
    """`pay(agreement, amount, **fields)` → a payment recorded by the finance clerk."""

    def record(agreement, amount, user=None, **fields):
        fields.setdefault("paid_on", "2026-05-01")
        fields.setdefault("method", method)
        return services.payment_record(
            user=user or finance, agreement=agreement, amount=amount, **fields
        )

    return record


@pytest.fixture
def invoice(finance, vat):
    """`invoice(agreement, amount, number=..., **fields)` → an invoice recorded by finance."""
    counter = {"n": 0}

    def record(agreement, amount, user=None, **fields):
        counter["n"] += 1
        fields.setdefault("number", f"0{counter['n']:07d}")
        fields.setdefault("type", vat)
        fields.setdefault("issued_on", "2026-05-02")
        return services.invoice_create(
            user=user or finance, agreement=agreement, amount=amount, **fields
        )

    return record


def plan(user, agreement, amount, due_on="2026-06-30", **fields):
    return services.plan_create(
        user=user, agreement=agreement, due_on=due_on, amount=amount, **fields
    )


# --- payment plans ------------------------------------------------------------------------


def test_plans_add_up_to_the_agreement_amount_and_no_more(org, agreement):
    first = plan(org.sales1, agreement, "600.00", note=" First  instalment ")
    assert (first.amount, first.note, first.customer_id, first.created_by) == (
        Decimal("600.00"),
        "First instalment",
        agreement.customer_id,
        org.sales1,
    )
    before = books(agreement)

    with pytest.raises(ValidationFailed) as excinfo:
        plan(org.manager1, agreement, "400.01")

    assert excinfo.value.errors == {
        "amount": [
            "The plans would add up to 1000.01, more than the agreement's amount of 1000.00: at "
            "most 400.00 is left to plan."
        ]
    }
    assert books(agreement) == before
    plan(org.manager1, agreement, "400.00", due_on="2026-07-31")
    assert sum(p.amount for p in PaymentPlan.objects.filter(agreement=agreement)) == Decimal(
        "1000.00"
    )


def test_changing_a_plan_counts_the_others_but_not_itself(org, agreement):
    first = plan(org.sales1, agreement, "600.00")
    second = plan(org.sales1, agreement, "300.00", due_on="2026-07-31")

    services.plan_update(user=org.sales1, plan=first, amount="700.00")
    before = books(agreement)
    with pytest.raises(ValidationFailed) as excinfo:
        services.plan_update(user=org.sales1, plan=second, amount="300.01")
    assert "at most 300.00 is left to plan" in excinfo.value.errors["amount"][0]
    with pytest.raises(ValidationFailed) as excinfo:
        services.plan_update(user=org.sales1, plan=second, due_on="someday", colour="red")
    assert set(excinfo.value.errors) == {"due_on", "colour"}
    assert books(agreement) == before


def test_a_new_due_date_reminds_again(org, agreement):
    instalment = plan(org.sales1, agreement, "500.00")
    PaymentPlan.objects.filter(pk=instalment.pk).update(reminded_at="2026-06-01T01:00:00Z")

    services.plan_update(user=org.sales1, plan=instalment, note="Same date", due_on="2026-06-30")
    assert PaymentPlan.objects.get(pk=instalment.pk).reminded_at is not None
    services.plan_update(user=org.sales1, plan=instalment, due_on="2026-08-15")
    instalment.refresh_from_db()
    assert (instalment.due_on, instalment.reminded_at) == (date(2026, 8, 15), None)


def test_a_plan_needs_a_date_and_a_positive_amount(org, agreement):
    with pytest.raises(ValidationFailed) as excinfo:
        services.plan_create(user=org.sales1, agreement=agreement, due_on="", amount="-5")
    assert excinfo.value.errors == {
        "due_on": ["Enter a date such as 2026-06-30."],
        "amount": ["Enter an amount above zero."],
    }
    assert not PaymentPlan.objects.filter(agreement=agreement).exists()


def test_a_draft_takes_plans_but_a_cancelled_agreement_does_not(org, make_signed):
    draft = make_signed("800.00", status="draft")
    plan(org.sales1, draft, "800.00")

    cancelled = make_signed("800.00", status="draft")
    agreement_services.agreement_cancel(user=org.sales1, agreement=cancelled, reason="x")
    with pytest.raises(DomainError, match="cancelled"):
        plan(org.sales1, cancelled, "100.00")
    assert not PaymentPlan.objects.filter(agreement=cancelled).exists()


def test_a_plan_is_covered_when_its_payments_reach_it_and_uncovered_after_a_reversal(
    org, agreement, pay, finance
):
    first = plan(org.sales1, agreement, "600.00")
    second = plan(org.sales1, agreement, "400.00", due_on="2026-07-31")

    pay(agreement, "250.00", plan=first)
    first.refresh_from_db()
    assert (first.paid_amount, first.is_covered, first.outstanding) == (
        Decimal("250.00"),
        False,
        Decimal("350.00"),
    )
    closing = pay(agreement, "350.00", plan=first.pk)
    first.refresh_from_db()
    assert (first.paid_amount, first.is_covered, first.outstanding) == (
        Decimal("600.00"),
        True,
        Decimal("0.00"),
    )
    assert PaymentPlan.objects.get(pk=second.pk).paid_amount == Decimal("0.00")

    services.payment_reverse(user=finance, payment=closing, reason="Bounced")
    first.refresh_from_db()
    assert (first.paid_amount, first.is_covered) == (Decimal("250.00"), False)
    assert services.check_books(org.company.pk) == []


def test_a_plan_with_payments_against_it_stays(org, agreement, pay, finance):
    paid_against = plan(org.sales1, agreement, "600.00")
    spare = plan(org.sales1, agreement, "400.00", due_on="2026-07-31")
    payment = pay(agreement, "100.00", plan=paid_against)
    services.payment_reverse(user=finance, payment=payment, reason="Wrong customer")
    before = books(agreement)

    with pytest.raises(DomainError, match="cannot be deleted"):
        services.plan_delete(user=org.sales1, plan=paid_against)

    assert books(agreement) == before
    services.plan_delete(user=org.sales1, plan=spare)
    assert list(PaymentPlan.objects.filter(agreement=agreement)) == [paid_against]


def test_plans_follow_the_agreements_edit_rights(org, other_org, customer, agreement):
    instalment = plan(org.sales1, agreement, "500.00")
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales3, level="view"
    )
    before = books(agreement)

    with pytest.raises(PermissionRefused):
        plan(org.sales3, agreement, "100.00")
    with pytest.raises(PermissionRefused):
        services.plan_update(user=org.sales3, plan=instalment, amount="100.00")
    with pytest.raises(PermissionRefused):
        services.plan_delete(user=org.sales3, plan=instalment)
    for outsider in (org.sales2, org.manager2, other_org.boss):
        with pytest.raises(NotFound):
            plan(outsider, agreement, "100.00")
        with pytest.raises(NotFound):
            services.plan_update(user=outsider, plan=instalment, amount="100.00")
        with pytest.raises(NotFound):
            services.plan_delete(user=outsider, plan=instalment)
    assert books(agreement) == before


# --- payments -----------------------------------------------------------------------------


def test_finance_records_a_payment_credited_to_the_agreement_owner(org, agreement, finance, method):
    payment = services.payment_record(
        user=finance,
        agreement=agreement.pk,
        amount="300.50",
        paid_on="2026-05-01",
        method=method.pk,
        note=" Wire  from the customer ",
    )

    payment.refresh_from_db()
    assert (payment.amount, payment.paid_on, payment.method, payment.note) == (
        Decimal("300.50"),
        date(2026, 5, 1),
        method,
        "Wire from the customer",
    )
    assert (payment.owner, payment.recorded_by, payment.customer_id, payment.plan) == (
        org.sales1,
        finance,
        agreement.customer_id,
        None,
    )
    assert payment.history.get().history_user == finance
    agreement.refresh_from_db()
    assert (agreement.paid_amount, agreement.receivable) == (Decimal("300.50"), Decimal("699.50"))


def test_a_payment_may_be_credited_to_another_rep_but_not_a_deactivated_one(org, make_signed, pay):
    agreement = make_signed("1000.00")
    assert pay(agreement, "100.00", owner=org.sales2.pk).owner == org.sales2
    account_services.user_deactivate(actor=org.boss, user=org.sales2)
    before = books(agreement)

    with pytest.raises(ValidationFailed) as excinfo:
        pay(agreement, "100.00", owner=org.sales2.pk)
    assert excinfo.value.errors == {"owner": ["sales2 is deactivated."]}
    assert books(agreement) == before

    # The agreement's own owner is credited even after leaving (the money is still theirs).
    account_services.user_deactivate(actor=org.boss, user=org.sales1)
    assert pay(agreement, "100.00").owner == org.sales1


def test_only_the_finance_permission_records_payments(org, agreement, pay, method, grant, invoice):
    before = books(agreement)

    for user in (org.sales1, org.manager1, org.director1, org.assistant):
        with pytest.raises(PermissionRefused) as excinfo:
            pay(agreement, "100.00", user=user)
        assert "finance permission" in str(excinfo.value.message)
        with pytest.raises(PermissionRefused):
            invoice(agreement, "100.00", user=user)
    assert books(agreement) == before

    rep_with_finance = grant(org.sales1, "finance")
    assert pay(agreement, "100.00", user=rep_with_finance).recorded_by == rep_with_finance


def test_payments_wait_for_signing_and_stop_at_cancelling(org, make_signed, pay):
    draft = make_signed("500.00", status="draft")
    with pytest.raises(DomainError) as excinfo:
        pay(draft, "100.00")
    assert excinfo.value.field == "agreement"
    assert "recorded once it is signed" in str(excinfo.value.message)

    cancelled = make_signed("500.00")
    agreement_services.agreement_cancel(user=org.sales1, agreement=cancelled, reason="x")
    with pytest.raises(DomainError, match="takes no payments"):
        pay(cancelled, "100.00")

    executing = make_signed("500.00")
    agreement_services.agreement_start(user=org.sales1, agreement=executing)
    pay(executing, "100.00")
    agreement_services.agreement_complete(user=org.sales1, agreement=executing)
    pay(executing, "100.00")

    assert not Payment.objects.filter(agreement__in=[draft, cancelled]).exists()
    assert Agreement.objects.get(pk=executing.pk).paid_amount == Decimal("200.00")


def test_an_over_payment_is_refused_unless_confirmed(org, agreement, pay):
    pay(agreement, "900.00")
    before = books(agreement)

    with pytest.raises(DomainError) as excinfo:
        pay(agreement, "100.01")

    assert excinfo.value.code == "overpayment"
    assert excinfo.value.field == "amount"
    assert "1000.01, above the agreement's amount of 1000.00" in str(excinfo.value.message)
    assert books(agreement) == before

    pay(agreement, "100.00")  # exactly the amount is no over-payment
    pay(agreement, "50.00", confirm_overpayment=True)
    assert Agreement.objects.get(pk=agreement.pk).paid_amount == Decimal("1050.00")
    assert services.check_books(org.company.pk) == []


def test_totals_a_money_field_cannot_hold_are_refused(org, agreement, pay, invoice):
    pay(agreement, "999999999999.00", confirm_overpayment=True)
    org.company.allow_invoice_ahead = True
    org.company.save(update_fields=["allow_invoice_ahead"])
    invoice(agreement, "999999999999.00")
    before = books(agreement)

    with pytest.raises(ValidationFailed) as paid:
        pay(agreement, "1000.00", confirm_overpayment=True)
    with pytest.raises(ValidationFailed) as invoiced:
        invoice(agreement, "1000.00")

    assert paid.value.errors == {"amount": ["The paid total would pass 999,999,999,999.99."]}
    assert invoiced.value.errors == {
        "amount": ["Invoices would add up to more than 999,999,999,999.99."]
    }
    assert books(agreement) == before


def test_bad_payment_input_is_refused_naming_each_field(
    org, other_org, agreement, make_signed, pay
):
    other_plan = plan(org.sales1, make_signed("100.00"), "100.00")
    foreign_method = option(other_org.company, "payment_method", "cash")
    before = books(agreement)

    with pytest.raises(ValidationFailed) as excinfo:
        pay(
            agreement,
            "12.345",
            paid_on="30/05/2026",
            method=foreign_method,
            owner=other_org.sales1.pk,
            plan=other_plan.pk,
            note="x" * 256,
        )

    assert excinfo.value.errors == {
        "amount": ["Give at most two decimal places."],
        "paid_on": ["Enter a date such as 2026-06-30."],
        "method": ["Choose a payment method from the list."],
        "owner": ["Choose a user of your company."],
        "plan": ["Choose one of this agreement's payment plans."],
        "note": ["A note has at most 255 characters."],
    }
    with pytest.raises(ValidationFailed) as excinfo:
        pay(agreement, "0", method=None)
    assert set(excinfo.value.errors) == {"amount", "method"}
    assert books(agreement) == before


def test_a_retired_payment_method_is_refused(org, agreement, pay, method):
    DictionaryOption.objects.filter(pk=method.pk).update(is_active=False)

    with pytest.raises(ValidationFailed) as excinfo:
        pay(agreement, "100.00")

    assert "no longer in use" in excinfo.value.errors["method"][0]


def test_a_payment_is_never_changed_or_deleted_in_the_model_layer(org, agreement, pay):
    payment = pay(agreement, "300.00")
    stored = list(Payment.objects.filter(pk=payment.pk).values())

    payment.amount = Decimal("1.00")
    with pytest.raises(PermissionRefused, match="never changed"):
        payment.save()
    with pytest.raises(PermissionRefused, match="never changed"):
        payment.save(update_fields=["amount"])
    with pytest.raises(PermissionRefused, match="never deleted"):
        payment.delete()
    with pytest.raises(PermissionRefused, match="never changed"):
        Payment.objects.filter(pk=payment.pk).update(amount=Decimal("1.00"))
    with pytest.raises(PermissionRefused, match="never deleted"):
        Payment.objects.filter(pk=payment.pk).delete()
    with pytest.raises(PermissionRefused):
        Payment.objects.all().delete()

    assert list(Payment.objects.filter(pk=payment.pk).values()) == stored
    assert Agreement.objects.get(pk=agreement.pk).paid_amount == Decimal("300.00")
    assert services.check_books(org.company.pk) == []


def test_a_reversal_books_the_opposite_amount_pointing_at_the_original(
    org, agreement, pay, finance
):
    instalment = plan(org.sales1, agreement, "500.00")
    original = pay(agreement, "300.00", plan=instalment, owner=org.sales2)

    reversal = services.payment_reverse(
        user=finance, payment=original, reason=" Bounced  cheque ", paid_on="2026-05-09"
    )

    reversal.refresh_from_db()
    assert (reversal.amount, reversal.reverses, reversal.is_reversal) == (
        Decimal("-300.00"),
        original,
        True,
    )
    assert (reversal.plan, reversal.owner, reversal.method_id, reversal.customer_id) == (
        instalment,
        org.sales2,
        original.method_id,
        original.customer_id,
    )
    assert (reversal.note, reversal.paid_on, reversal.recorded_by) == (
        "Bounced cheque",
        date(2026, 5, 9),
        finance,
    )
    assert Payment.objects.get(pk=original.pk).reversed_by == reversal
    assert Agreement.objects.get(pk=agreement.pk).paid_amount == Decimal("0.00")
    assert PaymentPlan.objects.get(pk=instalment.pk).paid_amount == Decimal("0.00")
    assert services.check_books(org.company.pk) == []


def test_a_payment_is_reversed_once_and_a_reversal_never(org, agreement, pay, finance):
    original = pay(agreement, "300.00")
    reversal = services.payment_reverse(user=finance, payment=original, reason="Duplicate")
    before = books(agreement)

    with pytest.raises(DomainError, match="already been reversed"):
        services.payment_reverse(user=finance, payment=original, reason="Again")
    with pytest.raises(DomainError, match="itself a reversal"):
        services.payment_reverse(user=finance, payment=reversal, reason="Undo the undo")

    assert books(agreement) == before
    assert services.check_books(org.company.pk) == []


def test_a_reversal_needs_a_reason_and_finance(org, agreement, pay, finance):
    original = pay(agreement, "300.00")
    before = books(agreement)

    with pytest.raises(ValidationFailed) as excinfo:
        services.payment_reverse(user=finance, payment=original, reason=" ")
    assert excinfo.value.errors == {"reason": ["Say why the payment is reversed."]}
    with pytest.raises(PermissionRefused):
        services.payment_reverse(user=org.sales1, payment=original, reason="Mine")
    assert books(agreement) == before


def test_a_reversal_that_would_leave_invoices_above_payments_is_refused(
    org, agreement, pay, invoice, finance
):
    first = pay(agreement, "600.00")
    pay(agreement, "400.00")
    invoice(agreement, "700.00")
    before = books(agreement)

    with pytest.raises(DomainError) as excinfo:
        services.payment_reverse(user=finance, payment=first, reason="Bounced")
    assert str(excinfo.value.message) == (
        "After this reversal 400.00 would be paid but 700.00 is invoiced: correct the invoices "
        "first."
    )
    assert books(agreement) == before

    org.company.allow_invoice_ahead = True
    org.company.save(update_fields=["allow_invoice_ahead"])
    services.payment_reverse(user=finance, payment=first, reason="Bounced")
    agreement.refresh_from_db()
    assert (agreement.paid_amount, agreement.invoiced_amount) == (
        Decimal("400.00"),
        Decimal("700.00"),
    )
    assert services.check_books(org.company.pk) == []


# --- invoices -----------------------------------------------------------------------------


def test_finance_records_an_invoice_titled_after_the_customer_by_default(
    org, customer, agreement, pay, invoice, finance, vat
):
    pay(agreement, "800.00")

    recorded = invoice(agreement, "500.00", number=" 04401234 ", tax_id="91110108 ma01abcd3x")

    recorded.refresh_from_db()
    assert (recorded.number, recorded.title, recorded.tax_id, recorded.type) == (
        "04401234",
        customer.name,
        "91110108MA01ABCD3X",
        vat,
    )
    assert (recorded.amount, recorded.issued_on, recorded.recorded_by) == (
        Decimal("500.00"),
        date(2026, 5, 2),
        finance,
    )
    assert recorded.history.get().history_user == finance
    agreement.refresh_from_db()
    assert (agreement.invoiced_amount, agreement.uninvoiced) == (
        Decimal("500.00"),
        Decimal("300.00"),
    )


def test_invoices_stay_within_the_paid_total_unless_the_company_invoices_ahead(
    org, agreement, pay, invoice
):
    pay(agreement, "500.00")
    invoice(agreement, "300.00")
    before = books(agreement)

    with pytest.raises(ValidationFailed) as excinfo:
        invoice(agreement, "200.01")
    assert excinfo.value.errors == {
        "amount": [
            "Invoices would add up to 500.01 but only 500.00 is paid: your company invoices only "
            "what has been paid."
        ]
    }
    assert books(agreement) == before
    invoice(agreement, "200.00")

    org.company.allow_invoice_ahead = True
    org.company.save(update_fields=["allow_invoice_ahead"])
    invoice(agreement, "500.00")
    assert Agreement.objects.get(pk=agreement.pk).invoiced_amount == Decimal("1000.00")
    assert services.check_books(org.company.pk) == []


def test_an_invoice_number_is_unique_in_the_company_only(
    org, other_org, agreement, pay, invoice, make_customer, make_product, vat
):
    pay(agreement, "1000.00")
    invoice(agreement, "100.00", number="12345678")
    before = books(agreement)

    with pytest.raises(ValidationFailed) as excinfo:
        invoice(agreement, "100.00", number="12345678")
    assert excinfo.value.errors == {"number": ["Invoice 12345678 is already recorded."]}
    second = invoice(agreement, "100.00", number="87654321")
    with pytest.raises(ValidationFailed):
        services.invoice_update(user=org.boss, invoice=second, number="12345678")
    assert books(agreement)[:3] == (before[0], before[1], Decimal("200.00"))

    # Company B has its own series.
    product = make_product(other_org.boss, list_price="100.00")
    beta = agreement_services.agreement_create(
        user=other_org.sales1,
        kind="order",
        customer=make_customer(other_org.sales1),
        title="Beta",
        lines=[{"product": product.pk}],
    )
    agreement_services.agreement_sign(user=other_org.sales1, agreement=beta)
    services.payment_record(
        user=other_org.boss,
        agreement=beta,
        amount="100.00",
        paid_on="2026-05-01",
        method=option(other_org.company, "payment_method", "cash"),
    )
    services.invoice_create(
        user=other_org.boss,
        agreement=beta,
        number="12345678",
        type=option(other_org.company, "invoice_type", "vat_ordinary"),
        amount="100.00",
        issued_on="2026-05-02",
    )
    assert Invoice.objects.filter(number="12345678").count() == 2


def test_editing_and_deleting_invoices_keep_the_invoiced_total(
    org, agreement, pay, invoice, finance
):
    pay(agreement, "1000.00")
    first = invoice(agreement, "400.00")
    second = invoice(agreement, "300.00")

    services.invoice_update(user=finance, invoice=first, amount="650.00", title="New title")
    assert Agreement.objects.get(pk=agreement.pk).invoiced_amount == Decimal("950.00")
    before = books(agreement)
    with pytest.raises(ValidationFailed) as excinfo:
        services.invoice_update(user=finance, invoice=second, amount="350.01")
    assert "1000.01 but only 1000.00 is paid" in excinfo.value.errors["amount"][0]
    with pytest.raises(ValidationFailed) as excinfo:
        services.invoice_update(user=finance, invoice=second, tax_id="123", colour="red")
    assert set(excinfo.value.errors) == {"tax_id", "colour"}
    assert books(agreement) == before

    services.invoice_delete(user=finance, invoice=first)
    assert not Invoice.objects.filter(pk=first.pk).exists()
    assert Agreement.objects.get(pk=agreement.pk).invoiced_amount == Decimal("300.00")
    assert first.history.filter(history_type="-").get().history_user == finance
    assert services.check_books(org.company.pk) == []


def test_invoices_are_for_finance_and_not_on_cancelled_agreements(
    org, make_signed, invoice, finance, pay
):
    org.company.allow_invoice_ahead = True
    org.company.save(update_fields=["allow_invoice_ahead"])
    agreement = make_signed("500.00")
    recorded = invoice(agreement, "100.00")
    before = books(agreement)

    with pytest.raises(PermissionRefused):
        services.invoice_update(user=org.sales1, invoice=recorded, amount="50.00")
    with pytest.raises(PermissionRefused):
        services.invoice_delete(user=org.sales1, invoice=recorded)
    assert books(agreement) == before

    cancelled = make_signed("500.00")
    agreement_services.agreement_cancel(user=org.sales1, agreement=cancelled, reason="x")
    with pytest.raises(DomainError, match="takes no invoices"):
        invoice(cancelled, "100.00")
    assert not Invoice.objects.filter(agreement=cancelled).exists()


def test_bad_invoice_input_is_refused_naming_each_field(org, other_org, agreement, pay, invoice):
    pay(agreement, "1000.00")

    with pytest.raises(ValidationFailed) as excinfo:
        invoice(
            agreement,
            "-1",
            number="",
            type=option(other_org.company, "invoice_type", "vat_special").pk,
            issued_on="",
            tax_id="ABC",
        )

    assert set(excinfo.value.errors) == {"amount", "number", "type", "issued_on", "tax_id"}
    assert not Invoice.objects.filter(agreement=agreement).exists()


# --- visibility ---------------------------------------------------------------------------


def test_a_finance_user_who_cannot_see_the_customer_gets_not_found_everywhere(
    org, other_org, agreement, pay, invoice, grant, method, vat
):
    instalment = plan(org.sales1, agreement, "500.00")
    payment = pay(agreement, "500.00", plan=instalment)
    recorded = invoice(agreement, "100.00")
    before = books(agreement)
    outsiders = [
        grant(org.sales2, "finance"),
        grant(org.manager2, "finance"),
        grant(org.director2, "finance"),
        other_org.boss,
    ]

    for user in outsiders:
        calls = [
            lambda u: services.payment_record(
                user=u, agreement=agreement, amount="1.00", paid_on="2026-05-01", method=method
            ),
            lambda u: services.payment_reverse(user=u, payment=payment, reason="x"),
            lambda u: services.invoice_create(
                user=u,
                agreement=agreement,
                number="X1",
                type=vat,
                amount="1.00",
                issued_on="2026-05-01",
            ),
            lambda u: services.invoice_update(user=u, invoice=recorded, amount="1.00"),
            lambda u: services.invoice_delete(user=u, invoice=recorded),
            lambda u: services.plan_create(
                user=u, agreement=agreement, due_on="2026-09-01", amount="1.00"
            ),
            lambda u: services.plan_update(user=u, plan=instalment, amount="1.00"),
            lambda u: services.plan_delete(user=u, plan=instalment),
        ]
        for call in calls:
            with pytest.raises(NotFound):
                call(user)
    assert books(agreement) == before


def test_a_view_share_with_finance_records_money_but_makes_no_plans(
    org, customer, agreement, grant, pay, invoice
):
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales3, level="view"
    )
    clerk = grant(org.sales3, "finance")

    payment = pay(agreement, "200.00", user=clerk)
    invoice(agreement, "100.00", user=clerk)
    services.payment_reverse(user=clerk, payment=pay(agreement, "50.00", user=clerk), reason="x")
    with pytest.raises(PermissionRefused):
        plan(clerk, agreement, "100.00")

    assert payment.owner == org.sales1
    assert services.check_books(org.company.pk) == []


# --- the books ----------------------------------------------------------------------------


def test_check_books_finds_stored_figures_that_drifted_from_their_rows(org, agreement, pay):
    instalment = plan(org.sales1, agreement, "500.00")
    pay(agreement, "300.00", plan=instalment)
    assert services.check_books(org.company.pk) == []

    Agreement.objects.filter(pk=agreement.pk).update(paid_amount=Decimal("299.99"))
    PaymentPlan.objects.filter(pk=instalment.pk).update(paid_amount=Decimal("0.00"))

    assert services.check_books(org.company.pk) == [agreement.number, f"plan {instalment.pk}"]


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["pay", "pay_plan", "overpay", "reverse", "invoice", "edit", "unbill"]),
        st.integers(min_value=1, max_value=60_000).map(lambda n: Decimal(n) / 100),
        st.integers(min_value=0, max_value=10),
    ),
    min_size=1,
    max_size=12,
)


def test_the_books_hold_after_any_sequence_of_money_operations(
    org, make_signed, finance, method, vat
):
    """Random payments (against plans or not, over-payments confirmed or not), reversals and
    invoice changes, each allowed or refused by the rules: after every step the stored figures
    equal the sums of the rows, and without invoicing ahead nothing is invoiced unpaid."""
    counter = {"n": 0}

    @settings(deadline=None)  # as many examples as the profile (conftest.py)
    @given(operations=OPERATIONS, ahead=st.booleans())
    def check(operations, ahead):
        # Each example in its own savepoint, rolled back: a failing example leaves nothing
        # behind for the next ones (and for the shrinking).
        with transaction.atomic():
            run(operations, ahead)
            transaction.set_rollback(True)

    def run(operations, ahead):
        org.company.allow_invoice_ahead = ahead
        org.company.save(update_fields=["allow_invoice_ahead"])
        agreement = make_signed("1000.00")
        plans = [
            plan(org.sales1, agreement, "300.00"),
            plan(org.sales1, agreement, "700.00", due_on="2026-09-30"),
        ]
        for name, amount, pick in operations:
            payments = list(Payment.objects.filter(agreement=agreement).order_by("id"))
            invoices = list(Invoice.objects.filter(agreement=agreement).order_by("id"))
            counter["n"] += 1
            try:
                if name in ("pay", "pay_plan", "overpay"):
                    services.payment_record(
                        user=finance,
                        agreement=agreement,
                        amount=amount,
                        paid_on="2026-05-01",
                        method=method,
                        plan=plans[pick % 2] if name == "pay_plan" else None,
                        confirm_overpayment=name == "overpay",
                    )
                elif name == "reverse" and payments:
                    services.payment_reverse(
                        user=finance, payment=payments[pick % len(payments)], reason="x"
                    )
                elif name == "invoice":
                    services.invoice_create(
                        user=finance,
                        agreement=agreement,
                        number=f"H{counter['n']}",
                        type=vat,
                        amount=amount,
                        issued_on="2026-05-02",
                    )
                elif name == "edit" and invoices:
                    services.invoice_update(
                        user=finance, invoice=invoices[pick % len(invoices)], amount=amount
                    )
                elif name == "unbill" and invoices:
                    services.invoice_delete(user=finance, invoice=invoices[pick % len(invoices)])
            except DomainError:
                pass
            assert services.check_books(org.company.pk) == []
            stored = Agreement.objects.get(pk=agreement.pk)
            if not ahead:
                assert stored.invoiced_amount <= stored.paid_amount
            if stored.paid_amount > stored.amount:
                assert Payment.objects.filter(agreement=agreement, amount__gt=0).exists()

    check()
