"""Finance pages: plan, payment and invoice forms, the payment page and its reversal, the
finance desk, the lists, the customer panel and the menu."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse

from banyan.agreements import services as agreement_services
from banyan.core.navigation import items_for
from banyan.core.panels import customer_view
from banyan.customers import selectors as customer_selectors
from banyan.finance import services as finance_services
from banyan.finance.models import Invoice, Payment, PaymentPlan
from banyan.finance.tests.page_helpers import (
    bank_transfer,
    days,
    invoice,
    option,
    pay,
    plan,
    signed_agreement,
    today,
    vat_special,
)

FINANCE_REFUSAL = "Only users with the finance permission record payments and invoices."


@pytest.fixture
def deal(org, make_customer, make_product, make_agreement):
    """A signed order of 10,000.00 for sales1's customer 沃力科技."""
    customer = make_customer(org.sales1, name="沃力科技")
    return signed_agreement(make_product, make_agreement, org.sales1, customer, "10000.00")


def ledger(agreement):
    """Everything the money pages could change, to compare before and after a refusal."""
    agreement.refresh_from_db()
    return (
        agreement.paid_amount,
        agreement.invoiced_amount,
        list(Payment.objects.filter(agreement=agreement).values_list("pk", "amount", "note")),
        list(
            PaymentPlan.objects.filter(agreement=agreement).values_list(
                "pk", "amount", "paid_amount"
            )
        ),
        list(Invoice.objects.filter(agreement=agreement).values_list("pk", "number", "amount")),
    )


def html_of(response) -> str:
    return response.content.decode()


# --- payment plans ------------------------------------------------------------------------


