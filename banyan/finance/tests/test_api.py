"""The finance API: payment plans, payments (a ledger) and invoices. Fields, the finance
permission, immutability, reversal, the money rules, filters, the visibility matrix, tenant
isolation, query counts and the schema."""

from datetime import timedelta
from decimal import Decimal

import pytest

from banyan.accounts.models import Company, DictionaryOption
from banyan.agreements import services as agreement_services
from banyan.customers import services as customer_services
from banyan.finance import selectors, services
from banyan.finance.models import Invoice, Payment, PaymentPlan

PLANS = "/api/v1/payment-plans/"
PAYMENTS = "/api/v1/payments/"
INVOICES = "/api/v1/invoices/"
FINANCE_ONLY = {"detail": "Only users with the finance permission record payments and invoices."}


@pytest.fixture
def options(org):
    """Company A's payment methods and invoice types, by code."""
    return {
        option.code: option
        for option in DictionaryOption.objects.filter(
            company=org.company, kind__in=["payment_method", "invoice_type"]
        )
    }


@pytest.fixture
def finance(org, grant):
    """A finance clerk: the non-admin boss, given the finance permission."""
    return grant(org.vice_boss, "finance")


@pytest.fixture
def make_order(org, make_customer, make_agreement, make_product):
    """`make_order(owner=sales1, customer=None, quantity=10)` → a signed order of 100.00 ×
    quantity for a customer of the owner."""
    product = make_product(org.boss, list_price="100.00")

    def make(owner=None, customer=None, quantity="10"):
        owner = owner or org.sales1
        customer = customer or make_customer(owner)
        order = make_agreement(
            owner, customer, lines=[{"product": product.pk, "quantity": quantity}]
        )
        return agreement_services.agreement_sign(user=owner, agreement=order)

    return make


@pytest.fixture
def order(make_order, make_customer, org):
    """A signed order of 1000.00 for 沃力科技, a customer of sales1."""
    return make_order(customer=make_customer(org.sales1, name="沃力科技"))


def today(org):
    return selectors.today_for(org.boss)


def ledger(agreement):
    """Everything money on an agreement: stored figures and the rows behind them."""
    agreement.refresh_from_db()
    return (
        agreement.paid_amount,
        agreement.invoiced_amount,
        list(
            Payment.objects.filter(agreement=agreement)
            .order_by("pk")
            .values_list("pk", "amount", "paid_on", "method_id", "owner_id", "reverses_id", "note")
        ),
        list(
            PaymentPlan.objects.filter(agreement=agreement)
            .order_by("pk")
            .values_list("pk", "due_on", "amount", "paid_amount", "note")
        ),
        list(
            Invoice.objects.filter(agreement=agreement)
            .order_by("pk")
            .values_list("pk", "number", "amount", "type_id", "title")
        ),
    )


def pay(finance, agreement, options, amount, **fields):
    fields.setdefault("paid_on", selectors.today_for(finance))
    fields.setdefault("method", options["bank_transfer"])
    return services.payment_record(user=finance, agreement=agreement, amount=amount, **fields)


# --- payment plans ------------------------------------------------------------------------------


