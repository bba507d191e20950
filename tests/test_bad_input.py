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
}


@pytest.mark.parametrize(
    ("url", "param"), [(url, param) for url, params in LISTS.items() for param in params]
)
def test_an_id_too_big_for_a_key_is_refused_or_finds_nothing(client_as, org, url, param):
    response = client_as(org.sales1).get(url, {param: TOO_BIG})
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
