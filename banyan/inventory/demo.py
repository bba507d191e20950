"""Demo data of the inventory app: two warehouses kept by 邓建国 (dengjianguo, who holds the
warehouse-keeper and purchasing permissions from accounts/demo.py) with their initial stock;
outbound slips for the oldest signed demo orders that sell stock items, confirmed by him,
and shipments on most of them (one shipped in full, one in part, one not yet); the newest
such order's slip and a slip by hand wait in his queue; one confirmed stocktake of 北京仓.
Everything goes through the services.

The purchasing demo receives its purchase orders into these warehouses, and the apps' steps
run in INSTALLED_APPS order (purchasing first), so both steps start with `demo_warehouses`,
which makes the warehouses and their initial stock once.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from banyan.accounts.demo import DEMO_RESET_STEPS, DEMO_STEPS
from banyan.agreements.models import Agreement
from banyan.core.errors import DomainError
from banyan.inventory import selectors, services
from banyan.inventory.models import (
    Shipment,
    StockLevel,
    StockMovement,
    StockSlip,
    Stocktake,
    Warehouse,
)
from banyan.products.models import Product

KEEPER = "dengjianguo"
MAIN, NORTH = "上海总仓", "北京仓"
WAREHOUSES = [
    (MAIN, "上海市闵行区莘庄工业区申富路 618 号 3 号库"),
    (NORTH, "北京市大兴区经济技术开发区科创十三街 29 号"),
]
# Initial stock per warehouse and product code. 塔式服务器 starts at its low-stock threshold
# (3), so the low-stock list has something to show.
INITIAL_STOCK = {
    MAIN: {
        "HW-SRV-01": 12,
        "HW-SRV-02": 3,
        "HW-NET-01": 60,
        "HW-NET-04": 200,
        "HW-OFF-01": 40,
        "HW-OFF-03": 50,
        "HW-OFF-04": 300,
    },
    NORTH: {"HW-SRV-01": 2, "HW-NET-01": 15, "HW-NET-04": 40, "HW-OFF-03": 12, "HW-OFF-04": 45},
}
ORDERS_TO_SERVE = 6  # the oldest signed orders with stock items get their goods out
CARRIERS = [("顺丰速运", "SF"), ("京东物流", "JDV"), ("德邦物流", "DPK")]
STOCKTAKE_DIFFERENCES = {  # product code → (counted − book, reason)
    "HW-NET-04": (Decimal("-2"), "2 个包装破损，报废"),
    "HW-OFF-04": (Decimal("1"), "上次入库少登记 1 个"),
}


def demo_warehouses(company, users) -> dict[str, Warehouse]:
    """上海总仓 and 北京仓 kept by dengjianguo, with their initial stock (made once)."""
    existing = {w.name: w for w in Warehouse.objects.filter(company=company)}
    if existing:
        return existing
    if not company.uses_inventory:
        # Provisioning, as the operator does for the demo (accounts/demo.py switches it on too).
        company.uses_inventory = True
        company.save(update_fields=["uses_inventory", "updated_at"])
    keeper = users[KEEPER]
    warehouses = {
        name: services.warehouse_create(
            user=users["boss"], name=name, address=address, keepers=[keeper]
        )
        for name, address in WAREHOUSES
    }
    stock_items = {
        product.code: product
        for product in Product.objects.filter(company=company, tracks_stock=True, is_active=True)
    }
    for name, quantities in INITIAL_STOCK.items():
        lines = [
            {"product": stock_items[code].pk, "quantity": quantity}
            for code, quantity in quantities.items()
            if code in stock_items
        ]
        if lines:
            services.initial_stock(
                user=keeper, warehouse=warehouses[name], lines=lines, note="系统上线期初库存"
            )
    return warehouses


def _orders_with_stock_items(company) -> list[Agreement]:
    return list(
        Agreement.objects.filter(
            company=company,
            kind=Agreement.Kind.ORDER,
            status__in=[Agreement.Status.SIGNED, Agreement.Status.EXECUTING],
            lines__product__tracks_stock=True,
        )
        .distinct()
        .order_by("signed_on", "id")
    )


def _ship(rep, order, rng: random.Random, *, days_ago: int, part: bool) -> None:
    """Ship what left the warehouse: all of it, or half of the first line that may ship."""
    lines = None
    if part:
        entry = next(e for e in selectors.order_shipping(rep, order) if e.shippable > 0)
        half = max(Decimal(1), (entry.shippable / 2).to_integral_value())
        if half >= entry.ordered:  # one unit ordered: half of it is all of it
            return
        lines = [{"agreement_line": entry.line.pk, "quantity": half}]
    carrier, prefix = rng.choice(CARRIERS)
    services.shipment_create(
        user=rep,
        agreement=order,
        lines=lines,
        carrier=carrier,
        tracking_number=f"{prefix}{rng.randrange(10**11, 10**12)}",
        shipped_on=timezone.localdate() - timedelta(days=days_ago),
        note="分批发货，余货到齐后补发" if part else "",
    )


@DEMO_STEPS.register
def demo_inventory(company, users) -> bool:
    if Stocktake.objects.filter(company=company).exists():
        return False
    warehouses = demo_warehouses(company, users)
    keeper = users[KEEPER]
    by_pk = {user.pk: user for user in users.values()}
    rng = random.Random(20261130)

    orders = _orders_with_stock_items(company)
    served, waiting = orders[:ORDERS_TO_SERVE], orders[ORDERS_TO_SERVE:][-1:]
    for index, order in enumerate(served):
        rep = by_pk[order.owner_id]
        slip = services.slip_from_order(user=rep, agreement=order, warehouse=warehouses[MAIN])
        try:
            services.slip_confirm(user=keeper, slip=slip)
        except DomainError:
            continue  # short of stock: the slip waits in the keeper's queue
        if index % 3 != 2:  # every third order waits to be shipped
            _ship(rep, order, rng, days_ago=len(served) - index, part=index % 3 == 1)
    for order in waiting:  # just signed: its goods are asked for, not yet out
        services.slip_from_order(
            user=by_pk[order.owner_id], agreement=order, warehouse=warehouses[MAIN]
        )

    stock_items = list(
        Product.objects.filter(company=company, tracks_stock=True, is_active=True).values_list(
            "code", "pk"
        )
    )
    if stock_items:
        samples = dict(stock_items).get("HW-OFF-03", stock_items[0][1])
        services.slip_create(
            user=keeper,
            kind=StockSlip.Kind.OUTBOUND,
            warehouse=warehouses[MAIN],
            lines=[{"product": samples, "quantity": 2}],
            reason="展会样机借出（11 月上海工业博览会）",
        )

    stocktake = services.stocktake_start(user=keeper, warehouse=warehouses[NORTH], note="月末盘点")
    counts = {}
    for line in stocktake.lines.select_related("product"):
        difference, reason = STOCKTAKE_DIFFERENCES.get(line.product.code, (Decimal(0), ""))
        if line.book_quantity + difference < 0:
            difference, reason = Decimal(0), ""
        counts[line.pk] = {"counted": line.book_quantity + difference, "reason": reason}
    services.stocktake_count(user=keeper, stocktake=stocktake, counts=counts)
    services.stocktake_confirm(user=keeper, stocktake=stocktake)
    return True


def delete_stock_papers(company) -> None:
    """Slips, shipments, stocktakes, movements and levels of the demo company (warehouses go
    with the company). Also called by the purchasing reset, which needs the slips of its
    purchase orders gone first, whichever of the two runs first."""
    # The ledger refuses deletes (StockMovement's manager): deleting the demo company, made
    # of mock data only, is the one sanctioned bypass.
    movements = StockMovement.objects.filter(company=company)
    movements._raw_delete(movements.db)
    Shipment.objects.filter(company=company).delete()
    Stocktake.objects.filter(company=company).delete()
    StockSlip.objects.filter(company=company).delete()
    StockLevel.objects.filter(company=company).delete()


@DEMO_RESET_STEPS.register
def demo_inventory_reset(company) -> None:
    delete_stock_papers(company)
