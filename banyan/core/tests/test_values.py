"""Reading typed numbers: what a money or quantity field (14, 2) cannot hold is a message on
the field, never a decimal.InvalidOperation."""

from decimal import Decimal

import pytest

from banyan.core.values import parse_amount, parse_percent, parse_quantity

TOO_LARGE_AMOUNT = "Enter an amount of at most 999,999,999,999.99."
TOO_LARGE_QUANTITY = "Enter a quantity of at most 999,999,999,999.99."


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("１２３", Decimal("123.00")),
        ("1,000.5", Decimal("1000.50")),
        (" 12 ", Decimal("12.00")),
        ("999999999999.99", Decimal("999999999999.99")),
        ("1.000", Decimal("1.00")),
        ("-0", Decimal("0.00")),
    ],
)
def test_amounts_as_people_type_them(typed, amount):
    errors: dict = {}

    value = parse_amount(typed, errors, "amount", allow_zero=True)

    assert (value, errors) == (amount, {})
    assert str(value) == str(amount)  # "-0" is 0.00, not -0.00


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1e30", TOO_LARGE_AMOUNT),
        ("1E+30", TOO_LARGE_AMOUNT),
        ("1e999999", TOO_LARGE_AMOUNT),
        ("9" * 40, TOO_LARGE_AMOUNT),
        ("1" * 5000, TOO_LARGE_AMOUNT),
        ("1000000000000", TOO_LARGE_AMOUNT),
        ("1e-30", "Give at most two decimal places."),
        ("0." + "0" * 40 + "1", "Give at most two decimal places."),
        ("NaN", "Enter an amount, e.g. 12000.00."),
        ("sNaN", "Enter an amount, e.g. 12000.00."),
        ("Infinity", "Enter an amount, e.g. 12000.00."),
        ("-1e30", "Enter an amount above zero."),
        ("-0", "Enter an amount above zero."),
        (Decimal("1e30"), TOO_LARGE_AMOUNT),
        (Decimal("NaN"), "Enter an amount, e.g. 12000.00."),
        (1e30, TOO_LARGE_AMOUNT),
        (float("inf"), "Enter an amount, e.g. 12000.00."),
    ],
)
def test_amounts_a_money_field_cannot_hold_are_a_message_naming_the_field(typed, message):
    errors: dict = {}

    assert parse_amount(typed, errors, "price") is None
    assert errors == {"price": [message]}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1e30", TOO_LARGE_QUANTITY),
        ("9" * 40, TOO_LARGE_QUANTITY),
        ("1e-30", "Give at most two decimal places."),
        ("NaN", "Enter a quantity, e.g. 2 or 1.5."),
        ("-Infinity", "Enter a quantity, e.g. 2 or 1.5."),
    ],
)
def test_quantities_a_quantity_field_cannot_hold_are_a_message_naming_the_field(typed, message):
    errors: dict = {}

    assert parse_quantity(typed, errors, "quantity") is None
    assert errors == {"quantity": [message]}


@pytest.mark.parametrize("typed", ["1e30", "1e-30", "NaN", "-1", "100.01", "9" * 40])
def test_percentages_outside_0_to_100_or_finer_than_a_hundredth_are_refused(typed):
    errors: dict = {}

    assert parse_percent(typed, errors, "discount_percent") is None
    assert list(errors) == ["discount_percent"]


def test_a_percentage_of_minus_zero_is_zero():
    assert str(parse_percent("-0", {}, "discount_percent")) == "0.00"
