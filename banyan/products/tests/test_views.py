"""Product pages: the list and its filters, one product, the forms, the category tree; who
sees costs, who may change the catalogue, tenant isolation and query counts."""

from decimal import Decimal

import pytest
from django.urls import reverse

from banyan.products import services
from banyan.products.models import Product, ProductCategory

LIST = reverse("product-list")
CATEGORIES = reverse("product-categories")
# What a list page costs, whatever the number of rows on it.
LIST_QUERIES = 7


def product_state(product):
    product.refresh_from_db()
    return (product.code, product.name, product.kind, product.list_price, product.cost)


# --- costs ---------------------------------------------------------------------------------


def test_the_list_has_no_cost_column_for_users_who_may_not_see_costs(
    org, client_as, make_product, manager
):
    make_product(org.boss, code="SRV-1", name="服务器", list_price="100.00", cost="61.25")

    for user in (org.sales1, manager, org.vice_boss):
        html = client_as(user).get(LIST).content.decode()
        assert "服务器" in html and "¥100.00" in html
        assert 'id="cost-header"' not in html
        assert ">Cost<" not in html
        assert "61.25" not in html and "product-cost" not in html


def test_the_list_shows_costs_to_users_who_may_see_them(org, client_as, make_product, cost_viewer):
    make_product(org.boss, code="SRV-1", name="服务器", list_price="100.00", cost="61.25")

    for user in (org.boss, cost_viewer):
        html = client_as(user).get(LIST).content.decode()
        assert '<th scope="col" class="text-end" id="cost-header">Cost</th>' in html
        assert "¥61.25" in html


def test_the_detail_page_shows_cost_and_margin_only_with_the_permission(
    org, client_as, make_product, cost_viewer
):
    product = make_product(org.boss, list_price="100.00", cost="61.25")
    url = reverse("product-detail", args=[product.pk])

    hidden = client_as(org.sales1).get(url).content.decode()
    shown = client_as(cost_viewer).get(url).content.decode()

    assert "¥100.00" in hidden and "¥100.00" in shown
    for marker in ("product-cost", "product-margin", "61.25", "38.75", "Gross margin", ">Cost<"):
        assert marker not in hidden
    assert '<dd class="col-7 col-sm-8" id="product-cost">¥61.25</dd>' in shown
    assert '<dd class="col-7 col-sm-8" id="product-margin">¥38.75 (38.8%)</dd>' in shown


def test_the_form_has_no_cost_field_without_the_permission_and_keeps_the_cost(
    org, client_as, make_product, manager
):
    product = make_product(org.boss, list_price="100.00", cost="61.25")
    client = client_as(manager)

    for url in (reverse("product-create"), reverse("product-edit", args=[product.pk])):
        html = client.get(url).content.decode()
        assert 'name="list_price"' in html
        assert 'name="cost"' not in html and "61.25" not in html

    response = client.post(
        reverse("product-edit", args=[product.pk]),
        {"code": product.code, "name": "新名字", "kind": "physical", "list_price": "120"},
    )

    assert response.status_code == 302
    assert product_state(product)[1:] == ("新名字", "physical", Decimal("120.00"), Decimal("61.25"))


def test_the_form_sets_the_cost_with_the_permission(org, client_as, make_product, cost_manager):
    product = make_product(org.boss, cost="61.25")
    url = reverse("product-edit", args=[product.pk])

    assert 'name="cost" value="61.25"' in client_as(cost_manager).get(url).content.decode()
    client_as(cost_manager).post(
        url,
        {"code": product.code, "name": product.name, "kind": "physical", "list_price": "100"},
    )
    assert product_state(product)[4] == Decimal("0.00")  # an empty cost is a cost of 0
    client_as(cost_manager).post(
        url,
        {
            "code": product.code,
            "name": product.name,
            "kind": "physical",
            "list_price": "100",
            "cost": "70.5",
        },
    )
    assert product_state(product)[4] == Decimal("70.50")


# --- managing the catalogue ----------------------------------------------------------------


def test_the_new_product_button_shows_only_to_managers(org, client_as, manager):
    assert "product-create-button" not in client_as(org.sales1).get(LIST).content.decode()
    assert "product-create-button" in client_as(manager).get(LIST).content.decode()


