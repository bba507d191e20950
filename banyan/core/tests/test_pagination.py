"""Counts that scale: every list counts at most a cap of rows, and still pages past it."""

import pytest
from django.test.utils import CaptureQueriesContext

from banyan.core import pagination


@pytest.fixture
def cap_of_three(monkeypatch):
    monkeypatch.setattr(pagination.CappedPaginator, "cap", 3)
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)


@pytest.fixture
def five_customers(org, make_customer):
    return [make_customer(org.sales1, name=f"客户{n}") for n in range(5)]


def test_an_api_count_below_the_cap_is_exact(org, api_as, make_customer):
    make_customer(org.sales1)
    make_customer(org.sales1)

    answer = api_as(org.sales1).get("/api/v1/customers/").json()

    assert answer["count"] == 2
    assert answer["count_capped"] is False


def test_an_api_count_past_the_cap_says_so_and_next_still_leads_to_every_row(
    org, api_as, five_customers, cap_of_three, django_assert_max_num_queries
):
    client = api_as(org.sales1)
    seen = []
    url = "/api/v1/customers/?page_size=2"
    while url:
        answer = client.get(url).json()
        assert answer["count"] == 3
        assert answer["count_capped"] is True
        seen.extend(row["id"] for row in answer["results"])
        url = answer["next"]

    assert sorted(seen) == sorted(c.pk for c in five_customers)


def test_the_count_reads_at_most_the_cap_plus_one_row(org, five_customers, cap_of_three):
    from django.db import connection

    from banyan.customers.selectors import visible_customers

    paginator = pagination.CappedPaginator(visible_customers(org.sales1), 2)
    with CaptureQueriesContext(connection) as captured:
        assert paginator.count == 4
    assert "LIMIT 4" in captured.captured_queries[-1]["sql"]
    assert paginator.count_label == "more than 3"


def test_a_page_past_the_cap_opens_and_knows_whether_another_follows(
    org, five_customers, cap_of_three
):
    from banyan.customers.selectors import visible_customers

    rows = visible_customers(org.sales1).order_by("id")
    paginator = pagination.CappedPaginator(rows, 2)

    third = paginator.page(3)

    assert [c.pk for c in third] == [five_customers[4].pk]
    assert not third.has_next()
    assert paginator.page(2).has_next()
    assert third.end_index() == 5
    assert paginator.get_page(9).number == paginator.num_pages  # out of range: the last page


def test_the_schema_documents_the_capped_count(api_client):
    schema = api_client.get("/api/schema/?format=json").json()
    page = schema["components"]["schemas"]["PaginatedCustomerList"]

    assert "count_capped" in page["properties"]
    assert "count_capped" in page["required"]


def test_a_search_counts_to_a_lower_cap(org, api_as, client_as, five_customers, monkeypatch):
    monkeypatch.setattr(pagination, "SEARCH_COUNT_CAP", 2)

    searched = api_as(org.sales1).get("/api/v1/customers/", {"search": "客户"}).json()
    listed = api_as(org.sales1).get("/api/v1/customers/").json()
    page = client_as(org.sales1).get("/customers/", {"q": "客户"}).context["page"]

    assert (searched["count"], searched["count_capped"]) == (2, True)
    assert (listed["count"], listed["count_capped"]) == (5, False)
    assert page.paginator.is_capped
    assert page.paginator.count_label == "more than 2"
