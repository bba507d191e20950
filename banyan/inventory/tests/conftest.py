"""Inventory tests' company: inventory switched on, a keeper for each of two warehouses, a
buyer, a stock-tracked product with 10 in 上海仓, and a customer of the rep."""

from types import SimpleNamespace

import pytest

from banyan.accounts.models import Company
from banyan.inventory import services


def build(org, grant, make_product, make_customer, **product_fields) -> SimpleNamespace:
    Company.objects.filter(pk=org.company.pk).update(uses_inventory=True)
    keeper = grant(org.sales_boss, "warehouse_keeper")
    other_keeper = grant(org.sales4, "warehouse_keeper")
    buyer = grant(org.sales2, "purchasing")
    product = make_product(org.boss, code="A-1", name="螺丝", tracks_stock=True, **product_fields)
    shanghai = services.warehouse_create(user=org.boss, name="上海仓", keepers=[keeper.pk])
    beijing = services.warehouse_create(user=org.boss, name="北京仓", keepers=[other_keeper.pk])
    services.initial_stock(
        user=keeper, warehouse=shanghai, lines=[{"product": product.pk, "quantity": "10"}]
    )
    return SimpleNamespace(
        org=org,
        keeper=keeper,
        other_keeper=other_keeper,
        buyer=buyer,
        rep=org.sales1,
        boss=org.boss,
        vice_boss=org.vice_boss,
        product=product,
        shanghai=shanghai,
        beijing=beijing,
        customer=make_customer(org.sales1, name="沃力科技"),
    )


@pytest.fixture
def inventory_product_fields():
    """Extra fields of the product (a module may override this fixture)."""
    return {}


@pytest.fixture
def build_inventory(grant, make_product, make_customer, inventory_product_fields):
    """`build_inventory(org)` → the namespace above, for that company."""

    def make(org):
        return build(org, grant, make_product, make_customer, **inventory_product_fields)

    return make


@pytest.fixture
def inv(org, build_inventory):
    return build_inventory(org)


@pytest.fixture
def other(other_org, build_inventory):
    """Company B, built the same way: none of it may show or be usable in company A."""
    return build_inventory(other_org)