def test_plans_are_made_changed_and_deleted_by_the_agreements_editors(org, api_as, order):
    api = api_as(org.sales1)
    due = today(org) + timedelta(days=10)

    response = api.post(
        PLANS,
        {"agreement": order.pk, "due_on": str(due), "amount": "400", "note": "First"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    plan = PaymentPlan.objects.get()
    body = response.json()
    assert body == {
        "id": plan.pk,
        "agreement": order.pk,
        "agreement_number": "DD000001",
        "customer": order.customer_id,
        "due_on": str(due),
        "amount": "400.00",
        "note": "First",
        "paid_amount": "0.00",
        "outstanding": "400.00",
        "is_covered": False,
        "is_overdue": False,
        "created_at": body["created_at"],
    }
    assert api.get(f"{PLANS}{plan.pk}/").json() == body

    past = str(today(org) - timedelta(days=1))
    changed = api.patch(f"{PLANS}{plan.pk}/", {"due_on": past, "amount": "450"}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["amount"], changed.json()["is_overdue"]) == ("450.00", True)
    moved = api.patch(f"{PLANS}{plan.pk}/", {"agreement": order.pk + 1}, format="json")
    assert moved.json() == {"agreement": ["A payment plan stays with its agreement."]}
    assert api.delete(f"{PLANS}{plan.pk}/").status_code == 204
    assert not PaymentPlan.objects.exists()


def test_plans_may_not_add_up_past_the_agreement_amount(org, api_as, order):
    api = api_as(org.sales1)
    first = api.post(
        PLANS, {"agreement": order.pk, "due_on": str(today(org)), "amount": "600"}, format="json"
    )
    assert first.status_code == 201
    before = ledger(order)

    too_much = api.post(
        PLANS, {"agreement": order.pk, "due_on": str(today(org)), "amount": "500"}, format="json"
    )
    assert too_much.status_code == 400
    assert too_much.json() == {
        "amount": [
            "The plans would add up to 1100.00, more than the agreement's amount of 1000.00: "
            "at most 400.00 is left to plan."
        ]
    }
    raised = api.patch(f"{PLANS}{first.json()['id']}/", {"amount": "1000.01"}, format="json")
    assert raised.status_code == 400 and list(raised.json()) == ["amount"]
    bad = api.post(PLANS, {"agreement": order.pk, "due_on": "soon", "amount": "-1"}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"due_on"}
    negative = api.post(
        PLANS, {"agreement": order.pk, "due_on": str(today(org)), "amount": "-1"}, format="json"
    )
    assert negative.json() == {"amount": ["Enter an amount above zero."]}
    assert ledger(order) == before

    rest = api.post(
        PLANS, {"agreement": order.pk, "due_on": str(today(org)), "amount": "400"}, format="json"
    )
    assert rest.status_code == 201


def test_a_plan_paid_against_is_covered_and_stays(org, api_as, finance, options, order):
    plan = services.plan_create(
        user=org.sales1, agreement=order, due_on=today(org) - timedelta(days=3), amount="300"
    )
    pay(finance, order, options, "300", plan=plan)

    body = api_as(org.sales1).get(f"{PLANS}{plan.pk}/").json()
    assert (body["paid_amount"], body["outstanding"], body["is_covered"], body["is_overdue"]) == (
        "300.00",
        "0.00",
        True,
        False,
    )
    refused = api_as(org.sales1).delete(f"{PLANS}{plan.pk}/")
    assert refused.status_code == 400
    assert refused.json() == {
        "detail": ["Payments were recorded against this plan: it cannot be deleted."]
    }
    assert PaymentPlan.objects.filter(pk=plan.pk).exists()


def test_plan_filters(org, api_as, finance, options, order, make_order):
    day = today(org)
    covered = services.plan_create(user=org.sales1, agreement=order, due_on=day, amount="100")
    pay(finance, order, options, "100", plan=covered)
    overdue = services.plan_create(
        user=org.sales1, agreement=order, due_on=day - timedelta(days=5), amount="100"
    )
    soon = services.plan_create(
        user=org.sales1, agreement=order, due_on=day + timedelta(days=10), amount="100"
    )
    later = services.plan_create(
        user=org.sales1, agreement=order, due_on=day + timedelta(days=60), amount="100"
    )
    other = make_order(owner=org.sales2)
    elsewhere = services.plan_create(
        user=org.sales2, agreement=other, due_on=day + timedelta(days=1), amount="100"
    )
    api = api_as(org.manager1)

    def ids(**params):
        response = api.get(PLANS, params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [overdue.pk, covered.pk, elsewhere.pk, soon.pk, later.pk]
    assert ids(state="covered") == [covered.pk]
    assert ids(state="overdue") == [overdue.pk]
    assert ids(state="due_soon") == [elsewhere.pk, soon.pk]
    assert ids(state="open", agreement=order.pk) == [overdue.pk, soon.pk, later.pk]
    assert ids(customer=other.customer_id) == [elsewhere.pk]
    assert ids(owner=org.sales2.pk) == [elsewhere.pk]
    assert ids(due_from=str(day + timedelta(days=2)), due_to=str(day + timedelta(days=30))) == [
        soon.pk
    ]
    assert ids(ordering="-due_on")[0] == later.pk
    for bad in ({"state": "late"}, {"ordering": "note"}, {"due_to": "never"}):
        response = api.get(PLANS, bad)
        assert response.status_code == 400 and list(response.json()) == list(bad)


# --- payments: the finance permission and the ledger -------------------------------------------


def test_only_finance_records_and_reverses_payments(org, api_as, grant, finance, options, order):
    existing = pay(finance, order, options, "100")
    rep = api_as(org.sales1)
    before = ledger(order)

    # Refused before the body is read: an empty body is the same 403.
    assert rep.post(PAYMENTS, {}, format="json").json() == FINANCE_ONLY
    full = {
        "agreement": order.pk,
        "amount": "200",
        "paid_on": str(today(org)),
        "method": options["cash"].pk,
    }
    refused = rep.post(PAYMENTS, full, format="json")
    assert (refused.status_code, refused.json()) == (403, FINANCE_ONLY)
    reverse = rep.post(f"{PAYMENTS}{existing.pk}/reverse/", {"reason": "x"}, format="json")
    assert (reverse.status_code, reverse.json()) == (403, FINANCE_ONLY)
    assert rep.post(f"{PAYMENTS}{existing.pk}/reverse/", {}).status_code == 403
    # Reading is for everyone who sees the customer.
    assert rep.get(f"{PAYMENTS}{existing.pk}/").status_code == 200
    assert ledger(order) == before

    response = api_as(grant(org.sales1, "finance")).post(PAYMENTS, full, format="json")
    assert response.status_code == 201, response.json()
    payment = Payment.objects.get(amount=Decimal("200.00"))
    body = response.json()
    assert body == {
        "id": payment.pk,
        "agreement": order.pk,
        "agreement_number": "DD000001",
        "customer": order.customer_id,
        "customer_name": "沃力科技",
        "plan": None,
        "paid_on": str(today(org)),
        "amount": "200.00",
        "method": options["cash"].pk,
        "method_label": "Cash",
        "owner": org.sales1.pk,
        "owner_name": org.sales1.display_name,
        "note": "",
        "reverses": None,
        "reversed_by": None,
        "recorded_by": org.sales1.pk,
        "created_at": body["created_at"],
    }
    order.refresh_from_db()
    assert order.paid_amount == Decimal("300.00")


def test_a_payment_is_credited_and_goes_to_a_plan(org, api_as, finance, options, order):
    plan = services.plan_create(user=org.sales1, agreement=order, due_on=today(org), amount="250")

    response = api_as(finance).post(
        PAYMENTS,
        {
            "agreement": order.pk,
            "plan": plan.pk,
            "owner": org.manager1.pk,
            "amount": "250.00",
            "paid_on": "2026-05-04",
            "method": options["wechat"].pk,
            "note": "Deposit",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["plan"], body["owner"], body["paid_on"], body["note"]) == (
        plan.pk,
        org.manager1.pk,
        "2026-05-04",
        "Deposit",
    )
    assert api_as(org.sales1).get(f"{PLANS}{plan.pk}/").json()["is_covered"] is True


def test_payments_are_never_changed_or_deleted_through_the_api(
    org, api_as, finance, options, order
):
    payment = pay(finance, order, options, "100", note="Original")
    before = ledger(order)
    item = f"{PAYMENTS}{payment.pk}/"

    for user in (finance, org.sales1, org.boss):
        api = api_as(user)
        assert api.put(item, {"amount": "1", "note": "x"}, format="json").status_code == 405
        assert api.patch(item, {"amount": "1"}, format="json").status_code == 405
        assert api.delete(item).status_code == 405
    assert ledger(order) == before


def test_a_reversal_books_the_opposite_and_points_at_the_original(
    org, api_as, finance, options, order
):
    plan = services.plan_create(user=org.sales1, agreement=order, due_on=today(org), amount="300")
    payment = pay(finance, order, options, "300", plan=plan, owner=org.manager1)
    api = api_as(finance)
    item = f"{PAYMENTS}{payment.pk}/"

    missing = api.post(f"{item}reverse/", {}, format="json")
    assert missing.status_code == 400 and list(missing.json()) == ["reason"]
    blank = api.post(f"{item}reverse/", {"reason": " "}, format="json")
    assert blank.json() == {"reason": ["Say why the payment is reversed."]}
    assert Payment.objects.count() == 1

    response = api.post(
        f"{item}reverse/", {"reason": "Bounced", "paid_on": "2026-06-01"}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    reversal = Payment.objects.get(reverses=payment)
    assert (body["id"], body["amount"], body["reverses"], body["reversed_by"]) == (
        reversal.pk,
        "-300.00",
        payment.pk,
        None,
    )
    assert (body["plan"], body["owner"], body["method"], body["note"], body["paid_on"]) == (
        plan.pk,
        org.manager1.pk,
        options["bank_transfer"].pk,
        "Bounced",
        "2026-06-01",
    )
    assert api.get(item).json()["reversed_by"] == reversal.pk
    order.refresh_from_db()
    plan.refresh_from_db()
    assert (order.paid_amount, plan.paid_amount) == (Decimal("0.00"), Decimal("0.00"))
    before = ledger(order)

    again = api.post(f"{item}reverse/", {"reason": "Twice"}, format="json")
    assert again.json() == {"detail": ["This payment has already been reversed."]}
    of_reversal = api.post(f"{PAYMENTS}{reversal.pk}/reverse/", {"reason": "x"}, format="json")
    assert of_reversal.status_code == 400
    assert of_reversal.json() == {
        "detail": ["This entry is itself a reversal: it cannot be reversed."]
    }
    assert ledger(order) == before


def test_an_over_payment_needs_confirming(org, api_as, finance, options, order):
    pay(finance, order, options, "900")
    api = api_as(finance)
    body = {
        "agreement": order.pk,
        "amount": "200",
        "paid_on": str(today(org)),
        "method": options["cash"].pk,
    }
    before = ledger(order)

    refused = api.post(PAYMENTS, body, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "amount": [
            "This payment takes the paid total to 1100.00, above the agreement's amount of "
            "1000.00. Confirm the over-payment to record it anyway."
        ]
    }
    assert api.post(PAYMENTS, {**body, "confirm_overpayment": False}).status_code == 400
    assert ledger(order) == before

    confirmed = api.post(PAYMENTS, {**body, "confirm_overpayment": True}, format="json")
    assert confirmed.status_code == 201
    assert "confirm_overpayment" not in confirmed.json()
    order.refresh_from_db()
    assert order.paid_amount == Decimal("1100.00")


def test_bad_payments_name_the_field(org, api_as, finance, options, make_customer, make_agreement):
    draft = make_agreement(org.sales1, make_customer(org.sales1))
    api = api_as(finance)

    on_draft = api.post(
        PAYMENTS,
        {
            "agreement": draft.pk,
            "amount": "10",
            "paid_on": str(today(org)),
            "method": options["cash"].pk,
        },
        format="json",
    )
    assert on_draft.status_code == 400 and list(on_draft.json()) == ["agreement"]
    agreement_services.agreement_sign(user=org.sales1, agreement=draft)
    wrong = api.post(
        PAYMENTS,
        {
            "agreement": draft.pk,
            "amount": "0",
            "paid_on": str(today(org)),
            "method": options["vat_special"].pk,
        },
        format="json",
    )
    assert wrong.status_code == 400
    assert wrong.json() == {
        "amount": ["Enter an amount above zero."],
        "method": ["Choose a payment method from the list."],
    }
    assert api.post(PAYMENTS, {"agreement": draft.pk}, format="json").json().keys() == {
        "paid_on",
        "amount",
        "method",
    }
    assert not Payment.objects.exists()


def test_payment_filters(org, api_as, finance, options, order, make_order):
    first = pay(finance, order, options, "100", paid_on="2026-01-10")
    second = pay(finance, order, options, "200", paid_on="2026-02-10", method=options["cash"])
    other = make_order(owner=org.sales2)
    third = pay(finance, other, options, "300", paid_on="2026-03-10", owner=org.manager1)
    api = api_as(org.manager1)

    def ids(**params):
        response = api.get(PAYMENTS, params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [third.pk, second.pk, first.pk]
    assert ids(agreement=order.pk, ordering="paid_on") == [first.pk, second.pk]
    assert ids(customer=other.customer_id) == [third.pk]
    assert ids(owner=org.manager1.pk) == [third.pk]
    assert ids(method=options["cash"].pk) == [second.pk]
    assert ids(paid_from="2026-02-01", paid_to="2026-02-28") == [second.pk]
    assert ids(ordering="-amount") == [third.pk, second.pk, first.pk]
    assert ids(search="沃力") == [second.pk, first.pk]
    # The agreement's number (looked up on the agreements first), whole or in part, any case.
    assert ids(search=other.number) == [third.pk]
    assert ids(search=other.number[-3:].lower()) == [third.pk]
    assert ids(search=f"沃力 {order.number}") == [second.pk, first.pk]
    for bad in ({"ordering": "method"}, {"paid_from": "x"}, {"owner": "me"}):
        response = api.get(PAYMENTS, bad)
        assert response.status_code == 400 and list(response.json()) == list(bad)


# --- invoices -----------------------------------------------------------------------------------


def invoice_body(order, options, **fields):
    return {
        "agreement": order.pk,
        "number": "No.0001",
        "type": options["vat_special"].pk,
        "amount": "300",
        "issued_on": "2026-06-30",
        **fields,
    }


def test_only_finance_records_changes_and_removes_invoices(org, api_as, finance, options, order):
    pay(finance, order, options, "500")
    invoice = services.invoice_create(
        user=finance,
        agreement=order,
        number="A-1",
        type=options["vat_ordinary"],
        amount="100",
        issued_on="2026-06-01",
    )
    rep = api_as(org.sales1)
    before = ledger(order)

    assert rep.post(INVOICES, {}, format="json").json() == FINANCE_ONLY
    for response in (
        rep.post(INVOICES, invoice_body(order, options), format="json"),
        rep.put(f"{INVOICES}{invoice.pk}/", {}, format="json"),
        rep.patch(f"{INVOICES}{invoice.pk}/", {"amount": "1"}, format="json"),
        rep.delete(f"{INVOICES}{invoice.pk}/"),
    ):
        assert (response.status_code, response.json()) == (403, FINANCE_ONLY)
    assert rep.get(f"{INVOICES}{invoice.pk}/").status_code == 200
    assert ledger(order) == before

    api = api_as(finance)
    response = api.post(
        INVOICES,
        invoice_body(order, options, tax_id="91110108ma01abcd2x", note="Q2"),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    created = Invoice.objects.get(number="No.0001")
    assert body == {
        "id": created.pk,
        "agreement": order.pk,
        "agreement_number": "DD000001",
        "customer": order.customer_id,
        "number": "No.0001",
        "type": options["vat_special"].pk,
        "type_label": "VAT special invoice",
        "title": "沃力科技",
        "tax_id": "91110108MA01ABCD2X",
        "amount": "300.00",
        "issued_on": "2026-06-30",
        "note": "Q2",
        "recorded_by": finance.pk,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    changed = api.patch(f"{INVOICES}{created.pk}/", {"amount": "400"}, format="json")
    assert (changed.status_code, changed.json()["amount"]) == (200, "400.00")
    moved = api.patch(f"{INVOICES}{created.pk}/", {"agreement": order.pk + 1}, format="json")
    assert moved.json() == {"agreement": ["An invoice stays with its agreement."]}
    assert api.delete(f"{INVOICES}{invoice.pk}/").status_code == 204
    order.refresh_from_db()
    assert order.invoiced_amount == Decimal("400.00")


def test_invoices_stay_within_the_paid_total_unless_the_company_invoices_ahead(
    org, api_as, finance, options, order
):
    pay(finance, order, options, "500")
    api = api_as(finance)
    before = ledger(order)

    refused = api.post(INVOICES, invoice_body(order, options, amount="600"), format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "amount": [
            "Invoices would add up to 600.00 but only 500.00 is paid: your company invoices "
            "only what has been paid."
        ]
    }
    bad = api.post(
        INVOICES,
        invoice_body(order, options, number="", type=options["cash"].pk, tax_id="12"),
        format="json",
    )
    assert set(bad.json()) == {"number", "type", "tax_id"}
    assert ledger(order) == before

    Company.objects.filter(pk=org.company.pk).update(allow_invoice_ahead=True)
    ahead = api.post(INVOICES, invoice_body(order, options, amount="600"), format="json")
    assert ahead.status_code == 201, ahead.json()
    order.refresh_from_db()
    assert (order.paid_amount, order.invoiced_amount) == (Decimal("500.00"), Decimal("600.00"))


def test_invoice_filters(org, api_as, finance, options, order, make_order):
    other = make_order(owner=org.sales2)
    pay(finance, order, options, "1000")
    pay(finance, other, options, "1000")

    def record(agreement, number, kind, issued_on, amount="100"):
        return services.invoice_create(
            user=finance,
            agreement=agreement,
            number=number,
            type=options[kind],
            amount=amount,
            issued_on=issued_on,
            title="Buyer " + number,
        )

    first = record(order, "F-1", "vat_special", "2026-01-05", amount="300")
    second = record(order, "F-2", "vat_ordinary", "2026-02-05")
    third = record(other, "G-1", "vat_special", "2026-03-05", amount="200")
    api = api_as(org.manager1)

    def ids(**params):
        response = api.get(INVOICES, params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [third.pk, second.pk, first.pk]
    assert ids(agreement=order.pk, ordering="number") == [first.pk, second.pk]
    assert ids(customer=other.customer_id) == [third.pk]
    assert ids(type=options["vat_special"].pk) == [third.pk, first.pk]
    assert ids(issued_from="2026-02-01", issued_to="2026-02-28") == [second.pk]
    assert ids(search="G-1") == [third.pk]
    assert ids(search="沃力") == [second.pk, first.pk]
    assert ids(ordering="-amount") == [first.pk, third.pk, second.pk]
    for bad in ({"ordering": "title"}, {"issued_to": "x"}, {"type": "vat"}):
        response = api.get(INVOICES, bad)
        assert response.status_code == 400 and list(response.json()) == list(bad)


# --- the visibility matrix --------------------------------------------------------------------

# (read, change a payment plan, record money with the finance permission). Plans follow edit
# rights on the agreement; finance records money on any agreement it sees.
MATRIX = {
    "owner": (200, 200, 201),
    "peer": (404, 404, 404),
    "manager1": (200, 200, 201),
    "manager2": (404, 404, 404),
    "director1": (200, 200, 201),
    "boss": (200, 200, 201),
    "assistant": (200, 200, 201),
    "view_share": (200, 403, 201),
    "edit_share": (200, 200, 201),
    "other_company": (404, 404, 404),
}


def matrix_user(org, other_org, who):
    return {
        "owner": org.sales1,
        "peer": org.sales2,
        "manager1": org.manager1,
        "manager2": org.manager2,
        "director1": org.director1,
        "boss": org.boss,
        "assistant": org.assistant,
        "view_share": org.sales_d1,
        "edit_share": org.sales4,
        "other_company": other_org.sales1,
    }[who]


@pytest.mark.parametrize("who", MATRIX)
def test_matrix_api(who, org, other_org, api_as, grant, finance, options, order):
    customer = order.customer
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales_d1, level="view"
    )
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales4, level="edit"
    )
    plan = services.plan_create(user=org.sales1, agreement=order, due_on=today(org), amount="100")
    spare = services.plan_create(user=org.sales1, agreement=order, due_on=today(org), amount="50")
    payment = pay(finance, order, options, "300", plan=plan)
    invoice = services.invoice_create(
        user=finance,
        agreement=order,
        number="M-1",
        type=options["vat_special"],
        amount="100",
        issued_on="2026-06-01",
    )
    read, plan_write, money_write = MATRIX[who]
    api = api_as(grant(matrix_user(org, other_org, who), "finance"))
    before = ledger(order)

    for url, row in ((PLANS, plan), (PAYMENTS, payment), (INVOICES, invoice)):
        assert api.get(f"{url}{row.pk}/").status_code == read
        listed = [item["id"] for item in api.get(url).json()["results"]]
        assert (row.pk in listed) == (read == 200)

    day = str(today(org))
    new_plan = api.post(PLANS, {"agreement": order.pk, "due_on": day, "amount": "10"})
    assert new_plan.status_code == {200: 201, 403: 403, 404: 404}[plan_write]
    changed_plan = api.patch(f"{PLANS}{plan.pk}/", {"note": "Changed"})
    assert changed_plan.status_code == plan_write
    if plan_write == 403:
        assert changed_plan.json() == {"detail": "This customer is shared with you to view only."}
    assert api.delete(f"{PLANS}{spare.pk}/").status_code == {200: 204}.get(plan_write, plan_write)

    new_invoice = api.post(INVOICES, invoice_body(order, options, amount="10"), format="json")
    assert new_invoice.status_code == money_write
    changed = api.patch(f"{INVOICES}{invoice.pk}/", {"note": "Changed"}, format="json")
    assert changed.status_code == {201: 200}.get(money_write, money_write)
    removed = api.delete(f"{INVOICES}{invoice.pk}/")
    assert removed.status_code == {201: 204}.get(money_write, money_write)
    new_payment = api.post(
        PAYMENTS,
        {"agreement": order.pk, "amount": "10", "paid_on": day, "method": options["cash"].pk},
        format="json",
    )
    assert new_payment.status_code == money_write
    reversed_ = api.post(f"{PAYMENTS}{payment.pk}/reverse/", {"reason": "x"}, format="json")
    assert reversed_.status_code == money_write

    if read != 200:
        assert ledger(order) == before
        return
    plans = PaymentPlan.objects.filter(agreement=order)
    if plan_write == 200:
        assert sorted(plans.values_list("amount", "note")) == [
            (Decimal("10.00"), ""),
            (Decimal("100.00"), "Changed"),
        ]
    else:
        assert sorted(plans.values_list("amount", "note")) == [
            (Decimal("50.00"), ""),
            (Decimal("100.00"), ""),
        ]
    order.refresh_from_db()
    # A 10 invoice recorded and the 100 one removed; 10 more paid and the 300 reversed.
    assert (order.paid_amount, order.invoiced_amount) == (Decimal("10.00"), Decimal("10.00"))


def test_another_companys_ids_in_the_body_are_refused(
    org, other_org, api_as, grant, finance, options, order, make_customer, make_agreement
):
    foreign_order = make_agreement(other_org.sales1, make_customer(other_org.sales1))
    agreement_services.agreement_sign(user=other_org.sales1, agreement=foreign_order)
    foreign_plan = services.plan_create(
        user=other_org.sales1, agreement=foreign_order, due_on=today(org), amount="10"
    )
    foreign_payment = services.payment_record(
        user=grant(other_org.vice_boss, "finance"),
        agreement=foreign_order,
        amount="10",
        paid_on=today(org),
        method=DictionaryOption.objects.get(
            company=other_org.company, kind="payment_method", code="cash"
        ),
    )
    foreign = {
        option.code: option
        for option in DictionaryOption.objects.filter(
            company=other_org.company, kind__in=["payment_method", "invoice_type"]
        )
    }
    api = api_as(finance)
    day = str(today(org))
    before = ledger(order)

    mixed = api.post(
        PAYMENTS,
        {
            "agreement": order.pk,
            "amount": "10",
            "paid_on": day,
            "method": foreign["cash"].pk,
            "plan": foreign_plan.pk,
            "owner": other_org.sales1.pk,
        },
        format="json",
    )
    assert mixed.status_code == 400
    assert mixed.json() == {
        "method": ["Choose a payment method from the list."],
        "owner": ["Choose a user of your company."],
        "plan": ["Choose one of this agreement's payment plans."],
    }
    wrong_type = api.post(
        INVOICES, invoice_body(order, options, type=foreign["vat_special"].pk), format="json"
    )
    assert wrong_type.status_code == 400 and list(wrong_type.json()) == ["type"]
    for url, body in (
        (PLANS, {"agreement": foreign_order.pk, "due_on": day, "amount": "1"}),
        (
            PAYMENTS,
            {
                "agreement": foreign_order.pk,
                "amount": "1",
                "paid_on": day,
                "method": options["cash"].pk,
            },
        ),
        (INVOICES, invoice_body(foreign_order, options)),
    ):
        assert api.post(url, body, format="json").status_code == 404
    assert api.get(f"{PLANS}{foreign_plan.pk}/").status_code == 404
    assert api.get(f"{PAYMENTS}{foreign_payment.pk}/").status_code == 404
    assert api.post(f"{PAYMENTS}{foreign_payment.pk}/reverse/", {"reason": "x"}).status_code == 404
    assert ledger(order) == before
    foreign_order.refresh_from_db()
    assert foreign_order.paid_amount == Decimal("10.00")
    assert not Invoice.objects.exists()


# --- query counts -------------------------------------------------------------------------------

# User by token, its company, its customer shares, count, page (everything shown joined).
LIST_QUERIES = 5


@pytest.mark.parametrize("size", [2, 12])
@pytest.mark.parametrize("url", [PLANS, PAYMENTS, INVOICES])
def test_list_query_counts_do_not_grow(
    size, url, org, api_as, finance, options, make_order, django_assert_max_num_queries
):
    for index in range(size):
        order = make_order(quantity="10")
        plan = services.plan_create(
            user=org.sales1, agreement=order, due_on=today(org), amount="100"
        )
        payment = pay(finance, order, options, "300", plan=plan)
        if index % 2:
            services.payment_reverse(user=finance, payment=payment, reason="Bounced")
        else:
            services.invoice_create(
                user=finance,
                agreement=order,
                number=f"Q-{index}",
                type=options["vat_special"],
                amount="100",
                issued_on="2026-06-01",
            )
    api = api_as(org.manager1)

    with django_assert_max_num_queries(LIST_QUERIES):
        response = api.get(url, {"page_size": 50})
    assert response.status_code == 200
    expected = {PLANS: size, PAYMENTS: size + size // 2, INVOICES: (size + 1) // 2}[url]
    assert response.json()["count"] == expected


# --- the schema ---------------------------------------------------------------------------------


def test_the_schema_documents_the_finance_api(db, api_client):
    response = api_client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    assert set(paths[PLANS]) == {"get", "post"}
    assert set(paths[PLANS + "{id}/"]) == {"get", "put", "patch", "delete"}
    # A payment is recorded and reversed, never changed or deleted.
    assert set(paths[PAYMENTS]) == {"get", "post"}
    assert set(paths[PAYMENTS + "{id}/"]) == {"get"}
    assert set(paths[PAYMENTS + "{id}/reverse/"]) == {"post"}
    assert set(paths[INVOICES + "{id}/"]) == {"get", "put", "patch", "delete"}
    components = schema["components"]["schemas"]
    assert "confirm_overpayment" in components["PaymentRequest"]["properties"]
    assert "confirm_overpayment" not in components["Payment"]["properties"]
