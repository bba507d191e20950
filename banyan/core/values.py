"""Reading numbers and dates people type (forms, API, imports) into exact values.

Each reader appends a translated message naming what is wrong to `errors[field]` and returns
None, so a service can collect every fault of a form before refusing it.
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from banyan.core.text import to_half_width

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # what a money field (14, 2) holds
MAX_QUANTITY = Decimal("999999999999.99")  # what a quantity field (14, 2) holds

# The days a calendar, a day's bounds in any time zone or a week either side can work with:
# Python's dates stop at year 1 and 9999, and 0001-01-01 00:00 in Shanghai is already before
# the first instant UTC can hold.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(9998, 12, 31)


def fen(value) -> Decimal:
    """Rounded half up to the fen (0.01), the way amounts are stored."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _add(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def _decimal(value) -> Decimal | None:
    """A finite Decimal, or None for text that is not a number (NaN and Infinity are not)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    # str() first: a float goes through its shortest repr, never its binary expansion.
    text = to_half_width(str(value)).strip().replace(",", "")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def max_amount_text() -> str:
    """The largest amount, as a message shows it: 999,999,999,999.99."""
    return f"{MAX_AMOUNT:,}"


def amount_fits(value: Decimal) -> bool:
    """Whether an amount (typed or computed, e.g. price × quantity) fits a money field."""
    return -MAX_AMOUNT <= value <= MAX_AMOUNT


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
    # The bound first: quantizing 1e30 to the fen would overflow the decimal context.
    if amount > MAX_AMOUNT:
        _add(
            errors,
            field,
            _("Enter an amount of at most %(max)s.") % {"max": max_amount_text()},
        )
        return None
    if amount != amount.quantize(CENT):
        _add(errors, field, _("Give at most two decimal places."))
        return None
    return abs(amount.quantize(CENT))  # abs(): "-0" is 0.00, not -0.00


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
    if quantity > MAX_QUANTITY:
        _add(
            errors,
            field,
            _("Enter a quantity of at most %(max)s.") % {"max": f"{MAX_QUANTITY:,}"},
        )
        return None
    if quantity != quantity.quantize(CENT):
        _add(errors, field, _("Give at most two decimal places."))
        return None
    return abs(quantity.quantize(CENT))


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
    return abs(percent.quantize(CENT))


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


def day_in_range(value: date | datetime) -> bool:
    """Whether a day (or an instant, by its own wall-clock date) is within
    EARLIEST_DAY…LATEST_DAY. Never converts between time zones, so never overflows."""
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST_DAY <= day <= LATEST_DAY


def day_range_message() -> str:
    return _("Enter a date from %(first)s to %(last)s.") % {
        "first": EARLIEST_DAY.isoformat(),
        "last": LATEST_DAY.isoformat(),
    }


def validate_day_in_range(value) -> None:
    """A form or filter field's validator: a date or date and time within the range."""
    if value is not None and not day_in_range(value):
        raise ValidationError(day_range_message(), code="out_of_range")


def clamp_day(day: date) -> date:
    """The nearest day within EARLIEST_DAY…LATEST_DAY (a calendar page asked for year 1)."""
    return min(max(day, EARLIEST_DAY), LATEST_DAY)


def start_of_company_day(user, day: date) -> datetime:
    """Midnight at the start of `day` in the user's company's time zone (an aware instant),
    whatever time zone is active: a filter on days of datetimes agrees with the reports."""
    from datetime import time

    return datetime.combine(day, time.min, tzinfo=user.company.zone)
