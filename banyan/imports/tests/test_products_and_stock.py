"""Importing products (with category paths) and initial stock."""

from decimal import Decimal

import pytest

from banyan.accounts.models import Company
from banyan.core.errors import PermissionRefused
from banyan.imports import services
from banyan.imports.tests import files
from banyan.inventory import services as inventory_services
from banyan.inventory.models import StockLevel, StockMovement
from banyan.products.models import Product, ProductCategory

PRODUCT_HEADERS = [
    "产品编码",
    "产品名称",
    "产品分类",
    "规格",
    "单位",
    "标准价",
    "成本",
    "产品类型",
    "库存管理",
]


def import_file(user, kind, upload, **options):
    job = services.import_job_create(user=user, kind=kind, upload=upload, **options)
    assert job.status == "previewed", job.error
    return job


@pytest.fixture
def catalogue_manager(org, grant):
    return grant(org.sales1, "manage_products", "see_costs")


def test_products_with_category_paths_are_imported_and_reverted(org, catalogue_manager):
    rows = [
        PRODUCT_HEADERS,
        ["P-1", "手机A", "电子/手机", "128G", "台", "2999", "2000", "实物", "是"],
        ["P-2", "手机B", "电子/手机", "", "台", "1999.50", "", "physical", "no"],
        ["S-1", "安装服务", "服务", "", "次", "200", "", "服务", ""],
        ["P-1", "重复", "", "", "", "1", "", "", ""],  # 5: duplicate code in the file
        ["P-3", "坏价格", "", "", "", "abc", "", "", ""],  # 6: bad price
        ["S-2", "坏服务", "", "", "", "1", "", "服务", "是"],  # 7: a service tracks no stock
    ]
    job = import_file(catalogue_manager, "products", files.xlsx(rows, "products.xlsx"))

    assert [e["row"] for e in job.errors] == [6, 7]
    assert [d["row"] for d in job.duplicates] == [5]
    assert job.rows_valid == 3
    job = services.import_job_confirm(user=catalogue_manager, job=job)
    assert job.status == "done", job.error

    phone = Product.objects.get(company=org.company, code="P-1")
    assert (phone.category.name, phone.category.parent.name) == ("手机", "电子")
    assert (phone.list_price, phone.cost, phone.tracks_stock) == (
        Decimal("2999"),
        Decimal("2000"),
        True,
    )
    assert Product.objects.get(company=org.company, code="S-1").kind == "service"
    assert ProductCategory.objects.filter(company=org.company).count() == 3

    services.import_job_revert(user=catalogue_manager, job=job)

    assert not Product.objects.filter(company=org.company).exists()
    assert not ProductCategory.objects.filter(company=org.company).exists()


def test_the_cost_column_is_not_read_without_the_cost_permission(org, grant):
    manager = grant(org.sales1, "manage_products")
    rows = [["产品编码", "产品名称", "成本"], ["P-9", "无成本", "50"]]
    job = import_file(manager, "products", files.csv(rows))

    assert job.errors == [] and "成本" in job.unknown_columns
    services.import_job_confirm(user=manager, job=job)
    assert Product.objects.get(company=org.company, code="P-9").cost == 0


def test_an_existing_code_is_updated_when_asked(org, catalogue_manager, make_product):
    make_product(org.sales1, code="OLD-1", name="旧名", list_price="10.00")
    rows = [["产品编码", "产品名称", "标准价"], ["OLD-1", "新名", "12"]]
    skipped = import_file(catalogue_manager, "products", files.csv(rows))
    assert skipped.rows_valid == 0 and "skipped" in skipped.duplicates[0]["message"]

    job = import_file(catalogue_manager, "products", files.csv(rows), on_duplicate="update")
    job = services.import_job_confirm(user=catalogue_manager, job=job)

    product = Product.objects.get(company=org.company, code="OLD-1")
    assert (product.name, product.list_price) == ("新名", Decimal("12"))
    services.import_job_revert(user=catalogue_manager, job=job)
    product.refresh_from_db()
    assert (product.name, product.list_price) == ("旧名", Decimal("10.00"))


def test_products_need_the_manage_products_permission(org):
    with pytest.raises(PermissionRefused):
        services.import_job_create(
            user=org.sales1,
            kind="products",
            upload=files.csv([["产品编码", "产品名称"], ["P", "x"]]),
        )


