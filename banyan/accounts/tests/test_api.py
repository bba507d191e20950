"""The accounts API: token login with lockout, users, data dictionary, tenancy, read-only trials."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.test import override_settings

from banyan.accounts import services
from banyan.accounts.models import (
    SPECIAL_PERMISSION_CODENAMES,
    ApiToken,
    Company,
    DictionaryOption,
    User,
)

TOKEN_URL = "/api/v1/auth/token/"
USERS_URL = "/api/v1/users/"
DICTIONARY_URL = "/api/v1/dictionary/"

WRONG_CREDENTIALS = {"detail": ["The company code, username or password is not correct."]}
LOCKED = {
    "detail": "This username is locked for 30 more minutes after too many failed attempts. "
    "Wait, or ask your administrator to reset your password."
}
ADDRESS_LOCKED = {
    "detail": "Logins from your network address are locked for 30 more minutes after too many "
    "failed attempts from it. Try again later."
}
ADMIN_ONLY = {"detail": "Only an administrator boss can change account settings."}
NOT_FOUND = {"detail": "Not found."}
TRIAL_ENDED = {
    "detail": "The trial of 阿尔法科技有限公司 ended on 2020-01-31. Your data is kept and can be "
    "read, but changes are paused until the account is converted to a formal account: "
    "contact sales@banyan.local to convert it."
}


def token_request(api_client, *, company="alpha", username="boss", password, ip="10.0.0.1"):
    return api_client.post(
        TOKEN_URL,
        {"company": company, "username": username, "password": password},
        format="json",
        REMOTE_ADDR=ip,
    )


def issued_to(response, user: User) -> bool:
    """The token in a token-login answer is one of `user`'s (only its hash is stored)."""
    key_hash = ApiToken.hash_key(response.json()["token"])
    return ApiToken.objects.filter(user=user, key_hash=key_hash).exists()


def user_row(user: User) -> tuple:
    """What the API may change on a user, to assert a refusal changed nothing."""
    user = User.objects.get(pk=user.pk)
    return (
        user.username,
        user.real_name,
        user.role,
        user.superior_id,
        user.assistant_of_id,
        user.is_admin,
        user.is_active,
        user.path,
        user.password,
        sorted(user.user_permissions.values_list("codename", flat=True)),
    )


def option_row(option: DictionaryOption) -> tuple:
    option = DictionaryOption.objects.get(pk=option.pk)
    return (option.kind, option.label, option.position, option.is_active, option.probability)


def expire_trial(company: Company) -> None:
    Company.objects.filter(pk=company.pk).update(
        plan=Company.Plan.TRIAL, trial_ends_on=datetime.date(2020, 1, 31)
    )


# Token login ----------------------------------------------------------------------------------


def test_token_login_returns_a_token_that_authenticates(org, api_client, password):
    response = token_request(api_client, password=password)

    assert response.status_code == 200
    assert set(response.json()) == {"token", "expires_at"}
    assert issued_to(response, org.boss)
    org.boss.refresh_from_db()
    assert org.boss.last_login is not None
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api_client.get(USERS_URL).status_code == 200


def test_token_login_takes_the_company_code_in_any_case_and_spacing(org, api_client, password):
    response = token_request(api_client, company=" ALPHA ", username="Sales1", password=password)

    assert response.status_code == 200
    assert set(response.json()) == {"token", "expires_at"}
    assert issued_to(response, org.sales1)


def security_log(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "banyan.security"]


def test_token_login_with_a_wrong_password_is_refused(org, api_client, caplog):
    response = token_request(api_client, password="not-the-password")

    assert response.status_code == 400
    assert response.json() == WRONG_CREDENTIALS
    assert not ApiToken.objects.filter(user=org.boss).exists()
    assert security_log(caplog) == [
        "Login refused (wrong password): company 'alpha', username 'boss', from 10.0.0.1"
    ]
    assert "not-the-password" not in caplog.text


def test_token_login_of_an_unknown_user_gets_the_same_answer_as_a_wrong_password(
    org, api_client, password
):
    response = token_request(api_client, username="nobody", password=password)

    assert response.status_code == 400
    assert response.json() == WRONG_CREDENTIALS


