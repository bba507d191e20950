"""Writes on inventory: warehouses, initial stock, stock slips, stocktakes, shipments.

The one way stock changes is `_move`: it locks the stock-level rows it touches (in product
order, so two confirmations never deadlock), refuses any change that would take a level below
zero with a message naming each product and what is short, updates the levels and writes one
StockMovement per change, all in the caller's transaction. On PostgreSQL the row locks make
concurrent confirmations queue up, so exactly the slips that fit succeed; on SQLite writers
are serialised anyway. A CHECK constraint refuses a negative level as a last line.

Who does what:
- an admin boss creates warehouses and assigns their keepers (users with the "warehouse
  keeper" permission);
- a keeper of a warehouse enters its initial stock, writes slips by hand (with a reason),
  confirms or rejects its slips, and counts and confirms its stocktakes;
- whoever may change an order asks for its outbound slip; purchasing staff receive purchase
  orders into inbound slips;
- whoever may change an order ships it: after its outbound slip is confirmed for products that
  track stock (when the company uses inventory), directly otherwise; never more than ordered.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from banyan.accounts.guards import ensure_account_admin, ensure_can_write, ensure_permission
from banyan.accounts.models import User
from banyan.agreements import selectors as agreement_selectors
from banyan.agreements.models import Agreement, AgreementLine
from banyan.core import numbers
from banyan.core.errors import DomainError, PermissionRefused, ValidationFailed
from banyan.core.fetch import get_for, get_or_none
from banyan.core.models import ExactSum
from banyan.core.text import squash_spaces
from banyan.core.values import MAX_QUANTITY, fen, parse_day, parse_quantity
from banyan.inventory import selectors
from banyan.inventory.models import (
    Shipment,
    ShipmentLine,
    StockLevel,
    StockMovement,
    StockSlip,
    StockSlipLine,
    Stocktake,
    StocktakeLine,
    Warehouse,
)
from banyan.products.models import Product

ZERO = Decimal("0.00")
SLIP_PREFIXES = {StockSlip.Kind.INBOUND: "RK", StockSlip.Kind.OUTBOUND: "CK"}


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


# --- the one way stock changes -----------------------------------------------------------


def _move(
    user: User,
    warehouse: Warehouse,
    changes: list[tuple[Product, Decimal]],
    *,
    reason: str,
    slip: StockSlip | None = None,
    stocktake: Stocktake | None = None,
    note: str = "",
) -> None:
    """Apply (product, signed quantity) changes to one warehouse's levels, or refuse them all
    naming every product that would go below zero."""
    per_product: dict[int, Decimal] = defaultdict(lambda: ZERO)
    products: dict[int, Product] = {}
    for product, quantity in changes:
        per_product[product.pk] += quantity
        products[product.pk] = product
    StockLevel.objects.bulk_create(
        [
            StockLevel(company_id=warehouse.company_id, warehouse=warehouse, product_id=pk)
            for pk in per_product
        ],
        ignore_conflicts=True,
    )
    levels = {
        level.product_id: level
        for level in StockLevel.objects.select_for_update()
        .filter(warehouse=warehouse, product_id__in=list(per_product))
        .order_by("product_id")
    }
    short = []
    for pk, delta in per_product.items():
        after = levels[pk].quantity + delta
        if after > MAX_QUANTITY or abs(delta) > MAX_QUANTITY:
            raise DomainError(
                _("%(product)s: the stock at %(warehouse)s would pass %(max)s.")
                % {
                    "product": products[pk].name,
                    "warehouse": warehouse.name,
                    "max": f"{MAX_QUANTITY:,}",
                }
            )
        if after < 0:
            short.append(
                _(
                    "%(product)s: %(have)s in stock at %(warehouse)s, %(need)s needed "
                    "(%(short)s short)"
                )
                % {
                    "product": products[pk].name,
                    "have": _quantity_text(levels[pk].quantity),
                    "warehouse": warehouse.name,
                    "need": _quantity_text(-delta),
                    "short": _quantity_text(-after),
                }
            )
    if short:
        raise DomainError(_("Not enough stock. %(details)s.") % {"details": "; ".join(short)})
    now = timezone.now()
    for pk, delta in per_product.items():
        if delta == 0:
            continue
        level = levels[pk]
        level.quantity += delta
        level.save(update_fields=["quantity", "updated_at"])
    StockMovement.objects.bulk_create(
        [
            StockMovement(
                company_id=warehouse.company_id,
                product_id=pk,
                warehouse=warehouse,
                quantity=delta,
                reason=reason,
                note=note[:255],
                slip=slip,
                stocktake=stocktake,
                moved_by=user,
                moved_at=now,
            )
            for pk, delta in per_product.items()
            if delta != 0
        ]
    )


def check_stock(company_id: int | None = None) -> list[str]:
    """Every stock level that differs from the sum of its movements (empty when right)."""
    levels = StockLevel.objects.all()
    moves = StockMovement.objects.all()
    if company_id is not None:
        levels = levels.filter(company_id=company_id)
        moves = moves.filter(company_id=company_id)
    sums = {
        # SQLite adds decimals as floats: back to two places before comparing.
        (row["warehouse_id"], row["product_id"]): fen(row["total"])
        for row in moves.values("warehouse_id", "product_id").annotate(total=ExactSum("quantity"))
    }
    problems = []
    seen = set()
    for level in levels.select_related("product", "warehouse"):
        key = (level.warehouse_id, level.product_id)
        seen.add(key)
        expected = sums.get(key, ZERO)
        if level.quantity != expected:
            problems.append(
                f"{level.warehouse.name} / {level.product.code}: "
                f"level {_quantity_text(level.quantity)}, movements {_quantity_text(expected)}"
            )
    for key, total in sums.items():
        if key not in seen and total != 0:
            problems.append(
                f"warehouse {key[0]} / product {key[1]}: "
                f"no level, movements {_quantity_text(total)}"
            )
    return problems


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
    slips, stocktakes or purchase orders is closed instead (`is_active` off)."""
    ensure_account_admin(user)
    warehouse = _locked_warehouse(user, warehouse)
    if (
        StockMovement.objects.filter(warehouse=warehouse).exists()
        or warehouse.slips.exists()
        or warehouse.stocktakes.exists()
        or warehouse.purchase_orders.exists()
    ):
        raise DomainError(
            _("%(name)s has stock records or purchase orders: close it instead.")
            % {"name": warehouse.name}
        )
    # Without a single movement every level of it is zero: nothing is lost.
    StockLevel.objects.filter(warehouse=warehouse).delete()
    warehouse.delete()


