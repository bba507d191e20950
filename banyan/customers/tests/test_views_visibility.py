"""The visibility matrix over every customer and contact page.

A customer owned by org.sales1 (in manager1's team, under director1), shared with sales3 to
view and with sales4 to edit. Each actor reads it, edits it and deletes it (and its contact)
through the pages: an invisible customer is 404 everywhere (as if it did not exist), a
visible one the actor may not change is 403, and a refusal changes nothing.
"""

from types import SimpleNamespace

import pytest
from django.urls import reverse

from banyan.customers import services
from banyan.customers.models import Contact, Customer, CustomerShare

ACTORS = ["owner", "peer", "manager", "other_manager", "director", "boss", "assistant"]
ACTORS += ["view_share", "edit_share", "other_company"]

# actor -> (read, edit, manage): manage = delete, share, transfer
RIGHTS = {
    "owner": (200, 302, 302),
    "peer": (404, 404, 404),
    "manager": (200, 302, 302),
    "other_manager": (404, 404, 404),
    "director": (200, 302, 302),
    "boss": (200, 302, 302),
    "assistant": (200, 302, 302),
    "view_share": (200, 403, 403),
    "edit_share": (200, 302, 403),
    "other_company": (404, 404, 404),
}


@pytest.fixture
def setting(org, other_org, make_customer):
    customer = make_customer(
        org.sales1, name="矩阵客户", phone="13900001111", contacts=[{"name": "矩阵联系人"}]
    )
    services.customer_share(user=org.sales1, customer=customer, target=org.sales3, level="view")
    services.customer_share(user=org.sales1, customer=customer, target=org.sales4, level="edit")
    actors = {
        "owner": org.sales1,
        "peer": org.sales2,
        "manager": org.manager1,
        "other_manager": org.manager2,
        "director": org.director1,
        "boss": org.boss,
        "assistant": org.assistant,
        "view_share": org.sales3,
        "edit_share": org.sales4,
        "other_company": other_org.sales1,
    }
    return SimpleNamespace(customer=customer, contact=customer.contacts.get(), actors=actors)


def edit_data(name: str) -> dict:
    return {"name": name, "phone": "13900001111", "region": "", "address": "", "notes": ""}


def snapshot(customer):
    customer = Customer.objects.get(pk=customer.pk)
    shares = sorted(CustomerShare.objects.values_list("user_id", "level"))
    contacts = sorted(Contact.objects.values_list("name", "mobile"))
    return customer.name, customer.owner_id, customer.is_hot, shares, contacts


@pytest.mark.parametrize("actor", ACTORS)
def test_reading(setting, client_as, actor):
    client = client_as(setting.actors[actor])
    expected = RIGHTS[actor][0]

    assert (
        client.get(reverse("customer-detail", args=[setting.customer.pk])).status_code == expected
    )
    listed = [c.pk for c in client.get(reverse("customer-list")).context["page"]]
    assert (setting.customer.pk in listed) == (expected == 200)
    contacts = [c.pk for c in client.get(reverse("contact-list")).context["page"]]
    assert (setting.contact.pk in contacts) == (expected == 200)
    searched = client.get(reverse("customer-list"), {"q": "13900001111"}).context["page"]
    assert (setting.customer.pk in [c.pk for c in searched]) == (expected == 200)


@pytest.mark.parametrize("actor", ACTORS)
def test_editing(setting, client_as, actor):
    client = client_as(setting.actors[actor])
    expected = RIGHTS[actor][1]
    before = snapshot(setting.customer)

    page = client.get(reverse("customer-edit", args=[setting.customer.pk]))
    response = client.post(
        reverse("customer-edit", args=[setting.customer.pk]), edit_data("改过的名字")
    )

    assert page.status_code == (200 if expected == 302 else expected)
    assert response.status_code == expected
    setting.customer.refresh_from_db()
    if expected == 302:
        assert setting.customer.name == "改过的名字"
    else:
        assert snapshot(setting.customer) == before


