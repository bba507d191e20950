"""Writes on purchasing: suppliers, purchase orders and their receipt into stock.

Purchasing staff (the "purchasing" permission) keep suppliers and purchase orders. A purchase
order is a draft until it is placed; receiving it writes an inbound slip for what is still
outstanding, which a keeper of the receiving warehouse confirms; only then does the order
count the goods as received (partly or in full).
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from banyan.accounts.guards import ensure_can_write, ensure_permission
from banyan.accounts.models import User
from banyan.core import numbers
from banyan.core.errors import DomainError, ValidationFailed
from banyan.core.fetch import get_for, get_or_none
from banyan.core.models import ExactSum
from banyan.core.phones import normalize_phone
from banyan.core.text import squash_spaces
from banyan.core.values import (
    amount_fits,
    fen,
    max_amount_text,
    parse_amount,
    parse_day,
    parse_quantity,
)
from banyan.inventory import services as inventory_services
from banyan.inventory.models import StockSlip, StockSlipLine
from banyan.products import selectors as product_selectors
from banyan.products.models import Product
from banyan.purchasing import selectors
from banyan.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier

ZERO = Decimal("0.00")
SUPPLIER_FIELDS = {"name", "contact_name", "phone", "email", "address", "notes", "is_active"}


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _add(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def ensure_purchasing(user: User) -> None:
    """Changes are for purchasing staff: PermissionRefused with the reason for anyone else."""
    ensure_can_write(user)
    ensure_permission(user, "purchasing", _("Only purchasing staff may do this."))


# --- suppliers ----------------------------------------------------------------------------


def _supplier_fields(user: User, data: dict, errors: dict, current: Supplier | None) -> dict:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    cleaned: dict = {}
    for field in set(data) - SUPPLIER_FIELDS:
        _add(errors, field, _("Unknown field."))
    if "name" in data:
        cleaned["name"] = squash_spaces(data["name"] or "")
        if not cleaned["name"]:
            _add(errors, "name", _("Enter the supplier's name."))
        elif len(cleaned["name"]) > 200:
            _add(errors, "name", _("A name has at most 200 characters."))
        else:
            taken = Supplier.objects.filter(company_id=user.company_id, name=cleaned["name"])
            if current is not None:
                taken = taken.exclude(pk=current.pk)
            if taken.exists():
                _add(errors, "name", _("There is already a supplier of that name."))
    if "contact_name" in data:
        cleaned["contact_name"] = squash_spaces(data["contact_name"] or "")[:100]
    if "phone" in data:
        try:
            cleaned["phone"] = normalize_phone(data["phone"] or "")
        except ValidationError as error:
            _add(errors, "phone", error.messages[0])
    if "email" in data:
        email = (data["email"] or "").strip().lower()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                _add(errors, "email", _("Enter a valid e-mail address."))
        cleaned["email"] = email
    if "address" in data:
        cleaned["address"] = squash_spaces(data["address"] or "")[:255]
    if "notes" in data:
        cleaned["notes"] = (data["notes"] or "").strip()
    if "is_active" in data:
        cleaned["is_active"] = bool(data["is_active"])
    return cleaned


def _locked_supplier(user: User, supplier: Supplier) -> Supplier:
    """The supplier, locked; NotFound when it is not of the user's company."""
    return get_for(selectors.company_suppliers(user).select_for_update(), supplier.pk)


@transaction.atomic
def supplier_create(*, user: User, name: str, **data) -> Supplier:
    ensure_purchasing(user)
    errors: dict = {}
    cleaned = _supplier_fields(user, {"name": name, **data}, errors, None)
    if errors:
        raise ValidationFailed(errors)
    return Supplier.objects.create(company_id=user.company_id, **cleaned)


@transaction.atomic
def supplier_update(*, user: User, supplier: Supplier, **data) -> Supplier:
    ensure_purchasing(user)
    supplier = _locked_supplier(user, supplier)
    errors: dict = {}
    cleaned = _supplier_fields(user, data, errors, supplier)
    if errors:
        raise ValidationFailed(errors)
    for field, value in cleaned.items():
        setattr(supplier, field, value)
    supplier.save()
    return supplier