# --- lines of products --------------------------------------------------------------------


def _stock_product(user: User, value, errors: dict, field: str, number: int) -> Product | None:
    product = get_or_none(Product.objects.filter(company_id=user.company_id), value)
    if product is None:
        _add(
            errors,
            field,
            _("Line %(number)d: choose a product from the catalogue.") % {"number": number},
        )
        return None
    if not product.tracks_stock:
        _add(
            errors,
            field,
            _("Line %(number)d: %(name)s does not track stock.")
            % {"number": number, "name": product.name},
        )
        return None
    return product


def _clean_product_lines(user: User, lines, errors: dict) -> list[tuple[Product, Decimal]]:
    if not isinstance(lines, list | tuple) or not lines:
        _add(errors, "lines", _("Add at least one product line."))
        return []
    cleaned = []
    for number, line in enumerate(lines, start=1):
        if not isinstance(line, dict):
            _add(errors, "lines", _("Line %(number)d: not a line.") % {"number": number})
            continue
        product = _stock_product(user, line.get("product"), errors, "lines", number)
        line_errors: dict = {}
        quantity = parse_quantity(line.get("quantity"), line_errors, "quantity")
        for message in line_errors.get("quantity", []):
            _add(
                errors,
                "lines",
                _("Line %(number)d: %(message)s") % {"number": number, "message": message},
            )
        if product is not None and quantity is not None:
            cleaned.append((product, quantity))
    return cleaned


def _reason(value, errors: dict, *, required: bool) -> str:
    reason = squash_spaces(value or "")
    if required and not reason:
        _add(errors, "reason", _("Give the reason."))
    elif len(reason) > 255:
        _add(errors, "reason", _("A reason has at most 255 characters."))
    return reason


