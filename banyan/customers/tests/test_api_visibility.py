"""The visibility matrix of the customers API: who may read, change, delete, share and transfer
a customer and its contacts, over every endpoint.

The customer belongs to org.sales1 and is shared with sales3 to view and with sales4 to edit.
Invisible (a peer, another department, another company) is 404, exactly as if it did not
exist; visible but not allowed is 403; a refused request changes nothing.
"""

import pytest

from banyan.customers import services
from banyan.customers.models import Contact, Customer, CustomerShare

CUSTOMERS_URL = "/api/v1/customers/"
CONTACTS_URL = "/api/v1/contacts/"

# Customer endpoints, one column each:
#   read       GET customers/{id}/              listed     present in GET customers/
#   edit       PATCH/PUT customers/{id}/        delete     DELETE customers/{id}/
#   shares     GET customers/{id}/share/        share      POST customers/{id}/share/
#   unshare    DELETE customers/{id}/share/     transfer   POST customers/{id}/transfer/
#   bulk_transfer, bulk_share                   POST customers/bulk-transfer/, bulk-share/
#   duplicate  how GET duplicates/ reports it: "full" (id and name), "owner" (owner only),
#              None (another company: not at all)
CUSTOMER_COLUMNS = (
    "read",
    "listed",
    "edit",
    "delete",
    "shares",
    "share",
    "unshare",
    "transfer",
    "bulk_transfer",
    "bulk_share",
    "duplicate",
)
# fmt: off
CUSTOMER_MATRIX = {
    # actor        read listed edit delete shares share unshare transfer bulk_t bulk_s duplicate
    "sales1":     (200, True,  200, 204,   200,   201,  204,    200,     200,   200,   "full"),
    "manager1":   (200, True,  200, 204,   200,   201,  204,    200,     200,   200,   "full"),
    "director1":  (200, True,  200, 204,   200,   201,  204,    200,     200,   200,   "full"),
    "boss":       (200, True,  200, 204,   200,   201,  204,    200,     200,   200,   "full"),
    "assistant":  (200, True,  200, 204,   200,   201,  204,    200,     200,   200,   "full"),
    "sales3":     (200, True,  403, 403,   200,   403,  403,    403,     403,   403,   "full"),
    "sales4":     (200, True,  200, 403,   200,   403,  403,    403,     403,   403,   "full"),
    "sales2":     (404, False, 404, 404,   404,   404,  404,    404,     404,   404,   "owner"),
    "manager2":   (404, False, 404, 404,   404,   404,  404,    404,     404,   404,   "owner"),
    "other":      (404, False, 404, 404,   404,   404,  404,    404,     404,   404,   None),
}
# fmt: on

# Contact endpoints: GET contacts/{id}/, present in GET contacts/, POST contacts/ (for this
# customer: an invisible one is answered like a missing one, 400 naming `customer`),
# PATCH contacts/{id}/, DELETE contacts/{id}/. Contacts follow their customer's edit right.
CONTACT_COLUMNS = ("read", "listed", "create", "edit", "delete")
# fmt: off
CONTACT_MATRIX = {
    # actor        read listed create edit delete
    "sales1":     (200, True,  201,   200, 204),
    "manager1":   (200, True,  201,   200, 204),
    "director1":  (200, True,  201,   200, 204),
    "boss":       (200, True,  201,   200, 204),
    "assistant":  (200, True,  201,   200, 204),
    "sales3":     (200, True,  403,   403, 403),
    "sales4":     (200, True,  201,   200, 204),
    "sales2":     (404, False, 400,   404, 404),
    "manager2":   (404, False, 400,   404, 404),
    "other":      (404, False, 400,   404, 404),
}
# fmt: on

SUCCESS = {200, 201, 204}


def customer_cases(column):
    index = CUSTOMER_COLUMNS.index(column)
    return [pytest.param(actor, row[index], id=actor) for actor, row in CUSTOMER_MATRIX.items()]


def contact_cases(column):
    index = CONTACT_COLUMNS.index(column)
    return [pytest.param(actor, row[index], id=actor) for actor, row in CONTACT_MATRIX.items()]


