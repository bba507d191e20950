"""Agreement services: the contract and order rules, lines and amounts, numbers, the status
steps, cancelling and deleting, signing's effect on the customer, and who may do what.

State is built through the services; a refusal also asserts that nothing changed.
"""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone

from banyan.accounts.models import DictionaryOption
from banyan.agreements import services
from banyan.agreements.models import Agreement, AgreementLine
from banyan.core.errors import DomainError, NotFound, PermissionRefused, ValidationFailed
from banyan.core.tests.hostile_files import (
    ELF_HEADER,
    PE_STUB,
    on_a_page,
    png_declaring,
    small_pdf,
    zip_declaring_a_huge_entry,
    zip_of,
    zip_with_entries,
)
from banyan.customers import services as customer_services
from banyan.customers.models import Customer
from banyan.finance import services as finance_services
from banyan.finance.models import PaymentPlan
from banyan.products import services as product_services

CENT = Decimal("0.01")


def option(company, kind, code):
    return DictionaryOption.objects.get(company=company, kind=kind, code=code)


def snapshot(agreement):
    """Everything a refused change must leave as it was."""
    agreement = Agreement.objects.get(pk=agreement.pk)
    return (
        agreement.kind,
        agreement.number,
        agreement.title,
        agreement.status,
        agreement.discount_percent,
        agreement.lines_total,
        agreement.amount,
        agreement.signed_on,
        agreement.cancel_reason,
        list(
            AgreementLine.objects.filter(agreement=agreement)
            .order_by("position")
            .values_list("product_id", "unit_price", "quantity", "discount_percent", "amount")
        ),
        agreement.history.count(),
    )


def refused_lines(excinfo) -> str:
    return " ".join(str(message) for message in excinfo.value.errors["lines"])


@pytest.fixture
def catalogue(org, make_product):
    """Company A's products: three services and three physical products."""
    return {
        "consulting": make_product(org.boss, code="S-CONS", kind="service", list_price="5000.00"),
        "training": make_product(org.boss, code="S-TRAIN", kind="service", list_price="800.00"),
        "support": make_product(org.boss, code="S-SUP", kind="service", list_price="1200.00"),
        "server": make_product(org.boss, code="H-SRV", list_price="23999.00", cost="18000.00"),
        "switch": make_product(org.boss, code="H-SW", list_price="3499.50", cost="2100.00"),
        "cable": make_product(org.boss, code="H-CBL", list_price="12.80", cost="4.00"),
    }


@pytest.fixture
def customer(org, make_customer):
    return make_customer(org.sales1)


@pytest.fixture
def money(org):
    """Finance (the admin boss holds every special permission) and a payment method."""
    return {
        "finance": org.boss,
        "method": option(org.company, "payment_method", "bank_transfer"),
    }


def order_of(user, customer, catalogue, **fields):
    fields.setdefault("title", "Order")
    fields.setdefault("lines", [{"product": catalogue["server"].pk, "quantity": "1"}])
    return services.agreement_create(user=user, kind="order", customer=customer, **fields)


def signed(user, agreement):
    return services.agreement_sign(user=user, agreement=agreement)


# --- contracts and orders -----------------------------------------------------------------


def test_a_contract_sells_services_in_up_to_five_lines(org, customer, catalogue):
    lines = [
        {"product": catalogue["consulting"].pk, "quantity": "2"},
        {"product": catalogue["training"], "quantity": "3", "discount_percent": "10"},
        {"product": catalogue["support"].pk, "quantity": "1", "unit_price": "999.99"},
        {"product": catalogue["training"].pk, "quantity": "0.5", "description": "Half day"},
        {"product": catalogue["consulting"].pk, "quantity": "1", "discount_percent": "100"},
    ]

    contract = services.agreement_create(
        user=org.sales1, kind="contract", customer=customer, title=" Annual  service ", lines=lines
    )

    contract.refresh_from_db()
    assert (contract.kind, contract.status, contract.title) == (
        "contract",
        "draft",
        "Annual service",
    )
    assert (contract.owner, contract.created_by, contract.company) == (
        org.sales1,
        org.sales1,
        org.company,
    )
    consulting, training = catalogue["consulting"].name, catalogue["training"].name
    stored = list(
        contract.lines.order_by("position").values_list(
            "product__code", "description", "unit_price", "quantity", "amount"
        )
    )
    assert stored == [
        ("S-CONS", consulting, Decimal("5000.00"), Decimal("2"), Decimal("10000.00")),
        ("S-TRAIN", training, Decimal("800.00"), Decimal("3"), Decimal("2160.00")),
        ("S-SUP", catalogue["support"].name, Decimal("999.99"), Decimal("1"), Decimal("999.99")),
        ("S-TRAIN", "Half day", Decimal("800.00"), Decimal("0.5"), Decimal("400.00")),
        ("S-CONS", consulting, Decimal("5000.00"), Decimal("1"), Decimal("0.00")),
    ]
    assert set(contract.lines.values_list("unit", flat=True)) == {"件"}
    assert contract.lines_total == contract.amount == Decimal("13559.99")
    assert services.recompute_amount(contract) == contract.amount


