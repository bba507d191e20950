"""Catalogue services: who may change it, codes, kinds and stock, the category tree, and
what may not be deleted. Refusals also check that nothing changed."""

from decimal import Decimal

import pytest

from banyan.core.errors import DomainError, PermissionRefused, ValidationFailed
from banyan.products import selectors, services
from banyan.products.models import Product, ProductCategory


def snapshot(product):
    product.refresh_from_db()
    return (
        product.code,
        product.name,
        product.kind,
        product.list_price,
        product.cost,
        product.tracks_stock,
        product.category_id,
        product.is_active,
    )


def paths(*categories):
    for category in categories:
        category.refresh_from_db()
    return [category.path for category in categories]


# --- permission ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["sales1", "vice_boss", "manager1", "director1", "assistant"])
def test_only_users_allowed_to_manage_products_change_the_catalogue(org, make_product, role):
    user = getattr(org, role)
    product = make_product(org.boss, code="P-1")
    before = snapshot(product)

    with pytest.raises(PermissionRefused, match="manage products"):
        services.product_create(user=user, code="NEW", name="新产品")
    with pytest.raises(PermissionRefused):
        services.product_update(user=user, product=product, name="改名")
    with pytest.raises(PermissionRefused):
        services.product_delete(user=user, product=product)
    with pytest.raises(PermissionRefused):
        services.category_create(user=user, name="分类")

    assert snapshot(product) == before
    assert Product.objects.filter(company=org.company).count() == 1
    assert not ProductCategory.objects.filter(company=org.company).exists()


def test_a_granted_user_manages_the_catalogue(org, manager):
    category = services.category_create(user=manager, name="硬件")
    product = services.product_create(
        user=manager,
        code=" SRV-1 ",
        name="机架式  服务器",
        spec="2U",
        unit="台",
        category=category.pk,
        list_price="38,000.5",
        tracks_stock=True,
        low_stock_threshold="2",
    )

    product.refresh_from_db()
    assert (product.code, product.name, product.category, product.kind) == (
        "SRV-1",
        "机架式 服务器",
        category,
        Product.Kind.PHYSICAL,
    )
    assert (product.list_price, product.cost, product.low_stock_threshold) == (
        Decimal("38000.50"),
        Decimal("0.00"),
        Decimal("2.00"),
    )
    assert product.created_by == manager
    assert product.history.first().history_user == manager


# --- cost ----------------------------------------------------------------------------------


def test_a_user_who_may_not_see_costs_cannot_set_one(org, manager, make_product):
    with pytest.raises(ValidationFailed) as refused:
        services.product_create(user=manager, code="X", name="产品", cost="10")
    assert list(refused.value.as_dict()) == ["cost"]
    assert not Product.objects.filter(company=org.company, code="X").exists()

    product = make_product(org.boss, cost="60.00")
    with pytest.raises(ValidationFailed) as refused:
        services.product_update(user=manager, product=product, cost="1")
    assert "cost" in refused.value.as_dict()
    assert snapshot(product)[4] == Decimal("60.00")

    # Without a cost, a change leaves the cost as it is.
    services.product_update(user=manager, product=product, name="新名字", cost="")
    product.refresh_from_db()
    assert (product.name, product.cost) == ("新名字", Decimal("60.00"))


def test_a_user_who_sees_costs_sets_one(org, cost_manager, make_product):
    product = make_product(org.boss, cost="60.00")

    services.product_update(user=cost_manager, product=product, cost="55.5")

    product.refresh_from_db()
    assert product.cost == Decimal("55.50")
    assert selectors.product_margin(cost_manager, product) == {
        "amount": Decimal("44.50"),
        "percent": Decimal("44.5"),
    }
    assert selectors.product_margin(org.sales1, product) is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("list_price", "-1"),
        ("list_price", "abc"),
        ("list_price", "1.234"),
        ("cost", "-5"),
        ("low_stock_threshold", "-1"),
        ("kind", "gadget"),
        ("code", ""),
        ("name", "   "),
        ("category", "999999"),
    ],
)
def test_bad_values_are_refused_naming_the_field(org, field, value):
    data = {"code": "OK-1", "name": "产品", field: value}

    with pytest.raises(ValidationFailed) as refused:
        services.product_create(user=org.boss, **data)

    assert field in refused.value.as_dict()
    assert not Product.objects.filter(company=org.company).exists()


