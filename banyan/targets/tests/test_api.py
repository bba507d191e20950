"""`/api/v1/targets/`: visibility, who may set whose, bad input, achievement, query counts."""

from datetime import date
from decimal import Decimal

import pytest

from banyan.targets.models import SalesTarget

pytestmark = pytest.mark.django_db

URL = "/api/v1/targets/"
LIST_QUERIES = 6


def body(person, **kw):
    data = {
        "user": person.pk,
        "month": "2026-11",
        "payment_amount": "1000.00",
        "contract_amount": "2000.00",
    }
    data.update(kw)
    return data


def test_a_target_with_its_achievement(org, api_as, set_target, sign, pay):
    target = set_target(org.sales1, "1000.00", "0", by=org.manager1)
    pay(sign(org.sales1, "800.00", "2026-11-30"), "250.00", "2026-11-01")
    response = api_as(org.sales1).get(f"{URL}{target.pk}/")
    assert response.status_code == 200
    data = response.json()
    assert data == {
        "id": target.pk,
        "user": org.sales1.pk,
        "user_name": "sales1",
        "is_group": False,
        "month": "2026-11",
        "payment_amount": "1000.00",
        "contract_amount": "0.00",
        "set_by": org.manager1.pk,
        "achievement": {
            "payment_amount": "250.00",
            "contract_amount": "800.00",
            "payment_percent": 25.0,
            "contract_percent": 0.0,
            "days_left": data["achievement"]["days_left"],
        },
    }


def test_list_visibility_and_filters(org, other_org, api_as, set_target):
    set_target(org.sales1)
    set_target(org.sales2)
    set_target(org.manager1, is_group=True)
    set_target(org.sales1, month="2026-12")
    foreign = set_target(other_org.sales1, by=other_org.boss)

    def users(viewer, **params):
        response = api_as(viewer).get(URL, params)
        assert response.status_code == 200
        return sorted((r["user"], r["is_group"], r["month"]) for r in response.json()["results"])

    assert users(org.sales1) == [
        (org.sales1.pk, False, "2026-11"),
        (org.sales1.pk, False, "2026-12"),
    ]
    assert users(org.sales1, month="2026-12") == [(org.sales1.pk, False, "2026-12")]
    assert len(users(org.manager1, month="2026-11")) == 3
    assert users(org.manager1, is_group="true") == [(org.manager1.pk, True, "2026-11")]
    assert users(org.boss, user=org.sales2.pk) == [(org.sales2.pk, False, "2026-11")]
    assert users(org.sales3) == []
    assert api_as(org.boss).get(f"{URL}{foreign.pk}/").status_code == 404
    bad = api_as(org.boss).get(URL, {"month": "11/2026"})
    assert bad.status_code == 400 and "month" in bad.json()


def test_create_update_delete(org, api_as):
    client = api_as(org.director1)
    created = client.post(URL, body(org.manager1, is_group=True), format="json")
    assert created.status_code == 201, created.json()
    data = created.json()
    assert (data["is_group"], data["set_by"], data["achievement"]["payment_amount"]) == (
        True,
        org.director1.pk,
        "0.00",
    )
    again = client.post(URL, body(org.manager1, is_group=True, payment_amount="5"), format="json")
    assert again.status_code == 201 and again.json()["id"] == data["id"]
    assert SalesTarget.objects.get().payment_amount == Decimal("5.00")

    patched = client.patch(f"{URL}{data['id']}/", {"contract_amount": "7.5"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["contract_amount"] == "7.50"
    moved = client.patch(f"{URL}{data['id']}/", {"month": "2026-12"}, format="json")
    assert moved.status_code == 400 and "month" in moved.json()
    assert SalesTarget.objects.get().month == date(2026, 11, 1)

    assert api_as(org.manager1).delete(f"{URL}{data['id']}/").status_code == 403
    assert client.delete(f"{URL}{data['id']}/").status_code == 204
    assert not SalesTarget.objects.exists()


def test_refusals(org, other_org, api_as, set_target):
    set_target(org.sales1, "3.00")
    before = list(SalesTarget.objects.values_list("id", "payment_amount"))
    own = api_as(org.manager1).post(URL, body(org.manager1), format="json")
    assert own.status_code == 403
    assert own.json() == {"detail": "You cannot set your own target: your superior does."}
    peer = api_as(org.manager1).post(URL, body(org.sales3), format="json")
    assert peer.status_code == 403 and "below you" in peer.json()["detail"]
    rep = api_as(org.sales1).post(URL, body(org.sales2), format="json")
    assert rep.status_code == 403
    foreign = api_as(org.boss).post(URL, body(other_org.sales1), format="json")
    assert foreign.status_code == 404
    negative = api_as(org.boss).post(URL, body(org.sales1, payment_amount="-1"), format="json")
    assert negative.status_code == 400 and "payment_amount" in negative.json()
    month = api_as(org.boss).post(URL, body(org.sales1, month="2026-1-1"), format="json")
    assert month.status_code == 400 and "month" in month.json()
    group = api_as(org.boss).post(URL, body(org.sales1, is_group=True), format="json")
    assert group.status_code == 400 and "is_group" in group.json()
    assert list(SalesTarget.objects.values_list("id", "payment_amount")) == before


def test_the_list_has_a_fixed_query_count(
    org, api_as, set_target, sign, pay, django_assert_max_num_queries
):
    client = api_as(org.boss)
    for person in (org.sales1, org.sales2):
        set_target(person)
        set_target(person, month="2026-10")
        pay(sign(person, "100.00", "2026-11-02"), "50.00", "2026-11-03")
    with django_assert_max_num_queries(LIST_QUERIES):
        assert client.get(URL).json()["count"] == 4
    for person in (org.sales3, org.sales4, org.sales_d1, org.manager1, org.manager2):
        set_target(person)
        set_target(person, month="2026-09")
        pay(sign(person, "100.00", "2026-11-02"), "50.00", "2026-11-03")
    set_target(org.director1, is_group=True)
    with django_assert_max_num_queries(LIST_QUERIES):
        assert client.get(URL).json()["count"] == 15


def test_a_refusal_names_the_apis_own_fields(org, api_as):
    from banyan.accounts.models import User

    User.objects.filter(pk=org.sales2.pk).update(is_active=False)

    gone = api_as(org.boss).post(URL, body(org.sales2), format="json")

    assert gone.status_code == 400
    assert list(gone.json()) == ["user"] and "is deactivated" in gone.json()["user"][0]
    assert not SalesTarget.objects.exists()


def test_an_update_may_repeat_the_person_kind_and_month(org, api_as, set_target):
    target = set_target(org.sales1, "3.00", by=org.manager1)
    client = api_as(org.manager1)

    same = client.put(f"{URL}{target.pk}/", body(org.sales1, payment_amount="4.00"), format="json")
    moved = client.patch(f"{URL}{target.pk}/", {"user": org.sales2.pk}, format="json")

    assert same.status_code == 200 and same.json()["payment_amount"] == "4.00"
    assert moved.status_code == 400
    assert moved.json() == {"user": ["A target stays with its person, kind and month."]}
    assert SalesTarget.objects.get().user_id == org.sales1.pk
