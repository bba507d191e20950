"""One way to fetch one row by the id a person or a client gave.

Every selector's `get_<entity>_for(user, pk)` and every service that resolves an id among
what its actor may use goes through here, so that a missing row, an invisible one, another
company's and an id no row can have ("abc", 99999999999999999999, None) all get the same
answer, decided once.
"""

from typing import TypeVar

from django.db import models
from django.db.models import QuerySet

from banyan.core.errors import NotFound

Row = TypeVar("Row", bound=models.Model)

# Keys are 64-bit: a larger number can name no row, and would overflow the database driver.
MAX_ID = 2**63 - 1


def as_id(value) -> int | None:
    """The row id `value` stands for: a model instance's pk, a whole number, or a string of
    one that a 64-bit key can hold; None for anything else (a bool is not an id)."""
    if isinstance(value, models.Model):
        value = value.pk
    if value is None or isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if -MAX_ID <= number <= MAX_ID else None


def get_for(queryset: QuerySet[Row], pk) -> Row:
    """The row of `queryset` (already limited to what the actor may see or use) whose id is
    `pk` (an id, its text, or the row itself, re-read); `NotFound` when there is none, for
    whatever reason."""
    row = get_or_none(queryset, pk)
    if row is None:
        raise NotFound()
    return row


def get_or_none(queryset: QuerySet[Row], pk) -> Row | None:
    """`get_for`, answering None instead of raising: for a service that puts the reason on
    the field at fault."""
    number = as_id(pk)
    if number is None:
        return None
    try:
        return queryset.get(pk=number)
    except queryset.model.DoesNotExist:
        return None