def clean_warehouse(user: User, value, errors: dict) -> Warehouse | None:
    warehouse = get_or_none(selectors.company_warehouses(user), value)
    if warehouse is None:
        _add(errors, "warehouse", _("Choose a warehouse from the list."))
        return None
    if not warehouse.is_active:
        _add(errors, "warehouse", _("%(name)s is closed.") % {"name": warehouse.name})
        return None
    return warehouse


# --- initial stock ------------------------------------------------------------------------


@transaction.atomic
def initial_stock(*, user: User, warehouse, lines, note: str = "") -> None:
    """A keeper enters the stock a warehouse starts with. Only for products with no stock
    history in that warehouse yet: later corrections are stocktakes."""
    errors: dict = {}
    warehouse_row = clean_warehouse(user, warehouse, errors)
    if warehouse_row is not None:
        _ensure_keeper_of(user, warehouse_row)
    cleaned = _clean_product_lines(user, lines, errors)
    if errors:
        raise ValidationFailed(errors)
    # One initial entry at a time per warehouse: the check below then sees the last one.
    Warehouse.objects.select_for_update().filter(pk=warehouse_row.pk).first()
    started = set(
        StockMovement.objects.filter(
            warehouse=warehouse_row, product_id__in=[p.pk for p, _q in cleaned]
        ).values_list("product_id", flat=True)
    )
    already = [p.name for p, _q in cleaned if p.pk in started]
    if already:
        raise ValidationFailed(
            {
                "lines": [
                    _(
                        "%(names)s already have stock records here: count them in a "
                        "stocktake instead."
                    )
                    % {"names": ", ".join(already)}
                ]
            }
        )
    _move(user, warehouse_row, cleaned, reason=StockMovement.Reason.INITIAL, note=note)


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


def same_line(number: int, first: int) -> str:
    """A line given twice would pass each limit alone and break it together: refused."""
    return _("Line %(number)d: the same line as line %(first)d; give each line once.") % {
        "number": number,
        "first": first,
    }


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _order_lines(state, lines, errors: dict, *, eligible, choose, limit, too_many) -> list:
    """[(order line, quantity)] from [{"agreement_line": id, "quantity": q}], each line of the
    order at most once and within `limit(entry)`; faults go to errors["lines"], numbered."""
    if not isinstance(lines, list | tuple) or not lines:
        _add(errors, "lines", _("Add at least one line."))
        return []
    wanted = []
    seen: dict[int, int] = {}
    for number, line in enumerate(lines, start=1):
        entry = state.get(_int(line.get("agreement_line")) if isinstance(line, dict) else None)
        if entry is None or not eligible(entry):
            _add(errors, "lines", choose % {"number": number})
            continue
        if entry.line.pk in seen:
            _add(errors, "lines", same_line(number, seen[entry.line.pk]))
            continue
        seen[entry.line.pk] = number
        line_errors: dict = {}
        quantity = parse_quantity(line.get("quantity"), line_errors, "quantity")
        if quantity is None:
            for message in line_errors["quantity"]:
                _add(
                    errors,
                    "lines",
                    _("Line %(number)d: %(message)s") % {"number": number, "message": message},
                )
        elif quantity > limit(entry):
            _add(
                errors,
                "lines",
                too_many(entry, quantity)
                % {
                    "number": number,
                    "name": entry.line.product.name,
                    "left": _quantity_text(limit(entry)),
                },
            )
        else:
            wanted.append((entry.line, quantity))
    return wanted


