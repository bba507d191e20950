"""The login page: company code + username + password + captcha, with lockout."""

import datetime
import logging

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.db.models import F
from django.test import Client
from django.urls import reverse

from banyan.accounts import services
from banyan.accounts.models import User

LOGIN = "/login/"
FAILED = "The company code, username or password is not correct."
USERNAME_LOCKED = "This username is locked for %d more minutes after too many failed attempts."
ADDRESS_LOCKED = "Logins from your network address are locked for %d more minutes"
OFFICE = "203.0.113.7"  # one public address for a whole office


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


def refusals(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "banyan.security"]


def test_a_wrong_captcha_stays_on_the_page_with_its_message(client, org):
    response = client.post(LOGIN, form(captcha="WRONG"))
    assert response.status_code == 200
    assert "Invalid CAPTCHA" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (form(company="nope"), "unknown company"),
        (form(password="wrong-password"), "wrong password"),
        (form(username="ghost"), "unknown user"),
    ],
)
def test_every_wrong_combination_gets_the_same_message_and_the_log_the_reason(
    client, org, data, reason, caplog
):
    with caplog.at_level(logging.INFO, logger="banyan.security"):
        response = client.post(LOGIN, data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [FAILED]
    assert "_auth_user_id" not in client.session
    # what the user typed is kept (never the password)
    assert f'value="{data["company"]}"' in response.content.decode()
    # the log says why, who and from where, never the password
    assert refusals(caplog) == [
        f"Login refused ({reason}): company {data['company']!r}, username "
        f"{data['username']!r}, from 127.0.0.1"
    ]
    assert data["password"] not in caplog.text


def test_a_user_of_the_other_company_cannot_log_in_with_this_code(client, org, other_org):
    services.user_create(
        actor=other_org.boss,
        username="only_in_beta",
        password="Banyan-test-2026",
        role="sales",
        superior=other_org.boss,
    )
    response = client.post(LOGIN, form(username="only_in_beta"))
    assert response.context["form"].non_field_errors() == [FAILED]


def test_a_deactivated_user_with_the_right_password_learns_nothing_more(client, org, caplog):
    services.user_deactivate(actor=org.boss, user=org.sales1)
    with caplog.at_level(logging.INFO, logger="banyan.security"):
        response = client.post(LOGIN, form())
    assert response.context["form"].non_field_errors() == [FAILED]
    assert "_auth_user_id" not in client.session
    assert refusals(caplog) == [
        "Login refused (deactivated user): company 'alpha', username 'sales1', from 127.0.0.1"
    ]


def test_suspended_company_cannot_log_in(client, org, caplog):
    services.company_set_status(company=org.company, status="suspended")
    with caplog.at_level(logging.INFO, logger="banyan.security"):
        response = client.post(LOGIN, form())
    assert response.context["form"].non_field_errors() == [FAILED]
    assert "_auth_user_id" not in client.session
    assert "Login refused (suspended company)" in refusals(caplog)[0]


# Lockout ------------------------------------------------------------------------------------


def attempt(address=OFFICE, **fields):
    """One login attempt from its own browser (no session carried over)."""
    browser = Client()
    response = browser.post(LOGIN, form(**fields), REMOTE_ADDR=address)
    response.logged_in = "_auth_user_id" in browser.session
    return response


def test_lockout_after_repeated_failures_per_company_and_username(org, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        attempt("10.0.0.1", password="wrong-password")
    # even the right password is refused now, with a message saying what to do
    response = attempt("10.0.0.2")
    assert response.status_code == 200
    assert not response.logged_in
    assert USERNAME_LOCKED % 30 in response.content.decode()
    # another user of the same company, from another address, is not locked
    assert attempt("10.0.0.3", username="sales2").logged_in


def test_one_persons_typos_lock_their_username_not_the_office(org, other_org, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        attempt(username="sales1", password="typo")

    # everyone else behind the same address logs in: colleagues, another company's users,
    # and a user of another company with the same username
    assert attempt(username="sales2").logged_in
    assert attempt(company="beta", username="boss").logged_in
    assert attempt(company="beta", username="sales1").logged_in
    assert USERNAME_LOCKED % 30 in attempt(username="sales1").content.decode()


@pytest.mark.parametrize("success", ["try the demo", "another user's login"])
def test_no_one_elses_success_clears_a_users_failures(org, other_org, settings, success):
    services.company_create(
        code="demo", name="演示公司", plan="demo", boss_username="boss", boss_password="demo-2026"
    )
    tries = settings.AXES_FAILURE_LIMIT - 1
    for _round in range(6):
        for _try in range(tries):
            attempt(username="boss", password="guess")
        helper = Client()
        if success == "try the demo":
            # with the victim's company and username in the body, for good measure
            done = helper.post(
                reverse("demo-login"), {"company": "alpha", "username": "boss"}, REMOTE_ADDR=OFFICE
            )
        else:
            done = helper.post(LOGIN, form(company="beta", username="boss"), REMOTE_ADDR=OFFICE)
        assert done.status_code == 302 and "_auth_user_id" in helper.session

    response = attempt(username="boss")

    assert not response.logged_in
    assert USERNAME_LOCKED % 30 in response.content.decode()


def test_a_successful_login_resets_only_its_own_failure_count(org, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(password="wrong-password")
        attempt(username="sales2", password="wrong-password")
    assert attempt().logged_in
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(password="wrong-password")
    assert attempt().logged_in
    # sales2's failures still count: one more locks them
    assert USERNAME_LOCKED % 30 in attempt(username="sales2", password="x").content.decode()


def test_the_lock_message_counts_down_and_the_lock_lifts(org, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        attempt(password="wrong-password")
    # attempts while locked do not extend the lock
    attempt(password="wrong-password")
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=20))

    assert USERNAME_LOCKED % 10 in attempt().content.decode()

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=11))
    assert attempt().logged_in


def test_an_administrator_password_reset_lifts_the_username_lock(org, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        attempt(password="wrong-password")

    services.user_reset_password(actor=org.boss, user=org.sales1, password="Fresh-start-2026")

    assert attempt(password="Fresh-start-2026").logged_in


def test_an_address_locks_only_after_many_failures_across_many_usernames(org, other_org, caplog):
    # the defaults: 50 failures across 10 usernames
    usernames, per_username = 10, 5
    for n in range(usernames):
        for _try in range(per_username):
            attempt(username=f"guess{n}", password="guess")
        if n < usernames - 1:
            # not yet: and successful logins do not lower the address count
            assert attempt(company="beta", username="boss").logged_in

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="banyan.security"):
        response = attempt(company="beta", username="boss")

    assert not response.logged_in
    assert ADDRESS_LOCKED % 30 in response.content.decode()
    assert refusals(caplog) == [
        f"Login refused (address locked): company 'beta', username 'boss', from {OFFICE}"
    ]
    assert attempt("198.51.100.1", company="beta", username="boss").logged_in
    # it lifts as the failures age out
    AccessFailureLog.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=25))
    assert ADDRESS_LOCKED % 5 in attempt(company="beta", username="boss").content.decode()
    AccessFailureLog.objects.update(attempt_time=F("attempt_time") - datetime.timedelta(minutes=6))
    assert attempt(company="beta", username="boss").logged_in


