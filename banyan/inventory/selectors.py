"""Reads on inventory, always for an acting user.

- Warehouses and stock levels: every user of the company sees quantities (a rep checks what is
  in stock before promising a delivery). Stock value (quantity × cost) is for users who may
  see costs (`products.selectors.sees_costs`).
- Stock slips and movements: keepers, purchasing staff and bosses see all of the company's;
  anyone else sees the slips of the orders they see.
- Shipments follow their order, which follows its customer.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.functions import Round
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from banyan.accounts import visibility
from banyan.accounts.models import User
from banyan.agreements import selectors as agreement_selectors
from banyan.agreements.models import Agreement, AgreementLine
from banyan.core.errors import PermissionRefused
from banyan.core.fetch import get_for
from banyan.core.models import ExactSum
from banyan.core.values import start_of_company_day
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

# The low-stock rule of a stock level: at or below its product's threshold (a threshold of 0
# warns only when nothing is left). The stock list's "low stock only", the API's `low_stock`
# and the inventory report all ask this one condition.
LOW_STOCK = Q(quantity__lte=F("product__low_stock_threshold"))

# A stock level's value, quantity × the product's cost (for users who may see costs only).
STOCK_VALUE = ExpressionWrapper(
    F("quantity") * F("product__cost"),
    output_field=DecimalField(max_digits=28, decimal_places=4),
)

# A movement's direction: stock in (positive quantity) or out (negative).
MOVEMENT_DIRECTIONS = {"in": Q(quantity__gt=0), "out": Q(quantity__lt=0)}


def _member(user: User) -> bool:
    return bool(user.is_authenticated and user.company_id and user.is_active)


def is_keeper(user: User) -> bool:
    return _member(user) and user.has_perm("accounts.warehouse_keeper")


def sees_all_stock_papers(user: User) -> bool:
    """Keepers, purchasing staff (the accounts permission) and bosses see every slip and
    movement of the company."""
    return _member(user) and (
        is_keeper(user)
        or user.has_perm("accounts.purchasing")
        or visibility.sees_whole_company(user)
    )


def keeps(user: User, warehouse: Warehouse | int) -> bool:
    """The user is a keeper of this warehouse (has the permission and is assigned to it)."""
    warehouse_id = warehouse.pk if isinstance(warehouse, Warehouse) else warehouse
    return is_keeper(user) and user.kept_warehouses.filter(pk=warehouse_id).exists()


def kept_warehouse_ids(user: User) -> set[int]:
    if not is_keeper(user):
        return set()
    return set(user.kept_warehouses.filter(company_id=user.company_id).values_list("pk", flat=True))


# --- warehouses and stock -----------------------------------------------------------------


def company_warehouses(user: User) -> QuerySet[Warehouse]:
    return visibility.of_company(user, Warehouse)


def get_warehouse_for(user: User, pk) -> Warehouse:
    return get_for(company_warehouses(user), pk)


def kept_warehouses(user: User, *, active_only: bool = True) -> QuerySet[Warehouse]:
    """The warehouses the user keeps (none unless they hold the keeper permission)."""
    warehouses = company_warehouses(user).filter(keepers=user)
    if not is_keeper(user):
        return warehouses.none()
    if active_only:
        warehouses = warehouses.filter(is_active=True)
    return warehouses.order_by("name", "id")


def warehouse_list(user: User) -> QuerySet[Warehouse]:
    """The company's warehouses with their keepers (two queries)."""
    return company_warehouses(user).prefetch_related("keepers").order_by("name", "id")


def keeper_candidates(user: User) -> QuerySet[User]:
    """Active users of the company holding the warehouse keeper permission: who may be made
    a keeper of a warehouse."""
    return (
        visibility.of_company(user, User)
        .filter(is_active=True)
        .filter(
            Q(user_permissions__codename="warehouse_keeper")
            | Q(groups__permissions__codename="warehouse_keeper")
        )
        .distinct()
        .order_by("real_name", "username", "id")
    )


