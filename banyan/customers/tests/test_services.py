"""Customer services: duplicates, sharing, transfer, hot customers, search text."""

import pytest

from banyan.accounts import services as account_services
from banyan.accounts.models import DictionaryOption
from banyan.core.errors import DomainError, NotFound, PermissionRefused, ValidationFailed
from banyan.customers import selectors, services
from banyan.customers.models import Customer, CustomerShare


def names(queryset):
    return sorted(queryset.values_list("name", flat=True))


def test_create_normalises_and_builds_the_search_text(org):
    customer = services.customer_create(
        user=org.sales1,
        name="北京沃力科技",
        phone="＋86 010 1234 5678",
        email=" Info@WoLi.CN ",
        website="woli.cn",
        contacts=[{"name": "张伟", "mobile": "１３８-0013-8000"}],
    )
    customer.refresh_from_db()
    assert customer.owner == org.sales1 and customer.created_by == org.sales1
    assert customer.phone == "010-12345678"
    assert customer.email == "info@woli.cn"
    assert customer.website == "https://woli.cn"
    assert customer.contacts.get().mobile == "13800138000"
    for term in (
        "北京沃力",
        "beijingwoli",
        "bjwl",
        "01012345678",
        "张伟",
        "zhangwei",
        "13800138000",
    ):
        assert term in customer.search_text


@pytest.mark.parametrize("query", ["bjwl", "beijing", "沃力", "13800138000", "zhangwei", "BJ WL"])
def test_search_finds_by_name_pinyin_initials_phone_and_contact(org, query):
    services.customer_create(
        user=org.sales1, name="北京沃力科技", contacts=[{"name": "张伟", "mobile": "13800138000"}]
    )
    services.customer_create(user=org.sales1, name="上海明珠贸易", confirm_duplicates=True)
    assert names(selectors.customer_list(org.sales1, search=query)) == ["北京沃力科技"]


def test_bad_input_names_the_field_and_writes_nothing(org):
    with pytest.raises(ValidationFailed) as refused:
        services.customer_create(
            user=org.sales1,
            name=" ",
            phone="12345",
            email="not-an-email",
            contacts=[{"name": "李四", "mobile": "010-12345678"}],
        )
    assert set(refused.value.errors) == {"name", "phone", "email", "contacts.0.mobile"}
    assert Customer.objects.count() == 0


def test_dictionary_options_must_be_of_the_company_and_list(org, other_org):
    foreign = DictionaryOption.objects.get(
        company=other_org.company, kind="customer_type", code="vip"
    )
    source = DictionaryOption.objects.get(
        company=org.company, kind="customer_source", code="website"
    )
    with pytest.raises(ValidationFailed) as refused:
        services.customer_create(user=org.sales1, name="甲", type=foreign.pk, industry=source.pk)
    assert set(refused.value.errors) == {"type", "industry"}


def test_duplicate_name_or_phone_is_reported_across_the_company(org):
    services.customer_create(user=org.sales1, name="北京 沃力（集团）", phone="13900001111")
    with pytest.raises(services.DuplicatesFound) as by_name:
        services.customer_create(user=org.sales2, name="北京沃力(集团)")
    [match] = by_name.value.matches
    # sales2 cannot see sales1's customer: only the owner is named
    assert match.as_dict() == {"reason": "name", "owner": "sales1", "visible": False}
    with pytest.raises(services.DuplicatesFound) as by_phone:
        services.customer_create(user=org.manager1, name="别的公司", phone="+86 139 0000 1111")
    [match] = by_phone.value.matches
    assert match.visible and match.customer_name == "北京 沃力（集团）"
    assert Customer.objects.count() == 1
    # confirmed: a different customer with a similar name may still be saved
    services.customer_create(user=org.sales2, name="北京沃力(集团)", confirm_duplicates=True)
    assert Customer.objects.count() == 2


def test_duplicate_phone_of_a_contact(org, make_customer):
    make_customer(org.sales1, contacts=[{"name": "王五", "mobile": "13711112222"}])
    matches = selectors.company_wide_duplicates(org.sales3, name="新客户", phones=["137 1111 2222"])
    assert [m.reason for m in matches] == ["phone"]


def test_duplicates_never_cross_companies(org, other_org, make_customer):
    make_customer(other_org.sales1, name="同名公司", phone="13711112222")
    assert (
        selectors.company_wide_duplicates(org.sales1, name="同名公司", phones=["13711112222"]) == []
    )


