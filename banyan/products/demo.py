"""Demo data of the products app: a small two-level category tree and about twenty products
(services for contracts, physical goods for orders, a few tracking stock), made through the
services by the demo boss, who holds "manage products" and "see costs".
"""

from banyan.accounts.demo import DEMO_RESET_STEPS, DEMO_STEPS
from banyan.products import services
from banyan.products.models import Product, ProductCategory

# (top-level category, its kind) → subcategory → products:
# (code, name, spec, unit, list price, cost, low-stock threshold or None when not tracked)
CATALOGUE = {
    ("软件服务", Product.Kind.SERVICE): {
        "实施与培训": [
            ("SV-IMP-01", "CRM 实施服务", "标准版，含需求调研与上线", "套", "48000", "26000", None),
            ("SV-IMP-02", "ERP 实施服务", "企业版，财务+供应链", "套", "120000", "70000", None),
            ("SV-IMP-03", "数据迁移服务", "历史数据清洗与导入", "次", "15000", "8000", None),
            ("SV-TRN-01", "现场培训", "1 天，10 人以内", "人天", "3000", "1200", None),
            ("SV-TRN-02", "线上培训", "2 小时直播课", "次", "800", "200", None),
            ("SV-CON-01", "技术咨询", "架构与选型咨询", "人天", "2500", "1000", None),
        ],
        "运维服务": [
            ("SV-MNT-01", "年度维护", "标准 5×8 远程支持", "年", "18000", "6000", None),
            ("SV-MNT-02", "年度维护（高级）", "7×24 响应，含巡检", "年", "36000", "14000", None),
            ("SV-MNT-03", "驻场运维", "工程师驻场", "人月", "22000", "15000", None),
        ],
    },
    ("硬件设备", Product.Kind.PHYSICAL): {
        "服务器与网络": [
            ("HW-SRV-01", "机架式服务器", "2U 双路，128G，4×1.2T", "台", "38000", "29500", "2"),
            ("HW-SRV-02", "塔式服务器", "单路，32G，2×2T", "台", "16800", "12600", "3"),
            ("HW-STO-01", "网络存储 NAS", "8 盘位，4×8T 硬盘", "台", "21500", "16000", None),
            ("HW-NET-01", "千兆交换机", "24 口千兆 + 4 SFP", "台", "2600", "1750", "5"),
            ("HW-NET-02", "万兆核心交换机", "48 口万兆", "台", "46000", "35000", None),
            ("HW-NET-03", "企业级路由器", "双 WAN，VPN", "台", "5200", "3600", None),
            ("HW-NET-04", "无线 AP", "Wi-Fi 6 吸顶式", "个", "980", "620", "20"),
            ("HW-NET-00", "百兆交换机", "16 口百兆（停产）", "台", "600", "450", None),
        ],
        "办公设备": [
            ("HW-OFF-01", "激光打印机", "A4 黑白，自动双面", "台", "2300", "1650", "5"),
            ("HW-OFF-02", "彩色多功能一体机", "A3 打印/复印/扫描", "台", "12800", "9800", None),
            ("HW-OFF-03", "商用台式机", "i5 / 16G / 512G SSD", "台", "4999", "3900", "10"),
            ("HW-OFF-04", "硒鼓", "黑色，适用 HW-OFF-01", "个", "420", "260", "30"),
        ],
    },
}
# Old models kept for the orders that sold them, no longer on sale.
RETIRED_CODES = {"HW-NET-00"}


@DEMO_STEPS.register
def demo_products(company, users) -> bool:
    if ProductCategory.objects.filter(company=company).exists():
        return False
    boss = users["boss"]
    for (root_name, kind), subcategories in CATALOGUE.items():
        root = services.category_create(user=boss, name=root_name)
        for category_name, products in subcategories.items():
            category = services.category_create(user=boss, name=category_name, parent=root)
            for code, name, spec, unit, price, cost, threshold in products:
                services.product_create(
                    user=boss,
                    code=code,
                    name=name,
                    spec=spec,
                    unit=unit,
                    category=category,
                    kind=kind,
                    list_price=price,
                    cost=cost,
                    tracks_stock=threshold is not None,
                    low_stock_threshold=threshold or "0",
                    is_active=code not in RETIRED_CODES,
                )
    return True


@DEMO_RESET_STEPS.register
def demo_products_reset(company) -> None:
    Product.objects.filter(company=company).delete()
    # Parents protect their children: cut the tree first.
    ProductCategory.objects.filter(company=company).update(parent=None)
    ProductCategory.objects.filter(company=company).delete()
