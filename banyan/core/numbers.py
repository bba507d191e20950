"""Document numbers: a prefix and a running number per company and series."""

from collections.abc import Callable

from banyan.core.models import NumberSequence


def next_number(company_id: int, key: str, prefix: str, taken: Callable[[str], bool]) -> str:
    """The next free number of the series `key`: prefix + a running number of at least six
    digits, skipping any a person typed by hand (`taken(number)` says so). The sequence row is
    locked until the caller's transaction ends, so two documents saved at once never get the
    same number. Call inside `transaction.atomic`."""
    NumberSequence.objects.get_or_create(company_id=company_id, key=key)
    sequence = NumberSequence.objects.select_for_update().get(company_id=company_id, key=key)
    while True:
        sequence.last += 1
        number = f"{prefix}{sequence.last:06d}"
        if not taken(number):
            break
    sequence.save(update_fields=["last", "updated_at"])
    return number
