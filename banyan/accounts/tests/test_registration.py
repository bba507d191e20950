"""Self-service trial registration: /register/ → a trial company, its admin boss, one e-mail."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from banyan.accounts import services
from banyan.accounts.models import SPECIAL_PERMISSION_CODENAMES, Company, Role, User

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "company_name": "杭州青禾贸易有限公司",
        "code": "qinghe",
        "contact_name": "陈小青",
        "email": "chen@qinghe.example",
        "phone": "13812345678",
        "captcha_0": "test-key",
        "captcha_1": "PASSED",
    }
    data.update(overrides)
    return data


@pytest.fixture
def register(client, django_capture_on_commit_callbacks):
    """POST the form; the e-mail (queued for after the commit) really goes out."""

    def post(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("register"), form_data(**overrides))

    return post


def password_from(message) -> str:
    return re.search(r"password:\s+(\S+)", message.body).group(1)


def test_the_login_page_links_to_registration(client):
    response = client.get(reverse("login"))
    assert reverse("register") in response.content.decode()


def test_registration_page_shows_the_fields_and_a_captcha(client):
    response = client.get(reverse("register"))
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("company_name", "code", "contact_name", "email", "phone", "captcha_1"):
        assert f'name="{name}"' in page
    assert "<script>" not in page  # CSP: no inline scripts


def test_registration_creates_a_trial_company_and_mails_the_login_details(register, client):
    response = register(code="QingHe")

    assert response.status_code == 302
    assert response["Location"] == reverse("register-done")
    company = Company.objects.get(code="qinghe")
    assert company.name == "杭州青禾贸易有限公司"
    assert company.plan == Company.Plan.TRIAL
    assert company.status == Company.Status.ACTIVE
    assert company.trial_ends_on == timezone.localdate() + datetime.timedelta(days=30)
    assert (company.contact_name, company.contact_email, company.contact_phone) == (
        "陈小青",
        "chen@qinghe.example",
        "13812345678",
    )
    boss = User.objects.get(company=company)
    assert (boss.username, boss.role, boss.is_admin, boss.is_active) == (
        "admin",
        Role.BOSS,
        True,
        True,
    )
    assert boss.real_name == "陈小青"
    assert boss.superior is None
    assert sorted(boss.user_permissions.values_list("codename", flat=True)) == sorted(
        SPECIAL_PERMISSION_CODENAMES
    )

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["chen@qinghe.example"]
    assert "qinghe" in message.body
    assert "admin" in message.body
    password = password_from(message)
    assert boss.check_password(password)
    request = RequestFactory().post("/login/")
    assert (
        services.login_check(request=request, company="qinghe", username="admin", password=password)
        == boss
    )

    done = client.get(response["Location"])
    page = done.content.decode()
    assert "Check your e-mail" in page
    assert "chen@qinghe.example" in page
    assert "qinghe" in page
    assert reverse("login") in page
    assert password not in page


def test_the_new_boss_logs_in_through_the_login_page(register, client):
    register()
    password = password_from(mail.outbox[0])
    response = client.post(
        reverse("login"),
        {
            "company": "qinghe",
            "username": "admin",
            "password": password,
            "captcha_0": "k",
            "captcha_1": "PASSED",
        },
    )
    assert response.status_code == 302
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert home.context["request"].user.company.code == "qinghe"
    assert 'id="trial-banner"' in home.content.decode()


def test_the_done_page_without_a_registration_goes_back_to_the_form(client):
    response = client.get(reverse("register-done"))
    assert response.status_code == 302
    assert response["Location"] == reverse("register")


def assert_refused(response, field, fragment=None):
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    if fragment:
        assert any(fragment in message for message in form.errors[field]), form.errors[field]
    assert not Company.objects.exists()
    assert not User.objects.exists()
    assert not Permission.objects.filter(user__isnull=False).exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "code",
    ["ab", "a b", "中文", "acme_trading", "x" * 33, ""],
)
def test_a_bad_company_code_is_refused_on_the_code_field(register, code):
    response = register(code=code)
    assert_refused(response, "code")


def test_a_taken_company_code_is_refused(register, org):
    companies, users = Company.objects.count(), User.objects.count()
    response = register(code="ALPHA")
    assert response.status_code == 200
    assert "The company code alpha is already taken." in response.context["form"].errors["code"]
    assert (Company.objects.count(), User.objects.count()) == (companies, users)
    assert mail.outbox == []


@pytest.mark.parametrize("code", ["admin", "api", "www", "demo"])
def test_a_reserved_company_code_is_refused(register, code):
    response = register(code=code)
    assert_refused(response, "code", "reserved")


@pytest.mark.parametrize("email", ["not-an-address", "chen@", "chen@@qinghe.example"])
def test_a_bad_email_is_refused(register, email):
    response = register(email=email)
    assert_refused(response, "email", "valid e-mail")


@pytest.mark.parametrize("phone", ["1381234567", "12345", "phone", "138-1234-56789"])
def test_a_bad_phone_is_refused(register, phone):
    response = register(phone=phone)
    assert_refused(response, "phone")


@pytest.mark.parametrize("field", ["contact_name", "company_name", "email", "phone", "code"])
def test_a_missing_field_is_refused(register, field):
    response = register(**{field: ""})
    assert_refused(response, field)


def test_a_blank_contact_person_is_refused(register):
    response = register(contact_name="   ")
    assert_refused(response, "contact_name")


def test_a_wrong_captcha_is_refused(register):
    response = register(captcha_1="WRONG")
    assert_refused(response, "captcha")


def test_what_was_typed_stays_on_the_form(register):
    response = register(email="chen@", phone="１３８ １２３４ ５６７８")
    page = response.content.decode()
    assert 'value="杭州青禾贸易有限公司"' in page
    assert 'value="qinghe"' in page
    assert 'value="陈小青"' in page
    assert 'value="chen@"' in page
    assert "is-invalid" in page


def test_full_width_phone_and_spaces_are_normalised(register):
    register(phone="１３８ １２３４ ５６７８", email="  Chen@QingHe.example ")
    company = Company.objects.get(code="qinghe")
    assert company.contact_phone == "13812345678"
    assert company.contact_email == "chen@qinghe.example"
    assert mail.outbox[0].to == ["chen@qinghe.example"]


def test_a_landline_is_accepted_as_the_contact_phone(register):
    register(phone="010-62345678")
    company = Company.objects.get(code="qinghe")
    assert company.contact_phone == "010-62345678"
    assert User.objects.get(company=company).mobile == ""


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_failure_is_no_500(client, monkeypatch):
    """A real commit (no test transaction) runs the mail inside the request, as in production."""
    import smtplib

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr("banyan.accounts.services.companies.send_mail", refuse)
    response = client.post(reverse("register"), form_data())
    assert response.status_code == 302
    assert Company.objects.filter(code="qinghe").exists()
    page = client.get(response["Location"]).content.decode()
    assert "could not send the login details" in page