def test_a_sixth_contract_line_is_refused_with_a_message_naming_the_lines(org, customer, catalogue):
    lines = [{"product": catalogue["training"].pk, "quantity": "1"}] * 6

    with pytest.raises(ValidationFailed) as excinfo:
        services.agreement_create(
            user=org.sales1, kind="contract", customer=customer, title="Too long", lines=lines
        )

    assert set(excinfo.value.errors) == {"lines"}
    assert refused_lines(excinfo) == "A contract has at most 5 lines."
    assert not Agreement.objects.filter(company=org.company).exists()
    assert not AgreementLine.objects.filter(company=org.company).exists()


def test_a_contract_refuses_physical_products_naming_the_line(org, customer, catalogue):
    lines = [
        {"product": catalogue["consulting"].pk},
        {"product": catalogue["server"].pk, "quantity": "1"},
    ]

    with pytest.raises(ValidationFailed) as excinfo:
        services.agreement_create(
            user=org.sales1, kind="contract", customer=customer, title="Mixed", lines=lines
        )

    message = refused_lines(excinfo)
    assert message.startswith("Line 2, product: ")
    assert catalogue["server"].name in message and "services only" in message
    assert not Agreement.objects.filter(company=org.company).exists()


def test_an_existing_contract_also_refuses_a_sixth_line_and_physical_products(
    org, customer, catalogue
):
    contract = services.agreement_create(
        user=org.sales1,
        kind="contract",
        customer=customer,
        title="Contract",
        lines=[{"product": catalogue["consulting"].pk}],
    )
    before = snapshot(contract)

    with pytest.raises(ValidationFailed) as excinfo:
        services.agreement_update(
            user=org.sales1,
            agreement=contract,
            lines=[{"product": catalogue["support"].pk}] * 6,
        )
    assert "at most 5 lines" in refused_lines(excinfo)
    with pytest.raises(ValidationFailed) as excinfo:
        services.agreement_update(
            user=org.sales1, agreement=contract, lines=[{"product": catalogue["cable"].pk}]
        )
    assert "Line 1, product" in refused_lines(excinfo)

    assert snapshot(contract) == before


def test_an_order_takes_any_products_in_many_lines_with_discounts(org, customer, catalogue):
    codes = ["server", "switch", "cable", "consulting", "training", "support"] * 5
    lines = [
        {"product": catalogue[code].pk, "quantity": str(n + 1), "discount_percent": "5.5"}
        for n, code in enumerate(codes)
    ]

    order = services.agreement_create(
        user=org.sales1,
        kind="order",
        customer=customer,
        title="Big order",
        lines=lines,
        discount_percent="3",
    )

    order.refresh_from_db()
    assert order.lines.count() == 30
    expected_lines = sum(
        (
            (catalogue[code].list_price * (n + 1) * Decimal("0.945")).quantize(CENT, ROUND_HALF_UP)
            for n, code in enumerate(codes)
        ),
        Decimal("0.00"),
    )
    assert order.lines_total == expected_lines
    assert order.amount == (expected_lines * Decimal("0.97")).quantize(CENT, ROUND_HALF_UP)
    assert order.discount_percent == Decimal("3.00")
    assert services.recompute_amount(order) == order.amount


def test_a_line_takes_the_product_price_and_cost_unless_a_price_is_given(org, customer, catalogue):
    order = order_of(
        org.sales1,
        customer,
        catalogue,
        lines=[
            {"product": catalogue["switch"].pk, "quantity": "3", "discount_percent": "10"},
            {"product": catalogue["switch"].pk, "quantity": "1", "unit_price": "0"},
        ],
    )

    first, second = order.lines.order_by("position")
    assert (first.unit_price, first.unit_cost, first.amount) == (
        Decimal("3499.50"),
        Decimal("2100.00"),
        Decimal("9448.65"),  # 3499.50 × 3 × 0.9 = 9448.65
    )
    assert (second.unit_price, second.amount) == (Decimal("0.00"), Decimal("0.00"))
    assert order.amount == Decimal("9448.65")


def test_rounding_is_half_up_to_the_fen_on_each_line_and_on_the_whole(org, customer, catalogue):
    order = order_of(
        org.sales1,
        customer,
        catalogue,
        lines=[
            {"product": catalogue["cable"].pk, "unit_price": "0.05", "quantity": "1.5"},  # 0.075
            {"product": catalogue["cable"].pk, "unit_price": "0.10", "quantity": "0.25"},  # 0.025
        ],
        discount_percent="50",
    )

    assert list(order.lines.order_by("position").values_list("amount", flat=True)) == [
        Decimal("0.08"),
        Decimal("0.03"),
    ]
    assert order.lines_total == Decimal("0.11")
    assert order.amount == Decimal("0.06")  # 0.055 rounds up


def test_bad_lines_are_refused_line_by_line_naming_the_field(org, customer, catalogue):
    lines = [
        {"product": catalogue["server"].pk, "quantity": "0"},
        {"product": catalogue["server"].pk, "discount_percent": "100.5"},
        {"product": catalogue["server"].pk, "unit_price": "-1"},
        {"product": "nonsense"},
        {"product": catalogue["server"].pk, "quantity": "1.234"},
    ]

    with pytest.raises(ValidationFailed) as excinfo:
        services.agreement_create(
            user=org.sales1, kind="order", customer=customer, title="Bad", lines=lines
        )

    messages = [str(m) for m in excinfo.value.errors["lines"]]
    assert messages == [
        "Line 1, quantity: Enter a quantity above zero.",
        "Line 2, discount (%): Enter a percentage from 0 to 100.",
        "Line 3, unit price: The amount cannot be negative.",
        "Line 4, product: choose a product from the catalogue",
        "Line 5, quantity: Give at most two decimal places.",
    ]
    assert not Agreement.objects.filter(company=org.company).exists()


