"""Writes on warehouses: create, change, delete (or close)."""

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext as _

from banyan.accounts.guards import ensure_account_admin
from banyan.accounts.models import User
from banyan.core.errors import DomainError, ValidationFailed
from banyan.core.fetch import get_for, get_or_none
from banyan.core.text import squash_spaces
from banyan.inventory import selectors
from banyan.inventory.models import StockLevel, StockMovement, Warehouse
from banyan.inventory.services.common import _add

# --- warehouses ---------------------------------------------------------------------------


def _keepers(user: User, values, errors: dict) -> list[User]:
    keepers = []
    for value in values or []:
        keeper = get_or_none(User.objects.filter(company_id=user.company_id, is_active=True), value)
        if keeper is None:
            _add(errors, "keepers", _("Choose active users of your company."))
            continue
        if not keeper.has_perm("accounts.warehouse_keeper"):
            _add(
                errors,
                "keepers",
                _("%(name)s does not have the warehouse keeper permission.")
                % {"name": keeper.display_name},
            )
            continue
        keepers.append(keeper)
    return keepers


def _warehouse_fields(user: User, data: dict, errors: dict, current: Warehouse | None) -> dict:
    cleaned = {}
    for field in set(data) - {"name", "address", "is_active", "keepers"}:
        _add(errors, field, _("Unknown field."))
    if "name" in data:
        cleaned["name"] = squash_spaces(data["name"] or "")
        if not cleaned["name"]:
            _add(errors, "name", _("Enter the warehouse's name."))
        elif len(cleaned["name"]) > 100:
            _add(errors, "name", _("A name has at most 100 characters."))
        else:
            taken = Warehouse.objects.filter(company_id=user.company_id, name=cleaned["name"])
            if current is not None:
                taken = taken.exclude(pk=current.pk)
            if taken.exists():
                _add(errors, "name", _("There is already a warehouse of that name."))
    if "address" in data:
        cleaned["address"] = squash_spaces(data["address"] or "")[:255]
    if "is_active" in data:
        cleaned["is_active"] = bool(data["is_active"])
    return cleaned


def _locked_warehouse(user: User, warehouse: Warehouse) -> Warehouse:
    """The warehouse, locked; NotFound when it is not of the user's company."""
    return get_for(selectors.company_warehouses(user).select_for_update(), warehouse.pk)


@transaction.atomic
def warehouse_create(*, user: User, name: str, keepers=(), **data) -> Warehouse:
    ensure_account_admin(user)
    errors: dict = {}
    cleaned = _warehouse_fields(user, {"name": name, **data}, errors, None)
    keeper_rows = _keepers(user, keepers, errors)
    if errors:
        raise ValidationFailed(errors)
    warehouse = Warehouse.objects.create(company_id=user.company_id, **cleaned)
    warehouse.keepers.set(keeper_rows)
    return warehouse


@transaction.atomic
def warehouse_update(*, user: User, warehouse: Warehouse, keepers=None, **data) -> Warehouse:
    ensure_account_admin(user)
    warehouse = _locked_warehouse(user, warehouse)
    errors: dict = {}
    cleaned = _warehouse_fields(user, data, errors, warehouse)
    keeper_rows = _keepers(user, keepers, errors) if keepers is not None else None
    if errors:
        raise ValidationFailed(errors)
    for field, value in cleaned.items():
        setattr(warehouse, field, value)
    warehouse.save()
    if keeper_rows is not None:
        warehouse.keepers.set(keeper_rows)
    return warehouse


@transaction.atomic
def warehouse_delete(*, user: User, warehouse: Warehouse) -> None:
    """An admin boss deletes a warehouse that nothing refers to yet; one with stock records,
    slips or stocktakes, or that another app's records name (a purchase order receiving into
    it: their references protect it), is closed instead (`is_active` off)."""
    ensure_account_admin(user)
    warehouse = _locked_warehouse(user, warehouse)
    in_use = DomainError(
        _("%(name)s has stock records or purchase orders: close it instead.")
        % {"name": warehouse.name}
    )
    if (
        StockMovement.objects.filter(warehouse=warehouse).exists()
        or warehouse.slips.exists()
        or warehouse.stocktakes.exists()
    ):
        raise in_use
    # Without a single movement every level of it is zero: nothing is lost.
    StockLevel.objects.filter(warehouse=warehouse).delete()
    try:
        warehouse.delete()
    except (ProtectedError, RestrictedError):
        raise in_use from None  # the levels deleted above come back with the transaction
