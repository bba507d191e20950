"""The API's error format: JSON naming the fields at fault, never a 500 for bad input."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import translation

from banyan.core.api import exception_handler
from banyan.core.errors import (
    DomainError,
    NotFound,
    PermissionRefused,
    ReadOnlyCompany,
    ValidationFailed,
)

USERS_URL = "/api/v1/users/"


def handled(exc) -> tuple[int, object]:
    """The handler's answer, outside any request: in English, whatever an earlier test left."""
    with translation.override("en"):
        response = exception_handler(exc, {})
        return response.status_code, response.data


def test_a_domain_error_names_its_field():
    assert handled(DomainError("Too late.", field="due_on")) == (400, {"due_on": ["Too late."]})


def test_a_domain_error_without_a_field_is_a_detail_list():
    assert handled(DomainError("Refused.")) == (400, {"detail": ["Refused."]})


def test_validation_failed_lists_every_field():
    exc = ValidationFailed({"name": ["Enter a name."], "email": ["Enter a valid e-mail."]})

    assert handled(exc) == (400, {"name": ["Enter a name."], "email": ["Enter a valid e-mail."]})


def test_not_found_is_404():
    assert handled(NotFound()) == (404, {"detail": "Not found."})
    assert handled(Http404("Customer 12 of company 3")) == (404, {"detail": "Not found."})


def test_permission_refused_is_403_with_its_message():
    assert handled(PermissionRefused("Only bosses.")) == (403, {"detail": "Only bosses."})
    assert handled(ReadOnlyCompany("Convert first.")) == (403, {"detail": "Convert first."})
    assert handled(PermissionDenied()) == (
        403,
        {"detail": "You do not have permission to perform this action."},
    )


def test_a_django_validation_error_names_its_fields():
    assert handled(DjangoValidationError({"amount": ["Must be positive."]})) == (
        400,
        {"amount": ["Must be positive."]},
    )
    assert handled(DjangoValidationError("Bad.")) == (400, {"detail": ["Bad."]})


def test_any_other_exception_is_left_to_django():
    assert exception_handler(ValueError("bug"), {}) is None


def test_a_malformed_json_body_is_400_not_500(org, api_as):
    response = api_as(org.boss).post(
        USERS_URL, data='{"username": "x", ', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_a_malformed_json_body_to_the_token_endpoint_is_400(api_client):
    response = api_client.post("/api/v1/auth/token/", data="{", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_a_json_body_that_is_not_an_object_is_400(org, api_as):
    response = api_as(org.boss).post(USERS_URL, [1, 2], format="json")

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Invalid data. Expected a dictionary, but got list."]
    }


def test_a_bad_post_names_the_field_with_a_readable_message(org, api_as):
    response = api_as(org.boss).post(
        USERS_URL,
        {"username": "sales5", "password": "Another-pass-2026", "role": "sales"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "superior": ["A Sales must report to a Boss or Director or Manager."]
    }


def test_several_bad_fields_are_answered_together(org, api_as):
    response = api_as(org.boss).post(
        USERS_URL,
        {"username": "", "password": "x", "role": "captain", "superior": "abc"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "username": ["This field may not be blank."],
        "role": ['"captain" is not a valid choice.'],
        "superior": ["Give the id of a user (a whole number)."],
    }


def test_no_credentials_is_401(api_client):
    response = api_client.get(USERS_URL)

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_a_wrong_token_is_401(db, api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = api_client.get(USERS_URL)

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}