def test_lines_whose_amount_a_money_field_cannot_hold_are_refused(org, customer, catalogue):
    big = {"product": catalogue["server"].pk, "unit_price": "999999999999", "quantity": "2"}
    half = {"product": catalogue["server"].pk, "unit_price": "600000000000", "quantity": "1"}

    with pytest.raises(ValidationFailed) as one_line:
        services.agreement_create(
            user=org.sales1, kind="order", customer=customer, title="Big", lines=[big]
        )
    with pytest.raises(ValidationFailed) as two_lines:
        services.agreement_create(
            user=org.sales1, kind="order", customer=customer, title="Big", lines=[half, half]
        )

    assert one_line.value.errors == {
        "lines": ["Line 1, amount: the line comes to more than 999,999,999,999.99"]
    }
    assert two_lines.value.errors == {
        "lines": ["The lines add up to more than 999,999,999,999.99."]
    }
    assert not Agreement.objects.filter(company=org.company).exists()


def test_an_agreement_needs_lines_a_title_and_a_valid_whole_discount(org, customer, catalogue):
    with pytest.raises(ValidationFailed) as excinfo:
        services.agreement_create(
            user=org.sales1,
            kind="order",
            customer=customer,
            title="  ",
            lines=[],
            discount_percent="abc",
        )

    assert excinfo.value.errors == {
        "title": ["Enter a title."],
        "discount_percent": ["Enter a percentage from 0 to 100."],
        "lines": ["Add at least one product line."],
    }
    with pytest.raises(ValidationFailed) as excinfo:
        services.agreement_create(
            user=org.sales1, kind="lease", customer=customer, title="X", lines=[]
        )
    assert "kind" in excinfo.value.errors
    assert not Agreement.objects.filter(company=org.company).exists()


def test_an_inactive_product_is_refused_on_new_lines_but_kept_on_lines_that_had_it(
    org, customer, catalogue
):
    order = order_of(org.sales1, customer, catalogue)
    product_services.product_update(user=org.boss, product=catalogue["server"], is_active=False)

    with pytest.raises(ValidationFailed) as excinfo:
        order_of(org.sales1, customer, catalogue, title="New")
    assert "is no longer sold" in refused_lines(excinfo)

    services.agreement_update(
        user=org.sales1,
        agreement=order,
        lines=[{"product": catalogue["server"].pk, "quantity": "2"}],
    )
    order.refresh_from_db()
    assert order.amount == Decimal("47998.00")


def test_another_companys_product_on_a_line_is_refused(
    org, other_org, customer, catalogue, make_product
):
    foreign = make_product(other_org.boss, code="H-SRV")

    with pytest.raises(ValidationFailed) as excinfo:
        services.agreement_create(
            user=org.sales1,
            kind="order",
            customer=customer,
            title="Foreign",
            lines=[{"product": foreign.pk}],
        )
    assert refused_lines(excinfo) == "Line 1, product: choose a product from the catalogue"

    order = order_of(org.sales1, customer, catalogue)
    before = snapshot(order)
    with pytest.raises(ValidationFailed):
        services.agreement_update(user=org.sales1, agreement=order, lines=[{"product": foreign}])
    assert snapshot(order) == before
    assert not AgreementLine.objects.filter(product=foreign).exists()


def test_an_unused_module_refuses_its_kind(org, customer, catalogue):
    org.company.uses_contracts = False
    org.company.save(update_fields=["uses_contracts"])
    org.sales1.refresh_from_db()

    with pytest.raises(ValidationFailed) as excinfo:
        services.agreement_create(
            user=org.sales1,
            kind="contract",
            customer=customer,
            title="Contract",
            lines=[{"product": catalogue["consulting"].pk}],
        )
    assert excinfo.value.errors["kind"] == ["Your company does not use contracts."]
    assert order_of(org.sales1, customer, catalogue).kind == "order"


# --- kind, lines and amount after creation ------------------------------------------------


def test_an_agreement_keeps_its_kind_forever(org, customer, catalogue):
    order = order_of(org.sales1, customer, catalogue)
    before = snapshot(order)

    with pytest.raises(ValidationFailed) as excinfo:
        services.agreement_update(
            user=org.sales1,
            agreement=order,
            kind="contract",
            lines=[{"product": catalogue["consulting"].pk}],
        )

    assert "keeps its kind" in excinfo.value.errors["kind"][0]
    assert snapshot(order) == before
    # Naming its own kind is fine.
    services.agreement_update(user=org.sales1, agreement=order, kind="order", title="Renamed")
    order.refresh_from_db()
    assert (order.kind, order.title) == ("order", "Renamed")