def stock_products(user: User) -> QuerySet[Product]:
    """The active products that track stock: what slips, initial stock and counts hold."""
    return (
        visibility.of_company(user, Product)
        .filter(tracks_stock=True, is_active=True)
        .order_by("code", "id")
    )


def stock_levels(
    user: User,
    *,
    warehouse_id=None,
    product_id=None,
    search: str = "",
    low_only: bool = False,
    keeper_id=None,
    ordering: str = "product__code",
) -> QuerySet[StockLevel]:
    """Stock per product per warehouse. `low_only`: at or below the product's threshold
    (`LOW_STOCK`); `keeper_id`: of the warehouses that user keeps."""
    # The products are the company's too, said outright: the list in product-code order
    # then walks the products' (company, code) index and stops after a page, instead of
    # joining and sorting every stock level of the company.
    levels = (
        visibility.of_company(user, StockLevel)
        .filter(product__company_id=user.company_id)
        .select_related("product", "warehouse")
    )
    if warehouse_id:
        levels = levels.filter(warehouse_id=warehouse_id)
    if product_id:
        levels = levels.filter(product_id=product_id)
    for term in search.split():
        levels = levels.filter(Q(product__code__icontains=term) | Q(product__name__icontains=term))
    if keeper_id:
        levels = levels.filter(warehouse__keepers=keeper_id)
    if low_only:
        levels = levels.filter(LOW_STOCK)
    if ordering not in {"product__code", "-quantity", "quantity", "warehouse__name"}:
        ordering = "product__code"
    return levels.order_by(ordering, "id")


def get_stock_level_for(user: User, pk) -> StockLevel:
    return get_for(stock_levels(user), pk)


def low_stock_products(user: User) -> QuerySet[Product]:
    """Stock-tracked active products whose total stock over all warehouses is at or below
    their low-stock threshold (a threshold of 0 warns only when nothing is left)."""
    return (
        visibility.of_company(user, Product)
        .filter(tracks_stock=True, is_active=True)
        .annotate(stock=Round(ExactSum("stock_levels__quantity", default=ZERO), 2))
        .filter(stock__lte=F("low_stock_threshold"))
        .order_by("code", "id")
    )


def product_stock(user: User, product: Product) -> list[StockLevel]:
    return list(stock_levels(user, product_id=product.pk).order_by("warehouse__name"))


def stock_value(levels) -> Decimal:
    """Σ quantity × the product's cost (for users who may see costs only)."""
    return sum((level.quantity * level.product.cost for level in levels), ZERO).quantize(
        Decimal("0.01")
    )


def with_values(levels) -> list[StockLevel]:
    """The levels (one page of them) with `value` = quantity × the product's cost: for users
    who may see costs only."""
    levels = list(levels)
    for level in levels:
        level.value = (level.quantity * level.product.cost).quantize(Decimal("0.01"))
    return levels


def stock_value_total(levels: QuerySet[StockLevel]) -> Decimal:
    """Σ quantity × cost over a whole filtered list of levels, in one query (for users who
    may see costs only)."""
    total = levels.order_by().aggregate(total=ExactSum(STOCK_VALUE))["total"]
    return (total or ZERO).quantize(Decimal("0.01"))


def movements(
    user: User,
    *,
    warehouse_id=None,
    product_id=None,
    slip_id=None,
    reason: str = "",
    search: str = "",
    keeper_id=None,
    moved_from: datetime.date | None = None,
    moved_to: datetime.date | None = None,
    direction: str = "",
) -> QuerySet[StockMovement]:
    """The ledger, newest first: keepers, purchasing staff and bosses only (empty for anyone
    else). `search` matches the product's code or name; `keeper_id`: in the warehouses that
    user keeps; `moved_from`/`moved_to`: company calendar days, both included; `direction`:
    "in" or "out" (`MOVEMENT_DIRECTIONS`)."""
    rows = visibility.of_company(user, StockMovement).select_related(
        "product", "warehouse", "slip", "stocktake", "moved_by"
    )
    if not sees_all_stock_papers(user):
        return rows.none()
    if warehouse_id:
        rows = rows.filter(warehouse_id=warehouse_id)
    if product_id:
        rows = rows.filter(product_id=product_id)
    if slip_id:
        rows = rows.filter(slip_id=slip_id)
    if reason:
        rows = rows.filter(reason=reason)
    if keeper_id:
        rows = rows.filter(warehouse__keepers=keeper_id)
    if moved_from:
        rows = rows.filter(moved_at__gte=start_of_company_day(user, moved_from))
    if moved_to:
        next_day = moved_to + datetime.timedelta(days=1)
        rows = rows.filter(moved_at__lt=start_of_company_day(user, next_day))
    if direction in MOVEMENT_DIRECTIONS:
        rows = rows.filter(MOVEMENT_DIRECTIONS[direction])
    for term in search.split():
        rows = rows.filter(Q(product__code__icontains=term) | Q(product__name__icontains=term))
    return rows.order_by("-moved_at", "-id")