def test_create_edit_and_delete_answer_403_with_the_reason_without_the_permission(
    org, client_as, make_product
):
    product = make_product(org.boss, name="服务器")
    before = product_state(product)
    client = client_as(org.sales1)
    reason = "Only users allowed to manage products may change them."

    for method, url, data in [
        ("get", reverse("product-create"), {}),
        ("post", reverse("product-create"), {"code": "N", "name": "新", "list_price": "1"}),
        ("get", reverse("product-edit", args=[product.pk]), {}),
        ("post", reverse("product-edit", args=[product.pk]), {"code": "X", "name": "改"}),
        ("post", reverse("product-delete", args=[product.pk]), {}),
    ]:
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, url
        html = response.content.decode()
        assert 'id="error-403"' in html and reason in html

    assert product_state(product) == before
    assert Product.objects.filter(company=org.company).count() == 1
    detail = client.get(reverse("product-detail", args=[product.pk])).content.decode()
    assert reverse("product-edit", args=[product.pk]) not in detail
    assert "product-delete-form" not in detail


def test_a_manager_adds_a_product(org, client_as, manager):
    category = services.category_create(user=manager, name="办公设备")

    response = client_as(manager).post(
        reverse("product-create"),
        {
            "code": "OFF-1",
            "name": "激光打印机",
            "spec": "A4 黑白",
            "unit": "台",
            "category": category.pk,
            "kind": "physical",
            "list_price": "2,300",
            "tracks_stock": "on",
            "low_stock_threshold": "5",
            "is_active": "on",
        },
    )

    product = Product.objects.get(company=org.company, code="OFF-1")
    assert response.status_code == 302
    assert response["Location"] == reverse("product-detail", args=[product.pk])
    assert (product.name, product.category, product.list_price, product.tracks_stock) == (
        "激光打印机",
        category,
        Decimal("2300.00"),
        True,
    )
    assert product.is_active