def test_lines_replace_while_a_draft_and_the_amount_follows(org, customer, catalogue):
    order = order_of(org.sales1, customer, catalogue)

    services.agreement_update(
        user=org.sales1,
        agreement=order,
        lines=[
            {"product": catalogue["switch"].pk, "quantity": "2"},
            {"product": catalogue["cable"].pk, "quantity": "10", "discount_percent": "50"},
        ],
        discount_percent="10",
    )

    order.refresh_from_db()
    assert list(order.lines.values_list("product__code", "amount")) == [
        ("H-SW", Decimal("6999.00")),
        ("H-CBL", Decimal("64.00")),
    ]
    assert (order.lines_total, order.amount) == (Decimal("7063.00"), Decimal("6356.70"))

    services.agreement_update(user=org.sales1, agreement=order, discount_percent="0")
    order.refresh_from_db()
    assert order.amount == Decimal("7063.00") == services.recompute_amount(order)


def test_lines_and_discounts_are_fixed_once_signed_but_the_header_may_change(
    org, customer, catalogue
):
    order = signed(org.sales1, order_of(org.sales1, customer, catalogue))
    before = snapshot(order)

    with pytest.raises(ValidationFailed) as excinfo:
        services.agreement_update(
            user=org.sales1, agreement=order, lines=[{"product": catalogue["cable"].pk}]
        )
    assert excinfo.value.errors["lines"] == [
        "The lines and discounts are fixed once the agreement is signed."
    ]
    with pytest.raises(ValidationFailed) as excinfo:
        services.agreement_update(user=org.sales1, agreement=order, discount_percent="10")
    assert "discount_percent" in excinfo.value.errors
    assert snapshot(order) == before

    services.agreement_update(
        user=org.sales1, agreement=order, title="Signed order", terms="Net 30", ends_on="2027-01-31"
    )
    order.refresh_from_db()
    assert (order.title, order.terms, order.ends_on) == (
        "Signed order",
        "Net 30",
        date(2027, 1, 31),
    )
    assert order.amount == before[6]


@pytest.mark.parametrize("final", ["completed", "cancelled"])
def test_a_completed_or_cancelled_agreement_no_longer_changes(org, customer, catalogue, final):
    order = order_of(org.sales1, customer, catalogue)
    if final == "completed":
        signed(org.sales1, order)
        services.agreement_start(user=org.sales1, agreement=order)
        services.agreement_complete(user=org.sales1, agreement=order)
    else:
        services.agreement_cancel(user=org.sales1, agreement=order, reason="Lost the budget")
    before = snapshot(order)

    with pytest.raises(DomainError, match="can no longer change"):
        services.agreement_update(user=org.sales1, agreement=order, title="Again")

    assert snapshot(order) == before


def test_the_amount_cannot_fall_below_its_payment_plans(org, customer, catalogue):
    order = order_of(
        org.sales1,
        customer,
        catalogue,
        lines=[{"product": catalogue["switch"].pk, "quantity": "2"}],  # 6999.00
    )
    finance_services.plan_create(
        user=org.sales1, agreement=order, due_on="2026-09-30", amount="6000.00"
    )
    before = snapshot(order)

    with pytest.raises(ValidationFailed) as excinfo:
        services.agreement_update(
            user=org.sales1,
            agreement=order,
            lines=[{"product": catalogue["switch"].pk, "quantity": "1"}],
        )
    assert excinfo.value.errors["lines"] == [
        "The amount would be 3499.50, below the 6000.00 its payment plans add up to: lower the "
        "plans first."
    ]
    with pytest.raises(ValidationFailed) as excinfo:
        services.agreement_update(user=org.sales1, agreement=order, discount_percent="20")
    assert "below the 6000.00" in excinfo.value.errors["discount_percent"][0]
    assert snapshot(order) == before

    # Down to exactly the planned total is fine.
    services.agreement_update(
        user=org.sales1,
        agreement=order,
        lines=[{"product": catalogue["switch"].pk, "quantity": "2", "unit_price": "3000"}],
    )
    order.refresh_from_db()
    assert order.amount == Decimal("6000.00")


# --- numbers ------------------------------------------------------------------------------