def get_movement_for(user: User, pk) -> StockMovement:
    return get_for(movements(user), pk)


# --- slips --------------------------------------------------------------------------------


def visible_slips(user: User) -> QuerySet[StockSlip]:
    """Keepers, purchasing staff and bosses see every slip of the company. Anyone else sees
    the slips of the orders they see, by the columns the order carries for its customer (no
    subquery over the orders), and no slip without an order."""
    if sees_all_stock_papers(user):
        return visibility.of_company(user, StockSlip)
    return visibility.on_visible_customers(
        user,
        StockSlip,
        owner_field=f"agreement__{visibility.CUSTOMER_OWNER}",
        customer_field="agreement__customer",
    )


def get_slip_for(user: User, pk) -> StockSlip:
    related = ("warehouse", "agreement", "purchase_order", "created_by", "decided_by")
    return get_for(visible_slips(user).select_related(*related), pk)


def slip_list(
    user: User,
    *,
    kind: str = "",
    status: str = "",
    warehouse_id=None,
    agreement_id=None,
    search: str = "",
    ordering: str = "-created_at",
) -> QuerySet[StockSlip]:
    slips = visible_slips(user).select_related("warehouse", "agreement", "purchase_order")
    if kind:
        slips = slips.filter(kind=kind)
    if status:
        slips = slips.filter(status=status)
    if warehouse_id:
        slips = slips.filter(warehouse_id=warehouse_id)
    if agreement_id:
        slips = slips.filter(agreement_id=agreement_id)
    for term in search.split():
        slips = slips.filter(Q(number__icontains=term) | Q(reason__icontains=term))
    if ordering not in {"created_at", "-created_at", "number", "-number"}:
        ordering = "-created_at"
    return slips.order_by(ordering, "-id")


def slips_to_confirm(user: User) -> QuerySet[StockSlip]:
    """The keeper's queue: draft slips of the warehouses they keep, oldest first."""
    slips = visibility.of_company(user, StockSlip)
    if not is_keeper(user):
        return slips.none()
    return (
        slips.filter(status=StockSlip.Status.DRAFT, warehouse__in=user.kept_warehouses.all())
        .select_related("warehouse", "agreement", "purchase_order", "created_by")
        .order_by("created_at", "id")
    )


def slip_lines(user: User, slip: StockSlip) -> QuerySet[StockSlipLine]:
    return (
        visibility.of_company(user, StockSlipLine).filter(slip_id=slip.pk).select_related("product")
    )


# --- stocktakes ---------------------------------------------------------------------------


def visible_stocktakes(user: User) -> QuerySet[Stocktake]:
    stocktakes = visibility.of_company(user, Stocktake)
    return stocktakes if sees_all_stock_papers(user) else stocktakes.none()


def get_stocktake_for(user: User, pk) -> Stocktake:
    related = ("warehouse", "created_by", "confirmed_by")
    return get_for(visible_stocktakes(user).select_related(*related), pk)


def stocktake_list(user: User, *, warehouse_id=None, status: str = "") -> QuerySet[Stocktake]:
    """Open counts and the history of confirmed ones, newest first."""
    stocktakes = visible_stocktakes(user).select_related("warehouse", "created_by", "confirmed_by")
    if warehouse_id:
        stocktakes = stocktakes.filter(warehouse_id=warehouse_id)
    if status:
        stocktakes = stocktakes.filter(status=status)
    return stocktakes.order_by("-created_at", "-id")