@pytest.fixture
def stock_setup(org, grant, make_product):
    Company.objects.filter(pk=org.company.pk).update(uses_inventory=True)
    keeper = grant(org.sales_boss, "warehouse_keeper")
    shanghai = inventory_services.warehouse_create(
        user=org.boss, name="上海仓", keepers=[keeper.pk]
    )
    other_keeper = grant(org.sales4, "warehouse_keeper")
    inventory_services.warehouse_create(user=org.boss, name="北京仓", keepers=[other_keeper.pk])
    screw = make_product(org.boss, code="A-1", name="螺丝", tracks_stock=True)
    nut = make_product(org.boss, code="A-2", name="螺母", tracks_stock=True)
    service = make_product(org.boss, code="S-1", name="服务", kind="service")
    started = make_product(org.boss, code="A-3", name="垫片", tracks_stock=True)
    inventory_services.initial_stock(
        user=keeper, warehouse=shanghai, lines=[{"product": started.pk, "quantity": "1"}]
    )
    return keeper, shanghai, screw, nut, service


def test_initial_stock_is_imported_with_the_initial_stock_rules(org, stock_setup):
    keeper, shanghai, screw, nut, _service = stock_setup
    rows = [
        ["仓库", "产品编码", "数量"],
        ["上海仓", "A-1", "10"],
        ["上海仓", "A-2", "5.5"],
        ["上海仓", "A-1", "3"],  # 4: the same product twice
        ["上海仓", "S-1", "1"],  # 5: a service has no stock
        ["上海仓", "A-3", "1"],  # 6: stock history there already
        ["北京仓", "A-1", "1"],  # 7: not a keeper of 北京仓
        ["上海仓", "NOPE", "1"],  # 8: no such product
        ["上海仓", "A-2", "-1"],  # 9: a duplicate before its bad quantity
    ]
    job = import_file(keeper, "stock", files.csv(rows))

    assert [e["row"] for e in job.errors] == [5, 6, 7, 8]
    assert [d["row"] for d in job.duplicates] == [4, 9]
    assert not StockLevel.objects.filter(product__in=[screw, nut]).exists()

    job = services.import_job_confirm(user=keeper, job=job)

    assert job.status == "done", job.error
    levels = dict(
        StockLevel.objects.filter(warehouse=shanghai, product__in=[screw, nut]).values_list(
            "product__code", "quantity"
        )
    )
    assert levels == {"A-1": Decimal("10"), "A-2": Decimal("5.5")}


def test_revert_of_initial_stock_takes_it_out_and_keeps_a_level_moved_since(org, stock_setup):
    keeper, shanghai, screw, nut, _service = stock_setup
    rows = [["仓库", "产品编码", "数量"], ["上海仓", "A-1", "10"], ["上海仓", "A-2", "5"]]
    job = import_file(keeper, "stock", files.csv(rows))
    job = services.import_job_confirm(user=keeper, job=job)
    assert job.status == "done", job.error
    slip = inventory_services.slip_create(
        user=keeper,
        kind="outbound",
        warehouse=shanghai,
        lines=[{"product": nut.pk, "quantity": "2"}],
        reason="样品",
    )
    inventory_services.slip_confirm(user=keeper, slip=slip)

    assert services.may_revert(keeper, job)
    job = services.import_job_revert(user=keeper, job=job)

    assert job.status == "reverted"
    assert [(k["name"], k["reason"]) for k in job.revert_kept] == [
        ("A-2 @ 上海仓", "has stock movements since the import")
    ]
    levels = dict(
        StockLevel.objects.filter(warehouse=shanghai, product__in=[screw, nut]).values_list(
            "product__code", "quantity"
        )
    )
    assert levels == {"A-1": Decimal("0"), "A-2": Decimal("3")}
    reasons = list(
        StockMovement.objects.filter(warehouse=shanghai, product=screw)
        .order_by("pk")
        .values_list("reason", "quantity")
    )
    assert reasons == [("initial", Decimal("10")), ("reverted", Decimal("-10"))]
    assert inventory_services.check_stock(org.company.pk) == []
    # The level starts again: a corrected file can be imported.
    again = [["仓库", "产品编码", "数量"], ["上海仓", "A-1", "12"], ["上海仓", "A-2", "1"]]
    job = import_file(keeper, "stock", files.csv(again))
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "产品编码")]
    job = services.import_job_confirm(user=keeper, job=job)
    assert StockLevel.objects.get(warehouse=shanghai, product=screw).quantity == Decimal("12")
