"""The one way stock changes (`_move`), the check of levels against movements, initial stock."""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from banyan.accounts.guards import ensure_can_write
from banyan.accounts.models import User
from banyan.core.errors import DomainError, ValidationFailed
from banyan.core.models import ExactSum
from banyan.core.values import MAX_QUANTITY, fen
from banyan.inventory.models import StockLevel, StockMovement, StockSlip, Stocktake, Warehouse
from banyan.inventory.services.common import ZERO, _ensure_keeper_of, _quantity_text
from banyan.inventory.services.lines import _clean_product_lines, clean_warehouse
from banyan.products.models import Product

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
    started = _started(warehouse_row, [p.pk for p, _q in cleaned])
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


_INITIAL_REASONS = [StockMovement.Reason.INITIAL, StockMovement.Reason.REVERTED]


def _started(warehouse: Warehouse, product_ids: list[int]) -> set[int]:
    """The products with stock history in `warehouse`: any movement but an initial entry
    and its revert, which leave the level to start again."""
    rows = (
        StockMovement.objects.filter(warehouse=warehouse, product_id__in=product_ids)
        .values("product_id")
        .annotate(
            total=ExactSum("quantity"),
            others=Count("pk", filter=~Q(reason__in=_INITIAL_REASONS)),
        )
    )
    return {row["product_id"] for row in rows if row["others"] or fen(row["total"]) != 0}


def initial_entries(user: User, warehouse_id: int, product_ids: list[int]) -> dict[int, int]:
    """{product id: id of its latest initial-stock movement} in a warehouse of the user's
    company: what an import of initial stock keeps, to be able to revert it."""
    moves = StockMovement.objects.filter(
        company_id=user.company_id,
        warehouse_id=warehouse_id,
        product_id__in=product_ids,
        reason=StockMovement.Reason.INITIAL,
    ).values_list("product_id", "pk")
    latest: dict[int, int] = {}
    for product_id, pk in moves:
        latest[product_id] = max(pk, latest.get(product_id, 0))
    return latest


@transaction.atomic
def initial_stock_revert(*, user: User, entries: list[dict], note: str = "") -> list[dict]:
    """Undo initial-stock entries (an import's revert: its importer or an admin boss, who
    checked that first). Each entry is {"movement": id of the initial movement}. An entry
    whose level moved since (a slip, a stocktake) is kept, and returned with the reason; the
    others get a movement taking their quantity back out, after which the level may be
    entered again. The ledger itself is never changed."""
    ensure_can_write(user)
    moves = {
        move.pk: move
        for move in StockMovement.objects.select_related("product", "warehouse").filter(
            company_id=user.company_id,
            pk__in=[entry["movement"] for entry in entries],
            reason=StockMovement.Reason.INITIAL,
        )
    }
    later = set(
        StockMovement.objects.filter(company_id=user.company_id)
        .filter(
            Q(
                *[
                    Q(warehouse_id=m.warehouse_id, product_id=m.product_id, pk__gt=m.pk)
                    for m in moves.values()
                ],
                _connector=Q.OR,
            )
            if moves
            else Q(pk__in=[])
        )
        .values_list("warehouse_id", "product_id")
    )
    kept = []
    by_warehouse: dict[int, list] = defaultdict(list)
    for move in sorted(moves.values(), key=lambda m: (m.warehouse_id, m.product_id)):
        if (move.warehouse_id, move.product_id) in later:
            kept.append(
                {
                    "model": "stock",
                    "id": move.pk,
                    "name": f"{move.product.code} @ {move.warehouse.name}",
                    "reason": _("has stock movements since the import"),
                }
            )
        else:
            by_warehouse[move.warehouse_id].append(move)
    for moves_here in by_warehouse.values():
        _move(
            user,
            moves_here[0].warehouse,
            [(move.product, -move.quantity) for move in moves_here],
            reason=StockMovement.Reason.REVERTED,
            note=note,
        )
    return kept