def open_stocktake(user: User, warehouse: Warehouse) -> Stocktake | None:
    """The warehouse's count in progress, if the user sees stocktakes and there is one."""
    return (
        visible_stocktakes(user)
        .filter(warehouse_id=warehouse.pk, status=Stocktake.Status.DRAFT)
        .order_by("-id")
        .first()
    )


def stocktake_lines(user: User, stocktake: Stocktake) -> QuerySet[StocktakeLine]:
    return (
        visibility.of_company(user, StocktakeLine)
        .filter(stocktake_id=stocktake.pk)
        .select_related("product")
    )


def stocktake_progress(user: User, stocktake: Stocktake) -> dict:
    """How far a count is: `total` lines, `counted` ones, and `differing` from the books."""
    counted = Q(counted_quantity__isnull=False)
    return stocktake_lines(user, stocktake).aggregate(
        total=Count("id"),
        counted=Count("id", filter=counted),
        differing=Count("id", filter=counted & ~Q(counted_quantity=F("book_quantity"))),
    )


# --- orders: outbound and shipping --------------------------------------------------------


@dataclass
class LineShipping:
    line: AgreementLine
    ordered: Decimal
    on_slips: Decimal  # on outbound slips waiting or confirmed
    released: Decimal  # on confirmed outbound slips
    shipped: Decimal
    needs_stock: bool  # goes through an outbound slip before it ships

    @property
    def shippable(self) -> Decimal:
        """What may still ship: released from stock (or ordered, when no stock is needed)."""
        limit = self.released if self.needs_stock else self.ordered
        return max(limit - self.shipped, ZERO)

    @property
    def to_release(self) -> Decimal:
        """What an outbound slip may still ask for."""
        return max(self.ordered - self.on_slips, ZERO) if self.needs_stock else ZERO


class ShippingState:
    UNSHIPPED = "unshipped"
    PARTLY = "partly_shipped"
    SHIPPED = "shipped"

    # Lazy: the labels are read per request, in the request's language.
    LABELS = {
        UNSHIPPED: gettext_lazy("Unshipped"),
        PARTLY: gettext_lazy("Partly shipped"),
        SHIPPED: gettext_lazy("Shipped"),
    }


def order_shipping(user: User, agreement: Agreement) -> list[LineShipping]:
    """Per line of physical goods of an order (services do not ship): ordered, on outbound
    slips, released, shipped. Three queries."""
    lines = [
        line
        for line in agreement_selectors.agreement_lines(user, agreement)
        if line.product.kind == Product.Kind.PHYSICAL
    ]
    uses_inventory = user.company.uses_inventory
    on_slips: dict[int, Decimal] = defaultdict(lambda: ZERO)
    released: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in (
        visibility.of_company(user, StockSlipLine)
        .filter(agreement_line__agreement_id=agreement.pk, slip__kind=StockSlip.Kind.OUTBOUND)
        .exclude(slip__status=StockSlip.Status.REJECTED)
        .values("agreement_line_id", "slip__status")
        .annotate(total=ExactSum("quantity"))
    ):
        on_slips[row["agreement_line_id"]] += row["total"]
        if row["slip__status"] == StockSlip.Status.CONFIRMED:
            released[row["agreement_line_id"]] += row["total"]
    shipped = dict(
        visibility.of_company(user, ShipmentLine)
        .filter(agreement_line__agreement_id=agreement.pk)
        .values("agreement_line_id")
        .annotate(total=ExactSum("quantity"))
        .values_list("agreement_line_id", "total")
    )
    return [
        LineShipping(
            line=line,
            ordered=line.quantity,
            on_slips=on_slips[line.pk],
            released=released[line.pk],
            shipped=shipped.get(line.pk, ZERO),
            needs_stock=uses_inventory and line.product.tracks_stock,
        )
        for line in lines
    ]


