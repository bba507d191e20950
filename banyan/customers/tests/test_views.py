"""Customer and contact pages: list (search, filters, sort, pages, bulk), forms, the
customer view and its panels. State is built through the services."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from banyan.accounts import services as account_services
from banyan.accounts.models import DictionaryOption
from banyan.customers import selectors, services
from banyan.customers.models import Contact, Customer, CustomerShare

LIST = reverse("customer-list")


def listed(response) -> list[str]:
    return [customer.name for customer in response.context["page"]]


def option(org, kind, code) -> DictionaryOption:
    return DictionaryOption.objects.get(company=org.company, kind=kind, code=code)


def create_data(**overrides) -> dict:
    data = {
        "name": "北京沃力科技",
        "kind": "enterprise",
        "type": "",
        "source": "",
        "industry": "",
        "region": "北京",
        "address": "",
        "phone": "",
        "email": "",
        "website": "",
        "notes": "",
        "owner": "",
        "contact_name": "",
        "contact_title": "",
        "contact_mobile": "",
        "contact_email": "",
    }
    data.update(overrides)
    return data


# --- the list -------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["北京沃力", "bjwl", "beijingwoli", "13800138000", "zhangwei"])
def test_list_searches_name_pinyin_initials_phone_and_contact(org, client_as, query):
    services.customer_create(
        user=org.sales1,
        name="北京沃力科技",
        contacts=[{"name": "张伟", "mobile": "13800138000"}],
    )
    services.customer_create(user=org.sales1, name="上海明珠贸易")

    response = client_as(org.sales1).get(LIST, {"q": query})

    assert response.status_code == 200
    assert listed(response) == ["北京沃力科技"]
    assert f'value="{query}"' in response.content.decode()


def test_list_filters_by_kind_type_owner_and_hot(org, client_as, make_customer):
    vip = option(org, "customer_type", "vip")
    make_customer(org.sales1, name="甲", type=vip.pk)
    make_customer(org.sales1, name="乙", kind="individual")
    hot = make_customer(org.sales2, name="丙")
    services.customer_set_hot(user=org.sales2, customer=hot, is_hot=True)
    client = client_as(org.manager1)

    assert listed(client.get(LIST, {"type": vip.pk})) == ["甲"]
    assert listed(client.get(LIST, {"kind": "individual"})) == ["乙"]
    assert listed(client.get(LIST, {"owner": org.sales2.pk})) == ["丙"]
    assert listed(client.get(LIST, {"hot": "1"})) == ["丙"]
    assert sorted(listed(client.get(LIST, {"hot": "0"}))) == ["乙", "甲"]
    # the chosen filter stays chosen in the form
    assert (
        f'<option value="{vip.pk}" selected>' in client.get(LIST, {"type": vip.pk}).content.decode()
    )


def test_list_filters_by_last_contacted(org, client_as, make_customer):
    long_ago = make_customer(org.sales1, name="久未联系")
    recent = make_customer(org.sales1, name="刚联系过")
    make_customer(org.sales1, name="从未联系")
    services.customer_contacted(customer=long_ago, at=timezone.now() - timedelta(days=40))
    services.customer_contacted(customer=recent, at=timezone.now() - timedelta(days=2))
    client = client_as(org.sales1)

    assert listed(client.get(LIST, {"contacted": "never"})) == ["从未联系"]
    assert listed(client.get(LIST, {"contacted": "30"})) == ["久未联系"]
    assert sorted(listed(client.get(LIST, {"contacted": "7"}))) == ["久未联系"]
    assert listed(client.get(LIST, {"contacted": "90"})) == []


def test_list_filters_by_creation_day_in_the_companys_time_zone(org, client_as, make_customer):
    """Days of Asia/Shanghai, both ends included: 00:30 on 1 Nov there is 16:30 UTC on 31 Oct."""
    for name, moment in (
        ("十月末", datetime(2026, 10, 31, 15, 30, tzinfo=UTC)),  # 23:30 on 31 Oct
        ("十一月初", datetime(2026, 10, 31, 16, 30, tzinfo=UTC)),  # 00:30 on 1 Nov
        ("十一月末", datetime(2026, 11, 30, 15, 59, tzinfo=UTC)),  # 23:59 on 30 Nov
        ("十二月初", datetime(2026, 11, 30, 16, 0, tzinfo=UTC)),  # 00:00 on 1 Dec
    ):
        with mock.patch("django.utils.timezone.now", return_value=moment):
            make_customer(org.sales1, name=name)
    client = client_as(org.sales1)
    november = {"created_from": "2026-11-01", "created_to": "2026-11-30"}

    assert listed(client.get(LIST, {**november, "sort": "created"})) == ["十一月初", "十一月末"]
    assert listed(client.get(LIST, {"created_to": "2026-10-31"})) == ["十月末"]
    assert listed(client.get(LIST, {"created_from": "2026-12-01"})) == ["十二月初"]
    assert len(listed(client.get(LIST, {"created_from": "soon"}))) == 4  # not applied
    assert client.get(LIST, november).context["filters"].has_filters


def test_list_sorts_by_name_owner_and_date(org, client_as, make_customer):
    make_customer(org.sales2, name="b客户")
    make_customer(org.sales1, name="a客户")
    make_customer(org.sales1, name="c客户")
    client = client_as(org.manager1)

    assert listed(client.get(LIST)) == ["c客户", "a客户", "b客户"]  # newest first
    assert listed(client.get(LIST, {"sort": "name"})) == ["a客户", "b客户", "c客户"]
    assert listed(client.get(LIST, {"sort": "-name"})) == ["c客户", "b客户", "a客户"]
    assert listed(client.get(LIST, {"sort": "created"})) == ["b客户", "a客户", "c客户"]
    assert listed(client.get(LIST, {"sort": "owner"}))[-1] == "b客户"
    # an unknown sort falls back to the default instead of failing
    assert listed(client.get(LIST, {"sort": "password"})) == ["c客户", "a客户", "b客户"]
    # the column header links to the other direction
    page = client.get(LIST, {"sort": "name"}).content.decode()
    assert 'href="/customers/?sort=-name"' in page


def test_list_pages_keep_the_search_and_the_page_size(org, client_as, make_customer):
    for number in range(25):
        make_customer(org.sales1, name=f"沃力{number:02d}")
    make_customer(org.sales1, name="别家")
    client = client_as(org.sales1)

    first = client.get(LIST, {"q": "沃力", "sort": "name"})
    assert listed(first) == [f"沃力{n:02d}" for n in range(20)]
    assert "?q=%E6%B2%83%E5%8A%9B&amp;sort=name&amp;page=2" in first.content.decode()
    second = client.get(LIST, {"q": "沃力", "sort": "name", "page": 2})
    assert listed(second) == [f"沃力{n:02d}" for n in range(20, 25)]
    assert len(listed(client.get(LIST, {"q": "沃力", "per_page": 50}))) == 25
    # a page past the end shows the last page; a made-up page size falls back to 20
    assert listed(client.get(LIST, {"q": "沃力", "sort": "name", "page": 9})) == listed(second)
    assert len(listed(client.get(LIST, {"per_page": 7}))) == 20


def test_list_marks_hot_and_shared_rows(org, client_as, make_customer):
    mine = make_customer(org.sales2, name="我的热点")
    services.customer_set_hot(user=org.sales2, customer=mine, is_hot=True)
    shared = make_customer(org.sales1, name="共享给我")
    services.customer_share(user=org.sales1, customer=shared, target=org.sales2, level="view")

    response = client_as(org.sales2).get(LIST)

    rows = {c.name: c for c in response.context["page"]}
    assert rows["我的热点"].is_hot and not rows["我的热点"].shared_with_me
    assert rows["共享给我"].shared_with_me and not rows["共享给我"].is_hot
    page = response.content.decode()
    assert page.count("bi-fire") == 1 and page.count("bi-share") == 1


def test_list_query_count_does_not_grow_with_the_page_size(
    org, client_as, make_customer, django_assert_max_num_queries
):
    vip = option(org, "customer_type", "vip")
    for number in range(105):
        owner = org.sales1 if number % 2 else org.sales2
        customer = make_customer(owner, type=vip.pk, contacts=[{"name": f"联系人{number}"}])
        if number % 10 == 0:
            services.customer_share(user=owner, customer=customer, target=org.sales3, level="view")
    client = client_as(org.manager1)
    client.get(LIST)  # warm the session

    with django_assert_max_num_queries(14):
        small = client.get(LIST, {"per_page": 20, "type": vip.pk, "sort": "owner"})
    with django_assert_max_num_queries(14):
        large = client.get(LIST, {"per_page": 100, "type": vip.pk, "sort": "owner"})
    assert len(listed(small)) == 20 and len(listed(large)) == 100


def test_live_search_answers_the_table_only(org, client_as, make_customer):
    make_customer(org.sales1, name="北京沃力")
    response = client_as(org.sales1).get(LIST, {"q": "bjwl"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert 'id="customer-table"' in page and "北京沃力" in page
    assert "<html" not in page and 'id="customer-filters"' not in page


# --- bulk transfer and share ----------------------------------------------------------


def test_bulk_transfer_through_the_page(org, client_as, make_customer):
    chosen = [make_customer(org.sales1), make_customer(org.sales2)]
    kept = make_customer(org.sales1)
    back = f"{LIST}?sort=name&page=1"

    response = client_as(org.manager1).post(
        reverse("customer-bulk"),
        {
            "action": "transfer",
            "target": org.sales3.pk,
            "level": "view",
            "customers": [c.pk for c in chosen],
            "next": back,
        },
    )

    assert response.status_code == 302 and response.url == back
    assert sorted(Customer.objects.filter(owner=org.sales3).values_list("pk", flat=True)) == sorted(
        c.pk for c in chosen
    )
    kept.refresh_from_db()
    assert kept.owner == org.sales1


def test_bulk_share_through_the_page(org, client_as, make_customer):
    chosen = [make_customer(org.sales1), make_customer(org.sales1)]

    response = client_as(org.sales1).post(
        reverse("customer-bulk"),
        {
            "action": "share",
            "target": org.sales4.pk,
            "level": "edit",
            "customers": [c.pk for c in chosen],
        },
    )

    assert response.status_code == 302 and response.url == LIST
    assert sorted(
        CustomerShare.objects.filter(user=org.sales4, level="edit").values_list(
            "customer_id", flat=True
        )
    ) == sorted(c.pk for c in chosen)


def test_bulk_refusal_keeps_the_list_and_the_ticks(org, client_as, make_customer):
    mine = make_customer(org.sales2, name="我的")
    shared = make_customer(org.sales1, name="共享的")
    services.customer_share(user=org.sales1, customer=shared, target=org.sales2, level="edit")

    response = client_as(org.sales2).post(
        reverse("customer-bulk"),
        {
            "action": "transfer",
            "target": org.sales3.pk,
            "customers": [mine.pk, shared.pk],
            "next": f"{LIST}?sort=name",
        },
    )

    assert response.status_code == 200
    assert "Only the owner and the people above them" in response.content.decode()
    assert listed(response) == ["共享的", "我的"]  # the list as it was (sorted by name)
    assert response.context["selected"] == {str(mine.pk), str(shared.pk)}
    assert f'value="{mine.pk}" id="pick-{mine.pk}" checked' in response.content.decode()
    assert Customer.objects.filter(owner=org.sales3).count() == 0


def test_bulk_without_customers_or_with_foreign_ones(org, other_org, client_as, make_customer):
    foreign = make_customer(other_org.sales1)
    client = client_as(org.sales1)

    nothing = client.post(reverse("customer-bulk"), {"action": "transfer", "target": org.sales2.pk})
    assert nothing.status_code == 200
    assert "Choose at least one customer." in nothing.content.decode()
    theirs = client.post(
        reverse("customer-bulk"),
        {"action": "transfer", "target": org.sales2.pk, "customers": [foreign.pk]},
    )
    assert theirs.status_code == 200
    assert "no longer in your list" in theirs.content.decode()
    foreign.refresh_from_db()
    assert foreign.owner == other_org.sales1


# --- create and edit ------------------------------------------------------------------


def test_create_with_its_first_contact(org, client_as):
    vip = option(org, "customer_type", "vip")
    response = client_as(org.manager1).post(
        reverse("customer-create"),
        create_data(
            type=vip.pk,
            phone="０１０-1234 5678",
            owner=org.sales1.pk,
            contact_name="张伟",
            contact_title="采购经理",
            contact_mobile="+86 138 0013 8000",
        ),
    )

    customer = Customer.objects.get()
    assert response.status_code == 302 and response.url == customer.get_absolute_url()
    assert (customer.name, customer.owner, customer.created_by, customer.type) == (
        "北京沃力科技",
        org.sales1,
        org.manager1,
        vip,
    )
    assert customer.phone == "010-12345678"
    contact = customer.contacts.get()
    assert (contact.name, contact.title, contact.mobile) == ("张伟", "采购经理", "13800138000")


def test_create_without_a_contact_makes_none(org, client_as):
    client_as(org.sales1).post(reverse("customer-create"), create_data(owner=org.sales1.pk))
    assert Customer.objects.get().contacts.count() == 0


def test_duplicates_are_shown_then_saved_anyway(org, client_as, make_customer):
    make_customer(org.sales1, name="北京沃力科技")  # sales3 cannot see it
    visible = make_customer(org.sales3, name="另一家", phone="13900001111")
    client = client_as(org.sales3)
    data = create_data(name="北京 沃力科技", phone="139 0000 1111", owner=org.sales3.pk)

    warned = client.post(reverse("customer-create"), data)

    assert warned.status_code == 200
    page = warned.content.decode()
    assert "A customer owned by sales1" in page
    assert f'href="/customers/{visible.pk}/"' in page and "另一家" in page
    assert 'name="confirm_duplicates" value="1"' in page
    assert 'value="北京 沃力科技"' in page  # what was typed is kept
    assert Customer.objects.count() == 2

    saved = client.post(reverse("customer-create"), {**data, "confirm_duplicates": "1"})

    assert saved.status_code == 302
    assert Customer.objects.filter(owner=org.sales3).count() == 2


def test_bad_phone_shows_the_message_and_keeps_the_input(org, client_as):
    response = client_as(org.sales1).post(
        reverse("customer-create"),
        create_data(
            phone="12345",
            email="not-an-email",
            owner=org.sales1.pk,
            contact_name="李四",
            contact_mobile="010-12345678",
        ),
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"phone", "email", "contact_mobile"}
    assert form.errors["email"] == ["Enter a valid e-mail address."]
    page = response.content.decode()
    assert 'value="12345"' in page and 'value="李四"' in page and 'value="北京沃力科技"' in page
    assert Customer.objects.count() == 0


def test_owner_is_limited_to_self_and_below(org, client_as):
    client = client_as(org.sales1)
    choices = list(client.get(reverse("customer-create")).context["form"].fields["owner"].queryset)
    assert choices == [org.sales1]

    response = client.post(reverse("customer-create"), create_data(owner=org.sales2.pk))

    assert response.status_code == 200 and "owner" in response.context["form"].errors
    assert Customer.objects.count() == 0


def test_live_duplicate_check(org, client_as, make_customer):
    make_customer(org.sales1, name="北京沃力")
    response = client_as(org.sales2).get(reverse("customer-duplicates"), {"name": "北京沃力"})
    assert "A customer owned by sales1" in response.content.decode()
    nothing = client_as(org.sales2).get(reverse("customer-duplicates"), {"name": "新名字"})
    assert nothing.content.decode().strip() == ""


def test_edit_keeps_the_kind(org, client_as, make_customer):
    customer = make_customer(org.sales1, name="旧名", kind="individual")
    data = create_data(name="新名", kind="enterprise", notes="见过面")

    response = client_as(org.sales1).post(reverse("customer-edit", args=[customer.pk]), data)

    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.name, customer.kind, customer.notes) == ("新名", "individual", "见过面")


def test_edit_with_bad_input_keeps_it(org, client_as, make_customer):
    customer = make_customer(org.sales1, name="旧名", phone="13900001111")
    response = client_as(org.sales1).post(
        reverse("customer-edit", args=[customer.pk]), create_data(name="新名", phone="abc")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]
    assert 'value="新名"' in response.content.decode()
    customer.refresh_from_db()
    assert (customer.name, customer.phone) == ("旧名", "13900001111")


# --- share, transfer, hot, delete -----------------------------------------------------


def test_share_and_unshare_through_the_pages(org, client_as, make_customer):
    customer = make_customer(org.sales1)
    client = client_as(org.sales1)
    assert client.get(reverse("customer-share", args=[customer.pk])).status_code == 200

    shared = client.post(
        reverse("customer-share", args=[customer.pk]), {"user": org.sales3.pk, "level": "edit"}
    )

    assert shared.status_code == 302
    assert list(CustomerShare.objects.values_list("user__username", "level")) == [
        ("sales3", "edit")
    ]
    detail = client.get(customer.get_absolute_url()).content.decode()
    assert 'id="panel-sharing"' in detail and "sales3" in detail

    revoked = client.post(reverse("customer-unshare", args=[customer.pk]), {"user": org.sales3.pk})

    assert revoked.status_code == 302 and revoked.url == customer.get_absolute_url()
    assert CustomerShare.objects.count() == 0


def test_share_refusals_are_shown(org, client_as, make_customer):
    customer = make_customer(org.sales1)
    client = client_as(org.sales1)
    response = client.post(
        reverse("customer-share", args=[customer.pk]), {"user": org.sales1.pk, "level": "view"}
    )
    assert response.status_code == 200 and response.context["form"].errors["user"]
    again = client.post(reverse("customer-unshare", args=[customer.pk]), {"user": org.sales2.pk})
    assert again.status_code == 302
    follow = client.get(again.url)
    assert "This customer is not shared with that user." in follow.content.decode()


def test_transfer_through_the_page(org, client_as, make_customer):
    customer = make_customer(org.sales1, contacts=[{"name": "赵六"}])
    client = client_as(org.sales1)
    form = client.get(reverse("customer-transfer", args=[customer.pk])).context["form"]
    assert org.sales1 not in form.fields["owner"].queryset

    response = client.post(
        reverse("customer-transfer", args=[customer.pk]), {"owner": org.sales4.pk}
    )

    # sales1 no longer sees it: back to the list
    assert response.status_code == 302 and response.url == LIST
    customer.refresh_from_db()
    assert customer.owner == org.sales4 and customer.contacts.count() == 1


def test_a_manager_transferring_inside_the_team_stays_on_the_customer(
    org, client_as, make_customer
):
    customer = make_customer(org.sales1)
    response = client_as(org.manager1).post(
        reverse("customer-transfer", args=[customer.pk]), {"owner": org.sales2.pk}
    )
    assert response.status_code == 302 and response.url == customer.get_absolute_url()


def test_hot_toggle_and_the_cap_message(org, client_as, make_customer):
    account_services.company_update_settings(actor=org.boss, hot_customer_cap=1)
    first, second = make_customer(org.sales1), make_customer(org.sales1)
    client = client_as(org.sales1)

    marked = client.post(reverse("customer-hot", args=[first.pk]), {"is_hot": "1"})
    assert marked.status_code == 302
    refused = client.post(reverse("customer-hot", args=[second.pk]), {"is_hot": "1"}, follow=True)

    assert (
        "sales1 already has 1 hot customers, the most your company allows: unmark one first."
        in refused.content.decode()
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_hot, second.is_hot) == (True, False)
    client.post(reverse("customer-hot", args=[first.pk]), {"is_hot": "0"})
    first.refresh_from_db()
    assert not first.is_hot


def test_delete_asks_then_deletes(org, client_as, make_customer):
    customer = make_customer(org.sales1, contacts=[{"name": "赵六"}])
    client = client_as(org.sales1)
    assert client.get(reverse("customer-delete", args=[customer.pk])).status_code == 200
    assert Customer.objects.count() == 1

    response = client.post(reverse("customer-delete", args=[customer.pk]))

    assert response.status_code == 302 and response.url == LIST
    assert Customer.objects.count() == 0 and Contact.objects.count() == 0


# --- the customer view ----------------------------------------------------------------


def test_customer_view_shows_details_actions_and_panels(org, client_as, make_customer):
    industry = option(org, "industry", "it")
    customer = make_customer(
        org.sales1,
        name="北京沃力",
        industry=industry.pk,
        phone="13900001111",
        contacts=[{"name": "张伟", "mobile": "13800138000"}],
    )
    services.customer_update(user=org.sales1, customer=customer, notes="第一次拜访")

    response = client_as(org.manager1).get(customer.get_absolute_url())

    assert response.status_code == 200
    keys = [panel["key"] for panel in response.context["panels"]]
    assert {"contacts", "sharing", "history"} <= set(keys)
    assert keys.index("contacts") < keys.index("sharing") < keys.index("history")
    page = response.content.decode()
    assert "IT and software" in page and "张伟" in page and "13800138000" in page
    for action in ("customer-edit", "customer-share", "customer-transfer", "customer-delete"):
        assert reverse(action, args=[customer.pk]) in page
    # history: who created it, and what changed
    assert "created the customer" in page and "第一次拜访" in page
    assert "added the contact 张伟" in page


def test_customer_view_for_a_view_share_has_no_edit_actions(org, client_as, make_customer):
    customer = make_customer(org.sales1)
    services.customer_share(user=org.sales1, customer=customer, target=org.sales3, level="view")

    response = client_as(org.sales3).get(customer.get_absolute_url())

    page = response.content.decode()
    assert response.status_code == 200
    assert reverse("customer-edit", args=[customer.pk]) not in page
    assert reverse("customer-delete", args=[customer.pk]) not in page
    assert reverse("contact-create", args=[customer.pk]) not in page
    assert "sharing" not in [panel["key"] for panel in response.context["panels"]]


def test_history_names_the_user_and_the_change(org, client_as, make_customer):
    customer = make_customer(org.sales1, name="旧名")
    client = client_as(org.sales1)
    client.post(reverse("customer-edit", args=[customer.pk]), create_data(name="新名"))

    entries = selectors.customer_history(org.sales1, customer)

    assert [(e.action, e.subject) for e in entries] == [("~", "customer"), ("+", "customer")]
    assert entries[0].user == org.sales1
    changes = {(c.field, c.old, c.new) for c in entries[0].changes}
    assert ("name", "旧名", "新名") in changes
    assert ("region", "", "北京") in changes


def test_customer_view_query_count_does_not_grow_with_contacts(
    org, client_as, make_customer, django_assert_max_num_queries
):
    few = make_customer(org.sales1, contacts=[{"name": "一号"}])
    many = make_customer(org.sales1, contacts=[{"name": f"联系人{n}"} for n in range(30)])
    services.customer_update(user=org.sales1, customer=few, notes="第一次")
    for number in range(25):
        services.customer_update(user=org.sales1, customer=many, notes=f"第{number}次")
    services.customer_share(user=org.sales1, customer=many, target=org.sales3, level="view")
    services.customer_share(user=org.sales1, customer=few, target=org.sales3, level="view")
    client = client_as(org.manager1)
    client.get(LIST)

    with CaptureQueriesContext(connection) as baseline:
        client.get(few.get_absolute_url())
    # a fixed number, whatever the contacts and the history (activities and other apps add
    # their own panels, so the bound is measured rather than written down)
    assert len(baseline.captured_queries) <= 25
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        response = client.get(many.get_absolute_url())
    assert len(response.context["panels"][0]["html"]) > 0
    assert len(selectors.customer_history(org.manager1, many)) == 20


# --- contacts -------------------------------------------------------------------------


def test_contact_create_edit_delete(org, client_as, make_customer):
    customer = make_customer(org.sales1)
    category = option(org, "contact_category", "decision_maker")
    client = client_as(org.sales1)

    created = client.post(
        reverse("contact-create", args=[customer.pk]),
        {"name": "王五", "mobile": "138 0013 8000", "category": category.pk, "title": "总经理"},
    )
    contact = Contact.objects.get()
    assert created.status_code == 302
    assert created.url == f"{customer.get_absolute_url()}#panel-contacts"
    assert (contact.name, contact.mobile, contact.category, contact.title) == (
        "王五",
        "13800138000",
        category,
        "总经理",
    )

    edited = client.post(
        reverse("contact-edit", args=[contact.pk]),
        {"name": "王五", "mobile": "13800138001", "email": "WANG@example.com", "is_primary": "on"},
    )
    assert edited.status_code == 302
    contact.refresh_from_db()
    assert (contact.mobile, contact.email, contact.is_primary, contact.category) == (
        "13800138001",
        "wang@example.com",
        True,
        None,
    )

    assert client.get(reverse("contact-delete", args=[contact.pk])).status_code == 200
    deleted = client.post(reverse("contact-delete", args=[contact.pk]))
    assert deleted.status_code == 302 and Contact.objects.count() == 0
    customer.refresh_from_db()
    assert "wangwu" not in customer.search_text


def test_a_contact_delete_button_shows_exactly_where_the_service_accepts(
    org, client_as, make_customer, monkeypatch
):
    """Delete is offered on the customer view, and its confirmation page asks, exactly where
    `contact_delete` accepts: `deletable_contacts`, for both. An activity that names a
    contact loses the link and keeps its text; a record that keeps its contact (a
    PROTECT foreign key, which no module declares yet: here the activity's stands in for
    one) refuses the deletion."""
    from banyan.activities import services as activity_services
    from banyan.activities.models import Activity
    from banyan.activities.tests.conftest import activity_type
    from banyan.core.errors import DomainError

    customer = make_customer(org.sales1, contacts=[{"name": "王芳"}, {"name": "李雷"}])
    named, other = sorted(Contact.objects.filter(customer=customer), key=lambda c: c.name)
    assert (named.name, other.name) == ("李雷", "王芳")
    activity = activity_services.activity_log(
        user=org.sales1,
        customer=customer,
        type=activity_type(org.company, "call"),
        subject="电话回访",
        contact=named,
    )
    client = client_as(org.sales1)

    def offered(contact) -> bool:
        page = client.get(customer.get_absolute_url()).content.decode()
        return reverse("contact-delete", args=[contact.pk]) in page

    # No record keeps a contact today: both are offered.
    assert offered(named) and offered(other)

    monkeypatch.setattr(selectors, "_contact_keeping_relations", lambda: [(Activity, "contact")])
    assert not offered(named) and offered(other)
    confirm = client.get(reverse("contact-delete", args=[named.pk])).content.decode()
    assert "李雷 is referred to by other records and cannot be deleted." in confirm
    assert (
        'id="delete-refusal"' in confirm
        and 'type="submit"' not in confirm[confirm.index('id="main"') :]
    )
    with pytest.raises(DomainError) as refused:
        services.contact_delete(user=org.sales1, contact=named)
    assert refused.value.message == "李雷 is referred to by other records and cannot be deleted."
    response = client.post(reverse("contact-delete", args=[named.pk]), follow=True)
    assert "cannot be deleted" in response.content.decode()
    assert Contact.objects.filter(pk=named.pk).exists()
    assert client.post(reverse("contact-delete", args=[other.pk])).status_code == 302
    assert not Contact.objects.filter(pk=other.pk).exists()

    monkeypatch.undo()
    assert offered(named)
    services.contact_delete(user=org.sales1, contact=named)
    activity.refresh_from_db()
    assert (activity.contact_id, activity.subject) == (None, "电话回访")


def test_contact_bad_mobile_keeps_the_input(org, client_as, make_customer):
    customer = make_customer(org.sales1)
    response = client_as(org.sales1).post(
        reverse("contact-create", args=[customer.pk]), {"name": "王五", "mobile": "010-12345678"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["mobile"]
    assert 'value="010-12345678"' in response.content.decode()
    assert Contact.objects.count() == 0


def test_contact_list_search_filter_and_sort(org, client_as, make_customer):
    category = option(org, "contact_category", "finance")
    woli = make_customer(
        org.sales1, name="北京沃力", contacts=[{"name": "张伟", "mobile": "13800138000"}]
    )
    services.contact_create(
        user=org.sales1, customer=woli, name="李娜", category=category.pk, email="lina@woli.cn"
    )
    make_customer(org.sales2, name="上海明珠", contacts=[{"name": "王芳"}])
    client = client_as(org.sales1)
    url = reverse("contact-list")

    def names(response):
        return [c.name for c in response.context["page"]]

    assert sorted(names(client.get(url))) == ["张伟", "李娜"]  # not sales2's contact
    assert names(client.get(url, {"q": "13800138000"})) == ["张伟"]
    assert names(client.get(url, {"q": "lina@"})) == ["李娜"]
    assert sorted(names(client.get(url, {"q": "沃力"}))) == ["张伟", "李娜"]
    assert names(client.get(url, {"category": category.pk})) == ["李娜"]
    assert sorted(names(client_as(org.manager1).get(url, {"sort": "-customer"}))) == [
        "张伟",
        "李娜",
        "王芳",
    ]
    assert names(client_as(org.manager1).get(url, {"sort": "-customer"}))[-1] == "王芳"


def test_contact_list_query_count_does_not_grow_with_the_page_size(
    org, client_as, make_customer, django_assert_max_num_queries
):
    category = option(org, "contact_category", "finance")
    for number in range(35):
        make_customer(
            org.sales1,
            contacts=[
                {"name": f"甲{number}", "category": category.pk},
                {"name": f"乙{number}", "category": category.pk},
                {"name": f"丙{number}"},
            ],
        )
    client = client_as(org.manager1)
    url = reverse("contact-list")
    client.get(url)

    with django_assert_max_num_queries(10):
        small = client.get(url, {"per_page": 20})
    with django_assert_max_num_queries(10):
        large = client.get(url, {"per_page": 100, "category": category.pk})
    assert len(small.context["page"]) == 20 and len(large.context["page"]) == 70