def test_visibility_with_sharing(org, make_customer):
    customer = make_customer(org.sales1, name="共享客户")
    assert "共享客户" not in names(selectors.visible_customers(org.sales2))
    services.customer_share(user=org.sales1, customer=customer, target=org.sales2, level="view")
    assert "共享客户" in names(selectors.visible_customers(org.sales2))
    assert "共享客户" not in names(selectors.editable_customers(org.sales2))
    with pytest.raises(PermissionRefused):
        services.customer_update(user=org.sales2, customer=customer, notes="x")
    services.customer_share(user=org.sales1, customer=customer, target=org.sales2, level="edit")
    services.customer_update(user=org.sales2, customer=customer, notes="见过面")
    # an edit share does not give the right to share on, transfer or delete
    with pytest.raises(PermissionRefused):
        services.customer_transfer(user=org.sales2, customer=customer, owner=org.sales2)
    services.customer_unshare(user=org.sales1, customer=customer, target=org.sales2)
    assert "共享客户" not in names(selectors.visible_customers(org.sales2))
    with pytest.raises(NotFound):
        selectors.get_customer_for(org.sales2, customer.pk)


def test_sharing_with_a_user_of_another_company_is_refused(org, other_org, make_customer):
    customer = make_customer(org.sales1)
    with pytest.raises(ValidationFailed):
        services.customer_share(
            user=org.sales1, customer=customer, target=other_org.sales1.pk, level="view"
        )
    assert CustomerShare.objects.count() == 0


def test_transfer_moves_the_customer_and_its_contacts(org, make_customer):
    customer = make_customer(org.sales1, contacts=[{"name": "赵六"}])
    services.customer_transfer(user=org.manager1, customer=customer, owner=org.sales3)
    customer.refresh_from_db()
    assert customer.owner == org.sales3
    assert customer.contacts.count() == 1
    assert names(selectors.visible_customers(org.sales1)) == []
    assert selectors.visible_contacts(org.sales3).count() == 1
    assert selectors.visible_contacts(org.sales1).count() == 0


def test_a_peer_cannot_transfer_or_see(org, make_customer):
    customer = make_customer(org.sales1)
    with pytest.raises(NotFound):
        services.customer_transfer(user=org.sales2, customer=customer, owner=org.sales2)
    customer.refresh_from_db()
    assert customer.owner == org.sales1


def test_bulk_transfer_is_all_or_nothing(org, make_customer):
    mine = [make_customer(org.sales1) for _ in range(3)]
    foreign = make_customer(org.sales3)
    with pytest.raises(NotFound):
        services.customers_bulk_transfer(
            user=org.manager1, customer_ids=[c.pk for c in mine] + [foreign.pk], owner=org.sales2
        )
    assert Customer.objects.filter(owner=org.sales2).count() == 0
    moved = services.customers_bulk_transfer(
        user=org.manager1, customer_ids=[c.pk for c in mine], owner=org.sales2
    )
    assert moved == 3 and Customer.objects.filter(owner=org.sales2).count() == 3


def test_hot_customer_cap(org, make_customer):
    account_services.company_update_settings(actor=org.boss, hot_customer_cap=2)
    org.sales1.refresh_from_db()
    customers = [make_customer(org.sales1) for _ in range(3)]
    services.customer_set_hot(user=org.sales1, customer=customers[0], is_hot=True)
    services.customer_set_hot(user=org.sales1, customer=customers[1], is_hot=True)
    with pytest.raises(DomainError) as refused:
        services.customer_set_hot(user=org.sales1, customer=customers[2], is_hot=True)
    assert "already has 2 hot customers" in str(refused.value.message)
    customers[2].refresh_from_db()
    assert not customers[2].is_hot
    services.customer_set_hot(user=org.sales1, customer=customers[0], is_hot=False)
    services.customer_set_hot(user=org.sales1, customer=customers[2], is_hot=True)
    assert selectors.hot_customer_count(org.sales1) == 2


def test_signing_clears_the_hot_flag(org, make_customer):
    customer = make_customer(org.sales1)
    services.customer_set_hot(user=org.sales1, customer=customer, is_hot=True)
    services.customer_signed(customer=customer)
    customer.refresh_from_db()
    assert not customer.is_hot


def test_kind_never_changes(org, make_customer):
    customer = make_customer(org.sales1, kind="individual")
    with pytest.raises(ValidationFailed) as refused:
        services.customer_update(user=org.sales1, customer=customer, kind="enterprise")
    assert "kind" in refused.value.errors


def test_deactivating_a_rep_hands_their_customers_over(org, make_customer):
    for _ in range(2):
        make_customer(org.sales1)
    account_services.user_deactivate(actor=org.boss, user=org.sales1, hand_over_to=org.sales2)
    assert Customer.objects.filter(owner=org.sales2).count() == 2


