"""The demo company's inventory and purchasing: warehouses with their keeper, stock, purchase
orders received in full and in part, order slips, shipments, a confirmed stocktake, a slip
waiting in the keeper's queue, and books that balance."""

import pytest

from banyan.accounts import demo
from banyan.accounts.models import User
from banyan.agreements.models import Agreement
from banyan.inventory import selectors, services
from banyan.inventory.models import (
    Shipment,
    StockLevel,
    StockMovement,
    StockSlip,
    Stocktake,
    Warehouse,
)
from banyan.purchasing.models import PurchaseOrder, Supplier

pytestmark = pytest.mark.django_db


def test_the_demo_has_stock_purchasing_and_shipping_and_its_books_balance(demo_build):
    company = demo_build.company
    keeper = User.objects.get(company=company, username="dengjianguo")

    company.refresh_from_db()
    assert company.uses_inventory
    warehouses = Warehouse.objects.filter(company=company).order_by("name")
    assert sorted(w.name for w in warehouses) == sorted(["上海总仓", "北京仓"])
    assert all(list(w.keepers.all()) == [keeper] for w in warehouses)
    assert keeper.has_perm("accounts.warehouse_keeper") and keeper.has_perm("accounts.purchasing")

    initial = StockMovement.objects.filter(company=company, reason="initial")
    assert set(initial.values_list("warehouse__name", flat=True)) == {"上海总仓", "北京仓"}
    assert initial.count() == 12
    assert not StockLevel.objects.filter(company=company, quantity__lt=0).exists()
    assert selectors.low_stock_products(keeper).exists()

    assert Supplier.objects.filter(company=company).count() == 2
    assert sorted(
        PurchaseOrder.objects.filter(company=company).values_list("status", flat=True)
    ) == [
        "ordered",
        "partly_received",
        "received",
    ]
    assert (
        StockSlip.objects.filter(
            company=company, kind="inbound", status="confirmed", purchase_order__isnull=False
        ).count()
        == 2
    )

    order_slips = StockSlip.objects.filter(
        company=company, kind="outbound", agreement__isnull=False
    )
    assert order_slips.filter(status="confirmed").count() >= 3
    assert Shipment.objects.filter(company=company).count() >= 2
    boss = User.objects.get(company=company, username="boss")
    states = {
        selectors.shipping_state(selectors.order_shipping(boss, order))
        for order in Agreement.objects.filter(pk__in=order_slips.values("agreement"))
    }
    assert {"shipped", "partly_shipped", "unshipped"} <= states

    stocktake = Stocktake.objects.get(company=company)
    assert (stocktake.status, stocktake.warehouse.name) == ("confirmed", "北京仓")
    assert stocktake.movements.count() == 2
    assert stocktake.lines.exclude(reason="").count() == 2

    queue = selectors.slips_to_confirm(keeper)
    assert queue.filter(agreement__isnull=True, kind="outbound").count() == 1
    assert queue.filter(agreement__isnull=False).exists()

    assert services.check_stock(company.pk) == []

    # Seeding again changes nothing.
    before = (
        StockMovement.objects.filter(company=company).count(),
        StockSlip.objects.filter(company=company).count(),
        PurchaseOrder.objects.filter(company=company).count(),
    )
    assert not demo.build_demo_company().changed
    assert before == (
        StockMovement.objects.filter(company=company).count(),
        StockSlip.objects.filter(company=company).count(),
        PurchaseOrder.objects.filter(company=company).count(),
    )