def test_token_login_to_an_unknown_company_gets_the_same_answer(org, api_client, password, caplog):
    response = token_request(api_client, company="gamma", password=password)

    assert response.status_code == 400
    assert response.json() == WRONG_CREDENTIALS
    assert security_log(caplog) == [
        "Login refused (unknown company): company 'gamma', username 'boss', from 10.0.0.1"
    ]


def test_token_login_of_a_deactivated_user_gets_the_same_answer(org, api_client, password, caplog):
    services.user_update(actor=org.boss, user=org.sales4, is_active=False)

    response = token_request(api_client, username="sales4", password=password)

    assert response.status_code == 400
    assert response.json() == WRONG_CREDENTIALS
    assert not ApiToken.objects.filter(user=org.sales4).exists()
    assert "Login refused (deactivated user)" in security_log(caplog)[0]


def test_token_login_to_a_suspended_company_gets_the_same_answer(org, api_client, password, caplog):
    services.company_set_status(company=org.company, status=Company.Status.SUSPENDED)

    response = token_request(api_client, password=password)

    assert response.status_code == 400
    assert response.json() == WRONG_CREDENTIALS
    assert not ApiToken.objects.filter(user=org.boss).exists()
    assert "Login refused (suspended company)" in security_log(caplog)[0]


def test_a_token_stops_working_when_its_company_is_suspended(org, api_as):
    client = api_as(org.sales1)
    services.company_set_status(company=org.company, status=Company.Status.SUSPENDED)

    response = client.get(USERS_URL)

    assert response.status_code == 403


