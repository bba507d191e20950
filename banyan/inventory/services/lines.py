"""Lines of products and of orders, as slips, initial stock and shipments take them."""

from decimal import Decimal

from django.utils.translation import gettext as _

from banyan.accounts.models import User
from banyan.core.fetch import get_or_none
from banyan.core.text import squash_spaces
from banyan.core.values import parse_quantity
from banyan.inventory import selectors
from banyan.inventory.models import Warehouse
from banyan.inventory.services.common import _add, _int, _quantity_text
from banyan.products.models import Product

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


def same_line(number: int, first: int) -> str:
    """A line given twice would pass each limit alone and break it together: refused."""
    return _("Line %(number)d: the same line as line %(first)d; give each line once.") % {
        "number": number,
        "first": first,
    }


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
