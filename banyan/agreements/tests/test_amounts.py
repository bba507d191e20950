"""Agreement amounts as a property: for any lines and discounts, the stored amount is what the
stored lines give, and what a plain Decimal computation (ROUND_HALF_UP to the fen) gives.

The company and its products are made once per test; each example writes one agreement
through the services (and then replaces its lines), so the examples share the test's
transaction. The @given function lives inside the test for that reason: pytest's
function-scoped fixtures are not re-run per example, and here that is what we want.
"""

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from banyan.agreements import services
from banyan.agreements.models import Agreement, AgreementLine

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
PROPERTY = settings(deadline=None)  # as many examples as the profile (conftest.py)


def hundredths(low: int, high: int):
    """Decimals with two places from low/100 to high/100."""
    return st.integers(min_value=low, max_value=high).map(lambda n: Decimal(n) / HUNDRED)


prices = hundredths(0, 9_999_999)  # 0.00 – 99999.99
quantities = hundredths(1, 999_999)  # 0.01 – 9999.99
percents = hundredths(0, 10_000)  # 0.00 – 100.00


def lines_strategy(product_count: int, max_lines: int):
    return st.lists(
        st.fixed_dictionaries(
            {
                "product": st.integers(min_value=0, max_value=product_count - 1),
                "unit_price": prices,
                "quantity": quantities,
                "discount_percent": percents,
            }
        ),
        min_size=1,
        max_size=max_lines,
    )


def expected_amount(lines: list[dict], whole_discount: Decimal) -> Decimal:
    """The amount worked out by hand: each line to the fen, then the whole discount."""
    total = Decimal("0.00")
    for line in lines:
        gross = line["unit_price"] * line["quantity"]
        net = gross * (HUNDRED - line["discount_percent"]) / HUNDRED
        total += net.quantize(CENT, rounding=ROUND_HALF_UP)
    return (total * (HUNDRED - whole_discount) / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def as_input(lines: list[dict], products: list) -> list[dict]:
    """The lines as a form or the API sends them: text, product by key."""
    return [
        {
            "product": products[line["product"]].pk,
            "unit_price": str(line["unit_price"]),
            "quantity": str(line["quantity"]),
            "discount_percent": str(line["discount_percent"]),
        }
        for line in lines
    ]


def assert_amount_holds(agreement: Agreement, lines: list[dict], whole_discount: Decimal):
    stored = Agreement.objects.get(pk=agreement.pk)
    assert stored.amount == services.recompute_amount(stored)
    assert stored.amount == expected_amount(lines, whole_discount)
    stored_lines = list(AgreementLine.objects.filter(agreement=stored).order_by("position"))
    assert len(stored_lines) == len(lines)
    assert stored.lines_total == sum((line.amount for line in stored_lines), Decimal("0.00"))
    for line, wanted in zip(stored_lines, lines, strict=True):
        assert (line.unit_price, line.quantity, line.discount_percent) == (
            wanted["unit_price"],
            wanted["quantity"],
            wanted["discount_percent"],
        )
        assert line.amount == expected_amount([wanted], Decimal(0))


def test_an_orders_stored_amount_equals_its_lines_before_and_after_replacing_them(
    org, make_customer, make_product
):
    customer = make_customer(org.sales1)
    products = [
        make_product(org.boss, kind="physical"),
        make_product(org.boss, kind="physical"),
        make_product(org.boss, kind="service"),
    ]

    @PROPERTY
    @given(
        lines=lines_strategy(len(products), 8),
        discount=percents,
        new_lines=lines_strategy(len(products), 8),
        new_discount=percents,
    )
    def check(lines, discount, new_lines, new_discount):
        order = services.agreement_create(
            user=org.sales1,
            kind="order",
            customer=customer,
            title="Property",
            lines=as_input(lines, products),
            discount_percent=str(discount),
        )
        assert_amount_holds(order, lines, discount)

        services.agreement_update(
            user=org.sales1,
            agreement=order,
            lines=as_input(new_lines, products),
            discount_percent=str(new_discount),
        )
        assert_amount_holds(order, new_lines, new_discount)

    check()


def test_a_contracts_stored_amount_equals_its_lines_before_and_after_replacing_them(
    org, make_customer, make_product
):
    customer = make_customer(org.sales1)
    products = [make_product(org.boss, kind="service") for _ in range(3)]

    @PROPERTY
    @given(
        lines=lines_strategy(len(products), 5),
        discount=percents,
        new_lines=lines_strategy(len(products), 5),
    )
    def check(lines, discount, new_lines):
        contract = services.agreement_create(
            user=org.sales1,
            kind="contract",
            customer=customer,
            title="Property",
            lines=as_input(lines, products),
            discount_percent=str(discount),
        )
        assert_amount_holds(contract, lines, discount)

        # Lines only: the whole discount stays as it was.
        services.agreement_update(
            user=org.sales1, agreement=contract, lines=as_input(new_lines, products)
        )
        assert_amount_holds(contract, new_lines, discount)

    check()
