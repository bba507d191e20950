"""Pages and API answers with a person's data carry `Cache-Control: no-store`."""

from django.test import Client
from django.urls import reverse

TOKEN_URL = "/api/v1/auth/token/"


def test_a_logged_in_page_is_not_stored(client_as, org):
    response = client_as(org.sales1).get(reverse("home"))

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_api_answers_are_not_stored(api_as, api_client, org, password):
    listed = api_as(org.sales1).get("/api/v1/users/")
    token = api_client.post(
        TOKEN_URL, {"company": "alpha", "username": "boss", "password": password}, format="json"
    )

    assert listed.status_code == 200
    assert listed["Cache-Control"] == "no-store"
    assert token.status_code == 200
    assert token["Cache-Control"] == "no-store"


def test_static_files_logos_and_anonymous_pages_are_left_alone(client_as, org):
    client = client_as(org.sales1)
    static = client.get("/static/css/banyan.css")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")
    assert not client.get("/media/logos/none.png").has_header("Cache-Control")
    # a page that is the same for everyone, to an anonymous visitor
    assert not Client().get(reverse("login")).has_header("Cache-Control")
