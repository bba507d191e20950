"""Trials that end: read-only until the operator converts or extends them; suspension."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from banyan.accounts import services
from banyan.accounts.models import Company, Role, User
from banyan.core.errors import PermissionRefused, ReadOnlyCompany

pytestmark = pytest.mark.django_db

PASSWORD = "Trial-test-2026"
CHANGELIST = "/admin/accounts/company/"


def login_data(code, username="boss", password=PASSWORD):
    return {
        "company": code,
        "username": username,
        "password": password,
        "captcha_0": "k",
        "captcha_1": "PASSED",
    }


def set_trial_end(company, days_from_today: int) -> Company:
    today = timezone.localdate(timezone=company.zone)
    Company.objects.filter(pk=company.pk).update(
        trial_ends_on=today + datetime.timedelta(days=days_from_today)
    )
    company.refresh_from_db()
    return company


@pytest.fixture
def trial(db):
    """A trial company with a boss and one sales rep, whose trial ended yesterday."""
    company, boss = services.company_create(
        code="oldtrial",
        name="过期试用有限公司",
        plan=Company.Plan.TRIAL,
        boss_username="boss",
        boss_password=PASSWORD,
        boss_real_name="周总",
    )
    rep = services.user_create(
        actor=boss, username="rep", password=PASSWORD, real_name="小李", superior=boss
    )
    set_trial_end(company, -1)
    boss.refresh_from_db()
    rep.refresh_from_db()
    return company, boss, rep


@pytest.fixture
def operator_client(client):
    operator = User.objects.create_superuser("operator", "pw")
    client.force_login(operator, backend="banyan.accounts.backends.CompanyUserBackend")
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# Read-only after the last day (in the company's time zone).


def test_a_trial_is_writable_on_its_last_day_and_read_only_the_day_after(trial):
    company, _boss, _rep = trial
    assert company.is_read_only
    assert not set_trial_end(company, 0).is_read_only
    assert set_trial_end(company, -1).is_read_only


def test_the_last_day_follows_the_company_time_zone(trial):
    company, _boss, _rep = trial
    company.time_zone = "Pacific/Kiritimati"  # UTC+14: often a day ahead of UTC
    company.__dict__.pop("zone", None)
    company.trial_ends_on = timezone.localdate(timezone=company.zone)
    assert not company.is_read_only
    company.trial_ends_on -= datetime.timedelta(days=1)
    assert company.is_read_only


def test_formal_and_demo_companies_are_never_read_only(trial):
    company, _boss, _rep = trial
    for plan in (Company.Plan.FORMAL, Company.Plan.DEMO):
        company.plan = plan
        assert not company.is_read_only


def test_an_expired_trial_can_still_log_in_and_read(client, trial):
    response = client.post(reverse("login"), login_data("oldtrial"))
    assert response.status_code == 302

    home = client.get(reverse("home"))

    assert home.status_code == 200
    page = home.content.decode()
    assert 'id="read-only-banner"' in page
    assert "Your trial ended on" in page
    assert 'id="trial-banner"' not in page


def test_the_banner_shows_on_every_page(client_as, trial):
    _company, boss, _rep = trial
    client = client_as(boss)
    for url in (reverse("home"), reverse("password-change")):
        page = client.get(url).content.decode()
        assert 'id="read-only-banner"' in page, url


def test_a_write_page_refuses_a_post_with_the_message_and_changes_nothing(client_as, trial):
    _company, boss, _rep = trial
    client = client_as(boss)
    data = {
        "old_password": PASSWORD,
        "new_password": "Changed-pass-2026",
        "new_password_again": "Changed-pass-2026",
    }

    response = client.post(reverse("password-change"), data, follow=True)

    assert response.redirect_chain[0][1] == 302
    page = response.content.decode()
    assert "changes are paused until the account is converted" in page
    boss.refresh_from_db()
    assert boss.check_password(PASSWORD)
    assert not boss.check_password("Changed-pass-2026")


def test_a_refused_write_goes_back_to_the_page_it_came_from(client_as, trial):
    _company, boss, _rep = trial
    client = client_as(boss)
    response = client.post(
        reverse("password-change"), {}, HTTP_REFERER="http://testserver/account/password/"
    )
    assert response.status_code == 302
    assert response["Location"] == "http://testserver/account/password/"
    assert any("The trial of 过期试用有限公司 ended on" in m for m in messages_of(response))


def test_logging_out_still_works_in_an_expired_trial(client_as, trial):
    _company, boss, _rep = trial
    client = client_as(boss)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_services_refuse_writes_in_an_expired_trial(trial):
    company, boss, rep = trial
    users = User.objects.filter(company=company).count()

    with pytest.raises(ReadOnlyCompany, match="converted to a formal account"):
        services.user_create(
            actor=boss, username="newbie", password=PASSWORD, real_name="新人", superior=boss
        )
    with pytest.raises(ReadOnlyCompany):
        services.user_update(actor=boss, user=rep, real_name="改名")
    with pytest.raises(ReadOnlyCompany):
        services.user_change_own_password(
            user=rep, old_password=PASSWORD, new_password="Changed-pass-2026"
        )

    assert User.objects.filter(company=company).count() == users
    rep.refresh_from_db()
    assert rep.real_name == "小李"
    assert rep.check_password(PASSWORD)


# The operator converts, extends, suspends — in Django's admin.


def test_converting_in_the_admin_keeps_every_record_and_writes_work_again(
    operator_client, trial, client_as
):
    company, boss, _rep = trial
    before = list(User.objects.filter(company=company).values_list("pk", "username", "path"))

    response = operator_client.post(
        CHANGELIST,
        {"action": "convert_to_formal", "_selected_action": [company.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "1 company converted to a formal account" in response.content.decode()
    company.refresh_from_db()
    assert (company.plan, company.trial_ends_on, company.is_read_only) == (
        Company.Plan.FORMAL,
        None,
        False,
    )
    after = list(User.objects.filter(company=company).values_list("pk", "username", "path"))
    assert after == before
    boss.refresh_from_db()
    new = services.user_create(
        actor=boss, username="newbie", password=PASSWORD, real_name="新人", superior=boss
    )
    assert new.company == company
    page = client_as(boss).get(reverse("home")).content.decode()
    assert 'id="read-only-banner"' not in page


def test_extending_the_trial_makes_writes_work_again(operator_client, trial):
    company, boss, _rep = trial

    operator_client.post(CHANGELIST, {"action": "extend_trial", "_selected_action": [company.pk]})

    company.refresh_from_db()
    assert company.plan == Company.Plan.TRIAL
    assert company.trial_ends_on == timezone.localdate() + datetime.timedelta(days=30)
    assert not company.is_read_only
    boss.refresh_from_db()
    services.user_create(
        actor=boss, username="newbie", password=PASSWORD, real_name="新人", superior=boss
    )


def test_extending_a_running_trial_adds_to_its_end(trial):
    company, _boss, _rep = trial
    set_trial_end(company, 10)
    services.company_extend_trial(company=company)
    company.refresh_from_db()
    assert company.trial_ends_on == timezone.localdate() + datetime.timedelta(days=40)


def test_trial_actions_skip_companies_that_are_not_on_a_trial(operator_client, org):
    response = operator_client.post(
        CHANGELIST,
        {"action": "extend_trial", "_selected_action": [org.company.pk]},
        follow=True,
    )
    assert "Not extended (not on a trial): alpha." in response.content.decode()
    org.company.refresh_from_db()
    assert (org.company.plan, org.company.trial_ends_on) == (Company.Plan.FORMAL, None)


def test_a_suspended_company_cannot_log_in(client, trial, caplog):
    company, _boss, _rep = trial
    services.company_set_status(company=company, status=Company.Status.SUSPENDED)

    response = client.post(reverse("login"), login_data("oldtrial"))

    assert response.status_code == 200
    # the same answer as any wrong login; the reason is in the security log
    assert "The company code, username or password is not correct." in response.content.decode()
    assert "Login refused (suspended company): company 'oldtrial'" in caplog.text
    assert not response.wsgi_request.user.is_authenticated


def test_suspending_logs_out_a_session_on_its_next_request(client, trial):
    company, _boss, _rep = trial
    client.post(reverse("login"), login_data("oldtrial"))
    assert client.get(reverse("home")).status_code == 200

    services.company_set_status(company=company, status=Company.Status.SUSPENDED)
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert any("suspended" in m for m in messages_of(response))
    again = client.get(reverse("home"))
    assert again.status_code == 302
    assert again["Location"].startswith(reverse("login"))
    assert not again.wsgi_request.user.is_authenticated


def test_suspend_and_reactivate_through_the_admin(operator_client, client, org):
    operator_client.post(CHANGELIST, {"action": "suspend", "_selected_action": [org.company.pk]})
    org.company.refresh_from_db()
    assert org.company.status == Company.Status.SUSPENDED
    with pytest.raises(PermissionRefused):
        services.user_update(actor=User.objects.get(pk=org.boss.pk), user=org.sales1, real_name="x")

    operator_client.post(CHANGELIST, {"action": "reactivate", "_selected_action": [org.company.pk]})
    org.company.refresh_from_db()
    assert org.company.status == Company.Status.ACTIVE
    from django.test import Client

    response = Client().post(
        reverse("login"), login_data("alpha", password="Banyan-test-2026"), follow=True
    )
    assert response.wsgi_request.user.username == "boss"


# The admin itself.


def test_operators_log_in_to_the_admin_with_username_and_password(client):
    User.objects.create_superuser("operator", "Operator-pw-2026")
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "operator", "password": "Operator-pw-2026", "next": "/admin/"},
    )
    assert response.status_code == 302
    assert client.get(CHANGELIST).status_code == 200


def test_the_company_list_shows_plan_trial_status_and_user_count(operator_client, org, trial):
    response = operator_client.get(CHANGELIST)
    assert response.status_code == 200
    rows = {company.code: company for company in response.context["cl"].result_list}
    assert rows["alpha"].user_count == User.objects.filter(company=org.company).count()
    assert rows["oldtrial"].user_count == 2
    page = response.content.decode()
    assert "过期试用有限公司" in page
    searched = operator_client.get(CHANGELIST, {"q": "过期"})
    assert [c.code for c in searched.context["cl"].result_list] == ["oldtrial"]
    filtered = operator_client.get(CHANGELIST, {"plan__exact": "trial"})
    assert [c.code for c in filtered.context["cl"].result_list] == ["oldtrial"]


def test_nothing_can_be_deleted_or_added_in_the_admin(operator_client, org):
    changelist = operator_client.get(CHANGELIST)
    assert "delete_selected" not in changelist.content.decode()
    company_delete = f"{CHANGELIST}{org.company.pk}/delete/"
    assert operator_client.post(company_delete, {"post": "yes"}).status_code == 403
    assert operator_client.get(f"{CHANGELIST}add/").status_code == 403
    user_admin = "/admin/accounts/user/"
    users = operator_client.get(user_admin)
    assert users.status_code == 200
    assert "delete_selected" not in users.content.decode()
    assert operator_client.post(f"{user_admin}{org.boss.pk}/delete/").status_code == 403
    assert operator_client.get(f"{user_admin}{org.boss.pk}/change/").status_code == 200
    assert Company.objects.filter(pk=org.company.pk).exists()
    assert User.objects.filter(pk=org.boss.pk, role=Role.BOSS).exists()
