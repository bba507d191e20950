"""The customers API: customers, contacts, duplicates, sharing, transfer.

Who may do what is pinned in test_api_visibility.py, the lists' query counts in
test_api_query_counts.py; these tests pin what each endpoint does.
"""

import datetime

import pytest

from banyan.accounts import services as account_services
from banyan.accounts.models import DictionaryOption
from banyan.customers import services
from banyan.customers.models import Contact, Customer, CustomerShare

CUSTOMERS_URL = "/api/v1/customers/"
CONTACTS_URL = "/api/v1/contacts/"
DUPLICATES_URL = "/api/v1/duplicates/"
NOT_FOUND = {"detail": "Not found."}


def customer_url(customer, suffix=""):
    return f"{CUSTOMERS_URL}{customer.pk}/{suffix}"


def option(org, kind, code) -> DictionaryOption:
    return DictionaryOption.objects.get(company=org.company, kind=kind, code=code)


def customer_row(customer) -> dict:
    """What the API may change on a customer, to assert a refusal changed nothing."""
    return Customer.objects.filter(pk=customer.pk).values().get()


def share_rows(customer) -> list:
    return sorted(
        CustomerShare.objects.filter(customer_id=customer.pk).values_list("user_id", "level")
    )


def names(response) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


def set_hot_cap(org, cap):
    account_services.company_update_settings(actor=org.boss, hot_customer_cap=cap)


# Create ---------------------------------------------------------------------------------------


