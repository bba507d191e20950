"""The login page: company code + username + password + captcha, with lockout."""

import pytest
from django.urls import reverse

from banyan.accounts import services

LOGIN = "/login/"


def form(company="alpha", username="sales1", password="Banyan-test-2026", captcha="PASSED"):
    return {
        "company": company,
        "username": username,
        "password": password,
        "captcha_0": "test-key",
        "captcha_1": captcha,
    }


def test_login_page_shows_the_fields_and_a_captcha(client, db):
    page = client.get(LOGIN)
    assert page.status_code == 200
    html = page.content.decode()
    for name in ("company", "username", "password", "captcha_1"):
        assert f'name="{name}"' in html
    assert 'class="captcha"' in html


def test_successful_login_lands_on_the_workbench(client, org):
    response = client.post(LOGIN, form())
    assert response.status_code == 302 and response.url == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert home.context["user"] == org.sales1


def test_company_code_and_username_are_not_case_sensitive(client, org):
    response = client.post(LOGIN, form(company=" ALPHA ", username="Sales1"))
    assert response.status_code == 302


def test_next_is_followed_only_within_the_site(client, org):
    ok = client.post(LOGIN + "?next=/account/password/", {**form(), "next": "/account/password/"})
    assert ok.url == "/account/password/"
    client.logout()
    evil = client.post(LOGIN, {**form(), "next": "https://evil.example/"})
    assert evil.url == reverse("home")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (form(company="nope"), "No company uses the code nope"),
        (form(password="wrong-password"), "The username or password is not correct."),
        (form(username="ghost"), "The username or password is not correct."),
        (form(captcha="WRONG"), "Invalid CAPTCHA"),
    ],
)
def test_failures_stay_on_the_page_with_a_message(client, org, data, message):
    response = client.post(LOGIN, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "_auth_user_id" not in client.session
    # what the user typed is kept (never the password)
    assert f'value="{data["company"]}"' in response.content.decode()


def test_a_user_of_the_other_company_cannot_log_in_with_this_code(client, org, other_org):
    services.user_create(
        actor=other_org.boss,
        username="only_in_beta",
        password="Banyan-test-2026",
        role="sales",
        superior=other_org.boss,
    )
    response = client.post(LOGIN, form(username="only_in_beta"))
    assert "The username or password is not correct." in response.content.decode()


def test_inactive_user_is_told_so(client, org):
    services.user_deactivate(actor=org.boss, user=org.sales1)
    response = client.post(LOGIN, form())
    assert "This user account is deactivated: ask your administrator." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_suspended_company_cannot_log_in(client, org):
    services.company_set_status(company=org.company, status="suspended")
    response = client.post(LOGIN, form())
    assert "This company account is suspended." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_after_repeated_failures_per_company_and_username(client, org, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, form(password="wrong-password"), REMOTE_ADDR="10.0.0.1")
    # even the right password is refused now, with a message saying what to do
    response = client.post(LOGIN, form(), REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # another user of the same company, from another address, is not locked
    other = client.post(LOGIN, form(username="sales2"), REMOTE_ADDR="10.0.0.3")
    assert other.status_code == 302


def test_lockout_per_ip_address(client, org, settings):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, form(username=f"guess{attempt}"), REMOTE_ADDR="10.9.9.9")
    response = client.post(LOGIN, form(), REMOTE_ADDR="10.9.9.9")
    assert "Too many failed attempts" in response.content.decode()
    elsewhere = client.post(LOGIN, form(), REMOTE_ADDR="10.9.9.10")
    assert elsewhere.status_code == 302


def test_a_successful_login_resets_the_failure_count(client, org, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(LOGIN, form(password="wrong-password"))
    assert client.post(LOGIN, form()).status_code == 302
    client.post(reverse("logout"))
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(LOGIN, form(password="wrong-password"))
    assert client.post(LOGIN, form()).status_code == 302


def test_logout_needs_post_and_ends_the_session(client, org):
    client.post(LOGIN, form())
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_pages_need_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith("/login/?next=")


def test_csrf_is_enforced_on_login(org):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(LOGIN, form()).status_code == 403


def test_own_password_change(client_as, org):
    client = client_as(org.sales1)
    bad = client.post(
        reverse("password-change"),
        {
            "old_password": "not-it",
            "new_password": "Another-pass-2026",
            "new_password_again": "Another-pass-2026",
        },
    )
    assert "The current password is not correct." in bad.content.decode()
    weak = client.post(
        reverse("password-change"),
        {
            "old_password": "Banyan-test-2026",
            "new_password": "12345678",
            "new_password_again": "12345678",
        },
    )
    assert "This password is entirely numeric." in weak.content.decode()
    ok = client.post(
        reverse("password-change"),
        {
            "old_password": "Banyan-test-2026",
            "new_password": "Another-pass-2026",
            "new_password_again": "Another-pass-2026",
        },
    )
    assert ok.status_code == 302
    org.sales1.refresh_from_db()
    assert org.sales1.check_password("Another-pass-2026")
    # the session survives the change
    assert client.get(reverse("home")).status_code == 200


def test_session_cookie_is_http_only(client, org, settings):
    response = client.post(LOGIN, form())
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