@transaction.atomic
def supplier_delete(*, user: User, supplier: Supplier) -> None:
    """Purchasing staff delete a supplier no purchase order names; otherwise it is set
    inactive instead."""
    ensure_purchasing(user)
    supplier = _locked_supplier(user, supplier)
    if supplier.purchase_orders.exists():
        raise DomainError(
            _("%(name)s has purchase orders: set it inactive instead.") % {"name": supplier.name}
        )
    supplier.delete()


# --- purchase orders ----------------------------------------------------------------------


def _clean_lines(user: User, lines, errors: dict, prices: dict | None = None) -> list[dict]:
    """Without a price of its own a line takes the price it already had on the order
    (`prices` per product: someone who may not see costs keeps the agreed price), else the
    product's cost."""
    if not isinstance(lines, list | tuple) or not lines:
        _add(errors, "lines", _("Add at least one product line."))
        return []
    sees_costs = product_selectors.sees_costs(user)
    cleaned = []
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, dict):
            _add(errors, "lines", _("Line %(number)d: not a line.") % {"number": number})
            continue
        value = line.get("product")
        product = get_or_none(Product.objects.filter(company_id=user.company_id), value)
        if product is None:
            _add(
                errors,
                "lines",
                _("Line %(number)d: choose a product from the catalogue.") % {"number": number},
            )
            continue
        if product.kind != Product.Kind.PHYSICAL:
            _add(
                errors,
                "lines",
                _("Line %(number)d: %(name)s is a service: only goods are purchased.")
                % {"number": number, "name": product.name},
            )
            continue
        if not product.tracks_stock:
            _add(
                errors,
                "lines",
                _(
                    "Line %(number)d: %(name)s does not track stock, so it cannot be received "
                    "into a warehouse."
                )
                % {"number": number, "name": product.name},
            )
            continue
        line_errors: dict = {}
        quantity = parse_quantity(line.get("quantity"), line_errors, "quantity")
        price_given = line.get("unit_price") not in (None, "")
        if price_given and not sees_costs:
            _add(line_errors, "unit_price", _("only users who may see costs set purchase prices"))
            price = None
        elif price_given:
            price = parse_amount(line.get("unit_price"), line_errors, "unit_price", allow_zero=True)
        else:
            price = (prices or {}).get(product.pk, product.cost)
        amount = None
        if not line_errors:
            amount = fen(price * quantity)
            if not amount_fits(amount):
                _add(
                    line_errors,
                    "amount",
                    _("the line comes to more than %(max)s") % {"max": max_amount_text()},
                )
        for messages in line_errors.values():
            for message in messages:
                _add(
                    errors,
                    "lines",
                    _("Line %(number)d: %(message)s") % {"number": number, "message": message},
                )
        if line_errors:
            continue
        cleaned.append(
            {
                "product": product,
                "quantity": quantity,
                "unit_price": price,
                "amount": amount,
                "position": number - 1,
            }
        )
    if not amount_fits(sum((line["amount"] for line in cleaned), ZERO)):
        _add(
            errors,
            "lines",
            _("The lines add up to more than %(max)s.") % {"max": max_amount_text()},
        )
    return cleaned


def _header(user: User, data: dict, errors: dict) -> dict:
    cleaned: dict = {}
    if "supplier" in data:
        value = data["supplier"]
        supplier = get_or_none(selectors.company_suppliers(user).filter(is_active=True), value)
        if supplier is None:
            _add(errors, "supplier", _("Choose an active supplier from the list."))
        else:
            cleaned["supplier"] = supplier
    if "warehouse" in data:
        cleaned["warehouse"] = inventory_services.clean_warehouse(user, data["warehouse"], errors)
    for field in ("ordered_on", "expected_on"):
        if field in data:
            cleaned[field] = parse_day(data[field], errors, field)
    if "note" in data:
        cleaned["note"] = (data["note"] or "").strip()
    return cleaned


