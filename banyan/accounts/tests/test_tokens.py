"""API tokens: one per device, stored hashed, expiring, listed and revoked by their owner,
revoked when the password changes or the user is deactivated; the token endpoint opens no
session and is throttled per client address."""

import datetime
import hashlib
import importlib
from types import SimpleNamespace

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from banyan.accounts import services
from banyan.accounts.models import ApiToken, User
from banyan.core.errors import ValidationFailed

TOKEN_URL = "/api/v1/auth/token/"
TOKENS_URL = "/api/v1/auth/tokens/"
USERS_URL = "/api/v1/users/"
NEW_PASSWORD = "Another-pass-2026"
INVALID = {"detail": "Invalid token."}
EXPIRED = {"detail": "This token has expired: ask for a new one with POST /api/v1/auth/token/."}


def token_request(api_client, *, username="boss", password, ip="10.9.0.1", **extra):
    return api_client.post(
        TOKEN_URL,
        {"company": "alpha", "username": username, "password": password, **extra},
        format="json",
        REMOTE_ADDR=ip,
    )


def status_with(api_client, key) -> int:
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api_client.get(USERS_URL).status_code


def sha256(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


# Obtaining a token ----------------------------------------------------------------------------


def test_token_login_answers_a_token_with_its_expiry_and_the_token_works(org, api_client, password):
    before = timezone.now()

    response = token_request(api_client, password=password, label="Phone")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    token = ApiToken.objects.get(user=org.boss)
    assert token.label == "Phone"
    assert token.company_id == org.company.pk
    expires_at = datetime.datetime.fromisoformat(body["expires_at"])
    assert expires_at == token.expires_at
    assert (
        before + datetime.timedelta(days=30)
        <= expires_at
        <= timezone.now() + datetime.timedelta(days=30)
    )
    assert status_with(api_client, body["token"]) == 200


def test_a_token_is_stored_only_as_its_hash_with_a_short_visible_prefix(org, api_client, password):
    key = token_request(api_client, password=password).json()["token"]

    token = ApiToken.objects.get(user=org.boss)
    assert token.key_hash == sha256(key)
    assert token.prefix == key[:8]
    stored = [str(value) for value in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert key not in stored


def test_each_device_gets_its_own_token_and_earlier_ones_keep_working(org, api_client, password):
    laptop = token_request(api_client, password=password, label="Laptop").json()["token"]
    phone = token_request(api_client, password=password, label="Phone").json()["token"]

    assert laptop != phone
    assert ApiToken.objects.filter(user=org.boss).count() == 2
    assert status_with(api_client, laptop) == 200
    assert status_with(api_client, phone) == 200


def test_the_token_lifetime_follows_the_setting(org, api_client, password, settings):
    settings.API_TOKEN_DAYS = 7

    body = token_request(api_client, password=password).json()

    expires_at = datetime.datetime.fromisoformat(body["expires_at"])
    assert abs(expires_at - timezone.now() - datetime.timedelta(days=7)) < datetime.timedelta(
        minutes=1
    )


def test_an_expired_token_is_refused_with_a_clear_message(org, api_client):
    key = services.api_token_for(org.sales1)
    ApiToken.objects.filter(user=org.sales1).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = api_client.get(USERS_URL)

    assert response.status_code == 401
    assert response.json() == EXPIRED


def test_a_wrong_key_is_refused(org, api_client):
    services.api_token_for(org.sales1)
    api_client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")

    response = api_client.get(USERS_URL)

    assert response.status_code == 401
    assert response.json() == INVALID


def test_last_use_is_recorded_at_most_once_a_minute(org, api_client):
    key = services.api_token_for(org.sales1)
    token = ApiToken.objects.get(user=org.sales1)
    assert token.last_used_at is None

    assert status_with(api_client, key) == 200
    first_use = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first_use is not None
    with CaptureQueriesContext(connection) as queries:
        assert status_with(api_client, key) == 200
    assert not [q for q in queries if "UPDATE" in q["sql"] and "apitoken" in q["sql"].lower()]
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first_use

    ApiToken.objects.filter(pk=token.pk).update(
        last_used_at=timezone.now() - datetime.timedelta(minutes=2)
    )
    assert status_with(api_client, key) == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first_use


# No session from a token login ---------------------------------------------------------------


def test_a_token_login_opens_no_session_and_sets_no_session_cookie(
    org, api_client, password, settings
):
    response = token_request(api_client, password=password)

    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert "sessionid" not in response.get("Set-Cookie", "")
    assert Session.objects.count() == 0
    # What the login signal does is still done: last login set, failures reset.
    org.boss.refresh_from_db()
    assert org.boss.last_login is not None


# Throttling the token endpoint -----------------------------------------------------------------


def test_the_eleventh_token_request_in_a_minute_from_one_address_is_throttled(
    org, api_client, password
):
    answers = [token_request(api_client, password=password).status_code for _n in range(10)]

    throttled = token_request(api_client, password=password)
    spoofed = api_client.post(
        TOKEN_URL,
        {"company": "alpha", "username": "boss", "password": password},
        format="json",
        REMOTE_ADDR="10.9.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    elsewhere = token_request(api_client, password=password, ip="10.9.0.2")

    assert answers == [200] * 10
    assert throttled.status_code == 429
    detail = throttled.json()["detail"]
    assert detail.startswith("Too many token requests from your address: try again in ")
    assert detail.endswith(" seconds.")
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert spoofed.status_code == 429
    assert elsewhere.status_code == 200
    assert ApiToken.objects.filter(user=org.boss).count() == 11


def test_the_token_rate_follows_the_setting(org, api_client, password, settings):
    settings.API_TOKEN_RATE = "2/min"

    answers = [token_request(api_client, password=password).status_code for _n in range(3)]

    assert answers == [200, 200, 429]


# Revoked when the password changes -------------------------------------------------------------


def test_changing_ones_own_password_revokes_ones_tokens(org, client_as, api_client, password):
    key = services.api_token_for(org.sales1)
    colleague_key = services.api_token_for(org.sales2)

    response = client_as(org.sales1).post(
        reverse("password-change"),
        {
            "old_password": password,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=org.sales1).exists()
    assert status_with(api_client, key) == 401
    assert status_with(api_client, colleague_key) == 200


def test_an_admin_setting_a_password_through_the_api_revokes_the_users_tokens(
    org, api_as, api_client
):
    key = services.api_token_for(org.sales1)

    response = api_as(org.boss).patch(
        f"{USERS_URL}{org.sales1.pk}/", {"password": NEW_PASSWORD}, format="json"
    )

    assert response.status_code == 200
    assert status_with(api_client, key) == 401


def test_an_admin_resetting_a_password_on_the_page_revokes_the_users_tokens(
    org, client_as, api_client
):
    key = services.api_token_for(org.sales1)

    response = client_as(org.boss).post(
        reverse("account-user-password", args=[org.sales1.pk]),
        {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert status_with(api_client, key) == 401


def test_a_refused_password_change_keeps_the_tokens(org):
    services.api_token_for(org.sales1)

    with pytest.raises(ValidationFailed):
        services.user_change_own_password(
            user=org.sales1, old_password="not-it", new_password=NEW_PASSWORD
        )

    assert ApiToken.objects.filter(user=org.sales1).count() == 1


# Revoked when the user is deactivated ----------------------------------------------------------


def test_a_user_deactivated_through_the_api_and_reactivated_does_not_get_the_token_back(
    org, api_as, api_client
):
    key = services.api_token_for(org.sales2)
    boss = api_as(org.boss)

    off = boss.patch(f"{USERS_URL}{org.sales2.pk}/", {"is_active": False}, format="json")
    on = boss.patch(f"{USERS_URL}{org.sales2.pk}/", {"is_active": True}, format="json")

    assert (off.status_code, on.status_code) == (200, 200)
    assert User.objects.get(pk=org.sales2.pk).is_active is True
    assert not ApiToken.objects.filter(user=org.sales2).exists()
    assert status_with(api_client, key) == 401


def test_a_user_deactivated_on_the_page_loses_the_tokens(org, client_as, api_client):
    key = services.api_token_for(org.sales2)

    response = client_as(org.boss).post(
        reverse("account-user-deactivate", args=[org.sales2.pk]), {"hand_over_to": ""}
    )

    assert response.status_code == 302
    services.user_reactivate(actor=org.boss, user=User.objects.get(pk=org.sales2.pk))
    assert status_with(api_client, key) == 401


def test_a_refused_deactivation_keeps_the_tokens(org, api_as):
    services.api_token_for(org.manager1)

    response = api_as(org.boss).patch(
        f"{USERS_URL}{org.manager1.pk}/", {"is_active": False}, format="json"
    )

    assert response.status_code == 400
    assert ApiToken.objects.filter(user=org.manager1).count() == 1


# Listing and revoking one's own tokens through the API ---------------------------------------


def test_a_user_lists_their_own_tokens_without_the_keys(org, api_client, password):
    laptop = token_request(api_client, password=password, label="Laptop").json()["token"]
    phone = token_request(api_client, password=password, label="Phone").json()["token"]
    services.api_token_for(org.sales1)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {phone}")

    response = api_client.get(TOKENS_URL)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert response.json()["count"] == 2
    tokens = {t.label: t for t in ApiToken.objects.filter(user=org.boss)}
    assert [row["label"] for row in rows] == ["Phone", "Laptop"]
    assert set(rows[0]) == {"id", "label", "prefix", "created_at", "last_used_at", "expires_at"}
    assert (rows[0]["id"], rows[0]["label"], rows[0]["prefix"]) == (
        tokens["Phone"].pk,
        "Phone",
        phone[:8],
    )
    assert (rows[1]["id"], rows[1]["prefix"]) == (tokens["Laptop"].pk, laptop[:8])
    assert datetime.datetime.fromisoformat(rows[0]["expires_at"]) == tokens["Phone"].expires_at
    assert rows[0]["last_used_at"] is not None  # this very request
    assert rows[1]["last_used_at"] is None
    assert laptop not in response.content.decode()
    assert phone not in response.content.decode()


def test_a_user_revokes_one_of_their_tokens(org, api_client, password):
    laptop = token_request(api_client, password=password, label="Laptop").json()["token"]
    phone = token_request(api_client, password=password, label="Phone").json()["token"]
    laptop_id = ApiToken.objects.get(user=org.boss, label="Laptop").pk
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {phone}")

    response = api_client.delete(f"{TOKENS_URL}{laptop_id}/")

    assert response.status_code == 204
    assert status_with(api_client, laptop) == 401
    assert status_with(api_client, phone) == 200


def test_revoking_the_token_in_use_logs_that_client_out(org, api_client):
    key = services.api_token_for(org.sales1)
    token_id = ApiToken.objects.get(user=org.sales1).pk
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert api_client.delete(f"{TOKENS_URL}{token_id}/").status_code == 204
    assert api_client.get(TOKENS_URL).status_code == 401


def test_another_users_token_is_not_found_and_stays(org, other_org, api_as, api_client):
    colleague_key = services.api_token_for(org.sales2)
    stranger_key = services.api_token_for(other_org.boss)
    colleague = ApiToken.objects.get(user=org.sales2)
    stranger = ApiToken.objects.get(user=other_org.boss)
    boss = api_as(org.boss)

    answers = [boss.delete(f"{TOKENS_URL}{t.pk}/") for t in (colleague, stranger)]

    assert [a.status_code for a in answers] == [404, 404]
    assert answers[0].json() == {"detail": "Not found."}
    listed = boss.get(TOKENS_URL).json()["results"]
    assert {row["id"] for row in listed} == set(
        ApiToken.objects.filter(user=org.boss).values_list("pk", flat=True)
    )
    assert status_with(api_client, colleague_key) == 200
    assert status_with(api_client, stranger_key) == 200


def test_the_token_list_needs_a_login(db, api_client):
    assert api_client.get(TOKENS_URL).status_code == 401


def test_the_schema_documents_the_token_endpoints(db, api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    assert set(schema["paths"][TOKENS_URL]) == {"get"}
    assert set(schema["paths"][f"{TOKENS_URL}{{id}}/"]) == {"delete"}
    assert set(schema["components"]["schemas"]["ApiToken"]["properties"]) == {
        "id",
        "label",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
    }
    assert set(schema["components"]["schemas"]["Token"]["properties"]) == {"token", "expires_at"}
    token_answers = schema["paths"][TOKEN_URL]["post"]["responses"]
    assert {"200", "400", "429"} <= set(token_answers)


# The tokens page -------------------------------------------------------------------------------


def test_the_tokens_page_lists_and_revokes_ones_own_tokens(org, client_as, api_client):
    key = services.api_token_for(org.sales1)
    kept_key = services.api_token_for(org.sales1)
    ApiToken.objects.filter(key_hash=sha256(key)).update(label="办公室电脑")
    services.api_token_for(org.sales2)
    token = ApiToken.objects.get(key_hash=sha256(key))
    client = client_as(org.sales1)

    page = client.get(reverse("api-tokens"))

    assert page.status_code == 200
    html = page.content.decode()
    assert "办公室电脑" in html
    assert key[:8] in html and key not in html
    assert len(page.context["tokens"]) == 2
    revoked = client.post(reverse("api-token-revoke", args=[token.pk]), follow=True)
    assert revoked.status_code == 200
    assert "The token 办公室电脑 has been revoked." in revoked.content.decode()
    assert status_with(api_client, key) == 401
    assert status_with(api_client, kept_key) == 200


def test_the_tokens_page_cannot_revoke_another_users_token(org, client_as):
    services.api_token_for(org.sales2)
    token = ApiToken.objects.get(user=org.sales2)

    response = client_as(org.sales1).post(reverse("api-token-revoke", args=[token.pk]))

    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_the_password_page_links_to_the_tokens_page(org, client_as):
    page = client_as(org.sales1).get(reverse("password-change")).content.decode()

    assert f'href="{reverse("api-tokens")}"' in page


# The operator's admin ---------------------------------------------------------------------------


def test_the_admin_lists_tokens_without_their_keys(org, client):
    key = services.api_token_for(org.sales1)
    operator = User.objects.create_superuser("operator", "Operator-pass-2026")
    client.force_login(operator, backend="banyan.accounts.backends.CompanyUserBackend")

    listing = client.get("/admin/accounts/apitoken/")
    token = ApiToken.objects.get(user=org.sales1)
    detail = client.get(f"/admin/accounts/apitoken/{token.pk}/change/")

    assert listing.status_code == 200
    assert key[:8] in listing.content.decode()
    for page in (listing, detail):
        assert key not in page.content.decode()
        assert token.key_hash not in page.content.decode()
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403


# Carrying the old keys over -----------------------------------------------------------------------


def test_the_data_migration_carries_the_old_keys_over_hashed(org, api_client, settings):
    migration = importlib.import_module("banyan.accounts.migrations.0005_carry_over_api_tokens")
    old_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE TABLE "authtoken_token" ("key" varchar(40) NOT NULL PRIMARY KEY, '
            '"created" timestamp with time zone NOT NULL, "user_id" bigint NOT NULL)'
            if connection.vendor == "postgresql"
            else 'CREATE TABLE "authtoken_token" ("key" varchar(40) NOT NULL PRIMARY KEY, '
            '"created" datetime NOT NULL, "user_id" bigint NOT NULL)'
        )
        cursor.execute(
            'INSERT INTO "authtoken_token" ("key", "created", "user_id") VALUES (%s, %s, %s)',
            [old_key, timezone.now() - datetime.timedelta(days=400), org.sales1.pk],
        )
    from django.apps import apps

    migration.carry_over_authtoken_keys(apps, SimpleNamespace(connection=connection))

    token = ApiToken.objects.get(user=org.sales1)
    assert token.key_hash == sha256(old_key)
    assert token.prefix == old_key[:8]
    assert token.company_id == org.company.pk
    assert token.expires_at > timezone.now() + datetime.timedelta(days=29)
    with connection.cursor() as cursor:
        cursor.execute('SELECT COUNT(*) FROM "authtoken_token"')
        assert cursor.fetchone()[0] == 0  # no key is left in plain text
    assert status_with(api_client, old_key) == 200