def test_numbers_are_generated_per_kind_with_the_company_prefix(
    org, other_org, customer, catalogue, make_customer, make_product
):
    def contract():
        return services.agreement_create(
            user=org.sales1,
            kind="contract",
            customer=customer,
            title="C",
            lines=[{"product": catalogue["training"].pk}],
        )

    assert contract().number == "HT000001"
    assert order_of(org.sales1, customer, catalogue).number == "DD000001"
    assert contract().number == "HT000002"
    assert order_of(org.sales1, customer, catalogue).number == "DD000002"

    org.company.contract_number_prefix = "HT-2026-"
    org.company.save(update_fields=["contract_number_prefix"])
    org.sales1.refresh_from_db()
    assert contract().number == "HT-2026-000003"

    # Another company counts on its own.
    beta_product = make_product(other_org.boss, kind="physical")
    beta_order = services.agreement_create(
        user=other_org.sales1,
        kind="order",
        customer=make_customer(other_org.sales1),
        title="Beta",
        lines=[{"product": beta_product.pk}],
    )
    assert beta_order.number == "DD000001"
    numbers = list(Agreement.objects.filter(company=org.company).values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 5


def test_a_typed_number_is_kept_and_the_generator_skips_it(org, customer, catalogue):
    typed = order_of(org.sales1, customer, catalogue, number=" DD000002 ")
    assert typed.number == "DD000002"

    assert order_of(org.sales1, customer, catalogue).number == "DD000001"
    assert order_of(org.sales1, customer, catalogue).number == "DD000003"


def test_a_number_already_used_is_refused_on_create_and_change(org, customer, catalogue):
    first = order_of(org.sales1, customer, catalogue, number="X-100")
    second = order_of(org.sales1, customer, catalogue)
    count = Agreement.objects.filter(company=org.company).count()
    before = snapshot(second)

    with pytest.raises(ValidationFailed) as excinfo:
        order_of(org.sales1, customer, catalogue, number="x-100")
    assert excinfo.value.errors == {"number": ["The number x-100 is already used."]}
    with pytest.raises(ValidationFailed) as excinfo:
        services.agreement_update(user=org.sales1, agreement=second, number="X-100")
    assert excinfo.value.errors == {"number": ["The number X-100 is already used."]}
    with pytest.raises(ValidationFailed) as excinfo:
        services.agreement_update(user=org.sales1, agreement=second, number="")
    assert excinfo.value.errors == {"number": ["Enter the number."]}

    assert Agreement.objects.filter(company=org.company).count() == count
    assert snapshot(second) == before
    # Keeping one's own number is no clash.
    services.agreement_update(user=org.sales1, agreement=first, number="X-100", title="Same")


# --- status -------------------------------------------------------------------------------


def test_the_status_steps_go_draft_signed_executing_completed(org, customer, catalogue):
    order = order_of(org.sales1, customer, catalogue)
    assert order.status == "draft" and order.signed_on is None

    services.agreement_sign(user=org.sales1, agreement=order, signed_on="2026-03-15")
    order.refresh_from_db()
    assert (order.status, order.signed_on) == ("signed", date(2026, 3, 15))
    services.agreement_start(user=org.sales1, agreement=order)
    assert Agreement.objects.get(pk=order.pk).status == "executing"
    services.agreement_complete(user=org.manager1, agreement=order)
    assert Agreement.objects.get(pk=order.pk).status == "completed"

    statuses = [row.status for row in order.history.order_by("history_id")]
    steps = [status for n, status in enumerate(statuses) if n == 0 or statuses[n - 1] != status]
    assert steps == ["draft", "signed", "executing", "completed"]
    assert order.history.latest().history_user == org.manager1


def test_signing_takes_the_date_entered_or_today(org, customer, catalogue):
    entered = order_of(org.sales1, customer, catalogue, signed_on="2026-02-01")
    signed(org.sales1, entered)
    plain = signed(org.sales1, order_of(org.sales1, customer, catalogue))

    assert Agreement.objects.get(pk=entered.pk).signed_on == date(2026, 2, 1)
    assert Agreement.objects.get(pk=plain.pk).signed_on == timezone.localdate()


@pytest.mark.parametrize(
    ("reached", "step"),
    [
        ("draft", "start"),
        ("draft", "complete"),
        ("signed", "sign"),
        ("signed", "complete"),
        ("executing", "sign"),
        ("executing", "start"),
        ("completed", "complete"),
        ("cancelled", "sign"),
        ("cancelled", "start"),
    ],
)
def test_a_step_out_of_order_is_refused(org, customer, catalogue, reached, step):
    order = order_of(org.sales1, customer, catalogue)
    path = {
        "draft": [],
        "signed": ["sign"],
        "executing": ["sign", "start"],
        "completed": ["sign", "start", "complete"],
        "cancelled": [],
    }[reached]
    for done in path:
        getattr(services, f"agreement_{done}")(user=org.sales1, agreement=order)
    if reached == "cancelled":
        services.agreement_cancel(user=org.sales1, agreement=order, reason="No budget")
    before = snapshot(order)

    with pytest.raises(DomainError) as excinfo:
        getattr(services, f"agreement_{step}")(user=org.sales1, agreement=order)

    assert excinfo.value.field == "status"
    assert "cannot be" in str(excinfo.value.message)
    assert snapshot(order) == before


# --- cancel and delete --------------------------------------------------------------------


@pytest.mark.parametrize("steps", [[], ["sign"], ["sign", "start"]])
def test_cancelling_needs_a_reason_and_works_before_completion(org, customer, catalogue, steps):
    order = order_of(org.sales1, customer, catalogue)
    for step in steps:
        getattr(services, f"agreement_{step}")(user=org.sales1, agreement=order)
    before = snapshot(order)

    with pytest.raises(ValidationFailed) as excinfo:
        services.agreement_cancel(user=org.sales1, agreement=order, reason="   ")
    assert excinfo.value.errors == {"reason": ["Say why the agreement is cancelled."]}
    assert snapshot(order) == before

    services.agreement_cancel(user=org.sales1, agreement=order, reason=" Customer went bankrupt ")
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("cancelled", "Customer went bankrupt")
    assert order.cancelled_at is not None


def test_a_completed_or_cancelled_agreement_cannot_be_cancelled(org, customer, catalogue):
    done = order_of(org.sales1, customer, catalogue)
    for step in ("sign", "start", "complete"):
        getattr(services, f"agreement_{step}")(user=org.sales1, agreement=done)
    gone = order_of(org.sales1, customer, catalogue)
    services.agreement_cancel(user=org.sales1, agreement=gone, reason="First reason")

    for agreement in (done, gone):
        before = snapshot(agreement)
        with pytest.raises(DomainError, match="it cannot be cancelled"):
            services.agreement_cancel(user=org.sales1, agreement=agreement, reason="Again")
        assert snapshot(agreement) == before


def test_cancelling_is_refused_while_money_is_booked(org, customer, catalogue, money):
    order = signed(org.sales1, order_of(org.sales1, customer, catalogue))
    payment = finance_services.payment_record(
        user=money["finance"],
        agreement=order,
        amount="1000.00",
        paid_on="2026-04-01",
        method=money["method"],
    )
    before = snapshot(order)

    with pytest.raises(DomainError) as excinfo:
        services.agreement_cancel(user=org.sales1, agreement=order, reason="Changed mind")
    assert "paid 1000.00, invoiced 0.00" in str(excinfo.value.message)
    assert snapshot(order) == before

    finance_services.payment_reverse(user=money["finance"], payment=payment, reason="Bounced")
    services.agreement_cancel(user=org.sales1, agreement=order, reason="Changed mind")
    assert Agreement.objects.get(pk=order.pk).status == "cancelled"


def test_cancelling_is_refused_while_invoices_are_booked(org, customer, catalogue, money):
    org.company.allow_invoice_ahead = True
    org.company.save(update_fields=["allow_invoice_ahead"])
    order = signed(org.sales1, order_of(org.sales1, customer, catalogue))
    invoice = finance_services.invoice_create(
        user=money["finance"],
        agreement=order,
        number="INV-1",
        type=option(org.company, "invoice_type", "vat_special"),
        amount="500.00",
        issued_on="2026-04-01",
    )

    with pytest.raises(DomainError, match=r"invoiced 500\.00"):
        services.agreement_cancel(user=org.sales1, agreement=order, reason="Changed mind")

    finance_services.invoice_delete(user=money["finance"], invoice=invoice)
    services.agreement_cancel(user=org.sales1, agreement=order, reason="Changed mind")


def test_only_a_draft_without_plans_is_deleted(org, customer, catalogue):
    draft = order_of(org.sales1, customer, catalogue)
    services.agreement_delete(user=org.sales1, agreement=draft)
    assert not Agreement.objects.filter(pk=draft.pk).exists()
    assert not AgreementLine.objects.filter(agreement_id=draft.pk).exists()

    planned = order_of(org.sales1, customer, catalogue)
    finance_services.plan_create(
        user=org.sales1, agreement=planned, due_on="2026-09-30", amount="100.00"
    )
    with pytest.raises(DomainError, match="payment plans"):
        services.agreement_delete(user=org.sales1, agreement=planned)
    assert Agreement.objects.filter(pk=planned.pk).exists()
    assert PaymentPlan.objects.filter(agreement=planned).count() == 1

    for steps in (["sign"], ["sign", "start"]):
        agreement = order_of(org.sales1, customer, catalogue)
        for step in steps:
            getattr(services, f"agreement_{step}")(user=org.sales1, agreement=agreement)
        before = snapshot(agreement)
        with pytest.raises(DomainError, match="Only a draft can be deleted"):
            services.agreement_delete(user=org.sales1, agreement=agreement)
        assert snapshot(agreement) == before

    cancelled = order_of(org.sales1, customer, catalogue)
    services.agreement_cancel(user=org.sales1, agreement=cancelled, reason="x")
    with pytest.raises(DomainError, match="Only a draft"):
        services.agreement_delete(user=org.sales1, agreement=cancelled)


# --- signing and the customer -------------------------------------------------------------


def test_signing_turns_a_potential_customer_regular_and_no_longer_hot(
    org, make_customer, catalogue
):
    customer = make_customer(org.sales1, type=option(org.company, "customer_type", "potential").pk)
    customer_services.customer_set_hot(user=org.sales1, customer=customer, is_hot=True)
    order = order_of(org.sales1, customer, catalogue)
    versions = customer.history.count()

    services.agreement_sign(user=org.manager1, agreement=order)

    customer.refresh_from_db()
    assert customer.type.code == "regular"
    assert customer.is_hot is False
    assert customer.history.count() == versions + 1
    latest, previous = customer.history.order_by("-history_id")[:2]
    assert latest.history_user == org.manager1
    assert (previous.type.code, previous.is_hot) == ("potential", True)
    assert (latest.type.code, latest.is_hot) == ("regular", False)


def test_a_potential_customer_stays_potential_when_the_company_keeps_no_such_rule(
    org, make_customer, catalogue
):
    org.company.signing_makes_regular = False
    org.company.save(update_fields=["signing_makes_regular"])
    customer = make_customer(org.sales1, type=option(org.company, "customer_type", "potential").pk)
    customer_services.customer_set_hot(user=org.sales1, customer=customer, is_hot=True)

    signed(org.sales1, order_of(org.sales1, customer, catalogue))

    customer.refresh_from_db()
    assert customer.type.code == "potential"
    assert customer.is_hot is False


def test_signing_leaves_other_customer_types_alone(org, make_customer, catalogue):
    customer = make_customer(org.sales1, type=option(org.company, "customer_type", "vip").pk)
    versions = customer.history.count()

    signed(org.sales1, order_of(org.sales1, customer, catalogue))

    customer.refresh_from_db()
    assert customer.type.code == "vip"
    assert customer.history.count() == versions


def test_a_refused_signing_leaves_the_customer_alone(org, make_customer, catalogue):
    customer = make_customer(org.sales1, type=option(org.company, "customer_type", "potential").pk)
    order = order_of(org.sales1, customer, catalogue)
    services.agreement_cancel(user=org.sales1, agreement=order, reason="x")

    with pytest.raises(DomainError):
        services.agreement_sign(user=org.sales1, agreement=order)

    assert Customer.objects.get(pk=customer.pk).type.code == "potential"


# --- who may do what ----------------------------------------------------------------------


def every_change(agreement, catalogue):
    """Each agreement service, ready to call for a user."""
    return {
        "update": lambda user: services.agreement_update(
            user=user, agreement=agreement, title="Changed"
        ),
        "lines": lambda user: services.agreement_update(
            user=user, agreement=agreement, lines=[{"product": catalogue["cable"].pk}]
        ),
        "sign": lambda user: services.agreement_sign(user=user, agreement=agreement),
        "start": lambda user: services.agreement_start(user=user, agreement=agreement),
        "complete": lambda user: services.agreement_complete(user=user, agreement=agreement),
        "cancel": lambda user: services.agreement_cancel(
            user=user, agreement=agreement, reason="x"
        ),
        "delete": lambda user: services.agreement_delete(user=user, agreement=agreement),
    }


def test_a_user_who_cannot_see_the_customer_gets_not_found_from_every_service(
    org, other_org, customer, catalogue
):
    order = order_of(org.sales1, customer, catalogue)
    before = snapshot(order)
    outsiders = [org.sales2, org.sales3, org.manager2, org.director2, org.sales4, other_org.boss]

    for user in outsiders:
        for name, change in every_change(order, catalogue).items():
            with pytest.raises(NotFound):
                change(user)
            assert snapshot(order) == before, (user.username, name)
        with pytest.raises(NotFound):
            services.agreement_create(
                user=user,
                kind="order",
                customer=customer,
                title="Sneaky",
                lines=[{"product": catalogue["server"].pk}],
            )
    assert Agreement.objects.filter(company=org.company).count() == 1


def test_a_view_share_sees_but_may_not_change_the_agreement(org, customer, catalogue):
    order = order_of(org.sales1, customer, catalogue)
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales3, level="view"
    )
    before = snapshot(order)

    for name, change in every_change(order, catalogue).items():
        with pytest.raises(PermissionRefused):
            change(org.sales3)
        assert snapshot(order) == before, name
    with pytest.raises(PermissionRefused):
        services.agreement_create(
            user=org.sales3,
            kind="order",
            customer=customer,
            title="Shared",
            lines=[{"product": catalogue["server"].pk}],
        )
    assert Agreement.objects.filter(company=org.company).count() == 1