@transaction.atomic
def purchase_order_create(*, user: User, supplier, warehouse, lines, **data) -> PurchaseOrder:
    ensure_purchasing(user)
    errors: dict = {}
    for field in set(data) - {"ordered_on", "expected_on", "note"}:
        _add(errors, field, _("Unknown field."))
    cleaned = _header(user, {"supplier": supplier, "warehouse": warehouse, **data}, errors)
    cleaned_lines = _clean_lines(user, lines, errors)
    if errors:
        raise ValidationFailed(errors)
    order = PurchaseOrder(
        company_id=user.company_id,
        created_by=user,
        number=numbers.next_number(
            user.company_id,
            "purchase",
            "CG",
            lambda n: PurchaseOrder.objects.filter(company_id=user.company_id, number=n).exists(),
        ),
        amount=sum((line["amount"] for line in cleaned_lines), ZERO),
        **cleaned,
    )
    order._history_user = user
    order.save()
    PurchaseOrderLine.objects.bulk_create(
        [
            PurchaseOrderLine(company_id=user.company_id, purchase_order=order, **line)
            for line in cleaned_lines
        ]
    )
    return order


def _locked(user: User, order: PurchaseOrder) -> PurchaseOrder:
    ensure_purchasing(user)
    visible = selectors.get_purchase_order_for(user, order.pk)
    return PurchaseOrder.objects.select_for_update().get(pk=visible.pk)


@transaction.atomic
def purchase_order_update(*, user: User, order: PurchaseOrder, lines=None, **data) -> PurchaseOrder:
    """Change a draft purchase order (its lines too)."""
    order = _locked(user, order)
    if order.status != PurchaseOrder.Status.DRAFT:
        raise DomainError(_("Only a draft purchase order can change."), field="status")
    errors: dict = {}
    for field in set(data) - {"supplier", "warehouse", "ordered_on", "expected_on", "note"}:
        _add(errors, field, _("Unknown field."))
    cleaned = _header(user, data, errors)
    cleaned_lines = None
    if lines is not None:
        prices = dict(
            PurchaseOrderLine.objects.filter(purchase_order=order).values_list(
                "product_id", "unit_price"
            )
        )
        cleaned_lines = _clean_lines(user, lines, errors, prices)
    if errors:
        raise ValidationFailed(errors)
    for field, value in cleaned.items():
        setattr(order, field, value)
    if cleaned_lines is not None:
        PurchaseOrderLine.objects.filter(purchase_order=order).delete()
        PurchaseOrderLine.objects.bulk_create(
            [
                PurchaseOrderLine(company_id=user.company_id, purchase_order=order, **line)
                for line in cleaned_lines
            ]
        )
        order.amount = sum((line["amount"] for line in cleaned_lines), ZERO)
    order._history_user = user
    order.save()
    return order


@transaction.atomic
def purchase_order_delete(*, user: User, order: PurchaseOrder) -> None:
    """Only a draft purchase order is deleted; a placed one is cancelled."""
    order = _locked(user, order)
    if order.status != PurchaseOrder.Status.DRAFT:
        raise DomainError(
            _("Only a draft purchase order can be deleted: cancel it instead."), field="status"
        )
    order.delete()


@transaction.atomic
def purchase_order_place(*, user: User, order: PurchaseOrder, ordered_on=None) -> PurchaseOrder:
    """Draft → ordered (sent to the supplier)."""
    order = _locked(user, order)
    if order.status != PurchaseOrder.Status.DRAFT:
        raise DomainError(_("This purchase order has already been placed."), field="status")
    errors: dict = {}
    day = parse_day(ordered_on, errors, "ordered_on")
    if errors:
        raise ValidationFailed(errors)
    from django.utils import timezone

    order.ordered_on = day or order.ordered_on or timezone.localdate(timezone=user.company.zone)
    order.status = PurchaseOrder.Status.ORDERED
    order._history_user = user
    order.save()
    return order


@transaction.atomic
def purchase_order_cancel(*, user: User, order: PurchaseOrder) -> PurchaseOrder:
    """Draft or placed → cancelled, while nothing was received on it and no inbound slip of
    it waits (`selectors.purchase_order_cancel_refusal`, which its Cancel button asks too)."""
    order = _locked(user, order)
    refusal = selectors.purchase_order_cancel_refusal(user, order)
    if refusal is not None:
        raise DomainError(refusal)
    order.status = PurchaseOrder.Status.CANCELLED
    order._history_user = user
    order.save()
    return order


