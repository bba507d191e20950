"""Demo data of the purchasing app: two suppliers and three purchase orders placed by 邓建国
(dengjianguo, who holds the purchasing and warehouse-keeper permissions from accounts/demo.py
but may not see costs, so lines are priced at the products' cost): one received in full, one
received in part, one placed and waiting for the goods. Receipts go through inbound slips he
confirms as the keeper of the warehouse. Everything goes through the services.
"""

from datetime import timedelta

from django.utils import timezone

from banyan.accounts.demo import DEMO_RESET_STEPS, DEMO_STEPS
from banyan.products.models import Product
from banyan.purchasing import services
from banyan.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier

BUYER = "dengjianguo"
SUPPLIERS = [
    {
        "name": "深圳华信网络设备有限公司",
        "contact_name": "黄志明",
        "phone": "0755-86351200",
        "email": "sales@huaxin-net.example",
        "address": "深圳市南山区科技园科发路 8 号",
        "notes": "服务器与网络设备总代理，月结 30 天。",
    },
    {
        "name": "上海佳印办公设备有限公司",
        "contact_name": "陈静",
        "phone": "021-64726688",
        "email": "order@jiayin-office.example",
        "address": "上海市徐汇区漕宝路 1015 号",
        "notes": "打印机、耗材与办公电脑，款到发货。",
    },
]
# (supplier, warehouse, days ago placed, days until expected, [(code, quantity, received)])
# where `received` is what has arrived: everything, part, or nothing yet.
PURCHASE_ORDERS = [
    (0, "上海总仓", 30, 7, [("HW-NET-01", 20, 20), ("HW-NET-04", 50, 50)]),
    (1, "上海总仓", 12, 5, [("HW-OFF-01", 10, 10), ("HW-OFF-04", 60, 30)]),
    (0, "北京仓", 3, 10, [("HW-SRV-01", 2, 0), ("HW-SRV-02", 3, 0)]),
]


@DEMO_STEPS.register
def demo_purchasing(company, users) -> bool:
    if Supplier.objects.filter(company=company).exists():
        return False
    # Imported here so that this app's step registers in INSTALLED_APPS order.
    from banyan.inventory import services as inventory_services
    from banyan.inventory.demo import demo_warehouses

    warehouses = demo_warehouses(company, users)
    buyer = users[BUYER]
    suppliers = [services.supplier_create(user=buyer, **fields) for fields in SUPPLIERS]
    products = {p.code: p for p in Product.objects.filter(company=company, tracks_stock=True)}
    today = timezone.localdate()
    for supplier_index, warehouse, placed_ago, expected_in, lines in PURCHASE_ORDERS:
        lines = [line for line in lines if line[0] in products]
        if not lines:
            continue
        order = services.purchase_order_create(
            user=buyer,
            supplier=suppliers[supplier_index],
            warehouse=warehouses[warehouse],
            lines=[{"product": products[code].pk, "quantity": q} for code, q, _got in lines],
            expected_on=today - timedelta(days=placed_ago) + timedelta(days=expected_in),
        )
        services.purchase_order_place(
            user=buyer, order=order, ordered_on=today - timedelta(days=placed_ago)
        )
        order_lines = {
            line.product.code: line
            for line in PurchaseOrderLine.objects.filter(purchase_order=order).select_related(
                "product"
            )
        }
        arrived = [
            {"line": order_lines[code].pk, "quantity": got} for code, _q, got in lines if got
        ]
        if arrived:
            slip = services.purchase_order_receive(user=buyer, order=order, lines=arrived)
            inventory_services.slip_confirm(user=buyer, slip=slip)
    return True


@DEMO_RESET_STEPS.register
def demo_purchasing_reset(company) -> None:
    from banyan.inventory.demo import delete_stock_papers

    delete_stock_papers(company)  # inbound slips protect their purchase orders
    PurchaseOrder.objects.filter(company=company).delete()
    Supplier.objects.filter(company=company).delete()
