"""The purchasing API: suppliers and purchase orders (with place, cancel, receive).

Who is who (company A uses inventory; see banyan/inventory/tests/test_api.py):
- buyer: purchasing permission, no costs; pricer: purchasing and see costs;
- keeper: keeper of 上海仓; rep: no special permission; boss: the first admin boss, who
  holds every special permission;
- vice_boss: a boss without admin rights or costs.
"""

from decimal import Decimal

import pytest

from banyan.inventory import services as inventory_services
from banyan.inventory.models import StockLevel, StockSlip
from banyan.inventory.tests.conftest import build
from banyan.purchasing import services
from banyan.purchasing.models import PurchaseOrder, Supplier

SUPPLIERS = "/api/v1/suppliers/"
ORDERS = "/api/v1/purchase-orders/"
SLIPS = "/api/v1/stock-slips/"

SEES_REFUSED = {
    "detail": "Only purchasing staff, warehouse keepers and bosses see suppliers and purchase "
    "orders."
}
PURCHASING_ONLY = {"detail": "Only purchasing staff may do this."}
COST_KEYS = {"unit_price", "amount"}


@pytest.fixture
def inv(org, grant, make_product, make_customer):
    inv = build(org, grant, make_product, make_customer)
    inv.pricer = grant(org.manager1, "purchasing", "see_costs")
    inv.supplier = services.supplier_create(user=inv.buyer, name="华东五金", phone="13800138000")
    return inv


@pytest.fixture
def other(other_org, grant, make_product, make_customer):
    other = build(other_org, grant, make_product, make_customer)
    other.supplier = services.supplier_create(user=other.buyer, name="华东五金")
    other.order = services.purchase_order_create(
        user=other.buyer,
        supplier=other.supplier,
        warehouse=other.shanghai,
        lines=[{"product": other.product.pk, "quantity": "1"}],
    )
    return other


def draft(inv, quantity="10", price="55.50"):
    return services.purchase_order_create(
        user=inv.pricer,
        supplier=inv.supplier,
        warehouse=inv.shanghai,
        lines=[{"product": inv.product.pk, "quantity": quantity, "unit_price": price}],
    )


def placed(inv, **kwargs):
    order = draft(inv, **kwargs)
    return services.purchase_order_place(user=inv.buyer, order=order)


# --- suppliers -------------------------------------------------------------------------------