@transaction.atomic
def purchase_order_receive(*, user: User, order: PurchaseOrder, lines=None) -> StockSlip:
    """An inbound slip for what is still outstanding (not received and not on a waiting
    slip), or for the given {"line": id, "quantity": q}; a keeper confirms it. Only a
    placed order not yet fully received (`selectors.purchase_order_receive_refusal`, which
    its Receive form asks too)."""
    order = _locked(user, order)
    refusal = selectors.purchase_order_receive_refusal(user, order)
    if refusal is not None:
        raise DomainError(refusal, field="status")
    po_lines = {
        line.pk: line
        for line in PurchaseOrderLine.objects.filter(purchase_order=order).select_related("product")
    }
    pending = dict(
        StockSlipLine.objects.filter(
            purchase_line__purchase_order=order, slip__status=StockSlip.Status.DRAFT
        )
        .values("purchase_line_id")
        .annotate(total=ExactSum("quantity"))
        .values_list("purchase_line_id", "total")
    )

    def open_quantity(line):
        return max(line.quantity - line.received_quantity - pending.get(line.pk, ZERO), ZERO)

    errors: dict = {}
    wanted = []
    if lines is None:
        wanted = [
            (line, open_quantity(line)) for line in po_lines.values() if open_quantity(line) > 0
        ]
        if not wanted:
            _add(
                errors,
                "lines",
                _("Everything on this purchase order is received or on a waiting slip."),
            )
    else:
        if not isinstance(lines, list | tuple) or not lines:
            _add(errors, "lines", _("Add at least one line."))
            lines = []
        seen: dict[int, int] = {}
        for number, entry in enumerate(lines, start=1):
            line = po_lines.get(_int(entry.get("line")) if isinstance(entry, dict) else None)
            if line is None:
                _add(
                    errors,
                    "lines",
                    _("Line %(number)d: choose a line of this purchase order.")
                    % {"number": number},
                )
                continue
            if line.pk in seen:
                _add(errors, "lines", inventory_services.same_line(number, seen[line.pk]))
                continue
            seen[line.pk] = number
            line_errors: dict = {}
            quantity = parse_quantity(entry.get("quantity"), line_errors, "quantity")
            if quantity is None:
                for message in line_errors["quantity"]:
                    _add(
                        errors,
                        "lines",
                        _("Line %(number)d: %(message)s") % {"number": number, "message": message},
                    )
            elif quantity > open_quantity(line):
                _add(
                    errors,
                    "lines",
                    _("Line %(number)d: %(left)s of %(name)s is still to receive.")
                    % {"number": number, "left": open_quantity(line), "name": line.product.name},
                )
            else:
                wanted.append((line, quantity))
    if errors:
        raise ValidationFailed(errors)
    return inventory_services.inbound_slip_create(
        user=user,
        warehouse=order.warehouse,
        reason=_("Purchase order %(number)s") % {"number": order.number},
        purchase_order=order.pk,
        lines=[
            {"product": line.product_id, "quantity": quantity, "purchase_line": line.pk}
            for line, quantity in wanted
        ],
    )


@inventory_services.SLIP_CONFIRMED.register
def record_received(*, slip: StockSlip, user: User) -> None:
    """A keeper confirmed an inbound slip of a purchase order (inventory's `SLIP_CONFIRMED`,
    same transaction): its goods count as received, the order partly or fully received."""
    if not slip.purchase_order_id:
        return
    received = StockSlipLine.objects.filter(slip=slip, purchase_line__isnull=False)
    for line in received.only("purchase_line_id", "quantity"):
        PurchaseOrderLine.objects.filter(pk=line.purchase_line_id).update(
            received_quantity=F("received_quantity") + line.quantity
        )
    order = PurchaseOrder.objects.select_for_update().get(pk=slip.purchase_order_id)
    remaining = PurchaseOrderLine.objects.filter(
        purchase_order=order, received_quantity__lt=F("quantity")
    ).exists()
    order.status = (
        PurchaseOrder.Status.PARTLY_RECEIVED if remaining else PurchaseOrder.Status.RECEIVED
    )
    order._history_user = user
    order.save(update_fields=["status", "updated_at"])
