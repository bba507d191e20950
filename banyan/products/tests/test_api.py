"""The catalogue API: `/api/v1/products/` and `/api/v1/product-categories/`: costs only
for users who may see them, writes only for managers, tenant isolation, filters and query
counts."""

from decimal import Decimal

import pytest

from banyan.products import services
from banyan.products.models import Product, ProductCategory

PRODUCTS = "/api/v1/products/"
CATEGORIES = "/api/v1/product-categories/"
LIST_QUERIES = 6  # whatever the number of rows


def product_state(product):
    product.refresh_from_db()
    return (product.code, product.name, product.kind, product.list_price, product.cost)


# --- costs ---------------------------------------------------------------------------------


def test_cost_is_absent_for_users_who_may_not_see_costs(org, api_as, make_product, manager):
    product = make_product(org.boss, code="SRV-1", list_price="100.00", cost="61.25")

    for user in (org.sales1, manager, org.vice_boss):
        api = api_as(user)
        row = api.get(PRODUCTS).json()["results"][0]
        detail = api.get(f"{PRODUCTS}{product.pk}/").json()
        for answer in (row, detail):
            assert "cost" not in answer
            assert "61.25" not in str(answer.values())
            assert answer["list_price"] == "100.00"


def test_cost_is_present_for_users_who_may_see_costs(org, api_as, make_product, cost_viewer):
    product = make_product(org.boss, code="SRV-1", list_price="100.00", cost="61.25")

    for user in (org.boss, cost_viewer):
        api = api_as(user)
        assert api.get(PRODUCTS).json()["results"][0]["cost"] == "61.25"
        assert api.get(f"{PRODUCTS}{product.pk}/").json()["cost"] == "61.25"


def test_sending_a_cost_without_the_permission_is_refused(org, api_as, make_product, manager):
    product = make_product(org.boss, cost="61.25")
    before = product_state(product)
    api = api_as(manager)

    created = api.post(
        PRODUCTS, {"code": "NEW", "name": "新", "list_price": "10", "cost": "5"}, format="json"
    )
    changed = api.patch(f"{PRODUCTS}{product.pk}/", {"cost": "1.00"}, format="json")

    assert created.status_code == 400 and "cost" in created.json()
    assert changed.status_code == 400
    assert changed.json() == {"cost": ["Only users allowed to see costs may set a cost."]}
    assert product_state(product) == before
    assert not Product.objects.filter(company=org.company, code="NEW").exists()

    # Without a cost the change goes through, the cost stays and is not shown.
    response = api.patch(f"{PRODUCTS}{product.pk}/", {"name": "新名字"}, format="json")
    assert response.status_code == 200 and "cost" not in response.json()
    assert product_state(product)[1:] == ("新名字", "physical", Decimal("100.00"), Decimal("61.25"))


# --- writes --------------------------------------------------------------------------------


