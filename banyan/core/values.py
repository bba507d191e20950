"""Reading numbers and dates people type (forms, API, imports) into exact values.

Each reader appends a translated message naming what is wrong to `errors[field]` and returns
None, so a service can collect every fault of a form before refusing it.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from banyan.core.text import to_half_width

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # what a money field (14, 2) holds


def fen(value) -> Decimal:
    """Rounded half up to the fen (0.01), the way amounts are stored."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _add(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    try:
        # str() first: a float goes through its shortest repr, never its binary expansion.
        number = Decimal(to_half_width(str(value)).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def parse_amount(
    value,
    errors: dict,
    field: str,
    *,
    required: bool = True,
    allow_zero: bool = False,
    default: Decimal | None = None,
) -> Decimal | None:
    """A CNY amount with at most two decimals, positive (or zero when allowed)."""
    if value is None or value == "":
        if required:
            _add(errors, field, _("Enter an amount, e.g. 12000.00."))
        return default
    amount = _decimal(value)
    if amount is None:
        _add(errors, field, _("Enter an amount, e.g. 12000.00."))
        return None
    if amount < 0 or (amount == 0 and not allow_zero):
        _add(
            errors,
            field,
            _("The amount cannot be negative.") if allow_zero else _("Enter an amount above zero."),
        )
        return None
    if amount != amount.quantize(CENT):
        _add(errors, field, _("Give at most two decimal places."))
        return None
    if amount > MAX_AMOUNT:
        _add(errors, field, _("The amount is too large."))
        return None
    return amount.quantize(CENT)


def parse_quantity(value, errors: dict, field: str, *, allow_zero: bool = False) -> Decimal | None:
    """A quantity with at most two decimals, above zero (or zero when allowed)."""
    if value is None or value == "":
        _add(errors, field, _("Enter a quantity."))
        return None
    quantity = _decimal(value)
    if quantity is None:
        _add(errors, field, _("Enter a quantity, e.g. 2 or 1.5."))
        return None
    if quantity < 0 or (quantity == 0 and not allow_zero):
        _add(errors, field, _("Enter a quantity above zero."))
        return None
    if quantity != quantity.quantize(CENT):
        _add(errors, field, _("Give at most two decimal places."))
        return None
    if quantity > MAX_AMOUNT:
        _add(errors, field, _("The quantity is too large."))
        return None
    return quantity.quantize(CENT)


def parse_percent(value, errors: dict, field: str) -> Decimal | None:
    """A discount in percent, 0 to 100 with at most two decimals ("" is 0)."""
    if value is None or value == "":
        return Decimal("0.00")
    percent = _decimal(value)
    if percent is None or not 0 <= percent <= 100:
        _add(errors, field, _("Enter a percentage from 0 to 100."))
        return None
    if percent != percent.quantize(CENT):
        _add(errors, field, _("Give at most two decimal places."))
        return None
    return percent.quantize(CENT)


def parse_day(value, errors: dict, field: str, *, required: bool = False) -> date | None:
    """A date such as 2026-06-30."""
    if value in (None, ""):
        if required:
            _add(errors, field, _("Enter a date such as 2026-06-30."))
        return None
    if isinstance(value, date):
        return value
    try:
        parsed = parse_date(to_half_width(str(value)).strip())
    except ValueError:
        parsed = None
    if parsed is None:
        _add(errors, field, _("Enter a date such as 2026-06-30."))
    return parsed