@pytest.fixture
def customer(org, make_customer):
    customer = make_customer(
        org.sales1,
        name="北京沃力科技",
        phone="13800138000",
        contacts=[{"name": "张伟", "mobile": "13900001111"}],
    )
    services.customer_share(user=org.sales1, customer=customer, target=org.sales3, level="view")
    services.customer_share(user=org.sales1, customer=customer, target=org.sales4, level="edit")
    return customer


@pytest.fixture
def contact(customer):
    return customer.contacts.get()


@pytest.fixture
def company_of(request, org):
    """`company_of(actor)` → the people of the actor's company (another company: other_org)."""

    def find(actor):
        return request.getfixturevalue("other_org") if actor == "other" else org

    return find


@pytest.fixture
def api_for(api_as, company_of):
    """`api_for(actor)` → an API client acting as that actor."""

    def login(actor):
        people = company_of(actor)
        return api_as(people.sales1 if actor == "other" else getattr(people, actor))

    return login


def snapshot(customer) -> tuple:
    """Everything a request on the customer could change."""
    return (
        list(Customer.objects.filter(pk=customer.pk).values()),
        sorted(
            CustomerShare.objects.filter(customer_id=customer.pk).values_list("user_id", "level")
        ),
        list(Contact.objects.filter(customer_id=customer.pk).order_by("pk").values()),
    )


def assert_refusal_changed_nothing(expected, before, customer):
    if expected not in SUCCESS:
        assert snapshot(customer) == before


# Customers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("actor", "expected"), customer_cases("read"))
def test_reading_a_customer(api_for, customer, actor, expected):
    response = api_for(actor).get(f"{CUSTOMERS_URL}{customer.pk}/")

    assert response.status_code == expected
    if expected == 200:
        assert response.json()["id"] == customer.pk
    else:
        assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(("actor", "expected"), customer_cases("listed"))
def test_listing_customers(api_for, customer, actor, expected):
    response = api_for(actor).get(CUSTOMERS_URL)

    assert response.status_code == 200
    assert (customer.pk in [row["id"] for row in response.json()["results"]]) is expected


@pytest.mark.parametrize(("actor", "expected"), customer_cases("edit"))
@pytest.mark.parametrize(
    ("method", "payload"),
    [
        ("patch", {"name": "北京沃力集团"}),
        ("put", {"name": "北京沃力集团", "kind": "enterprise", "phone": "13800138000"}),
        ("patch", {"is_hot": True}),
    ],
    ids=["patch", "put", "hot"],
)
def test_editing_a_customer(api_for, customer, actor, expected, method, payload):
    before = snapshot(customer)

    response = getattr(api_for(actor), method)(
        f"{CUSTOMERS_URL}{customer.pk}/", payload, format="json"
    )

    assert response.status_code == expected
    assert_refusal_changed_nothing(expected, before, customer)
    if expected == 200:
        customer.refresh_from_db()
        assert {field: getattr(customer, field) for field in payload} == payload
        assert response.json()["can_edit"] is True


@pytest.mark.parametrize(("actor", "expected"), customer_cases("transfer"))
def test_changing_the_owner_through_patch_is_a_transfer(
    api_for, company_of, customer, actor, expected
):
    before = snapshot(customer)
    new_owner = company_of(actor).sales2

    response = api_for(actor).patch(
        f"{CUSTOMERS_URL}{customer.pk}/", {"owner": new_owner.pk}, format="json"
    )

    assert response.status_code == expected
    assert_refusal_changed_nothing(expected, before, customer)
    if expected == 200:
        customer.refresh_from_db()
        assert customer.owner == new_owner


@pytest.mark.parametrize(("actor", "expected"), customer_cases("delete"))
def test_deleting_a_customer(api_for, customer, actor, expected):
    before = snapshot(customer)

    response = api_for(actor).delete(f"{CUSTOMERS_URL}{customer.pk}/")

    assert response.status_code == expected
    assert_refusal_changed_nothing(expected, before, customer)
    if expected == 204:
        assert not Customer.objects.filter(pk=customer.pk).exists()
        assert not Contact.objects.filter(customer_id=customer.pk).exists()