def test_purchasing_staff_keep_the_suppliers(inv, api_as):
    api = api_as(inv.buyer)

    response = api.post(
        SUPPLIERS,
        {
            "name": "华南电子",
            "contact_name": "李经理",
            "phone": "138 0013 8001",
            "email": "Li@Example.com",
            "address": "深圳",
            "notes": "Pays on time",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    supplier = Supplier.objects.get(name="华南电子")
    body = response.json()
    assert body == {
        "id": supplier.pk,
        "name": "华南电子",
        "contact_name": "李经理",
        "phone": supplier.phone,
        "email": "li@example.com",
        "address": "深圳",
        "notes": "Pays on time",
        "is_active": True,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    changed = api.patch(f"{SUPPLIERS}{supplier.pk}/", {"is_active": False}, format="json")
    assert changed.json()["is_active"] is False

    def names(**params):
        return [row["name"] for row in api.get(SUPPLIERS, params).json()["results"]]

    assert names() == ["华东五金", "华南电子"]
    assert names(active="true") == ["华东五金"]
    assert names(search="李经理") == ["华南电子"]

    assert api.delete(f"{SUPPLIERS}{supplier.pk}/").status_code == 204
    draft(inv)
    refused = api.delete(f"{SUPPLIERS}{inv.supplier.pk}/")
    assert refused.status_code == 400
    assert refused.json() == {"detail": ["华东五金 has purchase orders: set it inactive instead."]}
    assert list(Supplier.objects.values_list("name", flat=True)) == ["华东五金"]


def test_supplier_input_names_the_field(inv, api_as):
    api = api_as(inv.buyer)

    response = api.post(
        SUPPLIERS, {"name": "华东五金", "email": "not-an-address", "phone": "12"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"name", "email", "phone"}
    assert response.json()["name"] == ["There is already a supplier of that name."]
    assert response.json()["email"] == ["Enter a valid e-mail address."]
    assert api.post(SUPPLIERS, {}, format="json").json() == {"name": ["This field is required."]}
    assert Supplier.objects.count() == 1


# (reads, writes) of suppliers and purchase orders.
MATRIX = {
    "buyer": (200, 201),
    "pricer": (200, 201),
    "keeper": (200, 403),
    "boss": (200, 201),  # the first admin boss holds every special permission
    "vice_boss": (200, 403),
    "rep": (403, 403),
}


@pytest.mark.parametrize("who", MATRIX)
def test_who_reads_and_writes_suppliers(who, inv, api_as):
    api = api_as(getattr(inv, who))
    reads, writes = MATRIX[who]
    item = f"{SUPPLIERS}{inv.supplier.pk}/"

    assert api.get(SUPPLIERS).status_code == reads
    assert api.get(item).status_code == reads
    created = api.post(SUPPLIERS, {"name": "华南电子"}, format="json")
    changed = api.patch(item, {"name": "改名"}, format="json")
    deleted = api.delete(item)
    assert (created.status_code, changed.status_code) == (writes, 200 if writes == 201 else 403)
    if reads == 403:
        assert api.get(SUPPLIERS).json() == SEES_REFUSED
        assert created.json() == changed.json() == deleted.json() == SEES_REFUSED
    elif writes == 403:
        assert created.json() == changed.json() == deleted.json() == PURCHASING_ONLY
        # Refused before the body is read: an empty body is the same 403.
        assert api.post(SUPPLIERS, {}, format="json").json() == PURCHASING_ONLY
    if writes == 403:
        assert list(Supplier.objects.values_list("name", flat=True)) == ["华东五金"]
    else:
        assert deleted.status_code == 204
        assert list(Supplier.objects.values_list("name", flat=True)) == ["华南电子"]


def test_another_companys_supplier_does_not_exist(inv, other, api_as):
    api = api_as(inv.buyer)
    item = f"{SUPPLIERS}{other.supplier.pk}/"

    assert api.get(item).status_code == 404
    assert api.patch(item, {"name": "X"}, format="json").status_code == 404
    assert api.delete(item).status_code == 404
    assert [row["id"] for row in api.get(SUPPLIERS).json()["results"]] == [inv.supplier.pk]
    other.supplier.refresh_from_db()
    assert other.supplier.name == "华东五金"


# --- purchase orders -------------------------------------------------------------------------


def test_a_purchase_order_from_draft_to_received(inv, api_as):
    api = api_as(inv.pricer)

    response = api.post(
        ORDERS,
        {
            "supplier": inv.supplier.pk,
            "warehouse": inv.shanghai.pk,
            "expected_on": "2026-07-01",
            "note": "Urgent",
            "lines": [{"product": inv.product.pk, "quantity": "10", "unit_price": "55.50"}],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    order = PurchaseOrder.objects.get()
    line = order.lines.get()
    body = response.json()
    assert body == {
        "id": order.pk,
        "number": order.number,
        "supplier": inv.supplier.pk,
        "supplier_name": "华东五金",
        "warehouse": inv.shanghai.pk,
        "warehouse_name": "上海仓",
        "status": "draft",
        "ordered_on": None,
        "expected_on": "2026-07-01",
        "amount": "555.00",
        "note": "Urgent",
        "lines": [
            {
                "id": line.pk,
                "product": inv.product.pk,
                "product_code": "A-1",
                "product_name": "螺丝",
                "quantity": "10.00",
                "unit_price": "55.50",
                "amount": "555.00",
                "received_quantity": "0.00",
            }
        ],
        "created_by": inv.pricer.pk,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    item = f"{ORDERS}{order.pk}"
    changed = api.patch(
        f"{item}/", {"lines": [{"product": inv.product.pk, "quantity": "8"}]}, format="json"
    )
    assert changed.status_code == 200
    # Without a price of its own the line keeps the one agreed on the order.
    assert (changed.json()["amount"], changed.json()["lines"][0]["unit_price"]) == (
        "444.00",
        "55.50",
    )
    placed = api.post(f"{item}/place/", {"ordered_on": "2026-06-01"}, format="json")
    assert (placed.json()["status"], placed.json()["ordered_on"]) == ("ordered", "2026-06-01")
    frozen = api.patch(f"{item}/", {"note": "Later"}, format="json")
    assert (frozen.status_code, frozen.json()) == (
        400,
        {"status": ["Only a draft purchase order can change."]},
    )
    assert api.delete(f"{item}/").json() == {
        "status": ["Only a draft purchase order can be deleted: cancel it instead."]
    }
    line = order.lines.get()

    received = api.post(
        f"{item}/receive/", {"lines": [{"line": line.pk, "quantity": "3"}]}, format="json"
    )

    assert received.status_code == 201, received.json()
    slip = StockSlip.objects.get(purchase_order=order)
    assert {
        key: received.json()[key]
        for key in ("id", "kind", "status", "purchase_order", "purchase_order_number")
    } == {
        "id": slip.pk,
        "kind": "inbound",
        "status": "draft",
        "purchase_order": order.pk,
        "purchase_order_number": order.number,
    }
    assert [(row["purchase_line"], row["quantity"]) for row in received.json()["lines"]] == [
        (line.pk, "3.00")
    ]
    over = api.post(
        f"{item}/receive/", {"lines": [{"line": line.pk, "quantity": "6"}]}, format="json"
    )
    assert over.json() == {"lines": ["Line 1: 5.00 of 螺丝 is still to receive."]}
    # Nothing counts as received until a keeper confirms the inbound slip.
    assert api.get(f"{item}/").json()["lines"][0]["received_quantity"] == "0.00"
    assert api_as(inv.keeper).post(f"{SLIPS}{slip.pk}/confirm/").status_code == 200
    after = api.get(f"{item}/").json()
    assert (after["status"], after["lines"][0]["received_quantity"]) == ("partly_received", "3.00")
    assert StockLevel.objects.get(warehouse=inv.shanghai, product=inv.product).quantity == 13
    refused = api.post(f"{item}/cancel/")
    assert refused.status_code == 400
    assert inventory_services.check_stock(inv.org.company.pk) == []


def test_purchase_prices_are_absent_without_the_cost_permission(inv, api_as, grant):
    order = placed(inv)
    slip = services.purchase_order_receive(user=inv.buyer, order=order)

    for user in (inv.buyer, inv.keeper, inv.vice_boss):
        api = api_as(user)
        listed = api.get(ORDERS).json()["results"]
        detail = api.get(f"{ORDERS}{order.pk}/").json()
        for row in (listed[0], detail):
            assert "amount" not in row
            assert not COST_KEYS & set(row["lines"][0])
            assert row["lines"][0]["quantity"] == "10.00"
        assert not COST_KEYS & set(api.get(f"{SLIPS}{slip.pk}/").json()["lines"][0])

    for user in (inv.pricer, inv.boss, grant(inv.keeper, "see_costs")):
        row = api_as(user).get(f"{ORDERS}{order.pk}/").json()
        assert (row["amount"], row["lines"][0]["unit_price"], row["lines"][0]["amount"]) == (
            "555.00",
            "55.50",
            "555.00",
        )


def test_a_price_from_someone_who_may_not_see_costs_is_refused(inv, api_as):
    api = api_as(inv.buyer)
    body = {
        "supplier": inv.supplier.pk,
        "warehouse": inv.shanghai.pk,
        "lines": [{"product": inv.product.pk, "quantity": "2", "unit_price": "1.00"}],
    }

    refused = api.post(ORDERS, body, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"lines": ["Line 1: only users who may see costs set purchase prices"]}
    del body["lines"][0]["unit_price"]
    created = api.post(ORDERS, body, format="json")
    assert created.status_code == 201
    assert "amount" not in created.json()
    # The price is the product's cost, unseen by the buyer.
    assert PurchaseOrder.objects.get().amount == Decimal("120.00")


def test_purchase_order_input_names_the_field(inv, other, api_as):
    api = api_as(inv.pricer)

    response = api.post(
        ORDERS,
        {
            "supplier": other.supplier.pk,
            "warehouse": other.shanghai.pk,
            "expected_on": "someday",
            "lines": [{"product": other.product.pk, "quantity": "1"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"expected_on"}
    response = api.post(
        ORDERS,
        {
            "supplier": other.supplier.pk,
            "warehouse": other.shanghai.pk,
            "lines": [{"product": other.product.pk, "quantity": "1"}],
        },
        format="json",
    )
    assert response.json() == {
        "supplier": ["Choose an active supplier from the list."],
        "warehouse": ["Choose a warehouse from the list."],
        "lines": ["Line 1: choose a product from the catalogue."],
    }
    response = api.post(
        ORDERS,
        {"supplier": inv.supplier.pk, "warehouse": inv.shanghai.pk, "lines": []},
        format="json",
    )
    assert response.json() == {"lines": ["Add at least one product line."]}
    assert PurchaseOrder.objects.filter(company=inv.org.company).count() == 0


@pytest.mark.parametrize("who", MATRIX)
def test_who_reads_and_writes_purchase_orders(who, inv, api_as):
    order = draft(inv)
    to_receive = placed(inv)
    api = api_as(getattr(inv, who))
    reads, writes = MATRIX[who]
    item = f"{ORDERS}{order.pk}"
    body = {
        "supplier": inv.supplier.pk,
        "warehouse": inv.shanghai.pk,
        "lines": [{"product": inv.product.pk, "quantity": "1"}],
    }

    assert api.get(ORDERS).status_code == reads
    assert api.get(f"{item}/").status_code == reads
    answers = [
        api.post(ORDERS, body, format="json"),
        api.patch(f"{item}/", {"note": "x"}, format="json"),
        api.post(f"{item}/place/", {}, format="json"),
        api.post(f"{ORDERS}{to_receive.pk}/receive/", {}, format="json"),
        api.post(f"{ORDERS}{to_receive.pk}/cancel/"),
    ]
    if writes == 201:
        assert [answer.status_code for answer in answers] == [201, 200, 200, 201, 400]
        assert StockSlip.objects.filter(purchase_order=to_receive).count() == 1
    else:
        expected = SEES_REFUSED if reads == 403 else PURCHASING_ONLY
        assert [answer.status_code for answer in answers] == [403] * 5
        assert [answer.json() for answer in answers] == [expected] * 5
        assert api.delete(f"{item}/").json() == expected
        assert PurchaseOrder.objects.count() == 2
        assert list(PurchaseOrder.objects.order_by("id").values_list("status", flat=True)) == [
            "draft",
            "ordered",
        ]
        assert StockSlip.objects.filter(purchase_order__isnull=False).count() == 0


def test_another_companys_purchase_order_does_not_exist(inv, other, api_as):
    api = api_as(inv.pricer)
    item = f"{ORDERS}{other.order.pk}"

    assert api.get(f"{item}/").status_code == 404
    assert api.patch(f"{item}/", {"note": "x"}, format="json").status_code == 404
    assert api.delete(f"{item}/").status_code == 404
    for action in ("place", "cancel", "receive"):
        assert api.post(f"{item}/{action}/", {}, format="json").status_code == 404
    assert api.get(ORDERS, {"supplier": other.supplier.pk}).json()["results"] == []
    other.order.refresh_from_db()
    assert other.order.status == "draft"
    own = placed(inv)
    foreign_line = other.order.lines.get()
    response = api.post(
        f"{ORDERS}{own.pk}/receive/",
        {"lines": [{"line": foreign_line.pk, "quantity": "1"}]},
        format="json",
    )
    assert response.json() == {"lines": ["Line 1: choose a line of this purchase order."]}
    assert StockSlip.objects.count() == 0


def test_purchase_order_filters(inv, api_as):
    first = draft(inv)
    second = placed(inv)
    api = api_as(inv.buyer)

    def ids(**params):
        response = api.get(ORDERS, params)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [second.pk, first.pk]
    assert ids(status="ordered") == [second.pk]
    assert ids(search=first.number) == [first.pk]
    assert ids(supplier=inv.supplier.pk, ordering="number") == [first.pk, second.pk]
    assert ids(warehouse=inv.beijing.pk) == []
    assert api.get(ORDERS, {"status": "lost"}).status_code == 400


# --- query counts ----------------------------------------------------------------------------

# The user by token, the company, the permissions (user and group), count, page; purchase
# orders also their lines and the lines' products.
LIST_QUERIES = {SUPPLIERS: 6, ORDERS: 8}


@pytest.mark.parametrize("size", [3, 12])
def test_list_query_counts_do_not_grow(
    size, inv, api_as, make_product, django_assert_max_num_queries
):
    products = [inv.product] + [make_product(inv.boss, tracks_stock=True) for _ in range(2)]
    for index in range(size):
        services.supplier_create(user=inv.buyer, name=f"供应商{index}")
        services.purchase_order_create(
            user=inv.pricer,
            supplier=inv.supplier,
            warehouse=inv.shanghai,
            lines=[{"product": p.pk, "quantity": "2", "unit_price": "3"} for p in products],
        )

    for user in (inv.pricer, inv.keeper):
        api = api_as(user)
        for url, limit in LIST_QUERIES.items():
            with django_assert_max_num_queries(limit):
                response = api.get(url, {"page_size": 100})
            assert response.status_code == 200
            assert len(response.json()["results"]) >= size


# --- the schema ------------------------------------------------------------------------------


def test_the_schema_documents_the_purchasing_api(db, api_client):
    response = api_client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert {
        "/api/v1/suppliers/",
        "/api/v1/suppliers/{id}/",
        "/api/v1/purchase-orders/",
        "/api/v1/purchase-orders/{id}/",
        "/api/v1/purchase-orders/{id}/place/",
        "/api/v1/purchase-orders/{id}/cancel/",
        "/api/v1/purchase-orders/{id}/receive/",
    } <= set(schema["paths"])
    components = schema["components"]["schemas"]
    # Prices are answered only to some users: documented, but never promised.
    assert set(components["PurchaseOrderLine"]["properties"]) >= COST_KEYS
    assert not COST_KEYS & set(components["PurchaseOrderLine"].get("required", []))
    assert "amount" not in components["PurchaseOrder"].get("required", [])
    assert "amount" not in components["PurchaseOrderLineRequest"]["properties"]
