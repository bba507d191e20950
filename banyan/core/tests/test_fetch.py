"""One way to fetch one row, one module guard, one form → service → message loop."""

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from rest_framework import viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate

from banyan.core.api import VisibleObjectMixin
from banyan.core.errors import DomainError, NotFound, PermissionRefused
from banyan.core.fetch import MAX_ID, as_id, get_for, get_or_none
from banyan.core.forms import ServiceErrorsMixin
from banyan.core.views import module_required, submit

NOT_IDS = ["abc", "", "1.5", "99999999999999999999", 99999999999999999999, -(2**64), None, True]


def company_users(org):
    return get_user_model().objects.filter(company=org.company)


# --- get_for -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", NOT_IDS)
def test_a_value_no_key_can_hold_is_no_id(value):
    assert as_id(value) is None


def test_ids_as_numbers_text_or_rows():
    assert as_id(7) == 7
    assert as_id("7") == 7
    assert as_id(MAX_ID) == MAX_ID
    assert as_id(MAX_ID + 1) is None


def test_get_for_finds_a_row_of_the_queryset(org):
    assert get_for(company_users(org), org.sales1.pk) == org.sales1
    assert get_for(company_users(org), str(org.sales1.pk)) == org.sales1
    assert get_for(company_users(org), org.sales1) == org.sales1


def test_another_companys_row_is_not_found(org, other_org):
    with pytest.raises(NotFound):
        get_for(company_users(org), other_org.sales1.pk)
    assert get_or_none(company_users(org), other_org.sales1.pk) is None


def test_a_missing_row_is_not_found(org):
    missing = get_user_model().objects.order_by("-pk").first().pk + 1000

    with pytest.raises(NotFound):
        get_for(company_users(org), missing)


@pytest.mark.parametrize("value", NOT_IDS)
def test_an_id_out_of_range_or_not_a_number_is_not_found_without_a_query(
    org, value, django_assert_num_queries
):
    with django_assert_num_queries(0), pytest.raises(NotFound):
        get_for(company_users(org), value)
    assert get_or_none(company_users(org), value) is None


# --- module_required -------------------------------------------------------------------------


def page(request):
    return HttpResponse("ok")


def test_a_page_of_a_module_the_company_does_not_use_does_not_exist(org):
    request = RequestFactory().get("/")
    request.user = org.sales1
    company = org.sales1.company
    company.uses_inventory = False

    with pytest.raises(Http404):
        module_required("uses_inventory")(page)(request)
    with pytest.raises(Http404):
        module_required("uses_orders", "uses_inventory")(page)(request)
    company.uses_orders = True
    assert module_required("uses_orders", "uses_inventory", any_of=True)(page)(request).content
    company.uses_inventory = True
    assert module_required("uses_orders", "uses_inventory")(page)(request).status_code == 200


def test_a_module_page_sends_a_visitor_to_the_login_page(db):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/inventory/")
    request.user = AnonymousUser()

    response = module_required("uses_inventory")(page)(request)

    assert response.status_code == 302
    assert "login" in response["Location"]


# --- submit ----------------------------------------------------------------------------------


class NameForm(ServiceErrorsMixin, forms.Form):
    name = forms.CharField()


def posted(user, data=None):
    request = RequestFactory().post("/", data or {})
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def texts(request):
    return [str(m) for m in get_messages(request)]


def test_submit_runs_the_service_once_the_form_is_valid(org):
    request = posted(org.sales1, {"name": "a"})
    form = NameForm(request.POST)

    done = submit(request, form, lambda: form.cleaned_data["name"].upper(), success=str)

    assert done and done.result == "A"
    assert texts(request) == ["A"]


def test_submit_does_not_run_the_service_for_an_invalid_form_or_a_get(org):
    calls = []
    request = posted(org.sales1, {})
    assert not submit(request, NameForm(request.POST), lambda: calls.append(1))
    get = RequestFactory().get("/")
    assert not submit(get, NameForm(None), lambda: calls.append(1))
    assert calls == []


def test_a_refusal_goes_onto_the_form_field_and_keeps_the_input(org):
    request = posted(org.sales1, {"name": "a"})
    form = NameForm(request.POST)

    def refuse():
        raise DomainError("Taken.", field="name")

    done = submit(request, form, refuse, success="never")

    assert not done
    assert form.errors == {"name": ["Taken."]}
    assert form["name"].value() == "a"
    assert texts(request) == []