def test_an_edit_share_and_the_owner_line_may_change_it(org, customer, catalogue):
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales3, level="edit"
    )

    by_share = order_of(org.sales3, customer, catalogue)
    assert by_share.owner == org.sales1  # a colleague works on the owner's behalf
    services.agreement_update(user=org.sales3, agreement=by_share, title="By the share")
    for user in (org.manager1, org.director1, org.boss, org.vice_boss, org.assistant):
        services.agreement_update(user=user, agreement=by_share, title=f"By {user.username}")
    services.agreement_sign(user=org.assistant, agreement=by_share)
    assert Agreement.objects.get(pk=by_share.pk).status == "signed"

    by_manager = order_of(org.manager1, customer, catalogue, owner=org.sales1.pk)
    assert by_manager.owner == org.sales1
    with pytest.raises(ValidationFailed) as excinfo:
        order_of(org.sales1, customer, catalogue, owner=org.sales2.pk)
    assert excinfo.value.errors["owner"] == [
        "Choose yourself, someone below you, or the customer's owner."
    ]


def test_an_expired_trial_refuses_changes(org, customer, catalogue):
    order = order_of(org.sales1, customer, catalogue)
    org.company.plan = "trial"
    org.company.trial_ends_on = timezone.localdate() - timedelta(days=1)
    org.company.save(update_fields=["plan", "trial_ends_on"])
    org.sales1.refresh_from_db()
    before = snapshot(order)

    with pytest.raises(PermissionRefused):
        services.agreement_update(user=org.sales1, agreement=order, title="Later")
    with pytest.raises(PermissionRefused):
        order_of(org.sales1, customer, catalogue)
    assert snapshot(order) == before


