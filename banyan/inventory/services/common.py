"""What the sections of inventory's services share: error lists, the keeper check, quantities."""

from decimal import Decimal

from django.utils.translation import gettext as _

from banyan.accounts.guards import ensure_can_write
from banyan.accounts.models import User
from banyan.core.errors import PermissionRefused
from banyan.inventory import selectors
from banyan.inventory.models import Warehouse

ZERO = Decimal("0.00")


def _add(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def _ensure_keeper_of(user: User, warehouse: Warehouse) -> None:
    ensure_can_write(user)
    if not selectors.keeps(user, warehouse):
        raise PermissionRefused(
            _("Only a keeper of %(warehouse)s may do this.") % {"warehouse": warehouse.name}
        )


def _quantity_text(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None
