"""Ids a key cannot hold, in query strings and bodies, are a clear 400 or an empty answer:
never a 500 from the database driver."""

import pytest

TOO_BIG = "99999999999999999999"

LISTS = {
    "/activities/": ["customer"],
    "/api/v1/customers/": ["type", "source", "industry", "owner"],
    "/api/v1/contacts/": ["customer"],
    "/api/v1/activities/": ["customer", "type", "owner"],
    "/api/v1/tasks/": ["customer", "assignee"],
    "/api/v1/work-summaries/": ["customer", "author"],
    "/api/v1/opportunities/": ["customer", "stage", "owner"],
    "/api/v1/users/": ["superior"],
    "/products/": ["category"],
    "/contracts/": ["owner", "customer"],
    "/orders/": ["owner", "customer"],
    "/finance/plans/": ["owner", "customer"],
    "/finance/payments/": ["owner", "customer", "method"],
    "/finance/invoices/": ["customer", "type"],
    "/api/v1/products/": ["category"],
    "/api/v1/product-categories/": ["parent"],
    "/api/v1/agreements/": ["customer", "owner"],
    "/api/v1/payment-plans/": ["agreement", "customer"],
    "/api/v1/payments/": ["agreement", "customer", "owner", "method"],
    "/api/v1/invoices/": ["agreement", "customer", "type"],
    "/api/v1/shipments/": ["agreement"],
}
# Pages and endpoints of a company that uses inventory.
INVENTORY_LISTS = {
    "/inventory/stock/": ["warehouse"],
    "/inventory/slips/": ["warehouse"],
    "/api/v1/stock/": ["warehouse", "product"],
    "/api/v1/stock-slips/": ["warehouse", "agreement"],
    "/api/v1/purchase-orders/": ["supplier", "warehouse"],
}


@pytest.mark.parametrize(
    ("url", "param"), [(url, param) for url, params in LISTS.items() for param in params]
)
def test_an_id_too_big_for_a_key_is_refused_or_finds_nothing(client_as, org, url, param):
    response = client_as(org.sales1).get(url, {param: TOO_BIG})
    assert response.status_code in (200, 400)
    if response.status_code == 400 and url.startswith("/api/"):
        assert param in response.json()


@pytest.mark.parametrize(
    ("url", "param"),
    [(url, param) for url, params in INVENTORY_LISTS.items() for param in params],
)
def test_inventory_ids_too_big_for_a_key_are_refused_or_find_nothing(
    client_as, org, grant, url, param
):
    org.company.uses_inventory = True
    org.company.save()
    keeper = grant(org.sales_boss, "warehouse_keeper", "purchasing")
    response = client_as(keeper).get(url, {param: TOO_BIG})
    assert response.status_code in (200, 400)
    if response.status_code == 400 and url.startswith("/api/"):
        assert param in response.json()


def test_a_body_id_too_big_is_a_400_naming_the_field(api_as, org, make_customer):
    customer = make_customer(org.sales1)
    response = api_as(org.sales1).post(
        f"/api/v1/customers/{customer.pk}/share/", {"user": TOO_BIG, "level": "view"}, format="json"
    )
    assert response.status_code == 400
    assert "user" in response.json()
