"""`Customer.converted_at`: the time a customer last moved from the potential type to the
regular one, kept by every service that changes the type (an edit, an import's update, a
signing), cleared on a move back to potential; filled from the history by the migration.
And the customer list's filters a report drills down with (conversions, region, fields not
filled in, a retired option, the owner of a shared customer)."""

import importlib
from datetime import UTC, datetime

import pytest
from django.apps import apps
from django.urls import reverse

from banyan.accounts import services as account_services
from banyan.accounts.models import DictionaryOption
from banyan.agreements import services as agreement_services
from banyan.customers import services
from banyan.customers.models import Customer

pytestmark = pytest.mark.django_db

LIST = reverse("customer-list")
MOMENT = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)  # 23:30 in Shanghai
LATER = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)


def type_of(org, code) -> DictionaryOption:
    return DictionaryOption.objects.get(company=org.company, kind="customer_type", code=code)


def at(moment):
    from unittest import mock

    return mock.patch("django.utils.timezone.now", return_value=moment)


def converted_at(customer):
    return Customer.objects.values_list("converted_at", flat=True).get(pk=customer.pk)


def test_an_edit_from_potential_to_regular_converts_now(org, make_customer):
    customer = make_customer(org.sales1, type=type_of(org, "potential").pk)
    assert converted_at(customer) is None
    with at(MOMENT):
        services.customer_update(user=org.sales1, customer=customer, type=type_of(org, "regular"))
    assert converted_at(customer) == MOMENT
    latest = customer.history.order_by("-history_id").first()
    assert (latest.type.code, latest.converted_at) == ("regular", MOMENT)


def test_other_moves_keep_it_and_a_move_back_to_potential_clears_it(org, make_customer):
    customer = make_customer(org.sales1, type=type_of(org, "potential").pk)
    with at(MOMENT):
        services.customer_update(user=org.sales1, customer=customer, type=type_of(org, "regular"))
    with at(LATER):
        services.customer_update(user=org.sales1, customer=customer, type=type_of(org, "vip"))
        assert converted_at(customer) == MOMENT
        services.customer_update(user=org.sales1, customer=customer, name="改名")
        assert converted_at(customer) == MOMENT
        services.customer_update(user=org.sales1, customer=customer, type=type_of(org, "potential"))
    assert converted_at(customer) is None


def test_created_regular_or_moved_to_regular_from_elsewhere_is_no_conversion(org, make_customer):
    created = make_customer(org.sales1, type=type_of(org, "regular").pk)
    untyped = make_customer(org.sales1)
    vip = make_customer(org.sales1, type=type_of(org, "vip").pk)
    with at(MOMENT):
        services.customer_update(user=org.sales1, customer=untyped, type=type_of(org, "regular"))
        services.customer_update(user=org.sales1, customer=vip, type=type_of(org, "regular"))
    assert [converted_at(c) for c in (created, untyped, vip)] == [None, None, None]


def test_signing_converts_a_potential_customer_at_that_moment(org, make_customer, make_agreement):
    customer = make_customer(org.sales1, type=type_of(org, "potential").pk)
    order = make_agreement(org.sales1, customer)
    with at(MOMENT):
        agreement_services.agreement_sign(user=org.sales1, agreement=order)
    assert converted_at(customer) == MOMENT
    # A customer who signs again stays converted when it did.
    again = make_agreement(org.sales1, customer)
    with at(LATER):
        agreement_services.agreement_sign(user=org.sales1, agreement=again)
    assert converted_at(customer) == MOMENT


def test_signing_without_the_company_rule_converts_nobody(org, make_customer, make_agreement):
    org.company.signing_makes_regular = False
    org.company.save(update_fields=["signing_makes_regular"])
    customer = make_customer(org.sales1, type=type_of(org, "potential").pk)
    agreement_services.agreement_sign(
        user=org.sales1, agreement=make_agreement(org.sales1, customer)
    )
    assert converted_at(customer) is None


def test_the_migration_fills_it_from_the_history(org, make_customer):
    fill = importlib.import_module(
        "banyan.customers.migrations.0011_fill_customer_converted_at"
    ).fill
    converted = make_customer(org.sales1, type=type_of(org, "potential").pk)
    undone = make_customer(org.sales1, type=type_of(org, "potential").pk)
    created_regular = make_customer(org.sales1, type=type_of(org, "regular").pk)
    twice = make_customer(org.sales1, type=type_of(org, "potential").pk)
    with at(MOMENT):
        services.customer_update(user=org.sales1, customer=converted, type=type_of(org, "regular"))
        services.customer_update(user=org.sales1, customer=undone, type=type_of(org, "regular"))
        services.customer_update(user=org.sales1, customer=twice, type=type_of(org, "regular"))
    with at(LATER):
        services.customer_update(user=org.sales1, customer=converted, type=type_of(org, "vip"))
        services.customer_update(user=org.sales1, customer=undone, type=type_of(org, "potential"))
        services.customer_update(user=org.sales1, customer=twice, type=type_of(org, "potential"))
        services.customer_update(user=org.sales1, customer=twice, type=type_of(org, "regular"))
    Customer.objects.filter(company=org.company).update(converted_at=None)

    fill(apps, None)

    assert converted_at(converted) == MOMENT
    assert converted_at(undone) is None
    assert converted_at(created_regular) is None
    assert converted_at(twice) == LATER


# --- the list's filters ---------------------------------------------------------------


def listed(response) -> list[str]:
    return sorted(customer.name for customer in response.context["page"])


def test_the_list_filters_by_conversion_days_region_and_fields_not_filled_in(
    org, client_as, make_customer
):
    first = make_customer(org.sales1, name="甲", type=type_of(org, "potential").pk, region="北京")
    make_customer(org.sales1, name="乙", region="北京市")
    make_customer(org.sales1, name="丙", type=type_of(org, "vip").pk)
    with at(MOMENT):  # 23:30 on 11-30 in Shanghai
        services.customer_update(user=org.sales1, customer=first, type=type_of(org, "regular"))
    client = client_as(org.sales1)
    assert listed(client.get(LIST, {"converted_from": "2026-11-30"})) == ["甲"]
    assert listed(client.get(LIST, {"converted_to": "2026-11-29"})) == []
    assert listed(client.get(LIST, {"converted_from": "2026-12-01"})) == []
    assert listed(client.get(LIST, {"region": "北京"})) == ["甲"]
    assert listed(client.get(LIST, {"missing": "region"})) == ["丙"]
    assert listed(client.get(LIST, {"missing": "type"})) == ["乙"]
    assert listed(client.get(LIST, {"missing": "source"})) == ["丙", "乙", "甲"]


def test_the_list_filters_by_a_retired_option_and_a_shared_customers_owner(
    org, client_as, make_customer
):
    vip = type_of(org, "vip")
    make_customer(org.sales1, name="甲", type=vip.pk)
    shared = make_customer(org.sales4, name="乙", type=vip.pk)
    services.customer_share(user=org.sales4, customer=shared, target=org.sales1, level="view")
    account_services.dictionary_option_update(actor=org.boss, option=vip, is_active=False)
    client = client_as(org.sales1)
    assert listed(client.get(LIST, {"type": vip.pk})) == ["乙", "甲"]
    assert listed(client.get(LIST, {"owner": org.sales4.pk})) == ["乙"]
    # Someone else's owner (not in the user's line, nothing shared) is not a filter.
    assert listed(client.get(LIST, {"owner": org.sales3.pk})) == ["乙", "甲"]