def test_a_manager_creates_changes_and_deletes_a_product(org, api_as, cost_manager):
    category = services.category_create(user=cost_manager, name="硬件")
    api = api_as(cost_manager)

    response = api.post(
        PRODUCTS,
        {
            "code": "SRV-1",
            "name": "机架式服务器",
            "spec": "2U",
            "unit": "台",
            "category": category.pk,
            "kind": "physical",
            "list_price": "38000.00",
            "cost": "29500.00",
            "tracks_stock": True,
            "low_stock_threshold": "2",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    product = Product.objects.get(company=org.company, code="SRV-1")
    assert body["id"] == product.pk
    assert {key: body[key] for key in body if key not in ("id", "created_at", "updated_at")} == {
        "code": "SRV-1",
        "name": "机架式服务器",
        "spec": "2U",
        "unit": "台",
        "category": category.pk,
        "category_name": "硬件",
        "kind": "physical",
        "list_price": "38000.00",
        "cost": "29500.00",
        "tracks_stock": True,
        "low_stock_threshold": "2.00",
        "is_active": True,
        "description": "",
    }

    response = api.patch(
        f"{PRODUCTS}{product.pk}/", {"category": None, "is_active": False}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["category"], response.json()["category_name"]) == (None, None)
    assert response.json()["is_active"] is False

    assert api.delete(f"{PRODUCTS}{product.pk}/").status_code == 204
    assert not Product.objects.filter(company=org.company).exists()


def test_writes_need_the_manage_products_permission(org, api_as, make_product, cost_viewer):
    product = make_product(org.boss)
    category = services.category_create(user=org.boss, name="硬件")
    before = product_state(product)

    for user in (org.sales1, cost_viewer, org.vice_boss):
        api = api_as(user)
        answers = [
            api.post(PRODUCTS, {"code": "N", "name": "新"}, format="json"),
            api.post(PRODUCTS, {}, format="json"),  # refused before the body is judged
            api.put(f"{PRODUCTS}{product.pk}/", {"code": "X", "name": "改"}, format="json"),
            api.patch(f"{PRODUCTS}{product.pk}/", {"name": "改"}, format="json"),
            api.delete(f"{PRODUCTS}{product.pk}/"),
            api.post(CATEGORIES, {"name": "新"}, format="json"),
            api.patch(f"{CATEGORIES}{category.pk}/", {"name": "改"}, format="json"),
            api.delete(f"{CATEGORIES}{category.pk}/"),
        ]
        assert [answer.status_code for answer in answers] == [403] * len(answers)
        assert answers[0].json() == {
            "detail": "Only users allowed to manage products may change them."
        }
        # Reading is for everyone.
        assert api.get(f"{PRODUCTS}{product.pk}/").status_code == 200
        assert api.get(f"{CATEGORIES}{category.pk}/").status_code == 200

    assert product_state(product) == before
    category.refresh_from_db()
    assert category.name == "硬件"
    assert Product.objects.filter(company=org.company).count() == 1


def test_bad_input_is_a_400_naming_the_field(org, api_as, make_product):
    make_product(org.boss, code="SRV-1", name="服务器")
    api = api_as(org.boss)

    cases = [
        ({"code": "srv-1", "name": "另一台"}, "code"),
        ({"code": "", "name": "产品"}, "code"),
        ({"code": "A", "name": "产品", "list_price": "-1"}, "list_price"),
        ({"code": "A", "name": "产品", "list_price": "1.234"}, "list_price"),
        ({"code": "A", "name": "产品", "kind": "gadget"}, "kind"),
        ({"code": "A", "name": "产品", "kind": "service", "tracks_stock": True}, "tracks_stock"),
        ({"code": "A", "name": "产品", "category": 99999999999999999999}, "category"),
        ({"code": "A", "name": "产品", "category": 999999}, "category"),
        ({"code": "A", "name": "产品", "surprise": 1, "list_price": "x"}, "list_price"),
    ]
    for body, field in cases:
        response = api.post(PRODUCTS, body, format="json")
        assert response.status_code == 400, body
        assert field in response.json(), (body, response.json())
    assert Product.objects.filter(company=org.company).count() == 1


def test_the_kind_cannot_change_once_on_an_agreement(
    org, api_as, make_product, make_customer, make_agreement
):
    product = make_product(org.boss, kind="physical")
    make_agreement(
        org.sales1, make_customer(org.sales1), lines=[{"product": product.pk, "quantity": "1"}]
    )
    api = api_as(org.boss)

    response = api.patch(f"{PRODUCTS}{product.pk}/", {"kind": "service"}, format="json")
    assert response.status_code == 400 and "kind" in response.json()
    deleted = api.delete(f"{PRODUCTS}{product.pk}/")
    assert deleted.status_code == 400
    assert "deactivate it instead" in deleted.json()["detail"][0]
    assert product_state(product)[2] == "physical"


# --- tenant isolation ----------------------------------------------------------------------


def test_another_companys_products_and_categories_are_not_found(
    org, other_org, api_as, make_product
):
    theirs = make_product(other_org.boss, code="THEIRS")
    their_category = services.category_create(user=other_org.boss, name="外部")
    before = product_state(theirs)

    for user in (org.boss, org.sales1):
        api = api_as(user)
        assert api.get(PRODUCTS).json()["count"] == 0
        assert api.get(CATEGORIES).json()["count"] == 0
        for url in (f"{PRODUCTS}{theirs.pk}/", f"{CATEGORIES}{their_category.pk}/"):
            assert api.get(url).status_code == 404
            assert api.patch(url, {"name": "偷改"}, format="json").status_code == 404
            assert api.put(url, {"code": "X", "name": "偷改"}, format="json").status_code == 404
            assert api.delete(url).status_code == 404
        assert api.get(PRODUCTS, {"category": their_category.pk}).json()["count"] == 0

    assert product_state(theirs) == before
    their_category.refresh_from_db()
    assert their_category.name == "外部"
    response = api_as(org.boss).post(
        PRODUCTS, {"code": "N", "name": "新", "category": their_category.pk}, format="json"
    )
    assert response.status_code == 400 and "category" in response.json()


# --- filters and query counts --------------------------------------------------------------


def test_the_list_filters_and_orders(org, api_as, make_product):
    hardware = services.category_create(user=org.boss, name="硬件")
    network = services.category_create(user=org.boss, name="网络", parent=hardware)
    make_product(org.boss, code="SW-1", name="交换机", category=network.pk, list_price="5")
    make_product(org.boss, code="SRV-1", name="服务器", category=hardware.pk, list_price="900")
    make_product(org.boss, code="SV-1", name="实施", kind="service", list_price="50")
    make_product(org.boss, code="OLD-1", name="旧交换机", is_active=False, tracks_stock=True)
    api = api_as(org.sales1)

    def codes(**query):
        response = api.get(PRODUCTS, query)
        assert response.status_code == 200, response.json()
        return [row["code"] for row in response.json()["results"]]

    assert codes() == ["OLD-1", "SRV-1", "SV-1", "SW-1"]
    assert codes(search="交换机") == ["OLD-1", "SW-1"]
    assert codes(category=hardware.pk) == ["SRV-1", "SW-1"]
    assert codes(kind="service") == ["SV-1"]
    assert codes(active="true") == ["SRV-1", "SV-1", "SW-1"]
    assert codes(active="false") == ["OLD-1"]
    assert codes(tracks_stock="true") == ["OLD-1"]
    assert codes(ordering="-list_price", active="true") == ["SRV-1", "SV-1", "SW-1"]
    for query, field in [
        ({"ordering": "cost"}, "ordering"),
        ({"kind": "gadget"}, "kind"),
        ({"category": "99999999999999999999"}, "category"),
        ({"active": "maybe"}, "active"),
    ]:
        response = api.get(PRODUCTS, query)
        assert response.status_code == 400 and field in response.json()


def test_categories_come_in_tree_order_with_their_depth(org, api_as):
    hardware = services.category_create(user=org.boss, name="硬件")
    service = services.category_create(user=org.boss, name="服务")
    network = services.category_create(user=org.boss, name="网络", parent=hardware)

    rows = api_as(org.sales1).get(CATEGORIES).json()["results"]

    assert rows == [
        {"id": hardware.pk, "name": "硬件", "parent": None, "depth": 0, "position": 0},
        {"id": network.pk, "name": "网络", "parent": hardware.pk, "depth": 1, "position": 0},
        {"id": service.pk, "name": "服务", "parent": None, "depth": 0, "position": 1},
    ]


def test_a_manager_builds_and_reshapes_the_category_tree(org, api_as, manager):
    api = api_as(manager)
    hardware = api.post(CATEGORIES, {"name": "硬件"}, format="json").json()
    network = api.post(CATEGORIES, {"name": "网络", "parent": hardware["id"]}, format="json")
    assert network.status_code == 201
    network = network.json()
    switches = api.post(CATEGORIES, {"name": "交换机", "parent": network["id"]}, format="json")
    switches = switches.json()
    assert (network["depth"], switches["depth"]) == (1, 2)

    # Under its own subtree: refused, nothing moves.
    response = api.patch(
        f"{CATEGORIES}{hardware['id']}/", {"parent": switches["id"]}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "parent": ["A category cannot move under itself or one of its subcategories."]
    }

    # To the top level: the subtree follows.
    response = api.patch(f"{CATEGORIES}{network['id']}/", {"parent": None}, format="json")
    assert response.status_code == 200 and response.json()["depth"] == 0
    moved = ProductCategory.objects.get(pk=switches["id"])
    assert moved.path == f"/{network['id']}/{switches['id']}/"
    renamed = api.patch(f"{CATEGORIES}{network['id']}/", {"name": "网络设备"}, format="json")
    assert renamed.json()["name"] == "网络设备" and renamed.json()["parent"] is None

    # Only an empty category goes.
    refused = api.delete(f"{CATEGORIES}{network['id']}/")
    assert refused.status_code == 400
    assert refused.json() == {"detail": ["网络设备 has subcategories: move or delete them first."]}
    assert api.delete(f"{CATEGORIES}{switches['id']}/").status_code == 204
    assert ProductCategory.objects.filter(company=org.company).count() == 2
    assert api.post(CATEGORIES, {"name": " "}, format="json").json().keys() == {"name"}


@pytest.mark.parametrize("size", [2, 12])
def test_the_list_query_count_does_not_grow(
    size, org, api_as, make_product, django_assert_max_num_queries
):
    category = services.category_create(user=org.boss, name="硬件")
    for _index in range(size):
        make_product(org.boss, category=category.pk)
        services.category_create(user=org.boss, name="子类", parent=category)
    for user in (org.boss, org.sales1):
        api = api_as(user)

        with django_assert_max_num_queries(LIST_QUERIES):
            products = api.get(PRODUCTS, {"page_size": 50})
        with django_assert_max_num_queries(LIST_QUERIES):
            categories = api.get(CATEGORIES, {"page_size": 50})

        assert products.json()["count"] == size
        assert {row["category_name"] for row in products.json()["results"]} == {"硬件"}
        assert categories.json()["count"] == size + 1
