"""The targets page: the month picker, who sees which rows, setting and removing a target,
the menu entry and a fixed query count."""

import re
from datetime import date
from unittest import mock

import pytest
from django.urls import reverse

from banyan.core.navigation import items_for
from banyan.targets import selectors
from banyan.targets.models import SalesTarget

pytestmark = pytest.mark.django_db

LIST = reverse("target-list")
SET = reverse("target-set")
PAGE_QUERIES = 9
ROW = re.compile(r'id="target-\d+"')


def rows():
    return list(SalesTarget.objects.order_by("id").values_list("id", "payment_amount"))


def form_data(person, **kw):
    data = {
        "target_user": person.pk,
        "month": "2026-11",
        "payment_amount": "120000",
        "contract_amount": "150000.00",
    }
    data.update(kw)
    return data


def test_the_menu_has_sales_targets(org):
    item = next(i for i in items_for(org.sales1) if i.key == "targets")
    assert (str(item.label), item.icon, item.order, item.url) == ("Sales targets", "flag", 70, LIST)


def test_a_rep_sees_only_their_own_targets(org, client_as, set_target, sign):
    mine = set_target(org.sales1, "1000.00", "2000.00", by=org.manager1)
    other = set_target(org.sales2, by=org.manager1)
    sign(org.sales1, "500.00", "2026-11-03")
    response = client_as(org.sales1).get(LIST, {"month": "2026-11"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="target-{mine.pk}"' in html and f'id="target-{other.pk}"' not in html
    assert "¥500.00" in html and "25.0%" in html
    assert 'id="target-form"' not in html  # a rep sets nobody's target


def test_the_month_picker(org, client_as, set_target):
    november = set_target(org.sales1)
    december = set_target(org.sales1, month="2026-12")
    client = client_as(org.manager1)
    html = client.get(LIST, {"month": "2026-12"}).content.decode()
    assert f'id="target-{december.pk}"' in html and f'id="target-{november.pk}"' not in html
    assert 'value="2026-12"' in html
    # Without ?month=, the company's current month (tested in test_selectors at a moment).
    with mock.patch.object(selectors, "current_month", return_value=date(2026, 12, 1)):
        html = client.get(LIST).content.decode()
        assert f'id="target-{december.pk}"' in html
        bad = client.get(LIST, {"month": "2026-13"})
    assert bad.status_code == 200
    assert "Enter a month as YYYY-MM, e.g. 2026-11." in bad.content.decode()


def test_a_manager_sets_a_target_for_a_rep(org, client_as):
    client = client_as(org.manager1)
    page = client.get(LIST).content.decode()
    assert 'id="target-form"' in page
    assert f'value="{org.sales1.pk}"' in page and f'value="{org.sales3.pk}"' not in page
    response = client.post(SET, form_data(org.sales1))
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?month=2026-11"
    target = SalesTarget.objects.get()
    assert (target.user, target.set_by, target.month) == (
        org.sales1,
        org.manager1,
        date(2026, 11, 1),
    )
    followed = client.get(response["Location"]).content.decode()
    assert "The target of sales1 for 2026-11 has been saved." in followed


def test_refusals_keep_the_form_and_say_why(org, client_as, set_target):
    set_target(org.sales1, "7.00")
    before = rows()
    client = client_as(org.manager1)
    peer = client.post(SET, form_data(org.sales3))
    assert peer.status_code == 400
    assert "Choose a person below you." in peer.content.decode()
    bad = client.post(SET, form_data(org.sales1, payment_amount="-5", month="2026-11"))
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "The amount cannot be negative." in html and 'value="-5"' in html
    group = client_as(org.boss).post(SET, form_data(org.sales1, is_group="on"))
    assert group.status_code == 400
    assert "Group targets are for directors and managers" in group.content.decode()
    refused = client_as(org.sales1).post(SET, form_data(org.sales2))
    assert refused.status_code == 400
    assert rows() == before


def test_remove_a_target(org, other_org, client_as, set_target):
    target = set_target(org.sales1, by=org.manager1)
    foreign = set_target(other_org.sales1, by=other_org.boss)
    assert client_as(org.boss).post(reverse("target-delete", args=[foreign.pk])).status_code == 404
    assert (
        client_as(org.manager2).post(reverse("target-delete", args=[target.pk])).status_code == 404
    )
    own = client_as(org.sales1).post(reverse("target-delete", args=[target.pk]))
    assert own.status_code == 403
    assert "You cannot set your own target: your superior does." in own.content.decode()
    assert (
        client_as(org.manager1).get(reverse("target-delete", args=[target.pk])).status_code == 405
    )
    response = client_as(org.manager1).post(reverse("target-delete", args=[target.pk]))
    assert response.status_code == 302
    assert not SalesTarget.objects.filter(pk=target.pk).exists()
    assert SalesTarget.objects.filter(pk=foreign.pk).exists()


def test_the_list_has_a_fixed_query_count(
    org, client_as, set_target, sign, pay, django_assert_max_num_queries
):
    client = client_as(org.boss)
    people = [org.sales1, org.sales2, org.sales3]
    for person in people:
        set_target(person)
        pay(sign(person, "100.00", "2026-11-02"), "50.00", "2026-11-03")
    with django_assert_max_num_queries(PAGE_QUERIES):
        small = client.get(LIST, {"month": "2026-11"})
    assert len(ROW.findall(small.content.decode())) == 3
    for person in (org.sales4, org.sales_d1, org.sales_boss, org.manager1, org.manager2):
        set_target(person)
        pay(sign(person, "100.00", "2026-11-02"), "50.00", "2026-11-03")
    set_target(org.manager1, is_group=True)
    set_target(org.director1, is_group=True)
    with django_assert_max_num_queries(PAGE_QUERIES):
        large = client.get(LIST, {"month": "2026-11"})
    assert len(ROW.findall(large.content.decode())) == 10


def test_a_remove_button_shows_exactly_where_the_service_accepts_the_removal(
    org, client_as, set_target
):
    """A manager who assists director2 sees director2's line's targets, but sets (and
    removes) only those of the people below themself: the page offers Remove exactly there,
    and pressing it works."""
    from banyan.accounts import services as account_services
    from banyan.accounts.models import Role
    from banyan.core.errors import PermissionRefused
    from banyan.targets import services

    helper = account_services.user_create(
        actor=org.boss,
        username="manager_helper",
        password="Banyan-test-2026",
        real_name="manager_helper",
        role=Role.MANAGER,
        superior=org.director1,
        assistant_of=org.director2,
    )
    below = account_services.user_create(
        actor=org.boss,
        username="helper_rep",
        password="Banyan-test-2026",
        real_name="helper_rep",
        role=Role.SALES,
        superior=helper,
    )
    theirs = set_target(org.sales4)
    mine = set_target(below)
    remove_theirs = reverse("target-delete", args=[theirs.pk])
    remove_mine = reverse("target-delete", args=[mine.pk])

    client = client_as(helper)
    html = client.get(LIST, {"month": "2026-11"}).content.decode()
    assert f'id="target-{theirs.pk}"' in html and f'id="target-{mine.pk}"' in html
    assert remove_theirs not in html and remove_mine in html
    assert selectors.removable_targets(helper, [theirs, mine]) == {mine.pk}
    with pytest.raises(PermissionRefused):
        services.target_delete(user=helper, target=theirs)

    assert client.post(remove_mine).status_code == 302
    assert not SalesTarget.objects.filter(pk=mine.pk).exists()
    assert SalesTarget.objects.filter(pk=theirs.pk).exists()
