"""The opportunities API: fields, actions, filters, the visibility matrix, query counts."""

from decimal import Decimal

import pytest

from banyan.accounts.models import DictionaryOption
from banyan.customers import services as customer_services
from banyan.opportunities import services
from banyan.opportunities.models import Opportunity, StageChange

URL = "/api/v1/opportunities/"


def state(opportunity):
    opportunity.refresh_from_db()
    return (
        opportunity.name,
        opportunity.stage_id,
        opportunity.probability,
        opportunity.status,
        opportunity.close_reason,
        StageChange.objects.filter(opportunity=opportunity).count(),
    )


def test_create_read_and_the_stage_history(org, stages, api_as, make_customer):
    customer = make_customer(org.sales1, name="沃力科技")
    api = api_as(org.sales1)

    response = api.post(
        URL,
        {
            "customer": customer.pk,
            "name": "ERP",
            "stage": stages["proposal"].pk,
            "expected_amount": "120000.50",
            "expected_close_date": "2026-06-30",
            "next_step": "Quote",
            "competitors": "Kingdee",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    opportunity = Opportunity.objects.get()
    assert body == {
        "id": opportunity.pk,
        "customer": customer.pk,
        "customer_name": "沃力科技",
        "name": "ERP",
        "stage": stages["proposal"].pk,
        "stage_label": "Proposal and quote",
        "probability": 50,
        "expected_amount": "120000.50",
        "expected_close_date": "2026-06-30",
        "next_step": "Quote",
        "competitors": "Kingdee",
        "status": "open",
        "close_reason": "",
        "closed_at": None,
        "owner": org.sales1.pk,
        "owner_name": org.sales1.display_name,
        "created_by": org.sales1.pk,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }

    api.post(f"{URL}{opportunity.pk}/move/", {"stage": stages["negotiation"].pk}, format="json")
    detail = api.get(f"{URL}{opportunity.pk}/").json()
    assert [
        (h["from_stage_label"], h["to_stage_label"], h["from_probability"], h["to_probability"])
        for h in detail["stage_history"]
    ] == [("", "Proposal and quote", None, 50), ("Proposal and quote", "Negotiation", 50, 70)]


def test_move_won_lost_reopen_actions(org, stages, api_as, make_customer, make_opportunity):
    opportunity = make_opportunity(org.sales1, make_customer(org.sales1), stage=stages["initial"])
    api = api_as(org.manager1)
    base = f"{URL}{opportunity.pk}"

    moved = api.post(
        f"{base}/move/", {"stage": stages["needs"].pk, "probability": 35}, format="json"
    )
    assert moved.status_code == 200
    assert (moved.json()["stage"], moved.json()["probability"]) == (stages["needs"].pk, 35)

    lost = api.post(f"{base}/lost/", {"reason": ""}, format="json")
    assert lost.status_code == 400
    assert lost.json() == {"reason": ["Say why the opportunity was lost."]}
    lost = api.post(f"{base}/lost/", {"reason": "Budget"}, format="json")
    assert (lost.json()["status"], lost.json()["close_reason"], lost.json()["probability"]) == (
        "lost",
        "Budget",
        0,
    )
    again = api.post(f"{base}/won/", {}, format="json")
    assert again.status_code == 400 and list(again.json()) == ["status"]

    reopened = api.post(f"{base}/reopen/")
    assert (reopened.json()["status"], reopened.json()["probability"]) == ("open", 35)
    won = api.post(f"{base}/won/", {}, format="json")
    assert (won.json()["status"], won.json()["probability"]) == ("won", 100)


def test_bad_input_names_the_field(org, other_org, stages, api_as, make_customer, make_opportunity):
    customer = make_customer(org.sales1)
    opportunity = make_opportunity(org.sales1, customer, stage=stages["initial"])
    foreign = DictionaryOption.objects.get(
        company=other_org.company, kind="opportunity_stage", code="initial"
    )
    api = api_as(org.sales1)
    before = state(opportunity)

    response = api.patch(
        f"{URL}{opportunity.pk}/",
        {"stage": foreign.pk, "expected_amount": "-1.00"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "stage": ["Choose a stage from the list."],
        "expected_amount": ["The amount cannot be negative."],
    }
    response = api.post(f"{URL}{opportunity.pk}/move/", {"stage": foreign.pk}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["stage"]
    response = api.patch(f"{URL}{opportunity.pk}/", {"customer": 999}, format="json")
    assert response.json() == {"customer": ["An opportunity stays with its customer."]}
    assert state(opportunity) == before


def test_filters_and_ordering(org, stages, api_as, make_customer, make_opportunity):
    first = make_customer(org.sales1)
    second = make_customer(org.sales1)
    make_opportunity(org.sales1, first, name="A", stage=stages["initial"], expected_amount="3")
    make_opportunity(org.manager1, first, name="B", stage=stages["needs"], expected_amount="1")
    lost = make_opportunity(org.sales1, second, name="C", stage=stages["needs"])
    services.opportunity_mark_lost(user=org.sales1, opportunity=lost, reason="x")
    api = api_as(org.manager1)

    def names(**params):
        return [row["name"] for row in api.get(URL, params).json()["results"]]

    assert names(customer=first.pk, ordering="name") == ["A", "B"]
    assert names(stage=stages["needs"].pk, ordering="name") == ["B", "C"]
    assert names(status="lost") == ["C"]
    assert names(owner=org.manager1.pk) == ["B"]
    assert names(customer=first.pk, ordering="-expected_amount") == ["A", "B"]
    assert api.get(URL, {"ordering": "password"}).status_code == 400


# --- the visibility matrix ------------------------------------------------------------------

MATRIX = {
    "owner": (200, 200),
    "peer": (404, 404),
    "manager1": (200, 200),
    "manager2": (404, 404),
    "director1": (200, 200),
    "boss": (200, 200),
    "assistant": (200, 200),
    "view_share": (200, 403),
    "edit_share": (200, 200),
    "other_company": (404, 404),
}


@pytest.mark.parametrize("who", MATRIX)
def test_matrix_api(who, org, other_org, stages, api_as, make_customer, make_opportunity):
    customer = make_customer(org.sales1)
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales_d1, level="view"
    )
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales4, level="edit"
    )
    opportunity = make_opportunity(org.sales1, customer, name="Deal", stage=stages["needs"])
    user = {
        "owner": org.sales1,
        "peer": org.sales2,
        "manager1": org.manager1,
        "manager2": org.manager2,
        "director1": org.director1,
        "boss": org.boss,
        "assistant": org.assistant,
        "view_share": org.sales_d1,
        "edit_share": org.sales4,
        "other_company": other_org.sales1,
    }[who]
    api = api_as(user)
    read, write = MATRIX[who]
    item = f"{URL}{opportunity.pk}/"
    before = state(opportunity)

    assert api.get(item).status_code == read
    listed = [row["id"] for row in api.get(URL).json()["results"]]
    assert (opportunity.pk in listed) == (read == 200)

    created = api.post(URL, {"customer": customer.pk, "name": "New"}, format="json").status_code
    # An invisible customer does not exist for them; a view share is refused.
    assert created == {200: 201, 403: 403, 404: 404}[write]
    assert api.patch(item, {"name": "Changed"}, format="json").status_code == write
    assert (
        api.post(f"{item}move/", {"stage": stages["proposal"].pk}, format="json").status_code
        == write
    )
    if write != 200:
        assert api.post(f"{item}won/", {}, format="json").status_code == write
        assert api.post(f"{item}lost/", {"reason": "x"}, format="json").status_code == write
        assert api.post(f"{item}reopen/").status_code == write
        assert api.delete(item).status_code == write
        assert state(opportunity) == before
        assert Opportunity.objects.count() == 1
    else:
        assert state(opportunity)[:3] == ("Changed", stages["proposal"].pk, 50)
        assert api.post(f"{item}won/", {}, format="json").status_code == 200
        assert api.post(f"{item}reopen/").status_code == 200
        assert api.post(f"{item}lost/", {"reason": "x"}, format="json").status_code == 200
        assert api.delete(item).status_code == 204
        assert list(Opportunity.objects.values_list("name", flat=True)) == ["New"]


# --- query counts ------------------------------------------------------------------------------

API_LIST_QUERIES = 4  # user by token, count, page (customer, stage, owner joined), nothing per row


@pytest.mark.parametrize("size", [3, 30])
def test_api_list_query_count_does_not_grow(
    size, org, stages, api_as, make_customer, make_opportunity, django_assert_max_num_queries
):
    customer = make_customer(org.sales1)
    codes = list(stages)
    for index in range(size):
        make_opportunity(org.sales1, customer, stage=stages[codes[index % len(codes)]])
    api = api_as(org.boss)

    with django_assert_max_num_queries(API_LIST_QUERIES):
        response = api.get(URL, {"page_size": 50})
    assert response.json()["count"] == size
    assert {row["expected_amount"] for row in response.json()["results"]} == {"10000.00"}
    assert Decimal(response.json()["results"][0]["expected_amount"]) == Decimal("10000.00")