def test_the_owner_plans_edits_and_deletes_instalments(org, client_as, deal):
    client = client_as(org.sales1)
    url = reverse("plan-create", args=[deal.pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url, {"due_on": days(org.sales1, 30).isoformat(), "amount": "4,000.00", "note": "首付"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("agreement-detail", args=[deal.pk])
    created = PaymentPlan.objects.get(agreement=deal)
    assert (created.amount, created.note, created.due_on) == (
        Decimal("4000.00"),
        "首付",
        days(org.sales1, 30),
    )

    edit_url = reverse("plan-edit", args=[created.pk])
    page = client.get(edit_url)
    assert page.status_code == 200 and 'value="4000.00"' in html_of(page)
    response = client.post(
        edit_url, {"due_on": days(org.sales1, 45).isoformat(), "amount": "4500", "note": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("agreement-detail", args=[deal.pk])
    created.refresh_from_db()
    assert (created.amount, created.due_on, created.note) == (
        Decimal("4500.00"),
        days(org.sales1, 45),
        "",
    )

    delete_url = reverse("plan-delete", args=[created.pk])
    assert "Delete the instalment" in html_of(client.get(delete_url))
    assert PaymentPlan.objects.filter(pk=created.pk).exists()  # GET only asks
    response = client.post(delete_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("agreement-detail", args=[deal.pk])
    assert not PaymentPlan.objects.filter(pk=created.pk).exists()


def test_the_plan_sum_limit_is_shown_on_the_amount_field(org, client_as, deal):
    plan(org.sales1, deal, "6000.00")
    before = list(PaymentPlan.objects.values_list("pk", "amount"))

    response = client_as(org.sales1).post(
        reverse("plan-create", args=[deal.pk]),
        {"due_on": days(org.sales1, 60).isoformat(), "amount": "5000.00", "note": "尾款"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "amount": [
            "The plans would add up to 11000.00, more than the agreement's amount of 10000.00: "
            "at most 4000.00 is left to plan."
        ]
    }
    html = html_of(response)
    assert 'value="5000.00"' in html and 'value="尾款"' in html  # what was typed stays
    assert list(PaymentPlan.objects.values_list("pk", "amount")) == before


def test_bad_plan_input_names_the_field(org, client_as, deal):
    response = client_as(org.sales1).post(
        reverse("plan-create", args=[deal.pk]), {"due_on": "next week", "amount": "-3"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "due_on": ["Enter a date such as 2026-06-30."],
        "amount": ["Enter an amount above zero."],
    }
    assert not PaymentPlan.objects.exists()


def test_a_plan_with_payments_is_not_deleted(org, client_as, deal):
    first = plan(org.sales1, deal, "4000.00")
    pay(org.boss, deal, "1000.00", plan=first)

    response = client_as(org.sales1).post(reverse("plan-delete", args=[first.pk]), follow=True)

    assert "Payments were recorded against this plan: it cannot be deleted." in html_of(response)
    assert PaymentPlan.objects.filter(pk=first.pk).exists()


def test_a_delete_button_shows_exactly_where_the_service_accepts_the_deletion(org, client_as, deal):
    """A payment recorded against an instalment and reversed leaves it at 0.00 paid, but
    the instalment stays (its payments point at it): the agreement's page offers Delete
    only on the instalment nothing was ever paid against, and pressing it works."""
    from banyan.core.errors import DomainError

    paid_back = plan(org.sales1, deal, "4000.00")
    payment = pay(org.boss, deal, "1000.00", plan=paid_back)
    finance_services.payment_reverse(user=org.boss, payment=payment, reason="录错了")
    spare = plan(org.sales1, deal, "2000.00")
    client = client_as(org.sales1)

    html = html_of(client.get(deal.get_absolute_url()))
    assert reverse("plan-delete", args=[paid_back.pk]) not in html
    assert reverse("plan-delete", args=[spare.pk]) in html
    with pytest.raises(DomainError):
        finance_services.plan_delete(user=org.sales1, plan=paid_back)
    assert client.post(reverse("plan-delete", args=[spare.pk])).status_code == 302
    assert list(PaymentPlan.objects.filter(agreement=deal).values_list("pk", flat=True)) == [
        paid_back.pk
    ]


def test_a_cancelled_agreements_plans_are_its_history_and_offer_no_delete(
    org, client_as, deal, make_product, make_agreement
):
    """The page hides Delete on a cancelled agreement's plans, and the service refuses it
    too; on an open agreement the same plan is offered and deleted."""
    from banyan.core.errors import DomainError

    kept = plan(org.sales1, deal, "4000.00")
    agreement_services.agreement_cancel(user=org.sales1, agreement=deal, reason="客户撤单")
    open_deal = signed_agreement(make_product, make_agreement, org.sales1, deal.customer)
    spare = plan(org.sales1, open_deal, "2000.00")
    client = client_as(org.sales1)

    html = html_of(client.get(deal.get_absolute_url()))
    assert f'id="plan-{kept.pk}"' in html
    assert reverse("plan-delete", args=[kept.pk]) not in html
    with pytest.raises(DomainError) as refused:
        finance_services.plan_delete(user=org.sales1, plan=kept)
    assert refused.value.message == (
        "This agreement is cancelled: its payment plans are kept as its history."
    )
    response = client.post(reverse("plan-delete", args=[kept.pk]), follow=True)
    assert "its payment plans are kept as its history" in html_of(response)
    assert PaymentPlan.objects.filter(pk=kept.pk).exists()

    assert reverse("plan-delete", args=[spare.pk]) in html_of(
        client.get(open_deal.get_absolute_url())
    )
    assert client.post(reverse("plan-delete", args=[spare.pk])).status_code == 302
    assert not PaymentPlan.objects.filter(pk=spare.pk).exists()


# --- payments -----------------------------------------------------------------------------


def test_the_payment_form_offers_sensible_defaults(org, client_as, deal):
    first = plan(org.sales1, deal, "3000.00", due_in_days=-5)
    second = plan(org.sales1, deal, "7000.00", due_in_days=40)
    pay(org.boss, deal, "1000.00", plan=first)
    client = client_as(org.boss)
    url = reverse("payment-create", args=[deal.pk])

    form = client.get(url).context["form"]
    assert form.initial["paid_on"] == today(org.boss)
    assert form.initial["owner"] == org.sales1.pk  # the agreement's owner
    assert (form.initial["plan"], form.initial["amount"]) == (first.pk, Decimal("2000.00"))
    assert list(form.fields["plan"].queryset) == [first, second]
    owners = list(form.fields["owner"].queryset)
    assert org.sales1 in owners and all(user.company_id == org.company.pk for user in owners)
    assert all(user.is_active for user in owners)
    assert [o.code for o in form.fields["method"].queryset][:2] == ["bank_transfer", "cash"]

    form = client.get(url, {"plan": second.pk}).context["form"]
    assert (form.initial["plan"], form.initial["amount"]) == (second.pk, Decimal("7000.00"))

    pay(org.boss, deal, "2000.00", plan=first)
    pay(org.boss, deal, "7000.00", plan=second)
    form = client.get(url).context["form"]
    assert list(form.fields["plan"].queryset) == []  # covered plans are not offered
    assert form.initial["plan"] is None and form.initial["amount"] == ""


def test_without_plans_the_amount_defaults_to_the_receivable(org, client_as, deal):
    pay(org.boss, deal, "2500.00")

    form = client_as(org.boss).get(reverse("payment-create", args=[deal.pk])).context["form"]

    assert form.initial["amount"] == Decimal("7500.00")


def test_recording_a_payment_covers_its_plan_and_the_list_shows_it(org, client_as, deal):
    first = plan(org.sales1, deal, "4000.00", due_in_days=10)
    second = plan(org.sales1, deal, "6000.00", due_in_days=90)
    client = client_as(org.boss)

    response = client.post(
        reverse("payment-create", args=[deal.pk]),
        {
            "paid_on": today(org.boss).isoformat(),
            "amount": "4000.00",
            "method": bank_transfer(org.company).pk,
            "owner": org.sales1.pk,
            "plan": first.pk,
            "note": "首付款",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("agreement-detail", args=[deal.pk])
    payment = Payment.objects.get()
    assert (payment.amount, payment.plan, payment.owner, payment.recorded_by, payment.note) == (
        Decimal("4000.00"),
        first,
        org.sales1,
        org.boss,
        "首付款",
    )
    first.refresh_from_db()
    deal.refresh_from_db()
    assert first.is_covered and deal.paid_amount == Decimal("4000.00")

    html = html_of(client_as(org.sales1).get(reverse("plan-list")))
    row = html[html.index(f'id="plan-{first.pk}"') :]
    assert 'data-state="covered"' in row[: row.index("</tr>")]
    row = html[html.index(f'id="plan-{second.pk}"') :]
    assert 'data-state="open"' in row[: row.index("</tr>")]


def test_over_payment_needs_the_confirmation(org, client_as, deal):
    client = client_as(org.boss)
    url = reverse("payment-create", args=[deal.pk])
    fields = {
        "paid_on": today(org.boss).isoformat(),
        "amount": "12000.00",
        "method": bank_transfer(org.company).pk,
        "owner": org.sales1.pk,
        "plan": "",
        "note": "多付",
    }
    assert 'type="checkbox" name="confirm_overpayment"' not in html_of(client.get(url))

    response = client.post(url, fields)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "amount": [
            "This payment takes the paid total to 12000.00, above the agreement's amount of "
            "10000.00. Confirm the over-payment to record it anyway."
        ]
    }
    html = html_of(response)
    assert 'type="checkbox" name="confirm_overpayment"' in html
    assert 'value="12000.00"' in html and 'value="多付"' in html
    assert not Payment.objects.exists()

    response = client.post(url, {**fields, "confirm_overpayment": "on"})

    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.paid_amount == Decimal("12000.00") and deal.receivable == Decimal("-2000.00")


def test_a_payment_on_a_draft_is_refused_with_the_reason(
    org, client_as, make_customer, make_product, make_agreement
):
    product = make_product(org.sales1, list_price="500.00")
    draft = make_agreement(
        org.sales1, make_customer(org.sales1), lines=[{"product": product.pk, "quantity": "2"}]
    )

    response = client_as(org.boss).post(
        reverse("payment-create", args=[draft.pk]),
        {
            "paid_on": today(org.boss).isoformat(),
            "amount": "100",
            "method": bank_transfer(org.company).pk,
            "owner": org.sales1.pk,
        },
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This agreement is Draft: payments are recorded once it is signed."
    ]
    assert not Payment.objects.exists()


def test_payments_are_immutable_through_the_pages(org, client_as, deal):
    payment = pay(org.boss, deal, "3000.00")
    before = ledger(deal)
    client = client_as(org.boss)

    assert client.get(f"/payments/{payment.pk}/edit/").status_code == 404
    assert client.post(f"/payments/{payment.pk}/edit/", {"amount": "1"}).status_code == 404
    assert client.get(f"/payments/{payment.pk}/delete/").status_code == 404
    assert client.post(f"/payments/{payment.pk}/delete/").status_code == 404
    for name in ("payment-edit", "payment-delete", "payment-update"):
        with pytest.raises(NoReverseMatch):
            reverse(name, args=[payment.pk])
    response = client.post(
        reverse("payment-detail", args=[payment.pk]), {"amount": "1", "note": "changed"}
    )
    assert response.status_code == 405
    assert ledger(deal) == before

    html = html_of(client.get(reverse("payment-detail", args=[payment.pk])))
    assert "/edit/" not in html[html.index('id="main"') :] and "/delete/" not in html


def test_the_payment_page_shows_every_field_and_the_history(org, client_as, deal):
    first = plan(org.sales1, deal, "5000.00")
    payment = pay(org.boss, deal, "5000.00", plan=first, note="首付款", owner=org.sales2)

    response = client_as(org.sales1).get(reverse("payment-detail", args=[payment.pk]))

    assert response.status_code == 200
    html = html_of(response)
    facts = html[html.index('id="payment-facts"') :]
    for text in (deal.number, "沃力科技", "¥5,000.00", "Bank transfer", "sales2", "首付款", "王总"):
        assert text in facts, text
    history = html[html.index('id="payment-history"') :]
    assert "Payment of ¥5,000.00 recorded" in history
    assert 'id="reverse-payment"' not in html  # sales1 has no finance permission
    assert "Not reversed." in html


def test_reversing_through_the_page(org, client_as, deal):
    first = plan(org.sales1, deal, "5000.00")
    payment = pay(org.boss, deal, "5000.00", plan=first)
    client = client_as(org.boss)
    detail = html_of(client.get(reverse("payment-detail", args=[payment.pk])))
    assert reverse("payment-reverse", args=[payment.pk]) in detail
    url = reverse("payment-reverse", args=[payment.pk])
    assert client.get(url).status_code == 200
    before = ledger(deal)

    response = client.post(url, {"reason": "  ", "paid_on": ""})

    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["Say why the payment is reversed."]}
    assert ledger(deal) == before

    response = client.post(url, {"reason": "重复录入", "paid_on": ""})

    assert response.status_code == 302
    assert response["Location"] == reverse("agreement-detail", args=[deal.pk])
    reversal = Payment.objects.get(reverses=payment)
    assert (reversal.amount, reversal.note, reversal.paid_on, reversal.plan) == (
        Decimal("-5000.00"),
        "重复录入",
        today(org.boss),
        first,
    )
    deal.refresh_from_db()
    first.refresh_from_db()
    assert (deal.paid_amount, first.paid_amount) == (Decimal("0.00"), Decimal("0.00"))

    original_page = html_of(client.get(reverse("payment-detail", args=[payment.pk])))
    assert 'id="reversed-badge"' in original_page and "重复录入" in original_page
    assert reverse("payment-detail", args=[reversal.pk]) in original_page
    assert 'id="reverse-payment"' not in original_page
    reversal_page = html_of(client.get(reverse("payment-detail", args=[reversal.pk])))
    assert 'id="reversal-badge"' in reversal_page and "-¥5,000.00" in reversal_page
    assert reverse("payment-detail", args=[payment.pk]) in reversal_page
    assert 'id="reverse-payment"' not in reversal_page

    before = ledger(deal)
    again = client.post(url, {"reason": "again"})
    assert again.status_code == 200
    assert again.context["form"].non_field_errors() == ["This payment has already been reversed."]
    back = client.post(reverse("payment-reverse", args=[reversal.pk]), {"reason": "undo"})
    assert back.context["form"].non_field_errors() == [
        "This entry is itself a reversal: it cannot be reversed."
    ]
    assert ledger(deal) == before


def test_a_reverse_link_shows_exactly_where_the_service_accepts_the_reversal(org, client_as, deal):
    """Paid 5,000 + 3,000 + 2,000, the first reversed, 3,000 invoiced: reversing the 3,000
    would leave 2,000 paid under 3,000 invoiced, so only the 2,000 may be reversed; once the
    company invoices ahead of payment, the 3,000 too. Neither the reversal nor the reversed
    payment is offered. The agreement's page and each payment's page offer the link exactly
    where `payment_reverse` accepts."""
    from banyan.core.errors import DomainError

    undone = pay(org.boss, deal, "5000.00")
    reversal = finance_services.payment_reverse(user=org.boss, payment=undone, reason="录错了")
    covered = pay(org.boss, deal, "3000.00")
    free = pay(org.boss, deal, "2000.00")
    invoice(org.boss, deal, "3000.00", "FP-1")
    client = client_as(org.boss)

    def offered(payment) -> tuple[bool, bool]:
        link = reverse("payment-reverse", args=[payment.pk])
        on_agreement = html_of(client.get(deal.get_absolute_url()))
        row = on_agreement[on_agreement.index(f'id="payment-{payment.pk}"') :]
        row = row[: row.index("</tr>")]
        on_payment = html_of(client.get(reverse("payment-detail", args=[payment.pk])))
        return link in row, 'id="reverse-payment"' in on_payment

    def accepted(payment) -> bool:
        try:
            with transaction.atomic():
                finance_services.payment_reverse(user=org.boss, payment=payment, reason="核对")
                transaction.set_rollback(True)
        except DomainError:
            return False
        return True

    for payment, expected in ((undone, False), (reversal, False), (covered, False)):
        assert offered(payment) == (expected, expected), payment.amount
        assert accepted(payment) is expected, payment.amount
    assert offered(free) == (True, True) and accepted(free)
    page = html_of(client.get(reverse("payment-reverse", args=[covered.pk])))
    assert "After this reversal 2000.00 would be paid but 3000.00 is invoiced" in page
    # sales1 may see the agreement but has no finance permission: no link, and refused
    sales_page = html_of(client_as(org.sales1).get(deal.get_absolute_url()))
    assert reverse("payment-reverse", args=[free.pk]) not in sales_page
    with pytest.raises(DomainError):
        finance_services.payment_reverse(user=org.sales1, payment=free, reason="核对")

    org.company.allow_invoice_ahead = True
    org.company.save(update_fields=["allow_invoice_ahead"])
    assert offered(covered) == (True, True) and accepted(covered)
    assert offered(undone) == (False, False) and not accepted(undone)


# --- invoices -----------------------------------------------------------------------------


def test_invoice_form_defaults_edit_and_delete(org, client_as, deal):
    pay(org.boss, deal, "6000.00")
    client = client_as(org.boss)
    url = reverse("invoice-create", args=[deal.pk])

    form = client.get(url).context["form"]
    assert (form.initial["title"], form.initial["amount"], form.initial["issued_on"]) == (
        "沃力科技",
        Decimal("6000.00"),
        today(org.boss),
    )
    assert {o.code for o in form.fields["type"].queryset} == {
        "vat_special",
        "vat_ordinary",
        "receipt",
    }

    response = client.post(
        url,
        {
            "number": "No.00012345",
            "type": vat_special(org.company).pk,
            "title": "沃力科技有限公司",
            "tax_id": "91110108ma01abcd2x",
            "amount": "6000.00",
            "issued_on": today(org.boss).isoformat(),
            "note": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("agreement-detail", args=[deal.pk])
    recorded = Invoice.objects.get()
    assert (recorded.number, recorded.tax_id, recorded.amount) == (
        "No.00012345",
        "91110108MA01ABCD2X",
        Decimal("6000.00"),
    )

    edit_url = reverse("invoice-edit", args=[recorded.pk])
    form = client.get(edit_url).context["form"]
    assert form.initial["number"] == "No.00012345"
    response = client.post(
        edit_url,
        {
            "number": "No.00012346",
            "type": option(org.company, "invoice_type", "vat_ordinary").pk,
            "title": "沃力科技有限公司",
            "tax_id": "",
            "amount": "5000.00",
            "issued_on": today(org.boss).isoformat(),
        },
    )
    assert response.status_code == 302
    recorded.refresh_from_db()
    deal.refresh_from_db()
    assert (recorded.number, recorded.type.code, deal.invoiced_amount) == (
        "No.00012346",
        "vat_ordinary",
        Decimal("5000.00"),
    )

    delete_url = reverse("invoice-delete", args=[recorded.pk])
    assert "Delete invoice No.00012346?" in html_of(client.get(delete_url))
    response = client.post(delete_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("agreement-detail", args=[deal.pk])
    deal.refresh_from_db()
    assert not Invoice.objects.exists() and deal.invoiced_amount == Decimal("0.00")


def test_invoicing_more_than_paid_is_refused_unless_the_company_allows_it(org, client_as, deal):
    pay(org.boss, deal, "3000.00")
    client = client_as(org.boss)
    fields = {
        "number": "FP-1",
        "type": vat_special(org.company).pk,
        "title": "沃力科技",
        "amount": "5000.00",
        "issued_on": today(org.boss).isoformat(),
    }
    before = ledger(deal)

    response = client.post(reverse("invoice-create", args=[deal.pk]), fields)

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "amount": [
            "Invoices would add up to 5000.00 but only 3000.00 is paid: your company invoices "
            "only what has been paid."
        ]
    }
    assert 'value="FP-1"' in html_of(response)
    assert ledger(deal) == before

    org.company.allow_invoice_ahead = True
    org.company.save()
    response = client.post(reverse("invoice-create", args=[deal.pk]), fields)

    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.invoiced_amount == Decimal("5000.00")


def test_a_duplicate_invoice_number_is_named_on_its_field(org, client_as, deal):
    pay(org.boss, deal, "3000.00")
    invoice(org.boss, deal, "1000.00", "FP-7")

    response = client_as(org.boss).post(
        reverse("invoice-create", args=[deal.pk]),
        {
            "number": "FP-7",
            "type": vat_special(org.company).pk,
            "title": "沃力科技",
            "amount": "1000.00",
            "issued_on": today(org.boss).isoformat(),
        },
    )

    assert response.context["form"].errors == {"number": ["Invoice FP-7 is already recorded."]}
    assert Invoice.objects.count() == 1


# --- the finance permission ---------------------------------------------------------------


def test_money_forms_and_the_finance_desk_need_the_finance_permission(org, client_as, grant, deal):
    first = plan(org.sales1, deal, "5000.00")
    payment = pay(org.boss, deal, "2000.00", plan=first)
    recorded = invoice(org.boss, deal, "1000.00", "FP-1")
    before = ledger(deal)
    client = client_as(org.sales1)  # owns the customer, no finance permission

    for url in (
        reverse("payment-create", args=[deal.pk]),
        reverse("payment-reverse", args=[payment.pk]),
        reverse("invoice-create", args=[deal.pk]),
        reverse("invoice-edit", args=[recorded.pk]),
        reverse("invoice-delete", args=[recorded.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert FINANCE_REFUSAL in html_of(response), url
        assert client.post(url, {"amount": "1", "reason": "x"}).status_code == 403, url
    response = client.get(reverse("finance-home"))
    assert response.status_code == 403
    assert "Only users with the finance permission open the finance desk." in html_of(response)
    assert ledger(deal) == before

    keys = [item.key for item in items_for(org.sales1)]
    assert "finance" not in keys
    assert {"receivables", "payments", "invoices"} <= set(keys)
    assert 'href="/finance/"' not in html_of(client.get(reverse("plan-list")))

    cashier = grant(org.sales1, "finance")
    assert "finance" in [item.key for item in items_for(cashier)]
    assert client_as(cashier).get(reverse("payment-create", args=[deal.pk])).status_code == 200
    assert client_as(cashier).get(reverse("finance-home")).status_code == 200


def test_the_menu_entries_and_their_order(org):
    items = [(i.key, i.url_name, i.icon, i.order) for i in items_for(org.boss)]

    assert [i for i in items if i[0] in {"finance", "receivables", "payments", "invoices"}] == [
        ("finance", "finance-home", "cash-coin", 55),
        ("receivables", "plan-list", "calendar-check", 56),
        ("payments", "payment-list", "wallet2", 57),
        ("invoices", "invoice-list", "receipt", 58),
    ]


def test_without_contracts_or_orders_the_money_pages_are_gone(org, client_as, deal):
    org.company.uses_contracts = False
    org.company.uses_orders = False
    org.company.save()
    client = client_as(org.boss)

    for name in ("finance-home", "plan-list", "payment-list", "invoice-list"):
        assert client.get(reverse(name)).status_code == 404, name
    assert client.get(reverse("payment-create", args=[deal.pk])).status_code == 404
    keys = {item.key for item in items_for(org.boss)}
    assert not keys & {"finance", "receivables", "payments", "invoices"}

    org.company.uses_orders = True
    org.company.save()
    assert client.get(reverse("payment-list")).status_code == 200


# --- the finance desk ---------------------------------------------------------------------


def test_the_finance_desk_lists_what_to_collect_and_to_invoice(
    org, client_as, make_customer, make_product, make_agreement, deal
):
    overdue = plan(org.sales1, deal, "3000.00", due_in_days=-3)
    plan(org.sales1, deal, "7000.00", due_in_days=20)
    paid_up = signed_agreement(
        make_product, make_agreement, org.sales2, make_customer(org.sales2), "800.00"
    )
    pay(org.boss, paid_up, "800.00")
    product = make_product(org.sales1, list_price="99.00")
    make_agreement(org.sales1, deal.customer, lines=[{"product": product.pk, "quantity": "1"}])

    response = client_as(org.boss).get(reverse("finance-home"))

    assert response.status_code == 200
    assert [a.pk for a, _money in response.context["collect_rows"]] == [deal.pk]  # no draft
    assert [a.pk for a in response.context["to_invoice"].object_list] == [paid_up.pk]
    html = html_of(response)
    row = html[html.index(f'id="collect-{deal.pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'class="table-danger"' in row and "1 overdue instalment" in row
    assert "¥3,000.00 due " + days(org.boss, -3).isoformat() in row
    assert f"{reverse('payment-create', args=[deal.pk])}?plan={overdue.pk}" in row
    assert reverse("invoice-create", args=[paid_up.pk]) in html


# --- the lists ----------------------------------------------------------------------------


def test_the_payment_list_shows_reversals_negative_and_marked_with_totals(org, client_as, deal):
    kept = pay(org.boss, deal, "3000.00", note="第一笔")
    wrong = pay(org.boss, deal, "2000.00", method=option(org.company, "payment_method", "cash"))
    reversal = finance_services.payment_reverse(user=org.boss, payment=wrong, reason="录错")
    client = client_as(org.manager1)

    response = client.get(reverse("payment-list"))

    assert response.status_code == 200
    assert {p.pk for p in response.context["page"].object_list} == {
        kept.pk,
        wrong.pk,
        reversal.pk,
    }
    assert response.context["totals"] == {
        "count": 3,
        "net": Decimal("3000.00"),
        "received": Decimal("5000.00"),
        "reversed": Decimal("-2000.00"),
    }
    html = html_of(response)
    row = html[html.index(f'id="payment-{reversal.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "-¥2,000.00" in row and 'data-mark="reversal"' in row
    assert reverse("payment-detail", args=[wrong.pk]) in row
    row = html[html.index(f'id="payment-{wrong.pk}"') :]
    assert 'data-mark="reversed"' in row[: row.index("</tr>")]

    cash = option(org.company, "payment_method", "cash")
    response = client.get(reverse("payment-list"), {"method": cash.pk})
    assert {p.pk for p in response.context["page"].object_list} == {wrong.pk, reversal.pk}
    response = client.get(reverse("payment-list"), {"q": "第一笔"})
    assert [p.pk for p in response.context["page"].object_list] == [kept.pk]
    response = client.get(
        reverse("payment-list"),
        {"paid_from": days(org.boss, 1).isoformat(), "sort": "amount", "page_size": "50"},
    )
    assert list(response.context["page"].object_list) == []
    response = client.get(reverse("payment-list"), {"sort": "amount"})
    assert [p.amount for p in response.context["page"].object_list] == [
        Decimal("-2000.00"),
        Decimal("2000.00"),
        Decimal("3000.00"),
    ]
    response = client.get(reverse("payment-list"), {"paid_from": "nonsense", "method": "x"})
    assert response.status_code == 200 and len(response.context["page"].object_list) == 3


def test_the_invoice_list_filters_and_totals(org, client_as, deal):
    pay(org.boss, deal, "9000.00")
    special = invoice(org.boss, deal, "4000.00", "FP-001")
    ordinary = invoice(
        org.boss,
        deal,
        "1500.00",
        "FP-002",
        type=option(org.company, "invoice_type", "vat_ordinary"),
    )
    client = client_as(org.manager1)

    response = client.get(reverse("invoice-list"))
    assert response.context["totals"] == {"count": 2, "amount": Decimal("5500.00")}
    assert 'href="/invoices/' not in html_of(response)  # no edit links without finance

    response = client.get(reverse("invoice-list"), {"type": vat_special(org.company).pk})
    assert [i.pk for i in response.context["page"].object_list] == [special.pk]
    response = client.get(reverse("invoice-list"), {"q": "FP-002"})
    assert [i.pk for i in response.context["page"].object_list] == [ordinary.pk]
    response = client.get(reverse("invoice-list"), {"owner": org.sales2.pk})
    assert list(response.context["page"].object_list) == []
    response = client.get(reverse("invoice-list"), {"sort": "number"})
    assert [i.number for i in response.context["page"].object_list] == ["FP-001", "FP-002"]
    assert reverse("invoice-edit", args=[special.pk]) in html_of(
        client_as(org.boss).get(reverse("invoice-list"))
    )


def test_the_receivables_list_filters_by_state(org, client_as, deal):
    overdue = plan(org.sales1, deal, "2000.00", due_in_days=-1)
    soon = plan(org.sales1, deal, "3000.00", due_in_days=10)
    later = plan(org.sales1, deal, "4000.00", due_in_days=90)
    covered = plan(org.sales1, deal, "1000.00", due_in_days=-30)
    pay(org.boss, deal, "1000.00", plan=covered)
    pay(org.boss, deal, "500.00", plan=soon)
    client = client_as(org.sales1)

    def listed(**params):
        response = client.get(reverse("plan-list"), params)
        return [p.pk for p in response.context["page"].object_list]

    assert listed() == [covered.pk, overdue.pk, soon.pk, later.pk]
    assert listed(state="open") == [overdue.pk, soon.pk, later.pk]
    assert listed(state="overdue") == [overdue.pk]
    assert listed(state="due_soon") == [soon.pk]
    assert listed(state="covered") == [covered.pk]
    assert listed(sort="-amount") == [later.pk, soon.pk, overdue.pk, covered.pk]
    assert listed(due_from=today(org.sales1).isoformat(), q=deal.number) == [soon.pk, later.pk]
    assert listed(q="nobody-has-this") == []

    response = client.get(reverse("plan-list"))
    assert response.context["totals"] == {
        "count": 4,
        "amount": Decimal("10000.00"),
        "paid": Decimal("1500.00"),
        "outstanding": Decimal("8500.00"),
    }
    html = html_of(response)
    for pk, state in (
        (overdue.pk, "overdue"),
        (soon.pk, "due_soon"),
        (later.pk, "open"),
        (covered.pk, "covered"),
    ):
        row = html[html.index(f'id="plan-{pk}"') :]
        assert f'data-state="{state}"' in row[: row.index("</tr>")], state
    assert "payments/new/" not in html  # sales1 records no payments
    finance_html = html_of(client_as(org.boss).get(reverse("plan-list")))
    assert f"{reverse('payment-create', args=[deal.pk])}?plan={soon.pk}" in finance_html
    assert f"?plan={covered.pk}" not in finance_html


def test_the_lists_can_be_narrowed_to_one_customer(
    org, client_as, make_customer, make_product, make_agreement, deal
):
    other = signed_agreement(
        make_product, make_agreement, org.sales1, make_customer(org.sales1), "500.00"
    )
    mine = pay(org.boss, deal, "100.00")
    pay(org.boss, other, "200.00")

    response = client_as(org.sales1).get(reverse("payment-list"), {"customer": deal.customer_id})

    assert [p.pk for p in response.context["page"].object_list] == [mine.pk]


# --- the customer panel -------------------------------------------------------------------


def test_the_customer_panel_shows_the_money_of_the_customer(
    org, make_product, make_agreement, django_assert_max_num_queries, deal
):
    second = signed_agreement(make_product, make_agreement, org.sales1, deal.customer, "5000.00")
    overdue = plan(org.sales1, deal, "4000.00", due_in_days=-10)
    plan(org.sales1, deal, "6000.00", due_in_days=15)
    plan(org.sales1, second, "5000.00", due_in_days=5)
    pay(org.boss, deal, "1000.00", plan=overdue, note="部分")
    wrong = pay(org.boss, second, "500.00")
    finance_services.payment_reverse(user=org.boss, payment=wrong, reason="录错")
    invoice(org.boss, deal, "600.00", "FP-9")
    cancelled = signed_agreement(
        make_product, make_agreement, org.sales1, deal.customer, "99999.00"
    )
    agreement_services.agreement_cancel(user=org.sales1, agreement=cancelled, reason="取消")
    shown = customer_selectors.get_customer_for(org.sales1, deal.customer_id)
    panel = next(p for p in customer_view.panels_for(org.sales1, shown) if p.key == "finance")
    assert (panel.order, str(panel.title)) == (55, "Payments and invoices")

    with django_assert_max_num_queries(4):
        context = panel.context(org.sales1, shown)
        html = render_to_string(panel.template, {"object": shown, **context})

    money = context["money"]
    assert (money.amount, money.paid, money.receivable, money.invoiced, money.uninvoiced) == (
        Decimal("15000.00"),
        Decimal("1000.00"),
        Decimal("14000.00"),
        Decimal("600.00"),
        Decimal("400.00"),
    )
    figures = html[html.index('id="customer-money"') :]
    for figure, text in (
        ("amount", "¥15,000.00"),
        ("paid", "¥1,000.00"),
        ("receivable", "¥14,000.00"),
        ("invoiced", "¥600.00"),
        ("uninvoiced", "¥400.00"),
    ):
        assert f'data-figure="{figure}">{text}<' in figures, figure
    overdue_box = html[html.index('id="customer-overdue-plans"') :]
    assert "1 overdue instalment" in overdue_box
    assert f"¥3,000.00 due {days(org.sales1, -10).isoformat()} on {deal.number}" in overdue_box
    next_plan = html[html.index('id="customer-next-plan"') :]
    assert f"¥5,000.00 due {days(org.sales1, 5).isoformat()} on {second.number}" in next_plan
    payments = html[html.index('id="customer-payments"') :]
    assert "-¥500.00" in payments and "Reversal" in payments and "¥1,000.00" in payments
    assert "FP-9" in html[html.index('id="customer-invoices"') :]


def test_the_customer_panel_is_empty_for_a_new_customer(org, make_customer, client_as):
    customer = make_customer(org.sales1)

    html = html_of(client_as(org.sales1).get(customer.get_absolute_url()))

    assert 'id="panel-finance"' in html
    assert "No payments yet." in html and "No invoices yet." in html


# --- the admin ----------------------------------------------------------------------------


def test_the_admin_only_reads_money(org, deal, client):
    from banyan.accounts.models import User

    payment = pay(org.boss, deal, "3000.00")
    recorded = invoice(org.boss, deal, "1000.00", "FP-1")
    instalment = plan(org.sales1, deal, "2000.00")
    before = ledger(deal)
    operator = User.objects.create_superuser("operator", "Operator-pass-2026")
    client.force_login(operator, backend="banyan.accounts.backends.CompanyUserBackend")

    for model, pk in (
        ("payment", payment.pk),
        ("invoice", recorded.pk),
        ("paymentplan", instalment.pk),
    ):
        assert client.get(f"/admin/finance/{model}/").status_code == 200, model
        page = client.get(f"/admin/finance/{model}/{pk}/change/")
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode(), model
        assert client.get(f"/admin/finance/{model}/add/").status_code == 403, model
        assert (
            client.post(f"/admin/finance/{model}/{pk}/change/", {"amount": "1"}).status_code == 403
        )
        assert (
            client.post(f"/admin/finance/{model}/{pk}/delete/", {"post": "yes"}).status_code == 403
        )
    assert ledger(deal) == before


def test_past_the_count_cap_the_totals_row_loads_after_the_page(
    org, client_as, deal, monkeypatch, django_assert_max_num_queries
):
    from banyan.core import pagination

    pay(org.boss, deal, "3000.00")
    pay(org.boss, deal, "2000.00")
    monkeypatch.setattr(pagination, "COUNT_CAP", 1)
    client = client_as(org.manager1)

    page = client.get(reverse("payment-list"), {"q": ""})
    later = client.get(reverse("payment-list"), {"totals": "1"})

    assert page.context["totals"] is None
    html = html_of(page)
    placeholder = html[html.index('id="payment-totals"') :]
    assert 'hx-get="?q=&amp;totals=1"' in placeholder[:300]
    assert 'hx-select="#payment-totals"' in placeholder[:300]
    assert later.context["totals"]["net"] == Decimal("5000.00")
    assert "¥5,000.00" in html_of(later)
