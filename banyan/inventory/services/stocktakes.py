"""Writes on stocktakes: start a count sheet, count, confirm."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from banyan.accounts.models import User
from banyan.core import numbers
from banyan.core.errors import DomainError, ValidationFailed
from banyan.core.text import squash_spaces
from banyan.core.values import parse_quantity
from banyan.inventory import selectors
from banyan.inventory.models import StockLevel, StockMovement, Stocktake, StocktakeLine, Warehouse
from banyan.inventory.services import stock
from banyan.inventory.services.common import ZERO, _add, _ensure_keeper_of, _int, _quantity_text
from banyan.inventory.services.lines import clean_warehouse
from banyan.products.models import Product

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
        stock._move(
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
