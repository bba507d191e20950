"""Reads on purchasing. Suppliers and purchase orders are seen by purchasing staff, keepers
and bosses; purchase prices only by those who may also see costs."""

from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from banyan.accounts import visibility
from banyan.accounts.models import User
from banyan.core.errors import PermissionRefused
from banyan.core.fetch import get_for
from banyan.core.history import HIDDEN_FIELDS, HistoryEntry, build_history
from banyan.core.models import ExactSum
from banyan.inventory import selectors as inventory_selectors
from banyan.inventory.models import StockSlip
from banyan.inventory.selectors import sees_all_stock_papers
from banyan.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier

ZERO = Decimal("0.00")


def sees_purchasing(user: User) -> bool:
    return sees_all_stock_papers(user)


def can_purchase(user: User) -> bool:
    """Purchasing staff (the "purchasing" permission) keep suppliers and purchase orders."""
    return bool(
        user.is_authenticated
        and user.company_id
        and user.is_active
        and user.has_perm("accounts.purchasing")
    )


def ensure_sees_purchasing(user: User) -> None:
    if not sees_purchasing(user):
        raise PermissionRefused(
            _(
                "Only purchasing staff, warehouse keepers and bosses see suppliers and "
                "purchase orders."
            )
        )


def company_suppliers(user: User) -> QuerySet[Supplier]:
    suppliers = visibility.of_company(user, Supplier)
    return suppliers if sees_purchasing(user) else suppliers.none()


def get_supplier_for(user: User, pk) -> Supplier:
    return get_for(company_suppliers(user), pk)


def supplier_list(
    user: User, *, search: str = "", active: bool | None = None
) -> QuerySet[Supplier]:
    suppliers = company_suppliers(user)
    for term in search.split():
        suppliers = suppliers.filter(
            Q(name__icontains=term) | Q(contact_name__icontains=term) | Q(phone__icontains=term)
        )
    if active is not None:
        suppliers = suppliers.filter(is_active=active)
    return suppliers.order_by("name", "id")


def visible_purchase_orders(user: User) -> QuerySet[PurchaseOrder]:
    orders = visibility.of_company(user, PurchaseOrder)
    return orders if sees_purchasing(user) else orders.none()


def get_purchase_order_for(user: User, pk) -> PurchaseOrder:
    related = ("supplier", "warehouse", "created_by")
    return get_for(visible_purchase_orders(user).select_related(*related), pk)


def purchase_order_list(
    user: User,
    *,
    search: str = "",
    status: str = "",
    supplier_id=None,
    warehouse_id=None,
    ordering: str = "-created_at",
) -> QuerySet[PurchaseOrder]:
    orders = visible_purchase_orders(user).select_related("supplier", "warehouse")
    for term in search.split():
        orders = orders.filter(Q(number__icontains=term) | Q(supplier__name__icontains=term))
    if status:
        orders = orders.filter(status=status)
    if supplier_id:
        orders = orders.filter(supplier_id=supplier_id)
    if warehouse_id:
        orders = orders.filter(warehouse_id=warehouse_id)
    if ordering not in {
        "created_at",
        "-created_at",
        "number",
        "-number",
        "ordered_on",
        "-ordered_on",
    }:
        ordering = "-created_at"
    return orders.order_by(ordering, "-id")


def purchase_order_lines(user: User, order: PurchaseOrder) -> QuerySet[PurchaseOrderLine]:
    return (
        visibility.of_company(user, PurchaseOrderLine)
        .filter(purchase_order_id=order.pk)
        .select_related("product")
    )


def purchase_order_receipt_lines(user: User, order: PurchaseOrder) -> list[PurchaseOrderLine]:
    """The order's lines, each with `waiting` (on inbound slips a keeper has not decided yet)
    and `receivable` (outstanding and not waiting: what a new inbound slip may still hold).
    One query."""
    lines = list(
        purchase_order_lines(user, order)
        .annotate(
            waiting=ExactSum(
                "slip_lines__quantity",
                filter=Q(slip_lines__slip__status=StockSlip.Status.DRAFT),
                default=ZERO,
            )
        )
        .order_by("position", "id")
    )
    for line in lines:
        line.receivable = max(line.quantity - line.received_quantity - line.waiting, ZERO)
    return lines


def purchase_order_slips(user: User, order: PurchaseOrder) -> QuerySet[StockSlip]:
    """The inbound slips written for the order, newest first (those the user may see)."""
    return (
        inventory_selectors.visible_slips(user)
        .filter(purchase_order_id=order.pk)
        .select_related("warehouse", "created_by", "decided_by")
        .order_by("-created_at", "-id")
    )


CANCELLABLE = (PurchaseOrder.Status.DRAFT, PurchaseOrder.Status.ORDERED)


def purchase_order_cancel_refusal(user: User, order: PurchaseOrder) -> str | None:
    """Why the (visible) order cannot be cancelled, or None when purchasing staff may cancel
    it: nothing received on it yet and no inbound slip of it waiting for a keeper. The
    order's Cancel button and `purchase_order_cancel` both ask this (one query at most)."""
    if order.status not in CANCELLABLE:
        return _("Goods were received on this purchase order: it cannot be cancelled.")
    waiting = visibility.of_company(user, StockSlip).filter(
        purchase_order_id=order.pk, status=StockSlip.Status.DRAFT
    )
    if waiting.exists():
        return _("An inbound slip of this purchase order waits for confirmation: reject it first.")
    return None


RECEIVABLE = (PurchaseOrder.Status.ORDERED, PurchaseOrder.Status.PARTLY_RECEIVED)


def purchase_order_receive_refusal(user: User, order: PurchaseOrder) -> str | None:
    """Why the user cannot receive goods on the (visible) order, or None when purchasing
    staff may: it is placed and not yet fully received or cancelled. The order's Receive
    form and `purchase_order_receive` both ask this, in memory; which quantities are still
    open is the form's and the service's business."""
    if not can_purchase(user):
        return _("Only purchasing staff may do this.")
    if order.status == PurchaseOrder.Status.DRAFT:
        return _("Place the purchase order before receiving it.")
    if order.status not in RECEIVABLE:
        return _("This purchase order is %(status)s: there is nothing to receive.") % {
            "status": order.get_status_display().lower()
        }
    return None


# The creator is shown elsewhere on the page; the amount is a cost.
ORDER_HISTORY_HIDDEN = HIDDEN_FIELDS | {"created_by"}


def _supplier_labels(user: User, keys: set) -> dict:
    return dict(company_suppliers(user).filter(pk__in=keys).values_list("pk", "name"))


def _warehouse_labels(user: User, keys: set) -> dict:
    return dict(
        inventory_selectors.company_warehouses(user).filter(pk__in=keys).values_list("pk", "name")
    )


def purchase_order_history(
    user: User, order: PurchaseOrder, *, limit: int = 20
) -> list[HistoryEntry]:
    """The last `limit` changes to a purchase order, newest first, each with what changed;
    the amount only for users who may see costs. The order must have been fetched for `user`
    through `get_purchase_order_for`. A fixed number of queries."""
    from banyan.inventory.models import Warehouse
    from banyan.products.selectors import sees_costs

    hidden = ORDER_HISTORY_HIDDEN if sees_costs(user) else ORDER_HISTORY_HIDDEN | {"amount"}
    return build_history(
        user,
        [PurchaseOrder.history.filter(company_id=user.company_id, id=order.pk)],
        describe=lambda record: ("purchase_order", record.number),
        limit=limit,
        hidden=lambda model: hidden,
        extra_labels={Supplier: _supplier_labels, Warehouse: _warehouse_labels},
    )