@pytest.mark.parametrize(("actor", "expected"), customer_cases("shares"))
def test_listing_who_a_customer_is_shared_with(org, api_for, customer, actor, expected):
    response = api_for(actor).get(f"{CUSTOMERS_URL}{customer.pk}/share/")

    assert response.status_code == expected
    if expected == 200:
        assert sorted((s["user"], s["level"]) for s in response.json()) == sorted(
            [(org.sales3.pk, "view"), (org.sales4.pk, "edit")]
        )


@pytest.mark.parametrize(("actor", "expected"), customer_cases("share"))
def test_sharing_a_customer(api_for, company_of, customer, actor, expected):
    before = snapshot(customer)
    target = company_of(actor).sales_boss

    response = api_for(actor).post(
        f"{CUSTOMERS_URL}{customer.pk}/share/", {"user": target.pk, "level": "view"}, format="json"
    )

    assert response.status_code == expected
    assert_refusal_changed_nothing(expected, before, customer)
    if expected == 201:
        assert CustomerShare.objects.get(customer=customer, user=target).level == "view"


@pytest.mark.parametrize(("actor", "expected"), customer_cases("unshare"))
def test_unsharing_a_customer(org, api_for, customer, actor, expected):
    before = snapshot(customer)

    response = api_for(actor).delete(
        f"{CUSTOMERS_URL}{customer.pk}/share/", {"user": org.sales3.pk}, format="json"
    )

    assert response.status_code == expected
    assert_refusal_changed_nothing(expected, before, customer)
    if expected == 204:
        assert not CustomerShare.objects.filter(customer=customer, user=org.sales3).exists()


@pytest.mark.parametrize(("actor", "expected"), customer_cases("transfer"))
def test_transferring_a_customer(api_for, company_of, customer, actor, expected):
    before = snapshot(customer)
    new_owner = company_of(actor).sales2

    response = api_for(actor).post(
        f"{CUSTOMERS_URL}{customer.pk}/transfer/", {"owner": new_owner.pk}, format="json"
    )

    assert response.status_code == expected
    assert_refusal_changed_nothing(expected, before, customer)
    if expected == 200:
        customer.refresh_from_db()
        assert customer.owner == new_owner
        assert customer.contacts.count() == 1


@pytest.mark.parametrize(("actor", "expected"), customer_cases("bulk_transfer"))
def test_bulk_transferring_a_customer(api_for, company_of, customer, actor, expected):
    before = snapshot(customer)
    new_owner = company_of(actor).sales2

    response = api_for(actor).post(
        f"{CUSTOMERS_URL}bulk-transfer/",
        {"customers": [customer.pk], "owner": new_owner.pk},
        format="json",
    )

    assert response.status_code == expected
    assert_refusal_changed_nothing(expected, before, customer)
    if expected == 200:
        assert response.json() == {"transferred": 1}
        customer.refresh_from_db()
        assert customer.owner == new_owner


@pytest.mark.parametrize(("actor", "expected"), customer_cases("bulk_share"))
def test_bulk_sharing_a_customer(api_for, company_of, customer, actor, expected):
    before = snapshot(customer)
    target = company_of(actor).sales_boss

    response = api_for(actor).post(
        f"{CUSTOMERS_URL}bulk-share/",
        {"customers": [customer.pk], "user": target.pk, "level": "edit"},
        format="json",
    )

    assert response.status_code == expected
    assert_refusal_changed_nothing(expected, before, customer)
    if expected == 200:
        assert response.json() == {"shared": 1}
        assert CustomerShare.objects.get(customer=customer, user=target).level == "edit"


@pytest.mark.parametrize(("actor", "expected"), customer_cases("duplicate"))
def test_the_duplicate_check_reveals_only_what_the_actor_may_see(
    api_for, customer, actor, expected
):
    response = api_for(actor).get("/api/v1/duplicates/", {"name": "北京沃力科技"})

    assert response.status_code == 200
    results = response.json()["results"]
    if expected is None:
        assert results == []
    elif expected == "owner":
        assert results == [{"reason": "name", "owner": "sales1", "visible": False}]
    else:
        assert results == [
            {
                "reason": "name",
                "owner": "sales1",
                "visible": True,
                "id": customer.pk,
                "name": "北京沃力科技",
            }
        ]