def test_without_a_form_a_refusal_is_an_error_message(org):
    request = posted(org.sales1)

    def refuse():
        raise DomainError("Too late.")

    assert not submit(request, None, refuse, success="never")
    assert texts(request) == ["Too late."]


def test_a_permission_refusal_is_a_403_with_its_reason(org):
    request = posted(org.sales1, {"name": "a"})

    def refuse():
        raise PermissionRefused("Not yours.")

    with pytest.raises(PermissionDenied, match=r"Not yours\."):
        submit(request, NameForm(request.POST), refuse)


# --- the API's base viewset ---------------------------------------------------------------------


def fetch_user(user, pk, *, for_edit=False):
    row = get_for(company_users(user), pk)
    if for_edit and row.pk != user.pk:
        raise PermissionRefused("Only yourself.")
    return row


class UserViewSet(VisibleObjectMixin, viewsets.GenericViewSet):
    permission_classes = [AllowAny]
    fetch_one = fetch_user
    fetch_for_edit = True
    modules = ("uses_inventory",)

    def retrieve(self, request, pk=None):
        return Response({"id": self.get_object().pk})

    def partial_update(self, request, pk=None):
        return Response({"id": self.get_object().pk})


def call_api(user, method, pk):
    factory = APIRequestFactory()
    request = getattr(factory, method)(f"/x/{pk}/")
    force_authenticate(request, user=user)
    action = {"get": "retrieve", "patch": "partial_update"}[method]
    return UserViewSet.as_view({method: action})(request, pk=pk)


@pytest.mark.parametrize("pk", ["abc", "99999999999999999999"])
def test_the_api_answers_an_id_no_row_can_have_with_404(org, pk):
    org.company.uses_inventory = True
    org.company.save(update_fields=["uses_inventory"])

    assert call_api(org.sales1, "get", pk).status_code == 404


def test_the_api_answers_another_companys_row_with_404_and_a_change_it_may_not_with_403(
    org, other_org
):
    org.company.uses_inventory = True
    org.company.save(update_fields=["uses_inventory"])

    assert call_api(org.sales1, "get", org.sales2.pk).data == {"id": org.sales2.pk}
    assert call_api(org.sales1, "get", other_org.sales1.pk).status_code == 404
    assert call_api(org.sales1, "patch", org.sales2.pk).status_code == 403
    assert call_api(org.sales1, "patch", org.sales1.pk).status_code == 200


def test_the_api_of_a_module_the_company_does_not_use_is_404(org):
    org.company.uses_inventory = False
    org.company.save(update_fields=["uses_inventory"])

    assert call_api(org.sales1, "get", org.sales1.pk).status_code == 404


# --- every one-row page and endpoint -----------------------------------------------------------

ONE_ROW_URLS = [
    "/customers/{}/",
    "/api/v1/customers/{}/",
    "/api/v1/contacts/{}/",
    "/api/v1/activities/{}/",
    "/api/v1/tasks/{}/",
    "/api/v1/work-summaries/{}/",
    "/api/v1/opportunities/{}/",
    "/api/v1/agreements/{}/",
    "/api/v1/payment-plans/{}/",
    "/api/v1/payments/{}/",
    "/api/v1/invoices/{}/",
    "/api/v1/shipments/{}/",
    "/api/v1/products/{}/",
    "/api/v1/product-categories/{}/",
    "/api/v1/users/{}/",
    "/api/v1/targets/{}/",
]


@pytest.mark.parametrize("url", ONE_ROW_URLS)
@pytest.mark.parametrize("pk", ["99999999999999999999", "abc", "0"])
def test_a_row_no_id_can_name_is_a_404_never_a_500(client_as, org, url, pk):
    if "/api/" not in url and not pk.isdigit():
        pytest.skip("the page's URL takes digits only")

    response = client_as(org.sales1).get(url.format(pk))

    assert response.status_code == 404


@pytest.mark.parametrize("url", ["/customers/{}/", "/api/v1/customers/{}/"])
def test_another_companys_customer_is_a_404(client_as, org, other_org, make_customer, url):
    theirs = make_customer(other_org.sales1)

    assert client_as(org.boss).get(url.format(theirs.pk)).status_code == 404
    assert client_as(other_org.sales1).get(url.format(theirs.pk)).status_code == 200
