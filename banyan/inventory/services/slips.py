"""Writes on stock slips: by hand, from an order, confirmed or rejected."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from banyan.accounts.guards import ensure_can_write
from banyan.accounts.models import User
from banyan.agreements import selectors as agreement_selectors
from banyan.agreements.models import Agreement, AgreementLine
from banyan.core import numbers
from banyan.core.errors import DomainError, NotFound, ValidationFailed
from banyan.core.hooks import Hook
from banyan.inventory import selectors
from banyan.inventory.models import StockSlip, StockSlipLine, Warehouse
from banyan.inventory.services import stock
from banyan.inventory.services.common import _add, _ensure_keeper_of
from banyan.inventory.services.lines import (
    _clean_product_lines,
    _order_lines,
    _reason,
    clean_warehouse,
)
from banyan.products.models import Product

SLIP_PREFIXES = {StockSlip.Kind.INBOUND: "RK", StockSlip.Kind.OUTBOUND: "CK"}

# A keeper confirmed `slip` (its stock has moved); the apps whose slips these are register
# here (purchasing counts a purchase order's goods received). Inside the confirmation's
# transaction: a function that raises undoes the confirmation.
SLIP_CONFIRMED = Hook("slip confirmed", "slip, user")


# --- slips --------------------------------------------------------------------------------


def new_slip(user: User, kind: str, warehouse: Warehouse, **fields) -> StockSlip:
    slip = StockSlip(
        company_id=user.company_id,
        kind=kind,
        warehouse=warehouse,
        created_by=user,
        number=numbers.next_number(
            user.company_id,
            f"slip_{kind}",
            SLIP_PREFIXES[kind],
            lambda n: StockSlip.objects.filter(company_id=user.company_id, number=n).exists(),
        ),
        **fields,
    )
    slip._history_user = user
    slip.save()
    return slip


@transaction.atomic
def slip_create(*, user: User, kind: str, warehouse, lines, reason: str = "") -> StockSlip:
    """A slip by hand (a keeper of the warehouse, with a reason), waiting for confirmation."""
    errors: dict = {}
    if kind not in StockSlip.Kind.values:
        _add(errors, "kind", _("Choose inbound or outbound."))
    warehouse_row = clean_warehouse(user, warehouse, errors)
    if warehouse_row is not None:
        _ensure_keeper_of(user, warehouse_row)
    reason = _reason(reason, errors, required=True)
    cleaned = _clean_product_lines(user, lines, errors)
    if errors:
        raise ValidationFailed(errors)
    slip = new_slip(user, kind, warehouse_row, reason=reason)
    StockSlipLine.objects.bulk_create(
        [
            StockSlipLine(company_id=user.company_id, slip=slip, product=product, quantity=quantity)
            for product, quantity in cleaned
        ]
    )
    return slip


@transaction.atomic
def slip_request(
    *, user: User, warehouse, agreement=None, kind: str | None = None, reason: str = "", lines=None
) -> StockSlip:
    """A slip asked for in one call: with `agreement`, the order's outbound slip
    (`slip_from_order`: no kind but outbound, no reason, the order is its reason; `lines`
    [{"agreement_line", "quantity"}] or None for everything not yet on a slip); without one,
    a slip by hand (`slip_create`: inbound or outbound, with a reason; `lines`
    [{"product", "quantity"}])."""
    if agreement is not None:
        if (kind or StockSlip.Kind.OUTBOUND) != StockSlip.Kind.OUTBOUND:
            raise ValidationFailed({"kind": [_("An order's slip is outbound.")]})
        if (reason or "").strip():
            raise ValidationFailed(
                {"reason": [_("An order's slip takes no reason: the order is its reason.")]}
            )
        return slip_from_order(
            user=user,
            agreement=agreement,
            warehouse=warehouse,
            lines=None
            if lines is None
            else [
                {"agreement_line": line.get("agreement_line"), "quantity": line["quantity"]}
                for line in lines
            ],
        )
    if kind is None:
        raise ValidationFailed({"kind": [_("Choose inbound or outbound (or give the order).")]})
    return slip_create(
        user=user,
        kind=kind,
        warehouse=warehouse,
        reason=reason,
        lines=[
            {"product": line.get("product"), "quantity": line["quantity"]} for line in lines or []
        ],
    )


@transaction.atomic
def slip_from_order(*, user: User, agreement, warehouse, lines=None) -> StockSlip:
    """An outbound slip for an order's lines of products that track stock. `lines`:
    [{"agreement_line": id, "quantity": q}], by default everything not yet on a slip."""
    ensure_can_write(user)
    order = agreement_selectors.get_agreement_for(
        user, agreement.pk if isinstance(agreement, Agreement) else agreement, for_edit=True
    )
    if order.kind != Agreement.Kind.ORDER:
        raise DomainError(_("Only orders go out of stock: a contract sells services."))
    if order.status not in (Agreement.Status.SIGNED, Agreement.Status.EXECUTING):
        raise DomainError(_("Sign the order before asking for its goods."), field="status")
    if not user.company.uses_inventory:
        raise DomainError(_("Your company does not use inventory: ship the order directly."))
    Agreement.objects.select_for_update().filter(pk=order.pk).first()
    errors: dict = {}
    warehouse_row = clean_warehouse(user, warehouse, errors)
    state = {entry.line.pk: entry for entry in selectors.order_shipping(user, order)}
    wanted: list[tuple[AgreementLine, Decimal]] = []
    if lines is None:
        wanted = [(e.line, e.to_release) for e in state.values() if e.to_release > 0]
        if not wanted:
            _add(errors, "lines", _("Every stock item of this order is already on a slip."))
    else:
        wanted = _order_lines(
            state,
            lines,
            errors,
            eligible=lambda entry: entry.needs_stock,
            choose=_("Line %(number)d: choose a stock item of this order."),
            limit=lambda entry: entry.to_release,
            too_many=lambda entry, quantity: _(
                "Line %(number)d: %(name)s has %(left)s left to take out of stock."
            ),
        )
    if errors:
        raise ValidationFailed(errors)
    slip = new_slip(user, StockSlip.Kind.OUTBOUND, warehouse_row, agreement=order)
    StockSlipLine.objects.bulk_create(
        [
            StockSlipLine(
                company_id=user.company_id,
                slip=slip,
                product_id=line.product_id,
                quantity=quantity,
                agreement_line=line,
            )
            for line, quantity in wanted
        ]
    )
    return slip


@transaction.atomic
def inbound_slip_create(
    *, user: User, warehouse: Warehouse, reason: str, lines, purchase_order=None
) -> StockSlip:
    """An inbound slip for goods another app brings in, waiting for a keeper of `warehouse`
    like any slip. `lines`: [{"product": id, "quantity": q, "purchase_line": id or None}],
    the quantities already checked by the caller against what it allows; `purchase_order`
    and each line's `purchase_line` (ids) link the slip back to what it receives. The caller
    checks its own rights first (purchasing staff); this refuses a warehouse or product of
    another company (404) and a quantity that is not above zero."""
    ensure_can_write(user)
    if warehouse.company_id != user.company_id:
        raise NotFound()
    lines = list(lines)
    products = {line["product"] for line in lines}
    known = Product.objects.filter(company_id=user.company_id, pk__in=products).count()
    if known != len(products):
        raise NotFound()
    if not lines or any(not line["quantity"] > 0 for line in lines):
        raise ValidationFailed({"lines": [_("Add at least one line.")]})
    slip = new_slip(
        user, StockSlip.Kind.INBOUND, warehouse, purchase_order_id=purchase_order, reason=reason
    )
    StockSlipLine.objects.bulk_create(
        [
            StockSlipLine(
                company_id=user.company_id,
                slip=slip,
                product_id=line["product"],
                quantity=line["quantity"],
                purchase_line_id=line.get("purchase_line"),
            )
            for line in lines
        ]
    )
    return slip


def _locked_draft(user: User, slip: StockSlip) -> StockSlip:
    visible = selectors.get_slip_for(user, slip.pk)
    _ensure_keeper_of(user, visible.warehouse)
    # Lock the slip only (not its warehouse through the join): confirmations of different
    # slips meet on the stock levels they change, not on the whole warehouse.
    locked = (
        StockSlip.objects.select_for_update(of=("self",))
        .select_related("warehouse")
        .get(pk=visible.pk)
    )
    if locked.status != StockSlip.Status.DRAFT:
        raise DomainError(
            _("Slip %(number)s is already %(status)s.")
            % {"number": locked.number, "status": locked.get_status_display().lower()},
            field="status",
        )
    return locked


@transaction.atomic
def slip_confirm(*, user: User, slip: StockSlip) -> StockSlip:
    """A keeper of the slip's warehouse confirms it: stock rises (inbound) or falls
    (outbound, never below zero), one movement per product; then `SLIP_CONFIRMED` runs (an
    inbound slip of a purchase order counts as received), in the same transaction."""
    slip = _locked_draft(user, slip)
    lines = list(StockSlipLine.objects.filter(slip=slip).select_related("product"))
    sign = 1 if slip.kind == StockSlip.Kind.INBOUND else -1
    stock._move(
        user,
        slip.warehouse,
        [(line.product, sign * line.quantity) for line in lines],
        reason=slip.kind,
        slip=slip,
    )
    slip.status = StockSlip.Status.CONFIRMED
    slip.decided_by = user
    slip.decided_at = timezone.now()
    slip._history_user = user
    slip.save()
    SLIP_CONFIRMED.run(slip=slip, user=user)
    return slip


@transaction.atomic
def slip_reject(*, user: User, slip: StockSlip, reason: str) -> StockSlip:
    slip = _locked_draft(user, slip)
    errors: dict = {}
    reason = _reason(reason, errors, required=True)
    if errors:
        raise ValidationFailed(errors)
    slip.status = StockSlip.Status.REJECTED
    slip.reject_reason = reason
    slip.decided_by = user
    slip.decided_at = timezone.now()
    slip._history_user = user
    slip.save()
    return slip
