"""The products demo step: a two-level tree and about twenty products, made once."""

from banyan.products.demo import demo_products, demo_products_reset
from banyan.products.models import Product, ProductCategory


def test_the_demo_step_makes_the_catalogue_once(org):
    users = {"boss": org.boss}

    assert demo_products(org.company, users) is True
    assert demo_products(org.company, users) is False

    categories = ProductCategory.objects.filter(company=org.company)
    assert sorted(c.depth for c in categories) == [0, 0, 1, 1, 1, 1]
    products = Product.objects.filter(company=org.company)
    assert 18 <= products.count() <= 25
    assert {p.kind for p in products} == {"service", "physical"}
    assert all(p.category.depth == 1 for p in products)
    assert all(p.cost < p.list_price for p in products)
    assert products.filter(tracks_stock=True).count() >= 3
    assert not products.filter(kind="service", tracks_stock=True).exists()
    assert products.filter(is_active=False).count() == 1
    assert set(products.values_list("unit", flat=True)) >= {"台", "套", "年", "人天"}

    demo_products_reset(org.company)
    assert not Product.objects.filter(company=org.company).exists()
    assert not ProductCategory.objects.filter(company=org.company).exists()
