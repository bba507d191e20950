"""Searches over rows hung on a customer give the same answer whether a word is rare (its
rows and customers looked up first, as keys) or common (matched as the list is read)."""

import pytest

from banyan.activities import selectors as activity_selectors
from banyan.activities import services as activity_services
from banyan.activities.tests.conftest import activity_type
from banyan.customers import selectors
from banyan.customers import services as customer_services


@pytest.fixture
def rows(org, make_customer):
    north = make_customer(org.sales1, name="北京沃力科技")
    south = make_customer(org.sales1, name="广州南方贸易")
    hidden = make_customer(org.sales4, name="北京隐藏公司")
    call = activity_type(org.company, "call")
    for customer, subject in ((north, "报价"), (south, "北京来人"), (south, "回访"), (hidden, "x")):
        activity_services.activity_log(
            user=customer.owner, customer=customer, type=call, subject=subject
        )
    customer_services.contact_create(user=org.sales1, customer=north, name="张伟", title="经理")
    customer_services.contact_create(
        user=org.sales1, customer=south, name="李娜", mobile="13800138000"
    )
    customer_services.contact_create(user=org.sales4, customer=hidden, name="张伟")
    return north, south


@pytest.mark.parametrize("keys", [500, 0], ids=["rare word", "common word"])
def test_both_ways_of_searching_give_the_same_rows(org, rows, keys, monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_KEYS", keys)

    subjects = sorted(
        a.subject for a in activity_selectors.activity_list(org.sales1, search="北京")
    )
    by_pinyin = sorted(
        a.subject for a in activity_selectors.activity_list(org.sales1, search="bjwl")
    )
    contacts = sorted(c.name for c in selectors.search_contacts(org.sales1, search="张伟"))
    by_customer = sorted(c.name for c in selectors.search_contacts(org.sales1, search="广州"))
    by_phone = sorted(c.name for c in selectors.search_contacts(org.sales1, search="138001"))
    both_words = sorted(c.name for c in selectors.search_contacts(org.sales1, search="张 北京"))

    assert subjects == ["北京来人", "报价"]  # the customer's name, or the activity's own text
    assert by_pinyin == ["报价"]
    assert contacts == ["张伟"]  # the other 张伟 is another rep's, invisible to sales1
    assert by_customer == ["李娜"]
    assert by_phone == ["李娜"]
    assert both_words == ["张伟"]


def test_a_contacts_search_text_follows_its_fields(org, make_customer):
    customer = make_customer(org.sales1)
    contact = customer_services.contact_create(
        user=org.sales1, customer=customer, name="Wang Fang", email="Fang@Example.com"
    )
    customer_services.contact_update(user=org.sales1, contact=contact, title="Sales Director")
    contact.refresh_from_db()

    assert contact.search_text == "wang fang sales director fang@example.com"
    assert [c.pk for c in selectors.search_contacts(org.sales1, search="director")] == [contact.pk]