def test_contacts_keep_the_search_text_current(org, make_customer):
    customer = make_customer(org.sales1, name="甲公司")
    contact = services.contact_create(user=org.sales1, customer=customer, name="钱七")
    customer.refresh_from_db()
    assert "qianqi" in customer.search_text
    services.contact_update(user=org.sales1, contact=contact, name="孙八")
    customer.refresh_from_db()
    assert "sunba" in customer.search_text and "qianqi" not in customer.search_text
    services.contact_delete(user=org.sales1, contact=contact)
    customer.refresh_from_db()
    assert "sunba" not in customer.search_text


def test_history_is_kept(org, make_customer):
    customer = make_customer(org.sales1, name="历史客户")
    services.customer_update(user=org.sales1, customer=customer, notes="第一次拜访")
    assert customer.history.count() == 2


def test_records_of_a_customer_need_the_customer_to_be_visible(org, other_org, make_customer):
    from banyan.customers.models import Contact

    customer = make_customer(org.sales1, contacts=[{"name": "周九"}])
    # fetched for its owner: the contacts come by key alone
    fetched = selectors.get_customer_for(org.sales1, customer.pk)
    assert [c.name for c in selectors.customer_contacts(org.sales1, fetched)] == ["周九"]
    # the same object handed to a peer, or to another company, shows nothing
    assert selectors.records_of_customer(Contact.objects.all(), org.sales2, fetched).count() == 0
    raw = Customer.objects.get(pk=customer.pk)
    assert selectors.records_of_customer(Contact.objects.all(), org.sales2, raw).count() == 0
    assert selectors.records_of_customer(Contact.objects.all(), other_org.sales1, raw).count() == 0
    assert selectors.records_of_customer(Contact.objects.all(), org.manager1, raw).count() == 1


def test_history_names_who_changed_what_without_a_request(org, make_customer):
    """Changes through the API or an import have no logged-in request: the services name the
    acting user themselves."""
    customer = make_customer(org.sales1, name="审计客户")
    services.customer_update(user=org.manager1, customer=customer, notes="经理补充")
    services.customer_transfer(user=org.manager1, customer=customer, owner=org.sales2)
    contact = services.contact_create(user=org.sales2, customer=customer, name="吴十")
    services.contact_delete(user=org.sales2, contact=contact)
    users = [h.history_user for h in customer.history.order_by("history_id")]
    assert users == [org.sales1, org.manager1, org.manager1]
    assert [h.history_user for h in contact.history.order_by("history_id")] == [
        org.sales2,
        org.sales2,
    ]


@pytest.mark.parametrize(
    "query",
    ["13800138000", "+86 138 0013 8000", "１３８-0013-8000", "010-6288 1234", "01062881234"],
)
def test_a_whole_phone_number_finds_the_customer_however_it_is_typed(org, make_customer, query):
    make_customer(
        org.sales1,
        name="电话客户",
        phone="010-62881234",
        contacts=[{"name": "郑十一", "mobile": "13800138000"}],
    )
    make_customer(org.sales1, name="别的客户", phone="13900139000")
    assert names(selectors.customer_list(org.sales1, search=query)) == ["电话客户"]
    # and only within what the user may see
    assert names(selectors.customer_list(org.sales2, search=query)) == []


def test_a_customer_created_hot_is_hot_and_over_the_cap_is_not_created(org, make_customer):
    account_services.company_update_settings(actor=org.boss, hot_customer_cap=1)
    org.sales1.refresh_from_db()
    hot = make_customer(org.sales1, is_hot=True)
    assert Customer.objects.get(pk=hot.pk).is_hot

    with pytest.raises(DomainError):
        make_customer(org.sales1, name="第二家", is_hot=True)
    assert not Customer.objects.filter(name="第二家").exists()


def test_one_change_sets_details_hot_flag_and_owner_or_nothing(org, make_customer):
    customer = make_customer(org.sales1)

    changed = services.customer_change(
        user=org.manager1, customer=customer, name="新名字", is_hot=True, owner=org.sales2.pk
    )

    assert (changed.name, changed.owner_id) == ("新名字", org.sales2.pk)
    assert not changed.is_hot  # a hot flag does not travel with a transfer
    with pytest.raises(ValidationFailed):
        services.customer_change(
            user=org.manager1, customer=changed, name="又一个名字", owner=org.sales3.pk + 10**6
        )
    changed.refresh_from_db()
    assert (changed.name, changed.owner_id) == ("新名字", org.sales2.pk)


def test_one_change_without_an_owner_change_transfers_nothing(org, make_customer):
    customer = make_customer(org.sales1)

    changed = services.customer_change(
        user=org.sales1, customer=customer, is_hot=True, owner=org.sales1.pk
    )

    assert changed.is_hot and changed.owner_id == org.sales1.pk