def test_operators_log_in_to_the_admin_under_their_own_count(db, settings):
    User.objects.create_superuser("operator", "Operator-pass-2026")

    def admin_login(password, **extra):
        browser = Client()
        browser.post(
            "/admin/login/?next=/admin/",
            {"username": "operator", "password": password, **extra},
            REMOTE_ADDR=OFFICE,
        )
        return "_auth_user_id" in browser.session

    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        admin_login("wrong")
    assert admin_login("Operator-pass-2026")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        # a company field slipped into the form counts nowhere else
        admin_login("wrong", company="alpha")
    assert not admin_login("Operator-pass-2026")
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"/operator"}


def test_behind_a_proxy_each_client_is_counted_by_its_own_address(org, settings, caplog):
    settings.PROXY_COUNT = 1
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 4
    settings.LOGIN_ADDRESS_USERNAME_LIMIT = 2
    proxy = "10.0.0.1"

    def through_proxy(forwarded_for, **fields):
        browser = Client()
        response = browser.post(
            LOGIN, form(**fields), REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded_for
        )
        response.logged_in = "_auth_user_id" in browser.session
        return response

    with caplog.at_level(logging.INFO, logger="banyan.security"):
        for name in ["guess1", "guess2"]:
            through_proxy(OFFICE, username=name, password="x")
            # the client's own entries on the left are not believed
            through_proxy(f"192.0.2.{len(name)}, {OFFICE}", username=name, password="x")

    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {OFFICE}
    assert refusals(caplog)[0].endswith(f"from {OFFICE}")
    locked = through_proxy(f"198.51.100.9, {OFFICE}")
    assert not locked.logged_in
    assert ADDRESS_LOCKED % 30 in locked.content.decode()
    # another client behind the same proxy is not locked
    assert through_proxy("198.51.100.9").logged_in


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
