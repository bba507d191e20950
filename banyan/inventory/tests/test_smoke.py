from decimal import Decimal

import pytest

from banyan.agreements import services as agreement_services
from banyan.inventory import selectors, services
from banyan.inventory.models import StockLevel
from banyan.purchasing import services as purchasing


def test_flow(org, make_customer, make_product, make_agreement, grant):
    org.company.uses_inventory = True
    org.company.save()
    keeper = grant(org.sales_boss, "warehouse_keeper", "purchasing", "see_costs")
    boss = org.boss
    wh = services.warehouse_create(user=boss, name="上海仓", keepers=[keeper.pk])
    p = make_product(org.sales1, tracks_stock=True)
    s = make_product(org.sales1, kind="service")
    services.initial_stock(user=keeper, warehouse=wh, lines=[{"product": p.pk, "quantity": "5"}])
    customer = make_customer(org.sales1)
    order = make_agreement(
        org.sales1,
        customer,
        lines=[{"product": p.pk, "quantity": "7"}, {"product": s.pk, "quantity": 1}],
    )
    agreement_services.agreement_sign(user=org.sales1, agreement=order)
    order.refresh_from_db()
    slip = services.slip_from_order(user=org.sales1, agreement=order, warehouse=wh.pk)
    with pytest.raises(Exception) as e:
        services.slip_confirm(user=keeper, slip=slip)
    print(e.value)
    sup = purchasing.supplier_create(user=keeper, name="供应商A", phone="13800138000")
    po = purchasing.purchase_order_create(
        user=keeper,
        supplier=sup.pk,
        warehouse=wh.pk,
        lines=[{"product": p.pk, "quantity": "10", "unit_price": "50"}],
    )
    purchasing.purchase_order_place(user=keeper, order=po)
    inbound = purchasing.purchase_order_receive(
        user=keeper, order=po, lines=[{"line": po.lines.first().pk, "quantity": "4"}]
    )
    services.slip_confirm(user=keeper, slip=inbound)
    po.refresh_from_db()
    print(po.status)
    services.slip_confirm(user=keeper, slip=slip)
    assert StockLevel.objects.get(product=p).quantity == Decimal("2")
    services.shipment_create(
        user=org.sales1, agreement=order, carrier="顺丰", shipped_on="2026-11-26"
    )
    st = selectors.shipping_state(selectors.order_shipping(org.sales1, order))
    assert st == "shipped", st
    take = services.stocktake_start(user=keeper, warehouse=wh)
    line = take.lines.get(product=p)
    with pytest.raises(Exception) as e:
        services.stocktake_count(user=keeper, stocktake=take, counts={line.pk: {"counted": "1"}})
    print(e.value)
    services.stocktake_count(
        user=keeper, stocktake=take, counts={line.pk: {"counted": "1", "reason": "损坏"}}
    )
    services.stocktake_confirm(user=keeper, stocktake=take)
    assert StockLevel.objects.get(product=p).quantity == Decimal("1")
    assert services.check_stock(org.company.pk) == []
