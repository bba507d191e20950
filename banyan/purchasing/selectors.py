"""Reads on purchasing. Suppliers and purchase orders are seen by purchasing staff, keepers
and bosses; purchase prices only by those who may also see costs."""

from django.db.models import Q, QuerySet

from banyan.accounts.models import User
from banyan.core.errors import NotFound
from banyan.inventory.selectors import sees_all_stock_papers
from banyan.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier


def sees_purchasing(user: User) -> bool:
    return sees_all_stock_papers(user)


def company_suppliers(user: User) -> QuerySet[Supplier]:
    if not sees_purchasing(user):
        return Supplier.objects.none()
    return Supplier.objects.filter(company_id=user.company_id)


def get_supplier_for(user: User, pk) -> Supplier:
    try:
        return company_suppliers(user).get(pk=int(pk))
    except (Supplier.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


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
    if not sees_purchasing(user):
        return PurchaseOrder.objects.none()
    return PurchaseOrder.objects.filter(company_id=user.company_id)


def get_purchase_order_for(user: User, pk) -> PurchaseOrder:
    try:
        return (
            visible_purchase_orders(user)
            .select_related("supplier", "warehouse", "created_by")
            .get(pk=int(pk))
        )
    except (PurchaseOrder.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound() from None


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
    return PurchaseOrderLine.objects.filter(
        company_id=user.company_id, purchase_order_id=order.pk
    ).select_related("product")
