"""Operator commands: create_company."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from banyan.accounts.models import SPECIAL_PERMISSION_CODENAMES, Company, Role, User

pytestmark = pytest.mark.django_db


def create_company(*args) -> str:
    out = StringIO()
    call_command("create_company", *args, stdout=out)
    return out.getvalue()


def test_create_company_makes_a_formal_company_and_its_admin_boss():
    output = create_company(
        "--code",
        "Acme",
        "--name",
        "艾克美贸易有限公司",
        "--boss-username",
        "zhang",
        "--boss-password",
        "Acme-boss-2026",
        "--boss-real-name",
        "张总",
    )

    company = Company.objects.get(code="acme")
    assert (company.name, company.plan, company.trial_ends_on) == (
        "艾克美贸易有限公司",
        Company.Plan.FORMAL,
        None,
    )
    boss = User.objects.get(company=company)
    assert (boss.username, boss.real_name, boss.role, boss.is_admin) == (
        "zhang",
        "张总",
        Role.BOSS,
        True,
    )
    assert boss.check_password("Acme-boss-2026")
    assert sorted(boss.user_permissions.values_list("codename", flat=True)) == sorted(
        SPECIAL_PERMISSION_CODENAMES
    )
    assert "acme" in output and "zhang" in output and "formal" in output


def test_create_company_on_a_trial():
    output = create_company(
        "--code=trialco",
        "--name=试用公司",
        "--boss-username=boss",
        "--boss-password=Trial-boss-2026",
        "--plan=trial",
    )
    company = Company.objects.get(code="trialco")
    assert company.plan == Company.Plan.TRIAL
    assert company.trial_ends_on == timezone.localdate() + datetime.timedelta(days=30)
    assert str(company.trial_ends_on) in output


@pytest.mark.parametrize("code", ["ab", "a b", "中文", "admin"])
def test_a_bad_code_is_a_clear_error_naming_the_option(code):
    with pytest.raises(CommandError) as error:
        create_company(
            "--code",
            code,
            "--name=坏代码公司",
            "--boss-username=boss",
            "--boss-password=Good-pass-2026",
        )
    assert "--code:" in str(error.value)
    assert "Nothing was created" in str(error.value)
    assert not Company.objects.exists()
    assert not User.objects.exists()


def test_a_taken_code_is_refused():
    create_company(
        "--code=alpha", "--name=阿尔法", "--boss-username=boss", "--boss-password=Good-pass-2026"
    )
    with pytest.raises(CommandError, match="--code: The company code alpha is already taken"):
        create_company(
            "--code=alpha", "--name=重复", "--boss-username=boss", "--boss-password=Good-pass-2026"
        )
    assert Company.objects.filter(code="alpha").count() == 1


@pytest.mark.parametrize("password", ["123", "12345678901", "password"])
def test_a_weak_password_is_refused_and_nothing_is_created(password):
    with pytest.raises(CommandError) as error:
        create_company(
            "--code=weakco",
            "--name=弱密码公司",
            "--boss-username=boss",
            "--boss-password",
            password,
        )
    assert "--boss-password:" in str(error.value)
    assert not Company.objects.exists()
    assert not User.objects.exists()


def test_a_missing_option_is_refused_by_the_parser():
    with pytest.raises(CommandError, match="--boss-password"):
        create_company("--code=x-co", "--name=缺参数", "--boss-username=boss")