# --- codes ---------------------------------------------------------------------------------


def test_a_code_is_unique_in_its_company_and_free_across_companies(org, other_org, make_product):
    first = make_product(org.boss, code="SRV-01", name="服务器")

    with pytest.raises(ValidationFailed) as refused:
        services.product_create(user=org.boss, code="srv-01", name="另一台")
    assert refused.value.as_dict() == {"code": ["The code srv-01 is already used by 服务器."]}

    other = make_product(org.boss, code="SRV-02")
    with pytest.raises(ValidationFailed) as refused:
        services.product_update(user=org.boss, product=other, code="SRV-01")
    assert "code" in refused.value.as_dict()
    assert snapshot(other)[0] == "SRV-02"

    # The same product keeps its own code; another company may use it too.
    services.product_update(user=org.boss, product=first, code="SRV-01", name="服务器 2U")
    theirs = make_product(other_org.boss, code="SRV-01")
    assert theirs.company == other_org.company
    assert Product.objects.filter(code="SRV-01").count() == 2


# --- kinds and stock -----------------------------------------------------------------------


def test_a_service_cannot_track_stock(org, make_product):
    with pytest.raises(ValidationFailed) as refused:
        services.product_create(
            user=org.boss, code="SV-1", name="实施", kind="service", tracks_stock=True
        )
    assert list(refused.value.as_dict()) == ["tracks_stock"]

    service = make_product(org.boss, kind="service")
    with pytest.raises(ValidationFailed):
        services.product_update(user=org.boss, product=service, tracks_stock=True)
    physical = make_product(org.boss, kind="physical", tracks_stock=True)
    with pytest.raises(ValidationFailed) as refused:
        services.product_update(user=org.boss, product=physical, kind="service")
    assert "tracks_stock" in refused.value.as_dict()

    service.refresh_from_db()
    physical.refresh_from_db()
    assert (service.kind, service.tracks_stock) == ("service", False)
    assert (physical.kind, physical.tracks_stock) == ("physical", True)
    # Both at once is fine: it stops tracking and becomes a service.
    services.product_update(user=org.boss, product=physical, kind="service", tracks_stock=False)
    assert snapshot(physical)[2] == "service"


def test_the_kind_cannot_change_once_on_an_agreement_line(
    org, make_product, make_customer, make_agreement
):
    on_line = make_product(org.boss, kind="physical")
    free = make_product(org.boss, kind="physical")
    make_agreement(
        org.sales1,
        make_customer(org.sales1),
        kind="order",
        lines=[{"product": on_line.pk, "quantity": "2"}],
    )

    with pytest.raises(ValidationFailed) as refused:
        services.product_update(user=org.boss, product=on_line, kind="service")

    assert refused.value.as_dict() == {
        "kind": [f"{on_line.name} is on agreements: its kind cannot change."]
    }
    assert snapshot(on_line)[2] == "physical"
    # Other changes still work, and a product on no agreement may change kind.
    services.product_update(user=org.boss, product=on_line, name="改名", kind="physical")
    services.product_update(user=org.boss, product=free, kind="service")
    assert snapshot(free)[2] == "service"


# --- deleting ------------------------------------------------------------------------------


def test_a_product_on_an_agreement_cannot_be_deleted(
    org, make_product, make_customer, make_agreement
):
    used = make_product(org.boss)
    unused = make_product(org.boss)
    make_agreement(
        org.sales1, make_customer(org.sales1), lines=[{"product": used.pk, "quantity": "1"}]
    )

    with pytest.raises(DomainError, match="is in use: deactivate it instead"):
        services.product_delete(user=org.boss, product=used)
    services.product_delete(user=org.boss, product=unused)

    assert list(Product.objects.filter(company=org.company)) == [used]


# --- the category tree ---------------------------------------------------------------------


@pytest.fixture
def tree(org):
    """硬件 > 网络 > 交换机, and 服务 (all of company A)."""
    hardware = services.category_create(user=org.boss, name="硬件")
    network = services.category_create(user=org.boss, name="网络", parent=hardware)
    switches = services.category_create(user=org.boss, name="交换机", parent=network.pk)
    service = services.category_create(user=org.boss, name="服务")
    return {"hardware": hardware, "network": network, "switches": switches, "service": service}