def test_token_login_without_a_password_names_the_field(org, api_client):
    response = api_client.post(TOKEN_URL, {"company": "alpha", "username": "boss"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"password": ["This field is required."]}


def test_token_login_locks_out_a_username_after_five_failures_even_with_the_right_password(
    org, api_client, password
):
    answers = [
        token_request(api_client, password="wrong", ip=f"10.0.1.{n}").status_code
        for n in range(1, 6)
    ]

    response = token_request(api_client, password=password, ip="10.0.1.99")

    assert answers == [400, 400, 400, 400, 429]
    assert response.status_code == 429
    assert response.json() == LOCKED
    assert 1790 <= int(response["Retry-After"]) <= 1800  # seconds until the lock lifts
    assert not ApiToken.objects.filter(user=org.boss).exists()
    # The same company + username counts, whatever the letter case.
    assert token_request(api_client, username="BOSS", password=password).status_code == 429
    # Another user of the company, from one of the same addresses, is not locked.
    assert token_request(api_client, username="sales1", password=password).status_code == 200


def test_token_login_lockout_is_per_company(org, other_org, api_client, password):
    for n in range(1, 6):
        token_request(api_client, password="wrong", ip=f"10.0.2.{n}")

    response = token_request(api_client, company="beta", password=password, ip="10.0.2.99")

    assert response.status_code == 200


def test_five_failures_of_one_username_do_not_lock_the_address(
    org, other_org, api_client, password
):
    for _attempt in range(5):
        token_request(api_client, username="sales1", password="wrong", ip="10.0.3.1")

    assert token_request(api_client, password=password, ip="10.0.3.1").status_code == 200
    beta = token_request(api_client, company="beta", username="sales1", password=password)
    assert beta.status_code == 200


@override_settings(API_TOKEN_RATE="1000/min")  # the lock is under test, not the throttle
def test_token_login_locks_out_an_address_after_many_failures_across_many_usernames(
    org, api_client, password
):
    for n in range(10):
        for _attempt in range(5):
            token_request(api_client, username=f"guess{n}", password="wrong", ip="10.0.3.1")

    from_locked_address = token_request(api_client, password=password, ip="10.0.3.1")
    from_another_address = token_request(api_client, password=password, ip="10.0.3.2")

    assert from_locked_address.status_code == 429
    assert from_locked_address.json() == ADDRESS_LOCKED
    assert 1790 <= int(from_locked_address["Retry-After"]) <= 1800
    assert from_another_address.status_code == 200


def test_a_successful_token_login_resets_the_failure_count(org, api_client, password):
    for _attempt in range(4):
        token_request(api_client, password="wrong")
    assert token_request(api_client, password=password).status_code == 200

    answers = [token_request(api_client, password="wrong").status_code for _n in range(4)]

    assert answers == [400, 400, 400, 400]
    assert token_request(api_client, password=password).status_code == 200


def test_failures_are_kept_in_the_database_and_start_from_zero_in_each_test(org, api_client):
    assert AccessAttempt.objects.count() == 0

    token_request(api_client, password="wrong")

    assert AccessAttempt.objects.get().failures_since_start == 1


# Users: reading -------------------------------------------------------------------------------


def test_users_list_shows_exactly_the_users_of_the_own_company(org, other_org, api_as):
    response = api_as(org.sales1).get(USERS_URL, {"page_size": 100})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == User.objects.filter(company=org.company).count() == 13
    assert {row["id"] for row in body["results"]} == set(
        User.objects.filter(company=org.company).values_list("pk", flat=True)
    )


def test_a_user_reads_as_json_with_ids_and_special_permissions(org, api_as):
    services.user_update(actor=org.boss, user=org.sales1, permissions=["finance", "export_data"])

    response = api_as(org.sales2).get(f"{USERS_URL}{org.sales1.pk}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": org.sales1.pk,
        "username": "sales1",
        "real_name": "sales1",
        "mobile": "",
        "email": "",
        "role": "sales",
        "superior": org.manager1.pk,
        "assistant_of": None,
        "is_admin": False,
        "is_active": True,
        "permissions": ["export_data", "finance"],
    }


def test_the_first_boss_holds_every_special_permission(org, api_as):
    response = api_as(org.sales1).get(f"{USERS_URL}{org.boss.pk}/")

    assert response.json()["permissions"] == SPECIAL_PERMISSION_CODENAMES
    assert response.json()["is_admin"] is True


def test_users_filter_by_role_superior_and_active(org, api_as):
    services.user_update(actor=org.boss, user=org.sales3, is_active=False)
    client = api_as(org.sales1)

    def usernames(params):
        response = client.get(USERS_URL, params)
        assert response.status_code == 200
        return sorted(row["username"] for row in response.json()["results"])

    assert usernames({"role": "manager"}) == ["manager1", "manager2"]
    assert usernames({"superior": org.manager1.pk}) == ["sales1", "sales2"]
    assert usernames({"is_active": "false"}) == ["sales3"]
    assert usernames({"role": "sales", "superior": org.manager2.pk}) == ["sales3"]


def test_users_search_by_username_and_real_name(org, api_as):
    client = api_as(org.sales1)

    by_username = client.get(USERS_URL, {"search": "sales_d"}).json()["results"]
    by_real_name = client.get(USERS_URL, {"search": "王总"}).json()["results"]

    assert [row["username"] for row in by_username] == ["sales_d1"]
    assert [row["username"] for row in by_real_name] == ["boss"]


def test_users_ordering(org, api_as):
    response = api_as(org.sales1).get(USERS_URL, {"ordering": "-username", "page_size": 3})

    assert [row["username"] for row in response.json()["results"]] == [
        "vice_boss",
        "sales_d1",
        "sales_boss",
    ]


def test_users_filter_with_a_bad_value_names_the_parameter(org, api_as):
    response = api_as(org.sales1).get(USERS_URL, {"superior": "abc"})

    assert response.status_code == 400
    assert response.json() == {"superior": ["Enter a whole number."]}


@pytest.mark.parametrize("page_size", [2, 13])
def test_users_list_query_count_does_not_grow_with_the_page_size(
    org, api_as, page_size, django_assert_max_num_queries
):
    for user in (org.sales1, org.sales2, org.director1):
        services.user_update(actor=org.boss, user=user, permissions=["finance", "see_costs"])
    client = api_as(org.sales1)

    with django_assert_max_num_queries(5):
        response = client.get(USERS_URL, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size


def test_users_of_another_company_are_not_found(org, other_org, api_as):
    response = api_as(org.boss).get(f"{USERS_URL}{other_org.sales1.pk}/")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_users_filter_by_a_superior_of_another_company_finds_nothing(org, other_org, api_as):
    response = api_as(org.boss).get(USERS_URL, {"superior": other_org.manager1.pk})

    assert response.status_code == 200
    assert response.json()["count"] == 0


# Users: writing -------------------------------------------------------------------------------


def test_an_admin_boss_adds_a_user(org, api_as):
    response = api_as(org.boss).post(
        USERS_URL,
        {
            "username": "sales5",
            "password": "Another-pass-2026",
            "real_name": "李雷",
            "mobile": "13800138000",
            "email": "LiLei@Example.com",
            "role": "sales",
            "superior": org.manager2.pk,
            "permissions": ["customer_service"],
        },
        format="json",
    )

    assert response.status_code == 201
    user = User.objects.get(company=org.company, username="sales5")
    assert response.json() == {
        "id": user.pk,
        "username": "sales5",
        "real_name": "李雷",
        "mobile": "13800138000",
        "email": "lilei@example.com",
        "role": "sales",
        "superior": org.manager2.pk,
        "assistant_of": None,
        "is_admin": False,
        "is_active": True,
        "permissions": ["customer_service"],
    }
    assert user.path == f"{org.manager2.path}{user.pk}/"
    assert user.check_password("Another-pass-2026")
    assert user.has_perm("accounts.customer_service")


def test_adding_a_user_without_a_password_is_refused(org, api_as):
    response = api_as(org.boss).post(
        USERS_URL,
        {"username": "sales5", "role": "sales", "superior": org.boss.pk},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"password": ["Enter a password."]}
    assert not User.objects.filter(username="sales5").exists()


def test_adding_a_user_under_a_superior_of_another_company_is_refused(org, other_org, api_as):
    response = api_as(org.boss).post(
        USERS_URL,
        {
            "username": "sales5",
            "password": "Another-pass-2026",
            "role": "sales",
            "superior": other_org.manager1.pk,
            "assistant_of": other_org.manager1.pk,
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "superior": ["Choose a user of your company."],
        "assistant_of": ["Choose a user of your company."],
    }
    assert not User.objects.filter(username="sales5").exists()
    # The answer is the same as for an id nobody has: nothing is learnt about company B.
    missing = api_as(org.boss).post(
        USERS_URL,
        {"username": "sales5", "password": "Another-pass-2026", "superior": 999999},
        format="json",
    )
    assert missing.json() == {"superior": ["Choose a user of your company."]}


def test_adding_a_user_at_an_illegal_place_names_the_field(org, api_as):
    response = api_as(org.boss).post(
        USERS_URL,
        {
            "username": "manager3",
            "password": "Another-pass-2026",
            "role": "manager",
            "superior": org.boss.pk,
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"superior": ["A Manager reports to a Director, not to a Boss."]}
    assert not User.objects.filter(username="manager3").exists()


def test_adding_a_user_with_a_taken_username_is_refused(org, api_as):
    response = api_as(org.boss).post(
        USERS_URL,
        {
            "username": "Sales1",
            "password": "Another-pass-2026",
            "role": "sales",
            "superior": org.boss.pk,
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "username": ["The username Sales1 is already taken in your company."]
    }
    assert User.objects.filter(company=org.company).count() == 13


def test_adding_a_user_with_an_unknown_permission_writes_nothing(org, api_as):
    response = api_as(org.boss).post(
        USERS_URL,
        {
            "username": "sales5",
            "password": "Another-pass-2026",
            "role": "sales",
            "superior": org.boss.pk,
            "permissions": ["finance", "fly"],
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"permissions": ["Unknown permission: fly."]}
    assert not User.objects.filter(username="sales5").exists()


@pytest.mark.parametrize("actor", ["vice_boss", "director1", "sales1"])
def test_only_an_admin_boss_adds_users(org, api_as, actor):
    response = api_as(getattr(org, actor)).post(
        USERS_URL,
        {
            "username": "sales5",
            "password": "Another-pass-2026",
            "role": "sales",
            "superior": org.boss.pk,
        },
        format="json",
    )

    assert response.status_code == 403
    assert response.json() == ADMIN_ONLY
    assert not User.objects.filter(username="sales5").exists()


def test_an_admin_boss_moves_a_user_and_sets_permissions(org, api_as):
    response = api_as(org.boss).patch(
        f"{USERS_URL}{org.sales1.pk}/",
        {"superior": org.manager2.pk, "permissions": ["finance"], "real_name": "韩梅梅"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["superior"] == org.manager2.pk
    assert response.json()["permissions"] == ["finance"]
    assert response.json()["real_name"] == "韩梅梅"
    org.sales1.refresh_from_db()
    assert org.sales1.superior == org.manager2
    assert org.sales1.path == f"{org.manager2.path}{org.sales1.pk}/"


def test_an_admin_boss_sets_a_new_password(org, api_as, api_client, password):
    response = api_as(org.boss).patch(
        f"{USERS_URL}{org.sales1.pk}/", {"password": "Brand-new-pass-77"}, format="json"
    )

    assert response.status_code == 200
    assert "password" not in response.json()
    org.sales1.refresh_from_db()
    assert org.sales1.check_password("Brand-new-pass-77")
    assert token_request(api_client, username="sales1", password=password).status_code == 400


def test_deactivating_a_user_by_patch_stops_their_token(org, api_as):
    sales2_client = api_as(org.sales2)

    response = api_as(org.boss).patch(
        f"{USERS_URL}{org.sales2.pk}/", {"is_active": False}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert User.objects.get(pk=org.sales2.pk).is_active is False
    assert sales2_client.get(USERS_URL).status_code == 401


def test_deactivating_a_user_with_active_subordinates_is_refused(org, api_as):
    before = user_row(org.manager1)

    response = api_as(org.boss).patch(
        f"{USERS_URL}{org.manager1.pk}/", {"is_active": False}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "is_active": [
            "manager1 still has 2 active subordinates: give them another superior before "
            "deactivating.",
            "1 active assistants work for manager1: reassign them first.",
        ]
    }
    assert user_row(org.manager1) == before


def test_the_last_admin_boss_cannot_drop_admin_rights(org, api_as):
    before = user_row(org.boss)

    response = api_as(org.boss).patch(
        f"{USERS_URL}{org.boss.pk}/", {"is_admin": False}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "is_admin": ["At least one active administrator boss must remain: appoint another first."]
    }
    assert user_row(org.boss) == before


def test_moving_a_user_under_a_superior_of_another_company_is_refused(org, other_org, api_as):
    before = user_row(org.sales1)

    response = api_as(org.boss).patch(
        f"{USERS_URL}{org.sales1.pk}/", {"superior": other_org.manager1.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"superior": ["Choose a user of your company."]}
    assert user_row(org.sales1) == before


@pytest.mark.parametrize("actor", ["vice_boss", "manager1", "sales1"])
def test_only_an_admin_boss_changes_users(org, api_as, actor):
    before = user_row(org.sales1)

    response = api_as(getattr(org, actor)).patch(
        f"{USERS_URL}{org.sales1.pk}/", {"real_name": "changed", "is_active": False}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == ADMIN_ONLY
    assert user_row(org.sales1) == before


def test_users_are_never_deleted_through_the_api(org, api_as):
    before = user_row(org.sales2)

    response = api_as(org.boss).delete(f"{USERS_URL}{org.sales2.pk}/")

    assert response.status_code == 405
    assert user_row(org.sales2) == before


# Data dictionary ------------------------------------------------------------------------------


def test_everyone_reads_the_dictionary_filtered_by_list(org, api_as):
    response = api_as(org.sales1).get(DICTIONARY_URL, {"kind": "customer_type"})

    assert response.status_code == 200
    options = DictionaryOption.objects.filter(company=org.company, kind="customer_type")
    ids = {option.code: option.pk for option in options}
    assert response.json()["count"] == 5
    assert response.json()["results"] == [
        {
            "id": ids[code],
            "kind": "customer_type",
            "code": code,
            "label": label,
            "position": position,
            "is_active": True,
            "probability": None,
        }
        for code, label, position in [
            ("vip", "VIP customer", 10),
            ("regular", "Regular customer", 20),
            ("potential", "Potential customer", 30),
            ("partner", "Partner", 40),
            ("lost", "Lost customer", 50),
        ]
    ]


def test_the_dictionary_filters_by_active_and_shows_only_the_own_company(org, other_org, api_as):
    lost = DictionaryOption.objects.get(company=org.company, kind="customer_type", code="lost")
    services.dictionary_option_update(actor=org.boss, option=lost, is_active=False)

    inactive = api_as(org.sales1).get(DICTIONARY_URL, {"is_active": "false"}).json()
    everything = api_as(org.sales1).get(DICTIONARY_URL, {"page_size": 200}).json()

    assert [row["id"] for row in inactive["results"]] == [lost.pk]
    assert everything["count"] == DictionaryOption.objects.filter(company=org.company).count()
    assert {row["id"] for row in everything["results"]} == set(
        DictionaryOption.objects.filter(company=org.company).values_list("pk", flat=True)
    )


@pytest.mark.parametrize("page_size", [3, 40])
def test_dictionary_list_query_count_does_not_grow_with_the_page_size(
    org, api_as, page_size, django_assert_max_num_queries
):
    vip = DictionaryOption.objects.get(company=org.company, kind="customer_type", code="vip")
    services.dictionary_option_update(actor=org.boss, option=vip, label="Key account")
    client = api_as(org.sales1)

    with django_assert_max_num_queries(4):
        response = client.get(DICTIONARY_URL, {"page_size": page_size})

    assert len(response.json()["results"]) == page_size


def test_an_admin_boss_adds_a_dictionary_option(org, api_as):
    response = api_as(org.boss).post(
        DICTIONARY_URL, {"kind": "customer_source", "label": "WeChat group"}, format="json"
    )

    assert response.status_code == 201
    option = DictionaryOption.objects.get(company=org.company, label="WeChat group")
    assert response.json() == {
        "id": option.pk,
        "kind": "customer_source",
        "code": "",
        "label": "WeChat group",
        "position": 80,
        "is_active": True,
        "probability": None,
    }


def test_adding_an_opportunity_stage_keeps_its_probability_and_may_start_inactive(org, api_as):
    response = api_as(org.boss).post(
        DICTIONARY_URL,
        {"kind": "opportunity_stage", "label": "Tender", "probability": 60, "is_active": False},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["probability"] == 60
    assert response.json()["is_active"] is False
    option = DictionaryOption.objects.get(pk=response.json()["id"])
    assert (option.probability, option.is_active) == (60, False)


def test_adding_a_dictionary_option_with_a_taken_label_is_refused(org, api_as):
    count = DictionaryOption.objects.filter(company=org.company).count()

    response = api_as(org.boss).post(
        DICTIONARY_URL, {"kind": "customer_source", "label": "website"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"label": ["website is already in this list."]}
    assert DictionaryOption.objects.filter(company=org.company).count() == count


def test_adding_a_dictionary_option_to_an_unknown_list_names_the_field(org, api_as):
    response = api_as(org.boss).post(
        DICTIONARY_URL, {"kind": "colour", "label": "Red"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"kind": ['"colour" is not a valid choice.']}
    assert not DictionaryOption.objects.filter(label="Red").exists()


def test_an_admin_boss_renames_a_built_in_option(org, api_as):
    vip = DictionaryOption.objects.get(company=org.company, kind="customer_type", code="vip")

    response = api_as(org.boss).patch(
        f"{DICTIONARY_URL}{vip.pk}/", {"label": "Key account"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["label"] == "Key account"
    assert response.json()["code"] == "vip"
    assert option_row(vip) == ("customer_type", "Key account", 10, True, None)


def test_the_list_of_an_option_cannot_change(org, api_as):
    vip = DictionaryOption.objects.get(company=org.company, kind="customer_type", code="vip")
    before = option_row(vip)

    response = api_as(org.boss).patch(
        f"{DICTIONARY_URL}{vip.pk}/", {"kind": "industry"}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"kind": ["The list of an option cannot be changed."]}
    assert option_row(vip) == before


def test_an_admin_boss_deletes_an_unused_custom_option(org, api_as):
    option = services.dictionary_option_create(actor=org.boss, kind="industry", label="Mining")

    response = api_as(org.boss).delete(f"{DICTIONARY_URL}{option.pk}/")

    assert response.status_code == 204
    assert not DictionaryOption.objects.filter(pk=option.pk).exists()


def test_a_built_in_option_cannot_be_deleted(org, api_as):
    vip = DictionaryOption.objects.get(company=org.company, kind="customer_type", code="vip")
    before = option_row(vip)

    response = api_as(org.boss).delete(f"{DICTIONARY_URL}{vip.pk}/")

    assert response.status_code == 400
    assert response.json() == {
        "option": ["Built-in options cannot be deleted; deactivate it instead."]
    }
    assert option_row(vip) == before


def test_an_admin_boss_reorders_a_list(org, api_as):
    options = list(DictionaryOption.objects.filter(company=org.company, kind="invoice_type"))
    wanted = [options[2].pk, options[0].pk]

    response = api_as(org.boss).post(
        f"{DICTIONARY_URL}reorder/", {"kind": "invoice_type", "order": wanted}, format="json"
    )

    assert response.status_code == 200
    assert [(row["id"], row["position"]) for row in response.json()] == [
        (options[2].pk, 10),
        (options[0].pk, 20),
        (options[1].pk, 30),
    ]


def test_reordering_with_an_option_of_another_list_is_refused(org, api_as):
    invoice_types = list(DictionaryOption.objects.filter(company=org.company, kind="invoice_type"))
    industry = DictionaryOption.objects.filter(company=org.company, kind="industry").first()
    before = [option_row(option) for option in invoice_types]

    response = api_as(org.boss).post(
        f"{DICTIONARY_URL}reorder/",
        {"kind": "invoice_type", "order": [industry.pk, invoice_types[0].pk]},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"order": ["The order lists unknown options."]}
    assert [option_row(option) for option in invoice_types] == before


@pytest.mark.parametrize("actor", ["vice_boss", "sales1"])
def test_only_an_admin_boss_changes_the_dictionary(org, api_as, actor):
    vip = DictionaryOption.objects.get(company=org.company, kind="customer_type", code="vip")
    count = DictionaryOption.objects.filter(company=org.company).count()
    before = option_row(vip)
    client = api_as(getattr(org, actor))

    answers = [
        client.post(DICTIONARY_URL, {"kind": "industry", "label": "Mining"}, format="json"),
        client.patch(f"{DICTIONARY_URL}{vip.pk}/", {"label": "Key account"}, format="json"),
        client.delete(f"{DICTIONARY_URL}{vip.pk}/"),
        client.post(
            f"{DICTIONARY_URL}reorder/", {"kind": "customer_type", "order": []}, format="json"
        ),
    ]

    assert [answer.status_code for answer in answers] == [403, 403, 403, 403]
    assert all(answer.json() == ADMIN_ONLY for answer in answers)
    assert option_row(vip) == before
    assert DictionaryOption.objects.filter(company=org.company).count() == count


# Tenancy: another company's objects do not exist ---------------------------------------------


def test_another_companys_user_cannot_be_read_changed_or_deleted(org, other_org, api_as):
    client = api_as(org.boss)
    url = f"{USERS_URL}{other_org.sales1.pk}/"
    before = user_row(other_org.sales1)

    got = client.get(url)
    patched = client.patch(url, {"real_name": "hijacked", "is_active": False}, format="json")
    put = client.put(url, {"username": "hijacked", "role": "sales"}, format="json")
    deleted = client.delete(url)

    assert (got.status_code, got.json()) == (404, NOT_FOUND)
    assert (patched.status_code, patched.json()) == (404, NOT_FOUND)
    assert (put.status_code, put.json()) == (404, NOT_FOUND)
    # Users are never deleted: the method is refused before any lookup.
    assert deleted.status_code == 405
    assert user_row(other_org.sales1) == before


def test_another_companys_dictionary_option_cannot_be_read_changed_or_deleted(
    org, other_org, api_as
):
    client = api_as(org.boss)
    option = services.dictionary_option_create(actor=other_org.boss, kind="industry", label="Mine")
    url = f"{DICTIONARY_URL}{option.pk}/"
    before = option_row(option)

    got = client.get(url)
    patched = client.patch(url, {"label": "hijacked", "is_active": False}, format="json")
    deleted = client.delete(url)
    reordered = client.post(
        f"{DICTIONARY_URL}reorder/", {"kind": "industry", "order": [option.pk]}, format="json"
    )

    assert (got.status_code, got.json()) == (404, NOT_FOUND)
    assert (patched.status_code, patched.json()) == (404, NOT_FOUND)
    assert (deleted.status_code, deleted.json()) == (404, NOT_FOUND)
    assert reordered.status_code == 400
    assert option_row(option) == before


# An expired trial reads but does not write ----------------------------------------------------


def test_an_expired_trial_reads_through_the_api(org, api_as):
    expire_trial(org.company)
    client = api_as(org.boss)

    assert client.get(USERS_URL).status_code == 200
    assert client.get(f"{USERS_URL}{org.sales1.pk}/").status_code == 200
    assert client.get(DICTIONARY_URL).status_code == 200


def test_an_expired_trial_refuses_writes_by_token_with_how_to_convert(org, api_as):
    expire_trial(org.company)
    vip = DictionaryOption.objects.get(company=org.company, kind="customer_type", code="vip")
    before_user, before_option = user_row(org.sales1), option_row(vip)
    client = api_as(org.boss)

    answers = [
        client.post(
            USERS_URL,
            {"username": "sales5", "password": "Another-pass-2026", "superior": org.boss.pk},
            format="json",
        ),
        client.patch(f"{USERS_URL}{org.sales1.pk}/", {"real_name": "changed"}, format="json"),
        client.post(DICTIONARY_URL, {"kind": "industry", "label": "Mining"}, format="json"),
        client.patch(f"{DICTIONARY_URL}{vip.pk}/", {"label": "Key account"}, format="json"),
    ]

    assert [answer.status_code for answer in answers] == [403, 403, 403, 403]
    assert all(answer.json() == TRIAL_ENDED for answer in answers)
    assert not User.objects.filter(username="sales5").exists()
    assert user_row(org.sales1) == before_user
    assert option_row(vip) == before_option


def test_an_expired_trial_refuses_writes_by_session_with_how_to_convert(org, client_as):
    expire_trial(org.company)
    before = user_row(org.sales1)
    client = client_as(org.boss)

    response = client.patch(
        f"{USERS_URL}{org.sales1.pk}/", {"real_name": "changed"}, content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json() == TRIAL_ENDED
    assert client.get(USERS_URL).status_code == 200
    assert user_row(org.sales1) == before


# The OpenAPI schema ---------------------------------------------------------------------------


def test_the_schema_documents_the_accounts_api(db, api_client):
    response = api_client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {
        "/api/v1/auth/token/",
        "/api/v1/auth/tokens/",
        "/api/v1/auth/tokens/{id}/",
        "/api/v1/users/",
        "/api/v1/users/{id}/",
        "/api/v1/dictionary/",
        "/api/v1/dictionary/{id}/",
        "/api/v1/dictionary/reorder/",
    } <= set(paths)
    # Users are never deleted: no DELETE is documented (or answered).
    assert set(paths["/api/v1/users/{id}/"]) == {"get", "put", "patch"}
    assert set(paths["/api/v1/dictionary/{id}/"]) == {"get", "put", "patch", "delete"}
    user_fields = response.json()["components"]["schemas"]["User"]["properties"]
    assert list(user_fields) == [
        "id",
        "username",
        "real_name",
        "mobile",
        "email",
        "role",
        "superior",
        "assistant_of",
        "is_admin",
        "is_active",
        "permissions",
    ]
    assert "password" in response.json()["components"]["schemas"]["UserRequest"]["properties"]


def test_the_api_docs_page_loads(db, api_client):
    assert api_client.get("/api/docs/").status_code == 200