def test_create_answers_the_customer_with_labels_and_contacts(org, api_as):
    vip = option(org, "customer_type", "vip")
    referral = option(org, "customer_source", "referral")
    it = option(org, "industry", "it")
    decision_maker = option(org, "contact_category", "decision_maker")

    response = api_as(org.sales1).post(
        CUSTOMERS_URL,
        {
            "name": " 北京沃力科技 ",
            "kind": "enterprise",
            "type": vip.pk,
            "source": referral.pk,
            "industry": it.pk,
            "region": "北京",
            "phone": "＋86 010 1234 5678",
            "email": " Info@WoLi.CN ",
            "address": "海淀区中关村大街1号",
            "website": "woli.cn",
            "notes": "展会认识",
            "contacts": [
                {
                    "name": "张伟",
                    "mobile": "１３８-0013-8000",
                    "category": decision_maker.pk,
                    "title": "总经理",
                    "birthday": "1980-05-01",
                    "is_primary": True,
                }
            ],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    customer = Customer.objects.get()
    contact = Contact.objects.get()
    body = response.json()
    assert body == {
        "id": customer.pk,
        "name": "北京沃力科技",
        "kind": "enterprise",
        "type": vip.pk,
        "type_label": "VIP customer",
        "source": referral.pk,
        "source_label": "Customer referral",
        "industry": it.pk,
        "industry_label": "IT and software",
        "region": "北京",
        "phone": "010-12345678",
        "email": "info@woli.cn",
        "address": "海淀区中关村大街1号",
        "website": "https://woli.cn",
        "notes": "展会认识",
        "owner": org.sales1.pk,
        "owner_name": "sales1",
        "is_hot": False,
        "last_contacted_at": None,
        "created_by": org.sales1.pk,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
        "contacts": [
            {
                "id": contact.pk,
                "name": "张伟",
                "category": decision_maker.pk,
                "category_label": "Decision maker",
                "title": "总经理",
                "mobile": "13800138000",
                "phone": "",
                "email": "",
                "birthday": "1980-05-01",
                "notes": "",
                "is_primary": True,
            }
        ],
        "can_edit": True,
    }
    assert customer.owner == org.sales1 and customer.created_by == org.sales1
    assert "bjwl" in customer.search_text and "zhangwei" in customer.search_text


def test_create_with_bad_input_names_the_fields_and_writes_nothing(org, api_as):
    response = api_as(org.sales1).post(
        CUSTOMERS_URL,
        {
            "name": " ",
            "phone": "12345",
            "email": "not-an-email",
            "type": option(org, "industry", "it").pk,  # an option of another list
            "contacts": [{"name": "李四", "mobile": "010-12345678"}],
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "name": ["Enter the customer's name."],
        "phone": ["12345: a mobile number has 11 digits."],
        "email": ["Enter a valid e-mail address."],
        "type": ["Choose an option from the list."],
        "contacts.0.mobile": ["010-12345678 is not a mobile number."],
    }
    assert not Customer.objects.exists() and not Contact.objects.exists()


def test_create_checks_the_shape_of_the_input(org, api_as):
    response = api_as(org.sales1).post(
        CUSTOMERS_URL, {"kind": "government", "type": "vip", "contacts": [{}]}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "name": ["This field is required."],
        "kind": ['"government" is not a valid choice.'],
        "type": ["A valid integer is required."],
        "contacts": {"0": {"name": ["This field is required."]}},
    }
    assert not Customer.objects.exists()


def test_create_reports_duplicates_with_409_until_confirmed(org, api_as, make_customer):
    peers = make_customer(org.sales2, name="北京沃力科技")
    mine = make_customer(org.sales1, name="上海明珠", phone="13800138000")
    payload = {"name": "北京 沃力科技", "phone": "138 0013 8000"}

    response = api_as(org.sales1).post(CUSTOMERS_URL, payload, format="json")

    assert response.status_code == 409
    body = response.json()
    assert sorted(body["duplicates"], key=lambda match: match["reason"]) == [
        {"reason": "name", "owner": "sales2", "visible": False},
        {"reason": "phone", "owner": "sales1", "visible": True, "id": mine.pk, "name": "上海明珠"},
    ]
    assert body["detail"] == ["Possible duplicates found: check them, then confirm to save anyway."]
    assert Customer.objects.count() == 2

    confirmed = api_as(org.sales1).post(
        CUSTOMERS_URL, {**payload, "confirm_duplicates": True}, format="json"
    )

    assert confirmed.status_code == 201
    assert Customer.objects.count() == 3
    assert peers.name == "北京沃力科技"


def test_create_gives_the_customer_to_someone_below(org, api_as):
    response = api_as(org.manager1).post(
        CUSTOMERS_URL, {"name": "客户甲", "owner": org.sales1.pk}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["owner"] == org.sales1.pk
    assert response.json()["created_by"] == org.manager1.pk


@pytest.mark.parametrize(
    ("owner", "message"),
    [
        ("sales2", "You can give customers only to yourself or to people below you."),
        ("other", "Choose a user of your company."),
    ],
)
def test_create_refuses_an_owner_out_of_reach(org, other_org, api_as, owner, message):
    target = other_org.sales1 if owner == "other" else getattr(org, owner)

    response = api_as(org.sales1).post(
        CUSTOMERS_URL, {"name": "客户甲", "owner": target.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"owner": [message]}
    assert not Customer.objects.exists()


def test_create_hot_respects_the_cap_and_writes_nothing_when_refused(org, api_as, make_customer):
    set_hot_cap(org, 1)
    api = api_as(org.sales1)

    first = api.post(CUSTOMERS_URL, {"name": "客户甲", "is_hot": True}, format="json")
    second = api.post(CUSTOMERS_URL, {"name": "客户乙", "is_hot": True}, format="json")

    assert first.status_code == 201 and first.json()["is_hot"] is True
    assert second.status_code == 400
    assert second.json() == {
        "is_hot": [
            "sales1 already has 1 hot customers, the most your company allows: unmark one first."
        ]
    }
    assert list(Customer.objects.values_list("name", flat=True)) == ["客户甲"]


# Retrieve and update --------------------------------------------------------------------------


def test_retrieve_answers_the_same_row_as_the_list(org, api_as, make_customer):
    customer = make_customer(org.sales1, contacts=[{"name": "张伟"}])
    api = api_as(org.manager1)

    detail = api.get(customer_url(customer))
    listed = api.get(CUSTOMERS_URL)

    assert detail.status_code == 200
    assert detail.json() == listed.json()["results"][0]
    assert detail.json()["can_edit"] is True
    assert [c["name"] for c in detail.json()["contacts"]] == ["张伟"]


def test_patch_changes_only_the_fields_sent(org, api_as, make_customer):
    customer = make_customer(org.sales1, phone="13800138000", notes="旧")

    response = api_as(org.sales1).patch(
        customer_url(customer),
        {"name": "新名字", "industry": option(org, "industry", "retail").pk},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["name"] == "新名字"
    assert response.json()["industry_label"] == "Retail and wholesale"
    customer.refresh_from_db()
    assert (customer.name, customer.phone, customer.notes) == ("新名字", "13800138000", "旧")
    assert "xinmingzi" in customer.search_text


def test_put_replaces_the_details(org, api_as, make_customer):
    customer = make_customer(org.sales1, kind="individual", phone="13800138000")

    response = api_as(org.sales1).put(
        customer_url(customer),
        {"name": "李先生", "kind": "individual", "phone": "", "region": "上海"},
        format="json",
    )

    assert response.status_code == 200
    customer.refresh_from_db()
    assert (customer.name, customer.phone, customer.region) == ("李先生", "", "上海")


def test_the_kind_cannot_change(org, api_as, make_customer):
    customer = make_customer(org.sales1, kind="individual")
    before = customer_row(customer)

    response = api_as(org.sales1).patch(
        customer_url(customer), {"kind": "enterprise", "name": "改名"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "kind": ["The kind of a customer is chosen at creation and stays the same."]
    }
    assert customer_row(customer) == before


def test_update_refuses_contacts_and_points_to_the_contacts_endpoint(org, api_as, make_customer):
    customer = make_customer(org.sales1)
    before = customer_row(customer)

    response = api_as(org.sales1).patch(
        customer_url(customer), {"name": "改名", "contacts": [{"name": "王五"}]}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"contacts": ["Change contacts through /api/v1/contacts/."]}
    assert customer_row(customer) == before and not Contact.objects.exists()


def test_read_only_fields_are_ignored(org, api_as, make_customer):
    customer = make_customer(org.sales1)

    response = api_as(org.sales1).patch(
        customer_url(customer),
        {"created_by": org.boss.pk, "last_contacted_at": "2020-01-01T00:00:00Z", "can_edit": 0},
        format="json",
    )

    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.created_by == org.sales1 and customer.last_contacted_at is None


def test_patch_is_hot_goes_through_the_cap(org, api_as, make_customer):
    set_hot_cap(org, 1)
    first, second = make_customer(org.sales1), make_customer(org.sales1)
    api = api_as(org.sales1)

    marked = api.patch(customer_url(first), {"is_hot": True}, format="json")
    refused = api.patch(customer_url(second), {"is_hot": True}, format="json")

    assert marked.status_code == 200 and marked.json()["is_hot"] is True
    assert refused.status_code == 400
    assert refused.json() == {
        "is_hot": [
            "sales1 already has 1 hot customers, the most your company allows: unmark one first."
        ]
    }
    second.refresh_from_db()
    assert not second.is_hot

    unmarked = api.patch(customer_url(first), {"is_hot": False}, format="json")

    assert unmarked.status_code == 200 and unmarked.json()["is_hot"] is False


def test_a_refused_hot_flag_rolls_back_the_other_changes(org, api_as, make_customer):
    set_hot_cap(org, 1)
    services.customer_set_hot(user=org.sales1, customer=make_customer(org.sales1), is_hot=True)
    customer = make_customer(org.sales1, name="原名")
    before = customer_row(customer)

    response = api_as(org.sales1).patch(
        customer_url(customer), {"name": "新名", "is_hot": True}, format="json"
    )

    assert response.status_code == 400
    assert customer_row(customer) == before


def test_patch_owner_transfers_the_customer(org, api_as, make_customer):
    customer = make_customer(org.sales1)

    response = api_as(org.manager1).patch(
        customer_url(customer), {"owner": org.sales2.pk}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["owner"] == org.sales2.pk
    customer.refresh_from_db()
    assert customer.owner == org.sales2


def test_delete_removes_the_customer_and_its_contacts(org, api_as, make_customer):
    customer = make_customer(org.sales1, contacts=[{"name": "张伟"}])

    response = api_as(org.sales1).delete(customer_url(customer))

    assert response.status_code == 204
    assert not Customer.objects.exists() and not Contact.objects.exists()


# List -----------------------------------------------------------------------------------------


@pytest.fixture
def listed_customers(org, make_customer):
    """Four customers of sales1 that differ in every filterable field."""
    vip = option(org, "customer_type", "vip")
    make_customer(
        org.sales1,
        name="北京沃力科技",
        type=vip,
        source=option(org, "customer_source", "referral"),
        industry=option(org, "industry", "it"),
        contacts=[{"name": "张伟", "mobile": "13800138000"}],
    )
    make_customer(org.sales1, name="上海明珠贸易", kind="enterprise", type=vip)
    hot = make_customer(org.sales1, name="李先生", kind="individual")
    services.customer_set_hot(user=org.sales1, customer=hot, is_hot=True)
    make_customer(org.sales2, name="广州天河物流", industry=option(org, "industry", "logistics"))
    Customer.objects.filter(name="上海明珠贸易").update(
        last_contacted_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
    )
    Customer.objects.filter(name="广州天河物流").update(
        last_contacted_at=datetime.datetime(2026, 3, 5, tzinfo=datetime.UTC)
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["广州天河物流", "李先生", "上海明珠贸易", "北京沃力科技"]),
        ({"kind": "individual"}, ["李先生"]),
        ({"is_hot": "true"}, ["李先生"]),
        ({"is_hot": "false"}, ["广州天河物流", "上海明珠贸易", "北京沃力科技"]),
        ({"search": "bjwl"}, ["北京沃力科技"]),
        ({"search": "zhangwei"}, ["北京沃力科技"]),
        ({"search": "13800138000"}, ["北京沃力科技"]),
        ({"search": "明珠"}, ["上海明珠贸易"]),
        ({"never_contacted": "true"}, ["李先生", "北京沃力科技"]),
        ({"contacted_after": "2026-02-01T00:00:00Z"}, ["广州天河物流"]),
        (
            {"contacted_after": "2026-01-01T00:00:00Z", "ordering": "last_contacted_at"},
            ["上海明珠贸易", "广州天河物流"],
        ),
        (
            {"contacted_after": "2026-01-01T00:00:00Z", "ordering": "-last_contacted_at"},
            ["广州天河物流", "上海明珠贸易"],
        ),
        ({"ordering": "-created_at"}, ["广州天河物流", "李先生", "上海明珠贸易", "北京沃力科技"]),
        ({"ordering": "created_at"}, ["北京沃力科技", "上海明珠贸易", "李先生", "广州天河物流"]),
    ],
)
def test_list_filters_searches_and_sorts(org, api_as, listed_customers, query, expected):
    response = api_as(org.manager1).get(CUSTOMERS_URL, query)

    assert response.status_code == 200
    assert names(response) == expected


@pytest.mark.parametrize("field", ["type", "source", "industry", "owner"])
def test_list_filters_by_option_and_owner(org, api_as, listed_customers, field):
    values = {
        "type": (option(org, "customer_type", "vip").pk, ["上海明珠贸易", "北京沃力科技"]),
        "source": (option(org, "customer_source", "referral").pk, ["北京沃力科技"]),
        "industry": (option(org, "industry", "logistics").pk, ["广州天河物流"]),
        "owner": (org.sales2.pk, ["广州天河物流"]),
    }
    value, expected = values[field]

    response = api_as(org.manager1).get(CUSTOMERS_URL, {field: value})

    assert names(response) == expected


def test_list_sorts_by_name(org, api_as, make_customer):
    for name in ("b公司", "a公司", "c公司"):
        make_customer(org.sales1, name=name)

    response = api_as(org.sales1).get(CUSTOMERS_URL, {"ordering": "-name"})

    assert names(response) == ["c公司", "b公司", "a公司"]


def test_list_refuses_bad_parameters_naming_them(org, api_as):
    response = api_as(org.sales1).get(
        CUSTOMERS_URL, {"ordering": "password", "owner": "x", "kind": "other"}
    )

    assert response.status_code == 400
    assert response.json() == {
        "kind": ['"other" is not a valid choice.'],
        "owner": ["A valid integer is required."],
        "ordering": ['"password" is not a valid choice.'],
    }


def test_list_is_paginated_and_marks_what_the_user_may_edit(org, api_as, make_customer):
    own = make_customer(org.sales3, name="自己的")
    viewed = make_customer(org.sales1, name="只读共享")
    edited = make_customer(org.sales1, name="可编辑共享")
    services.customer_share(user=org.sales1, customer=viewed, target=org.sales3, level="view")
    services.customer_share(user=org.sales1, customer=edited, target=org.sales3, level="edit")

    response = api_as(org.sales3).get(CUSTOMERS_URL, {"page_size": 2})

    body = response.json()
    assert body["count"] == 3 and body["next"] and body["previous"] is None
    second_page = api_as(org.sales3).get(CUSTOMERS_URL, {"page_size": 2, "page": 2}).json()
    flags = {row["id"]: row["can_edit"] for row in body["results"] + second_page["results"]}
    assert flags == {own.pk: True, viewed.pk: False, edited.pk: True}


# Sharing and transfer -------------------------------------------------------------------------


def test_share_creates_then_changes_then_lists_then_revokes(org, api_as, make_customer):
    customer = make_customer(org.sales1)
    api = api_as(org.sales1)

    created = api.post(
        customer_url(customer, "share/"), {"user": org.sales3.pk, "level": "view"}, format="json"
    )
    changed = api.post(
        customer_url(customer, "share/"), {"user": org.sales3.pk, "level": "edit"}, format="json"
    )
    listed = api.get(customer_url(customer, "share/"))

    assert created.status_code == 201
    assert created.json() == {
        "customer": customer.pk,
        "user": org.sales3.pk,
        "user_name": "sales3",
        "level": "view",
        "shared_by": org.sales1.pk,
        "created_at": created.json()["created_at"],
    }
    assert changed.status_code == 200 and changed.json()["level"] == "edit"
    assert [(s["user"], s["level"]) for s in listed.json()] == [(org.sales3.pk, "edit")]
    assert share_rows(customer) == [(org.sales3.pk, "edit")]

    revoked = api.delete(customer_url(customer, "share/"), {"user": org.sales3.pk}, format="json")

    assert revoked.status_code == 204
    assert share_rows(customer) == []

    again = api.delete(customer_url(customer, "share/"), {"user": org.sales3.pk}, format="json")

    assert again.status_code == 400
    assert again.json() == {"user": ["This customer is not shared with that user."]}


def test_unshare_accepts_the_user_as_a_query_parameter(org, api_as, make_customer):
    customer = make_customer(org.sales1)
    services.customer_share(user=org.sales1, customer=customer, target=org.sales3, level="view")

    response = api_as(org.sales1).delete(customer_url(customer, f"share/?user={org.sales3.pk}"))

    assert response.status_code == 204
    assert share_rows(customer) == []


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"user": "sales3", "level": "admin"}, {"level": ['"admin" is not a valid choice.']}),
        ({"user": "sales1", "level": "view"}, {"user": ["The owner already has this customer."]}),
        ({"user": "other", "level": "view"}, {"user": ["Choose a user of your company."]}),
        ({}, {"user": ["This field is required."], "level": ["This field is required."]}),
    ],
)
def test_share_refuses_bad_input(org, other_org, api_as, make_customer, payload, errors):
    customer = make_customer(org.sales1)
    users = {"sales3": org.sales3.pk, "sales1": org.sales1.pk, "other": other_org.sales1.pk}
    if "user" in payload:
        payload = {**payload, "user": users[payload["user"]]}

    response = api_as(org.sales1).post(customer_url(customer, "share/"), payload, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert share_rows(customer) == []


def test_a_shared_customer_shows_for_the_user_it_is_shared_with(org, api_as, make_customer):
    customer = make_customer(org.sales1)
    api = api_as(org.sales3)
    assert api.get(customer_url(customer)).status_code == 404

    api_as(org.sales1).post(
        customer_url(customer, "share/"), {"user": org.sales3.pk, "level": "view"}, format="json"
    )

    assert api.get(customer_url(customer)).json()["can_edit"] is False
    assert names(api.get(CUSTOMERS_URL)) == [customer.name]


def test_transfer_gives_the_customer_to_the_new_owner(org, api_as, make_customer):
    customer = make_customer(org.sales1, contacts=[{"name": "张伟"}])
    services.customer_set_hot(user=org.sales1, customer=customer, is_hot=True)

    response = api_as(org.manager1).post(
        customer_url(customer, "transfer/"), {"owner": org.sales2.pk}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["owner"] == org.sales2.pk
    assert response.json()["is_hot"] is False
    customer.refresh_from_db()
    assert customer.owner == org.sales2 and customer.contacts.count() == 1


def test_transfer_out_of_sight_answers_the_customer_once_more(org, api_as, make_customer):
    customer = make_customer(org.sales1)
    api = api_as(org.manager1)

    response = api.post(
        customer_url(customer, "transfer/"), {"owner": org.sales3.pk}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["owner"] == org.sales3.pk
    assert response.json()["can_edit"] is False
    assert api.get(customer_url(customer)).status_code == 404


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"owner": "x"}, {"owner": ["A valid integer is required."]}),
        ({"owner": 0}, {"owner": ["Choose a user of your company."]}),
        ({}, {"owner": ["This field is required."]}),
    ],
)
def test_transfer_refuses_bad_input(org, api_as, make_customer, payload, errors):
    customer = make_customer(org.sales1)
    before = customer_row(customer)

    response = api_as(org.sales1).post(customer_url(customer, "transfer/"), payload, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert customer_row(customer) == before


def test_transfer_refuses_a_deactivated_owner(org, api_as, make_customer):
    customer = make_customer(org.sales1)
    account_services.user_deactivate(actor=org.boss, user=org.sales2, hand_over_to=org.sales1)

    response = api_as(org.sales1).post(
        customer_url(customer, "transfer/"), {"owner": org.sales2.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"owner": ["sales2 is deactivated."]}


def test_bulk_transfer_moves_them_all(org, api_as, make_customer):
    customers = [make_customer(org.sales1) for _ in range(3)]

    response = api_as(org.manager1).post(
        f"{CUSTOMERS_URL}bulk-transfer/",
        {"customers": [c.pk for c in customers], "owner": org.sales2.pk},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {"transferred": 3}
    assert Customer.objects.filter(owner=org.sales2).count() == 3


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        ("invisible", 404),  # a peer's customer: as if it did not exist
        ("missing", 404),
        ("shared_to_view", 403),
        ("shared_to_edit", 403),  # edit rights do not reach transfer
    ],
)
def test_bulk_transfer_is_all_or_nothing(org, api_as, make_customer, extra, status):
    others = make_customer(org.sales1)
    mine = [make_customer(org.sales3) for _ in range(2)]  # newer: tried first, then undone
    if extra.startswith("shared"):
        level = extra.removeprefix("shared_to_")
        services.customer_share(user=org.sales1, customer=others, target=org.sales3, level=level)
    extra_id = 999999 if extra == "missing" else others.pk
    owners_before = dict(Customer.objects.values_list("pk", "owner_id"))

    response = api_as(org.sales3).post(
        f"{CUSTOMERS_URL}bulk-transfer/",
        {"customers": [c.pk for c in mine] + [extra_id], "owner": org.sales2.pk},
        format="json",
    )

    assert response.status_code == status
    assert dict(Customer.objects.values_list("pk", "owner_id")) == owners_before


def test_bulk_transfer_refuses_an_empty_list(org, api_as):
    response = api_as(org.sales1).post(
        f"{CUSTOMERS_URL}bulk-transfer/", {"customers": [], "owner": org.sales1.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"customers": ["Choose at least one customer."]}


def test_bulk_share_shares_them_all_or_nothing(org, api_as, make_customer):
    customers = [make_customer(org.sales1) for _ in range(2)]
    peers = make_customer(org.sales2)
    api = api_as(org.sales1)

    refused = api.post(
        f"{CUSTOMERS_URL}bulk-share/",
        {
            "customers": [c.pk for c in customers] + [peers.pk],
            "user": org.sales3.pk,
            "level": "view",
        },
        format="json",
    )
    shared = api.post(
        f"{CUSTOMERS_URL}bulk-share/",
        {"customers": [c.pk for c in customers], "user": org.sales3.pk, "level": "edit"},
        format="json",
    )

    assert refused.status_code == 404
    assert shared.status_code == 200 and shared.json() == {"shared": 2}
    assert sorted(CustomerShare.objects.values_list("customer_id", "user_id", "level")) == [
        (customers[0].pk, org.sales3.pk, "edit"),
        (customers[1].pk, org.sales3.pk, "edit"),
    ]


# Duplicates -----------------------------------------------------------------------------------


def test_duplicates_reveal_only_the_owner_of_what_the_user_cannot_see(
    org, other_org, api_as, make_customer
):
    mine = make_customer(org.sales1, name="北京沃力科技")
    make_customer(org.sales3, name="北京沃力（科技）")
    make_customer(org.sales2, name="别的名字", contacts=[{"name": "张伟", "mobile": "13800138000"}])
    make_customer(other_org.sales1, name="北京沃力科技", phone="13800138000")

    response = api_as(org.sales1).get(
        DUPLICATES_URL, {"name": "北京 沃力科技", "phone": "+86 138 0013 8000"}
    )

    assert response.status_code == 200
    assert sorted(response.json()["results"], key=lambda m: m["owner"]) == [
        {
            "reason": "name",
            "owner": "sales1",
            "visible": True,
            "id": mine.pk,
            "name": "北京沃力科技",
        },
        {"reason": "phone", "owner": "sales2", "visible": False},
        {"reason": "name", "owner": "sales3", "visible": False},
    ]


def test_duplicates_accept_several_phones_and_nothing(org, api_as, make_customer):
    first = make_customer(org.sales1, phone="13800138000")
    second = make_customer(org.sales1, phone="010-12345678")
    api = api_as(org.sales1)

    several = api.get(DUPLICATES_URL, {"phone": ["13800138000", "010 1234 5678", "not-a-phone"]})
    nothing = api.get(DUPLICATES_URL)

    assert sorted(m["id"] for m in several.json()["results"]) == [first.pk, second.pk]
    assert nothing.json() == {"results": []}


# Contacts -------------------------------------------------------------------------------------


def contact_row(contact) -> dict:
    return Contact.objects.filter(pk=contact.pk).values().get()


def test_contact_create_update_delete(org, api_as, make_customer):
    customer = make_customer(org.sales1, name="北京沃力科技")
    api = api_as(org.sales1)
    category = option(org, "contact_category", "finance")

    created = api.post(
        CONTACTS_URL,
        {
            "customer": customer.pk,
            "name": "王芳",
            "category": category.pk,
            "mobile": "１３９ 0000 1111",
            "email": "Wang@Woli.cn",
        },
        format="json",
    )

    assert created.status_code == 201, created.json()
    contact = Contact.objects.get()
    assert created.json() == {
        "id": contact.pk,
        "customer": customer.pk,
        "customer_name": "北京沃力科技",
        "name": "王芳",
        "category": category.pk,
        "category_label": "Finance contact",
        "title": "",
        "mobile": "13900001111",
        "phone": "",
        "email": "wang@woli.cn",
        "birthday": None,
        "notes": "",
        "is_primary": False,
    }
    customer.refresh_from_db()
    assert "wangfang" in customer.search_text

    changed = api.patch(
        f"{CONTACTS_URL}{contact.pk}/", {"title": "财务经理", "is_primary": True}, format="json"
    )

    assert changed.status_code == 200
    assert (changed.json()["title"], changed.json()["is_primary"]) == ("财务经理", True)
    assert changed.json()["mobile"] == "13900001111"

    deleted = api.delete(f"{CONTACTS_URL}{contact.pk}/")

    assert deleted.status_code == 204
    assert not Contact.objects.exists()
    customer.refresh_from_db()
    assert "wangfang" not in customer.search_text


def test_contact_bad_input_names_the_fields_and_writes_nothing(org, api_as, make_customer):
    customer = make_customer(org.sales1)

    response = api_as(org.sales1).post(
        CONTACTS_URL,
        {"customer": customer.pk, "name": "", "mobile": "010-12345678", "birthday": "soon"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "birthday": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]
    }

    response = api_as(org.sales1).post(
        CONTACTS_URL,
        {"customer": customer.pk, "name": "", "mobile": "010-12345678"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "name": ["Enter the contact's name."],
        "mobile": ["010-12345678 is not a mobile number."],
    }
    assert not Contact.objects.exists()


def test_contact_under_an_invisible_customer_is_answered_like_a_missing_one(
    org, other_org, api_as, make_customer
):
    peers = make_customer(org.sales2)
    foreign = make_customer(other_org.sales1)
    api = api_as(org.sales1)

    answers = [
        api.post(CONTACTS_URL, {"customer": pk, "name": "王芳"}, format="json")
        for pk in (peers.pk, foreign.pk, 999999)
    ]

    assert [answer.status_code for answer in answers] == [400, 400, 400]
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert answers[0].json() == {"customer": ["Choose a customer you have access to."]}
    assert not Contact.objects.exists()


def test_a_contact_stays_with_its_customer(org, api_as, make_customer):
    first = make_customer(org.sales1, contacts=[{"name": "张伟"}])
    second = make_customer(org.sales1)
    contact = first.contacts.get()
    before = contact_row(contact)

    response = api_as(org.sales1).put(
        f"{CONTACTS_URL}{contact.pk}/", {"customer": second.pk, "name": "张伟"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"customer": ["A contact stays with its customer."]}
    assert contact_row(contact) == before


def test_contact_list_filters_by_customer_and_searches(org, api_as, make_customer):
    first = make_customer(
        org.sales1,
        contacts=[
            {"name": "张伟", "mobile": "13800138000", "is_primary": True},
            {"name": "李娜", "email": "lina@example.com"},
        ],
    )
    make_customer(
        org.sales1,
        contacts=[
            {
                "name": "王芳",
                "phone": "010-12345678",
                "category": option(org, "contact_category", "user"),
            }
        ],
    )
    make_customer(org.sales2, contacts=[{"name": "张伟"}])  # a peer's: never listed
    api = api_as(org.sales1)

    def listed(query):
        return names(api.get(CONTACTS_URL, query))

    assert listed({}) == ["张伟", "李娜", "王芳"]  # by name
    assert listed({"customer": first.pk}) == ["张伟", "李娜"]
    assert listed({"search": "张"}) == ["张伟"]
    assert listed({"search": "1380013"}) == ["张伟"]
    assert listed({"search": "010-1234"}) == ["王芳"]
    assert listed({"search": "LINA@"}) == ["李娜"]
    assert listed({"ordering": "-name"}) == ["王芳", "李娜", "张伟"]
    assert listed({"category": option(org, "contact_category", "user").pk}) == ["王芳"]
    assert api.get(CONTACTS_URL, {"customer": "x"}).status_code == 400