def test_categories_keep_a_materialised_path(tree):
    hardware, network, switches, service = tree.values()

    assert paths(hardware, network, switches, service) == [
        f"/{hardware.pk}/",
        f"/{hardware.pk}/{network.pk}/",
        f"/{hardware.pk}/{network.pk}/{switches.pk}/",
        f"/{service.pk}/",
    ]
    assert [c.depth for c in (hardware, network, switches, service)] == [0, 1, 2, 0]
    assert (hardware.position, service.position) == (0, 1)


def test_moving_a_category_moves_its_subtree(org, tree):
    hardware, network, switches, service = tree.values()

    services.category_update(user=org.boss, category=network, parent=service)

    assert paths(hardware, network, switches, service) == [
        f"/{hardware.pk}/",
        f"/{service.pk}/{network.pk}/",
        f"/{service.pk}/{network.pk}/{switches.pk}/",
        f"/{service.pk}/",
    ]
    network.refresh_from_db()
    assert network.parent == service
    assert [(c.name, c.tree_depth) for c in selectors.category_tree(org.boss)] == [
        ("硬件", 0),
        ("服务", 0),
        ("网络", 1),
        ("交换机", 2),
    ]

    # And back to the top level, renamed at the same time.
    services.category_update(user=org.boss, category=network, name="网络设备", parent=None)
    assert paths(network, switches) == [f"/{network.pk}/", f"/{network.pk}/{switches.pk}/"]
    network.refresh_from_db()
    assert (network.name, network.parent) == ("网络设备", None)


@pytest.mark.parametrize("target", ["hardware", "network", "switches"])
def test_a_category_cannot_move_under_itself_or_its_subtree(org, tree, target):
    before = paths(*tree.values())

    with pytest.raises(ValidationFailed) as refused:
        services.category_update(user=org.boss, category=tree["hardware"], parent=tree[target])

    assert refused.value.as_dict() == {
        "parent": ["A category cannot move under itself or one of its subcategories."]
    }
    assert paths(*tree.values()) == before


def test_a_category_cannot_move_under_another_companys(org, other_org, tree):
    theirs = services.category_create(user=other_org.boss, name="外部")
    before = paths(*tree.values())

    with pytest.raises(ValidationFailed) as refused:
        services.category_update(user=org.boss, category=tree["service"], parent=theirs.pk)
    assert list(refused.value.as_dict()) == ["parent"]
    with pytest.raises(ValidationFailed):
        services.category_create(user=org.boss, name="新", parent=theirs.pk)
    with pytest.raises(ValidationFailed):
        services.product_create(user=org.boss, code="X", name="产品", category=theirs.pk)

    assert paths(*tree.values()) == before


def test_only_an_empty_category_can_be_deleted(org, tree, make_product):
    product = make_product(org.boss, category=tree["service"].pk)

    with pytest.raises(DomainError, match="has subcategories"):
        services.category_delete(user=org.boss, category=tree["hardware"])
    with pytest.raises(DomainError, match="holds products"):
        services.category_delete(user=org.boss, category=tree["service"])
    services.category_delete(user=org.boss, category=tree["switches"])

    assert set(ProductCategory.objects.filter(company=org.company)) == {
        tree["hardware"],
        tree["network"],
        tree["service"],
    }
    product.refresh_from_db()
    assert product.category == tree["service"]


def test_a_category_filter_includes_its_subcategories(org, tree, make_product):
    switch = make_product(org.boss, code="SW", name="交换机", category=tree["switches"].pk)
    router = make_product(org.boss, code="RT", name="路由器", category=tree["network"].pk)
    make_product(org.boss, code="SV", name="实施", kind="service", category=tree["service"].pk)

    def codes(**filters):
        return [p.code for p in selectors.product_list(org.sales1, **filters)]

    assert codes(category_id=tree["hardware"].pk) == ["RT", "SW"]
    assert codes(category_id=tree["switches"].pk) == ["SW"]
    assert codes(search="路由") == ["RT"]
    assert codes(kind="service") == ["SV"]
    services.product_update(user=org.boss, product=switch, is_active=False, spec="24 口")
    assert codes(active=True, category_id=tree["hardware"].pk) == ["RT"]
    assert codes(search="24") == ["SW"]
    assert [p.pk for p in selectors.product_list(org.sales1, ordering="-code")][-1] == router.pk
