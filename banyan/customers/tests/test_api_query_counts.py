"""The customers API's lists: their query counts do not grow with the page.

The sixty customers are built once for this module (every test here only reads them), inside
the module's transaction that holds the test companies (see conftest.py)."""

import pytest

from banyan.accounts.models import DictionaryOption
from banyan.customers import services

CUSTOMERS_URL = "/api/v1/customers/"
CONTACTS_URL = "/api/v1/contacts/"

pytestmark = pytest.mark.django_db


def option(org, kind, code) -> DictionaryOption:
    return DictionaryOption.objects.get(company=org.company, kind=kind, code=code)


@pytest.fixture(scope="module")
def many_customers(alpha_build, django_db_blocker):
    """60 customers across sales1's team, each with two contacts and dictionary labels, some
    shared with manager2 so the share flags are exercised."""
    org = alpha_build
    with django_db_blocker.unblock():
        vip = option(org, "customer_type", "vip")
        referral = option(org, "customer_source", "referral")
        it = option(org, "industry", "it")
        category = option(org, "contact_category", "user")
        for index in range(60):
            owner = org.sales1 if index % 2 else org.sales2
            customer = services.customer_create(
                user=owner,
                name=f"客户{index:02d}",
                type=vip,
                source=referral,
                industry=it,
                contacts=[
                    {"name": f"联系人{index}甲", "category": category},
                    {"name": f"联系人{index}乙"},
                ],
                confirm_duplicates=True,
            )
            if index % 3 == 0:
                services.customer_share(
                    user=owner, customer=customer, target=org.manager2, level="edit"
                )


@pytest.mark.parametrize("actor", ["manager1", "manager2", "boss", "assistant"])
@pytest.mark.parametrize("page_size", [5, 50])
def test_the_customer_list_query_count_does_not_grow_with_the_page(
    org, api_as, many_customers, django_assert_max_num_queries, actor, page_size
):
    api = api_as(getattr(org, actor))

    # token + company (+ an assistant's principal), count, page, contacts
    with django_assert_max_num_queries(9):
        response = api.get(CUSTOMERS_URL, {"page_size": page_size, "search": "客户"})

    assert response.status_code == 200
    assert len(response.json()["results"]) == min(page_size, response.json()["count"])
    assert all(len(row["contacts"]) == 2 for row in response.json()["results"])


@pytest.mark.parametrize("actor", ["manager1", "boss", "assistant"])
@pytest.mark.parametrize("page_size", [5, 50])
def test_the_contact_list_query_count_does_not_grow_with_the_page(
    org, api_as, many_customers, django_assert_max_num_queries, actor, page_size
):
    api = api_as(getattr(org, actor))

    # token + company (+ an assistant's principal), count, page
    with django_assert_max_num_queries(6):
        response = api.get(CONTACTS_URL, {"page_size": page_size})

    assert response.status_code == 200
    assert len(response.json()["results"]) == page_size