def _too_many_to_ship(entry, quantity):
    if entry.needs_stock and entry.shipped + quantity <= entry.ordered:
        return _(
            "Line %(number)d: only %(left)s of %(name)s has left the warehouse and "
            "not shipped yet; confirm its outbound slip first."
        )
    return _("Line %(number)d: %(name)s has %(left)s left to ship of what was ordered.")


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
    (outbound, never below zero), one movement per product; an inbound slip of a purchase
    order counts as received."""
    slip = _locked_draft(user, slip)
    lines = list(StockSlipLine.objects.filter(slip=slip).select_related("product", "purchase_line"))
    sign = 1 if slip.kind == StockSlip.Kind.INBOUND else -1
    _move(
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
    if slip.purchase_order_id:
        from banyan.purchasing.services import record_received

        record_received(slip=slip, lines=lines)
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


# --- stocktakes ---------------------------------------------------------------------------


@transaction.atomic
def stocktake_start(*, user: User, warehouse, note: str = "") -> Stocktake:
    """A count sheet of every stock-tracked active product, with the book quantities now."""
    errors: dict = {}
    warehouse_row = clean_warehouse(user, warehouse, errors)
    if errors:
        raise ValidationFailed(errors)
    _ensure_keeper_of(user, warehouse_row)
    # Two keepers starting a count at once: the second waits here, then sees the first.
    Warehouse.objects.select_for_update().filter(pk=warehouse_row.pk).first()
    if Stocktake.objects.filter(warehouse=warehouse_row, status=Stocktake.Status.DRAFT).exists():
        raise DomainError(_("A stocktake of this warehouse is already open: finish it first."))
    stocktake = Stocktake.objects.create(
        company_id=user.company_id,
        warehouse=warehouse_row,
        note=squash_spaces(note)[:255],
        created_by=user,
        counted_on=timezone.localdate(timezone=user.company.zone),
        number=numbers.next_number(
            user.company_id,
            "stocktake",
            "PD",
            lambda n: Stocktake.objects.filter(company_id=user.company_id, number=n).exists(),
        ),
    )
    book = dict(
        StockLevel.objects.filter(warehouse=warehouse_row).values_list("product_id", "quantity")
    )
    products = Product.objects.filter(company_id=user.company_id, tracks_stock=True).filter(
        is_active=True
    ) | Product.objects.filter(
        company_id=user.company_id, pk__in=[pk for pk, quantity in book.items() if quantity != 0]
    )
    StocktakeLine.objects.bulk_create(
        [
            StocktakeLine(
                company_id=user.company_id,
                stocktake=stocktake,
                product=product,
                book_quantity=book.get(product.pk, ZERO),
            )
            for product in products.distinct().order_by("code")
        ]
    )
    return stocktake


def _open_stocktake(user: User, stocktake: Stocktake) -> Stocktake:
    visible = selectors.get_stocktake_for(user, stocktake.pk)
    _ensure_keeper_of(user, visible.warehouse)
    locked = (
        Stocktake.objects.select_for_update(of=("self",))
        .select_related("warehouse")
        .get(pk=visible.pk)
    )
    if locked.status != Stocktake.Status.DRAFT:
        raise DomainError(_("This stocktake is already confirmed."), field="status")
    return locked


@transaction.atomic
def stocktake_count(*, user: User, stocktake: Stocktake, counts: dict) -> Stocktake:
    """Enter counted quantities: {line id: {"counted": q, "reason": text}}. A difference from
    the book quantity needs its reason."""
    stocktake = _open_stocktake(user, stocktake)
    lines = {
        line.pk: line
        for line in StocktakeLine.objects.filter(stocktake=stocktake).select_related("product")
    }
    errors: dict = {}
    changed = []
    for key, entry in (counts or {}).items():
        line = lines.get(_int(key))
        if line is None or not isinstance(entry, dict):
            _add(errors, "lines", _("Count only the lines of this stocktake."))
            continue
        if entry.get("counted") in (None, ""):
            line.counted_quantity = None
            line.reason = ""
            changed.append(line)
            continue
        line_errors: dict = {}
        counted = parse_quantity(entry.get("counted"), line_errors, "counted", allow_zero=True)
        reason = squash_spaces(entry.get("reason") or "")[:255]
        if counted is None:
            for message in line_errors["counted"]:
                _add(
                    errors,
                    "lines",
                    _("%(name)s: %(message)s") % {"name": line.product.name, "message": message},
                )
            continue
        if counted != line.book_quantity and not reason:
            _add(
                errors,
                "lines",
                _(
                    "%(name)s: counted %(counted)s against %(book)s in the books; give the "
                    "reason for the difference."
                )
                % {
                    "name": line.product.name,
                    "counted": _quantity_text(counted),
                    "book": _quantity_text(line.book_quantity),
                },
            )
            continue
        line.counted_quantity = counted
        line.reason = reason
        changed.append(line)
    if errors:
        raise ValidationFailed(errors)
    StocktakeLine.objects.bulk_update(changed, ["counted_quantity", "reason"])
    return stocktake


@transaction.atomic
def stocktake_confirm(*, user: User, stocktake: Stocktake) -> Stocktake:
    """Every line counted: each difference becomes an adjustment movement. Stock that moved
    since the count sheet was made is kept: the adjustment is counted − book."""
    stocktake = _open_stocktake(user, stocktake)
    lines = list(StocktakeLine.objects.filter(stocktake=stocktake).select_related("product"))
    missing = [line.product.name for line in lines if line.counted_quantity is None]
    if missing:
        raise ValidationFailed(
            {
                "lines": [
                    _("Count every product first: %(names)s.") % {"names": ", ".join(missing[:10])}
                ]
            }
        )
    changes = [
        (line.product, line.counted_quantity - line.book_quantity)
        for line in lines
        if line.counted_quantity != line.book_quantity
    ]
    if changes:
        _move(
            user,
            stocktake.warehouse,
            changes,
            reason=StockMovement.Reason.STOCKTAKE,
            stocktake=stocktake,
            note=stocktake.number,
        )
    stocktake.status = Stocktake.Status.CONFIRMED
    stocktake.confirmed_by = user
    stocktake.confirmed_at = timezone.now()
    stocktake.save()
    return stocktake


# --- shipments ----------------------------------------------------------------------------


@transaction.atomic
def shipment_create(
    *,
    user: User,
    agreement,
    carrier: str,
    shipped_on,
    lines=None,
    tracking_number: str = "",
    note: str = "",
) -> Shipment:
    """Ship an order's goods: `lines` [{"agreement_line": id, "quantity": q}], by default
    everything that may ship now. Never more than ordered, nor more than released from stock
    for products that go through an outbound slip."""
    ensure_can_write(user)
    order = agreement_selectors.get_agreement_for(
        user, agreement.pk if isinstance(agreement, Agreement) else agreement, for_edit=True
    )
    if order.kind != Agreement.Kind.ORDER:
        raise DomainError(_("Only orders are shipped."))
    if order.status not in (Agreement.Status.SIGNED, Agreement.Status.EXECUTING):
        raise DomainError(_("Only a signed or executing order ships."), field="status")
    Agreement.objects.select_for_update().filter(pk=order.pk).first()
    errors: dict = {}
    carrier = squash_spaces(carrier or "")
    if not carrier:
        _add(errors, "carrier", _("Enter the carrier."))
    elif len(carrier) > 100:
        _add(errors, "carrier", _("At most 100 characters."))
    tracking_number = squash_spaces(tracking_number or "")[:100]
    day = parse_day(shipped_on, errors, "shipped_on", required=True)
    state = {entry.line.pk: entry for entry in selectors.order_shipping(user, order)}
    wanted: list[tuple[AgreementLine, Decimal]] = []
    if lines is None:
        wanted = [(e.line, e.shippable) for e in state.values() if e.shippable > 0]
        if not wanted:
            _add(errors, "lines", _("Nothing of this order can ship now."))
    else:
        wanted = _order_lines(
            state,
            lines,
            errors,
            eligible=lambda entry: True,
            choose=_("Line %(number)d: choose a line of this order."),
            limit=lambda entry: entry.shippable,
            too_many=_too_many_to_ship,
        )
    if errors:
        raise ValidationFailed(errors)
    shipment = Shipment.objects.create(
        company_id=user.company_id,
        agreement=order,
        customer_id=order.customer_id,
        carrier=carrier,
        tracking_number=tracking_number,
        shipped_on=day,
        note=squash_spaces(note or "")[:255],
        created_by=user,
    )
    ShipmentLine.objects.bulk_create(
        [
            ShipmentLine(
                company_id=user.company_id, shipment=shipment, agreement_line=line, quantity=q
            )
            for line, q in wanted
        ]
    )
    return shipment


def ensure_purchasing(user: User) -> None:
    ensure_can_write(user)
    ensure_permission(user, "purchasing", _("Only purchasing staff may do this."))