def test_a_refused_form_keeps_what_was_typed_and_names_the_field(
    org, client_as, make_product, manager
):
    make_product(org.boss, code="SRV-1", name="服务器")

    response = client_as(manager).post(
        reverse("product-create"),
        {
            "code": "srv-1",
            "name": "另一台服务器",
            "spec": "塔式",
            "kind": "service",
            "list_price": "12.345",
            "tracks_stock": "on",
        },
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["code"] == ["The code srv-1 is already used by 服务器."]
    assert form.errors["list_price"] == ["Give at most two decimal places."]
    assert "tracks_stock" in form.errors
    html = response.content.decode()
    assert 'value="另一台服务器"' in html and 'value="塔式"' in html and 'value="12.345"' in html
    assert Product.objects.filter(company=org.company).count() == 1


def test_deleting_a_product_in_use_shows_the_refusal(
    org, client_as, make_product, make_customer, make_agreement, manager
):
    used = make_product(org.boss, name="服务器")
    unused = make_product(org.boss)
    make_agreement(
        org.sales1, make_customer(org.sales1), lines=[{"product": used.pk, "quantity": "1"}]
    )
    client = client_as(manager)

    response = client.post(reverse("product-delete", args=[used.pk]), follow=True)
    assert response.redirect_chain == [(reverse("product-detail", args=[used.pk]), 302)]
    assert "服务器 is in use: deactivate it instead of deleting it." in response.content.decode()

    response = client.post(reverse("product-delete", args=[unused.pk]))
    assert response.status_code == 302 and response["Location"] == LIST
    assert list(Product.objects.filter(company=org.company)) == [used]
    assert client.get(reverse("product-delete", args=[used.pk])).status_code == 405


def test_another_companys_product_is_not_found(org, other_org, client_as, make_product, grant):
    theirs = make_product(other_org.boss, name="外部产品")
    before = product_state(theirs)

    for user in (org.boss, org.sales1):
        client = client_as(user)
        for url in (
            reverse("product-detail", args=[theirs.pk]),
            reverse("product-edit", args=[theirs.pk]),
        ):
            assert client.get(url).status_code == 404
        assert client.post(reverse("product-edit", args=[theirs.pk]), {}).status_code == 404
        assert client.post(reverse("product-delete", args=[theirs.pk])).status_code == 404
        assert "外部产品" not in client.get(LIST).content.decode()

    assert product_state(theirs) == before


# --- the list ------------------------------------------------------------------------------


def test_the_list_searches_and_filters(org, client_as, make_product):
    hardware = services.category_create(user=org.boss, name="硬件")
    network = services.category_create(user=org.boss, name="网络", parent=hardware)
    make_product(
        org.boss, code="SW-1", name="交换机", spec="24 口", category=network.pk, list_price="5"
    )
    make_product(org.boss, code="SRV-1", name="服务器", category=hardware.pk, list_price="900")
    make_product(org.boss, code="SV-1", name="实施服务", kind="service", list_price="50")
    make_product(org.boss, code="OLD-1", name="旧交换机", is_active=False)
    client = client_as(org.sales1)

    def codes(**query):
        response = client.get(LIST, query)
        assert response.status_code == 200
        return [p.code for p in response.context["page"].object_list]

    assert codes() == ["OLD-1", "SRV-1", "SV-1", "SW-1"]
    assert codes(category=hardware.pk) == ["SRV-1", "SW-1"]
    assert codes(category=network.pk) == ["SW-1"]
    assert codes(q="交换机") == ["OLD-1", "SW-1"]
    assert codes(q="24") == ["SW-1"]
    assert codes(kind="service") == ["SV-1"]
    assert codes(active="1") == ["SRV-1", "SV-1", "SW-1"]
    assert codes(active="0") == ["OLD-1"]
    assert codes(sort="list_price", q="S") == ["SW-1", "SV-1", "SRV-1"]
    assert codes(sort="-list_price", q="S") == ["SRV-1", "SV-1", "SW-1"]
    assert codes(sort="created_at") == ["SW-1", "SRV-1", "SV-1", "OLD-1"]
    # Nonsense is not applied, never a 500.
    assert codes(category="abc", kind="x", active="2", sort="cost", page_size="7") == [
        "OLD-1",
        "SRV-1",
        "SV-1",
        "SW-1",
    ]
    html = client.get(LIST, {"category": hardware.pk}).content.decode()
    assert f'<option value="{network.pk}">— 网络</option>' in html


def test_the_list_paginates(org, client_as, make_product):
    for index in range(25):
        make_product(org.boss, code=f"P{index:02d}")

    response = client_as(org.sales1).get(LIST, {"page": 2, "q": "P"})

    assert [p.code for p in response.context["page"].object_list] == [
        "P20",
        "P21",
        "P22",
        "P23",
        "P24",
    ]
    assert "21–25 of 25" in response.content.decode()


@pytest.mark.parametrize("size", [2, 12])
def test_the_list_query_count_does_not_grow(
    size, org, client_as, make_product, django_assert_max_num_queries
):
    category = services.category_create(user=org.boss, name="硬件")
    for _index in range(size):
        make_product(org.boss, category=category.pk)
    client = client_as(org.boss)

    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(LIST, {"page_size": 50})
    assert len(response.context["page"].object_list) == size


@pytest.mark.parametrize("size", [2, 12])
def test_the_category_page_query_count_does_not_grow(
    size, org, client_as, make_product, django_assert_max_num_queries
):
    parent = None
    for index in range(size):
        parent = services.category_create(user=org.boss, name=f"分类{index}", parent=parent)
        make_product(org.boss, category=parent.pk)
    client = client_as(org.boss)

    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(CATEGORIES)
    assert [c.product_count for c in response.context["categories"]] == [1] * size


def test_the_menu_has_products_for_every_user(org, client_as):
    for user in (org.sales1, org.assistant, org.boss):
        html = client_as(user).get(reverse("home")).content.decode()
        assert f'href="{LIST}"' in html and "bi-box-seam" in html


# --- categories ----------------------------------------------------------------------------


@pytest.fixture
def tree(org):
    hardware = services.category_create(user=org.boss, name="硬件")
    network = services.category_create(user=org.boss, name="网络", parent=hardware)
    switches = services.category_create(user=org.boss, name="交换机", parent=network)
    service = services.category_create(user=org.boss, name="服务")
    return {"hardware": hardware, "network": network, "switches": switches, "service": service}


def test_everyone_sees_the_tree_indented_but_only_managers_change_it(
    org, client_as, tree, manager, make_product
):
    make_product(org.boss, category=tree["network"].pk)

    response = client_as(org.sales1).get(CATEGORIES)
    assert response.status_code == 200
    html = response.content.decode()
    rows = [html.index(f'id="category-{tree[key].pk}"') for key in tree]
    assert rows == sorted(rows)
    assert [(c.name, c.tree_depth, c.product_count) for c in response.context["categories"]] == [
        ("硬件", 0, 0),
        ("网络", 1, 1),
        ("交换机", 2, 0),
        ("服务", 0, 0),
    ]
    assert 'class="ps-4 text-nowrap"' in html  # the third level is indented
    assert "add-category-form" not in html and "Rename or move" not in html

    managed = client_as(manager).get(CATEGORIES).content.decode()
    assert "add-category-form" in managed
    assert reverse("product-category-edit", args=[tree["network"].pk]) in managed


def test_category_changes_answer_403_with_the_reason_without_the_permission(org, client_as, tree):
    client = client_as(org.sales1)
    reason = "Only users allowed to manage products may change them."
    category = tree["service"]

    for method, url, data in [
        ("post", CATEGORIES, {"name": "新分类"}),
        ("get", reverse("product-category-edit", args=[category.pk]), {}),
        ("post", reverse("product-category-edit", args=[category.pk]), {"name": "改"}),
        ("post", reverse("product-category-delete", args=[category.pk]), {}),
    ]:
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, url
        assert reason in response.content.decode()

    category.refresh_from_db()
    assert category.name == "服务"
    assert ProductCategory.objects.filter(company=org.company).count() == 4


def test_a_manager_adds_a_category_under_a_parent(org, client_as, tree, manager):
    response = client_as(manager).post(
        CATEGORIES, {"name": " 路由器 ", "parent": tree["network"].pk}
    )

    assert response.status_code == 302 and response["Location"] == CATEGORIES
    added = ProductCategory.objects.get(company=org.company, name="路由器")
    assert added.path == f"{tree['network'].path}{added.pk}/"

    response = client_as(manager).post(CATEGORIES, {"name": "", "parent": ""})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors


def test_the_move_form_offers_no_parent_inside_the_category_itself(org, client_as, tree, manager):
    url = reverse("product-category-edit", args=[tree["hardware"].pk])

    form = client_as(manager).get(url).context["form"]

    offered = [value for value, _label in form.fields["parent"].choices]
    assert offered == ["", str(tree["service"].pk)]

    edit_network = client_as(manager).get(
        reverse("product-category-edit", args=[tree["network"].pk])
    )
    offered = [value for value, _label in edit_network.context["form"].fields["parent"].choices]
    assert offered == ["", str(tree["hardware"].pk), str(tree["service"].pk)]


def test_a_manager_renames_and_moves_a_category_with_its_subtree(org, client_as, tree, manager):
    network, switches, service = tree["network"], tree["switches"], tree["service"]

    response = client_as(manager).post(
        reverse("product-category-edit", args=[network.pk]),
        {"name": "网络设备", "parent": service.pk},
    )

    assert response.status_code == 302
    network.refresh_from_db()
    switches.refresh_from_db()
    assert (network.name, network.parent, network.path) == (
        "网络设备",
        service,
        f"/{service.pk}/{network.pk}/",
    )
    assert switches.path == f"/{service.pk}/{network.pk}/{switches.pk}/"

    # A parent inside its own subtree is not even a choice: refused, nothing moves.
    response = client_as(manager).post(
        reverse("product-category-edit", args=[service.pk]),
        {"name": "服务", "parent": switches.pk},
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors
    service.refresh_from_db()
    assert service.parent is None


def test_deleting_a_category_that_is_not_empty_shows_the_refusal(org, client_as, tree, manager):
    response = client_as(manager).post(
        reverse("product-category-delete", args=[tree["hardware"].pk]), follow=True
    )

    assert "硬件 has subcategories: move or delete them first." in response.content.decode()
    assert ProductCategory.objects.filter(company=org.company).count() == 4

    client_as(manager).post(reverse("product-category-delete", args=[tree["switches"].pk]))
    assert ProductCategory.objects.filter(company=org.company).count() == 3


def test_another_companys_category_is_not_found(org, other_org, client_as):
    theirs = services.category_create(user=other_org.boss, name="外部分类")

    client = client_as(org.boss)
    edit = reverse("product-category-edit", args=[theirs.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"name": "偷改"}).status_code == 404
    delete = reverse("product-category-delete", args=[theirs.pk])
    assert client.post(delete).status_code == 404
    assert "外部分类" not in client.get(CATEGORIES).content.decode()
    assert list(client.get(LIST, {"category": theirs.pk}).context["page"].object_list) == []
    # Nor can it be a parent.
    response = client.post(CATEGORIES, {"name": "新", "parent": theirs.pk})
    assert "parent" in response.context["form"].errors
    theirs.refresh_from_db()
    assert theirs.name == "外部分类"


def test_a_delete_button_shows_exactly_where_the_service_accepts_the_deletion(
    org, client_as, tree, manager, make_product
):
    """Only an empty category is deleted: the list offers Delete on 交换机 (empty) and not
    on 硬件 (a subcategory) or 服务 (a product), and pressing it works."""
    from banyan.core.errors import DomainError

    make_product(org.boss, category=tree["service"].pk)
    client = client_as(manager)

    def delete(name):
        return reverse("product-category-delete", args=[tree[name].pk])

    html = client.get(CATEGORIES).content.decode()
    assert delete("hardware") not in html and delete("service") not in html
    assert delete("switches") in html
    for name in ("hardware", "service"):
        with pytest.raises(DomainError):
            services.category_delete(user=manager, category=tree[name])
    assert client.post(delete("switches")).status_code == 302
    assert not ProductCategory.objects.filter(pk=tree["switches"].pk).exists()