def shipping_state(lines: list[LineShipping]) -> str:
    """unshipped, partly_shipped or shipped ("" for an order of services only)."""
    if not lines:
        return ""
    shipped = sum((entry.shipped for entry in lines), ZERO)
    if shipped == 0:
        return ShippingState.UNSHIPPED
    if all(entry.shipped >= entry.ordered for entry in lines):
        return ShippingState.SHIPPED
    return ShippingState.PARTLY


def with_shipping_state(user: User, agreements: QuerySet[Agreement]) -> QuerySet[Agreement]:
    """Annotate `shipped_any` and `not_fully_shipped` (a line of goods still short) for an
    order list the user sees, in the same query. Services never ship, so their lines do not
    count."""
    shipped = visibility.of_company(user, ShipmentLine).filter(
        agreement_line__agreement=OuterRef("pk")
    )
    short = (
        visibility.of_company(user, AgreementLine)
        .filter(agreement=OuterRef("pk"), product__kind=Product.Kind.PHYSICAL)
        .annotate(sent=Round(ExactSum("shipment_lines__quantity", default=ZERO), 2))
        .filter(sent__lt=F("quantity"))
    )
    return agreements.annotate(shipped_any=Exists(shipped), not_fully_shipped=Exists(short))


def visible_shipments(user: User) -> QuerySet[Shipment]:
    return visibility.on_visible_customers(user, Shipment)


def shipment_list(
    user: User,
    *,
    agreement_id=None,
    customer_id=None,
    search: str = "",
    shipped_from=None,
    shipped_to=None,
    with_lines: bool = False,
) -> QuerySet[Shipment]:
    """Shipments of the customers the user sees, newest first. `search` matches the carrier,
    tracking number, order number or customer; `with_lines` prefetches the lines and their
    products (one more query)."""
    shipments = visible_shipments(user).select_related("agreement", "customer", "created_by")
    if agreement_id:
        shipments = shipments.filter(agreement_id=agreement_id)
    if customer_id:
        shipments = shipments.filter(customer_id=customer_id)
    for term in search.split():
        shipments = shipments.filter(
            Q(carrier__icontains=term)
            | Q(tracking_number__icontains=term)
            | Q(agreement__number__icontains=term)
            | Q(customer__name__icontains=term)
        )
    if shipped_from:
        shipments = shipments.filter(shipped_on__gte=shipped_from)
    if shipped_to:
        shipments = shipments.filter(shipped_on__lte=shipped_to)
    if with_lines:
        shipments = shipments.prefetch_related(_shipment_lines(user))
    return shipments.order_by("-shipped_on", "-id")


def sees_order(user: User, agreement_id) -> bool:
    """The user may open this order (a keeper sees every slip, not every customer)."""
    if not agreement_id:
        return False
    return agreement_selectors.visible_agreements(user).filter(pk=agreement_id).exists()


def get_shipment_for(user: User, pk) -> Shipment:
    return get_for(visible_shipments(user).select_related("agreement", "created_by"), pk)


def _shipment_lines(user: User) -> Prefetch:
    return Prefetch(
        "lines",
        queryset=visibility.of_company(user, ShipmentLine).select_related(
            "agreement_line__product"
        ),
    )


def order_shipments(user: User, agreement: Agreement) -> QuerySet[Shipment]:
    """The shipments of an order already fetched for the user (its visibility checked), with
    their lines and products: two queries."""
    return (
        visibility.of_company(user, Shipment)
        .filter(agreement_id=agreement.pk)
        .select_related("created_by")
        .prefetch_related(_shipment_lines(user))
        .order_by("-shipped_on", "-id")
    )


def order_slips(user: User, agreement: Agreement) -> QuerySet[StockSlip]:
    """The stock slips of an order already fetched for the user (its visibility checked)."""
    return (
        visibility.of_company(user, StockSlip)
        .filter(agreement_id=agreement.pk)
        .select_related("warehouse")
        .order_by("-created_at", "-id")
    )


def ensure_sees_stock_papers(user: User) -> None:
    if not sees_all_stock_papers(user):
        raise PermissionRefused(
            _("Only warehouse keepers, purchasing staff and bosses see the stock records.")
        )