@pytest.mark.parametrize("actor", ACTORS)
def test_editing_contacts_and_the_hot_flag(setting, client_as, actor):
    client = client_as(setting.actors[actor])
    expected = RIGHTS[actor][1]
    before = snapshot(setting.customer)

    responses = [
        client.get(reverse("contact-create", args=[setting.customer.pk])),
        client.get(reverse("contact-edit", args=[setting.contact.pk])),
        client.post(reverse("contact-create", args=[setting.customer.pk]), {"name": "新联系人"}),
        client.post(
            reverse("contact-edit", args=[setting.contact.pk]),
            {"name": "矩阵联系人", "mobile": "13800138000"},
        ),
        client.post(reverse("customer-hot", args=[setting.customer.pk]), {"is_hot": "1"}),
    ]

    statuses = [r.status_code for r in responses]
    if expected == 302:
        assert statuses == [200, 200, 302, 302, 302]
        assert snapshot(setting.customer)[2:] == (
            True,
            before[3],
            [("新联系人", ""), ("矩阵联系人", "13800138000")],
        )
    else:
        assert statuses == [expected] * 5
        assert snapshot(setting.customer) == before


@pytest.mark.parametrize("actor", ACTORS)
def test_deleting(setting, client_as, actor):
    client = client_as(setting.actors[actor])
    expected = RIGHTS[actor][2]
    before = snapshot(setting.customer)

    page = client.get(reverse("customer-delete", args=[setting.customer.pk]))
    response = client.post(reverse("customer-delete", args=[setting.customer.pk]))

    assert page.status_code == (200 if expected == 302 else expected)
    assert response.status_code == expected
    if expected == 302:
        assert not Customer.objects.filter(pk=setting.customer.pk).exists()
    else:
        assert snapshot(setting.customer) == before


@pytest.mark.parametrize("actor", ACTORS)
def test_deleting_a_contact(setting, client_as, actor):
    client = client_as(setting.actors[actor])
    # deleting a contact is editing the customer
    expected = RIGHTS[actor][1]

    response = client.post(reverse("contact-delete", args=[setting.contact.pk]))

    assert response.status_code == expected
    assert Contact.objects.filter(pk=setting.contact.pk).exists() == (expected != 302)


@pytest.mark.parametrize("actor", ACTORS)
def test_sharing_and_transferring(setting, client_as, org, actor):
    client = client_as(setting.actors[actor])
    expected = RIGHTS[actor][2]
    before = snapshot(setting.customer)

    responses = [
        client.get(reverse("customer-share", args=[setting.customer.pk])),
        client.get(reverse("customer-transfer", args=[setting.customer.pk])),
        client.post(
            reverse("customer-share", args=[setting.customer.pk]),
            {"user": org.sales_boss.pk, "level": "view"},
        ),
        client.post(
            reverse("customer-unshare", args=[setting.customer.pk]), {"user": org.sales3.pk}
        ),
        client.post(
            reverse("customer-transfer", args=[setting.customer.pk]), {"owner": org.sales2.pk}
        ),
    ]

    statuses = [r.status_code for r in responses]
    if expected == 302:
        assert statuses == [200, 200, 302, 302, 302]
        setting.customer.refresh_from_db()
        assert setting.customer.owner == org.sales2
        assert sorted(CustomerShare.objects.values_list("user_id", "level")) == sorted(
            [(org.sales4.pk, "edit"), (org.sales_boss.pk, "view")]
        )
    else:
        assert statuses == [expected] * 5
        assert snapshot(setting.customer) == before


@pytest.mark.parametrize("actor", ACTORS)
def test_bulk_actions(setting, client_as, org, actor):
    client = client_as(setting.actors[actor])
    expected = RIGHTS[actor][2]
    before = snapshot(setting.customer)

    response = client.post(
        reverse("customer-bulk"),
        {"action": "transfer", "target": org.sales2.pk, "customers": [setting.customer.pk]},
    )

    if expected == 302:
        assert response.status_code == 302
        setting.customer.refresh_from_db()
        assert setting.customer.owner == org.sales2
    else:
        # the list page again, with the refusal; nothing changed
        assert response.status_code == 200
        assert response.context["bulk_form"].errors
        assert snapshot(setting.customer) == before


def test_a_403_page_is_the_no_access_page(setting, client_as):
    response = client_as(setting.actors["view_share"]).get(
        reverse("customer-edit", args=[setting.customer.pk])
    )
    assert response.status_code == 403
    assert 'id="error-403"' in response.content.decode()