# --- attachments --------------------------------------------------------------------------

PDF = small_pdf()
# A Windows program whose DOS stub says nothing: found by its MZ and PE headers.
PE_WITHOUT_STUB = PE_STUB.replace(b"This program cannot be run in DOS mode", b" " * 38)


def upload(name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content)


def test_an_attachment_is_stored_under_a_random_name_with_its_type_checked(
    org, customer, catalogue
):
    order = order_of(org.sales1, customer, catalogue)

    attachment = services.attachment_add(
        user=org.sales1, agreement=order, upload=upload("../../合同 扫描件.PDF", PDF)
    )

    attachment.refresh_from_db()
    assert (attachment.name, attachment.size, attachment.content_type) == (
        "合同 扫描件.PDF",
        len(PDF),
        "application/pdf",
    )
    assert attachment.file.name.startswith(f"agreements/{org.company.pk}/")
    assert attachment.file.name.endswith(".pdf") and "合同" not in attachment.file.name
    assert attachment.file.read() == PDF
    assert attachment.uploaded_by == org.sales1
    text = services.attachment_add(
        user=org.sales1, agreement=order, upload=upload("备注.txt", "付款条件见附件".encode("gbk"))
    )
    assert text.content_type == "text/plain"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "Attach a file of one of these types: "),
        ("noextension", b"%PDF-1.4", "Attach a file of one of these types: "),
        ("empty.pdf", b"", "The file is empty."),
        ("fake.pdf", b"<html>hello</html>", "fake.pdf is not really a PDF file"),
        ("fake.docx", PDF, "fake.docx is not really a DOCX file"),
        ("binary.txt", b"abc\x00def", "binary.txt is not a text file."),
        ("scan.pdf", b"%PDF-1.4\n" + PE_STUB + PDF, "scan.pdf contains a program"),
        ("scan.pdf", on_a_page(PDF, PE_WITHOUT_STUB, b"\n%%EOF\n"), "scan.pdf contains a program"),
        ("scan.pdf", on_a_page(PDF, ELF_HEADER, b"\n%%EOF\n"), "scan.pdf contains a program"),
        ("cut.pdf", PDF[:60], "cut.pdf is not a complete PDF file"),
        ("script.txt", b"#!/bin/sh\nrm -rf ~\n", "script.txt contains a program"),
        ("latin1.txt", "Café".encode("cp1252") + b"\xff\xfe", "latin1.txt is not a text"),
        ("bomb.png", png_declaring(13_000, 13_000), "The image is 13000 × 13000 pixels; at most"),
        ("cut.png", png_declaring(100, 100)[:50], "This file is not a PNG image."),
        ("plan.docx", zip_declaring_a_huge_entry(), "plan.docx would unpack to more than 256 MB."),
        ("many.zip", zip_with_entries(5001), "many.zip holds more than 5000 files."),
        ("plan.docx", zip_of({"a.txt": b"x"}), "plan.docx is not a Word, Excel or PowerPoint"),
        ("broken.zip", b"PK\x03\x04" + b"\0" * 100, "broken.zip is not a valid ZIP file."),
    ],
)
def test_an_attachment_of_the_wrong_type_or_content_is_refused(
    org, customer, catalogue, name, content, message
):
    order = order_of(org.sales1, customer, catalogue)

    with pytest.raises(ValidationFailed) as excinfo:
        services.attachment_add(user=org.sales1, agreement=order, upload=upload(name, content))

    assert set(excinfo.value.errors) == {"file"}
    assert str(excinfo.value.errors["file"][0]).startswith(message)
    assert not order.attachments.exists()