# Contacts -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("actor", "expected"), contact_cases("read"))
def test_reading_a_contact(api_for, contact, actor, expected):
    response = api_for(actor).get(f"{CONTACTS_URL}{contact.pk}/")

    assert response.status_code == expected
    if expected == 200:
        assert response.json()["name"] == "张伟"


@pytest.mark.parametrize(("actor", "expected"), contact_cases("listed"))
def test_listing_contacts(api_for, contact, actor, expected):
    everything = api_for(actor).get(CONTACTS_URL)
    of_the_customer = api_for(actor).get(CONTACTS_URL, {"customer": contact.customer_id})

    for response in (everything, of_the_customer):
        assert response.status_code == 200
        assert (contact.pk in [row["id"] for row in response.json()["results"]]) is expected


@pytest.mark.parametrize(("actor", "expected"), contact_cases("create"))
def test_adding_a_contact(api_for, customer, actor, expected):
    before = snapshot(customer)

    response = api_for(actor).post(
        CONTACTS_URL, {"customer": customer.pk, "name": "王芳"}, format="json"
    )

    assert response.status_code == expected
    assert_refusal_changed_nothing(expected, before, customer)
    if expected == 201:
        assert customer.contacts.filter(name="王芳").exists()
    if expected == 400:
        assert response.json() == {"customer": ["Choose a customer you have access to."]}


@pytest.mark.parametrize(("actor", "expected"), contact_cases("edit"))
@pytest.mark.parametrize("method", ["patch", "put"])
def test_editing_a_contact(api_for, customer, contact, actor, expected, method):
    before = snapshot(customer)

    response = getattr(api_for(actor), method)(
        f"{CONTACTS_URL}{contact.pk}/",
        {"customer": customer.pk, "name": "张伟", "title": "总经理"},
        format="json",
    )

    assert response.status_code == expected
    assert_refusal_changed_nothing(expected, before, customer)
    if expected == 200:
        contact.refresh_from_db()
        assert contact.title == "总经理"


@pytest.mark.parametrize(("actor", "expected"), contact_cases("delete"))
def test_deleting_a_contact(api_for, customer, contact, actor, expected):
    before = snapshot(customer)

    response = api_for(actor).delete(f"{CONTACTS_URL}{contact.pk}/")

    assert response.status_code == expected
    assert_refusal_changed_nothing(expected, before, customer)
    if expected == 204:
        assert not Contact.objects.filter(pk=contact.pk).exists()


# Anonymous clients ----------------------------------------------------------------------------

ENDPOINTS = [
    ("get", "customers/"),
    ("post", "customers/"),
    ("get", "customers/{customer}/"),
    ("patch", "customers/{customer}/"),
    ("put", "customers/{customer}/"),
    ("delete", "customers/{customer}/"),
    ("get", "customers/{customer}/share/"),
    ("post", "customers/{customer}/share/"),
    ("delete", "customers/{customer}/share/"),
    ("post", "customers/{customer}/transfer/"),
    ("post", "customers/bulk-transfer/"),
    ("post", "customers/bulk-share/"),
    ("get", "contacts/"),
    ("post", "contacts/"),
    ("get", "contacts/{contact}/"),
    ("patch", "contacts/{contact}/"),
    ("put", "contacts/{contact}/"),
    ("delete", "contacts/{contact}/"),
    ("get", "duplicates/"),
]


@pytest.mark.parametrize(("method", "route"), ENDPOINTS, ids=lambda value: value)
def test_anonymous_clients_get_401_and_change_nothing(
    org, api_client, customer, contact, method, route
):
    before = snapshot(customer)
    url = "/api/v1/" + route.format(customer=customer.pk, contact=contact.pk)

    response = getattr(api_client, method)(
        url, {"customers": [customer.pk], "owner": org.sales2.pk, "name": "x"}, format="json"
    )

    assert response.status_code == 401
    assert snapshot(customer) == before