def test_genuine_documents_of_every_type_are_accepted(org, customer, catalogue):
    import io

    from PIL import Image

    order = order_of(org.sales1, customer, catalogue)
    jpeg = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(jpeg, format="JPEG")
    documents = {
        "合同.pdf": PDF,
        "盖章页.png": png_declaring(600, 800),
        "照片.jpg": jpeg.getvalue(),
        "报价.xlsx": zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"}),
        "资料.zip": zip_of({"readme.txt": "说明".encode()}),
        "备注.txt": "付款条件见附件\n".encode("gb18030"),
    }

    for name, content in documents.items():
        services.attachment_add(user=org.sales1, agreement=order, upload=upload(name, content))

    assert sorted(order.attachments.values_list("name", flat=True)) == sorted(documents)


def test_an_attachment_above_the_size_limit_is_refused(org, customer, catalogue, monkeypatch):
    order = order_of(org.sales1, customer, catalogue)
    monkeypatch.setattr(services, "MAX_ATTACHMENT_BYTES", 2 * 1024 * 1024)

    with pytest.raises(ValidationFailed) as excinfo:
        services.attachment_add(
            user=org.sales1,
            agreement=order,
            upload=upload("big.pdf", PDF + b"0" * (2 * 1024 * 1024)),
        )

    assert excinfo.value.errors == {"file": ["The file is larger than 2 MB."]}
    assert not order.attachments.exists()


def test_attachments_follow_the_edit_rights_and_their_files_go_with_them(
    org, customer, catalogue, django_capture_on_commit_callbacks
):
    order = order_of(org.sales1, customer, catalogue)
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales3, level="view"
    )
    with pytest.raises(PermissionRefused):
        services.attachment_add(user=org.sales3, agreement=order, upload=upload("a.pdf", PDF))
    with pytest.raises(NotFound):
        services.attachment_add(user=org.sales2, agreement=order, upload=upload("a.pdf", PDF))
    first = services.attachment_add(user=org.sales1, agreement=order, upload=upload("a.pdf", PDF))
    second = services.attachment_add(user=org.sales1, agreement=order, upload=upload("b.pdf", PDF))
    storage = first.file.storage
    with pytest.raises(PermissionRefused):
        services.attachment_delete(user=org.sales3, attachment=first)
    assert storage.exists(first.file.name)

    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_delete(user=org.sales1, attachment=first)
    assert not storage.exists(first.file.name)
    assert list(order.attachments.all()) == [second]

    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_delete(user=org.sales1, agreement=order)
    assert not storage.exists(second.file.name)
