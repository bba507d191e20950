"""The public demo company: built by `seed_demo`, entered with one click, not changeable."""

import pytest
from django.urls import reverse

from banyan.accounts import demo
from banyan.accounts.models import Company, Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_company(db, demo_build):
    return demo_build.company


def people(company):
    return {user.username: user for user in User.objects.filter(company=company)}


def test_the_demo_company_is_a_demo_with_a_realistic_four_layer_team(demo_company):
    assert demo_company.code == "demo"
    assert demo_company.plan == Company.Plan.DEMO
    assert demo_company.name == "榕树演示科技有限公司"
    assert demo_company.trial_ends_on is None
    users = people(demo_company)
    assert len(users) == len(demo.DEMO_PEOPLE) + 1

    boss = users["boss"]
    assert (boss.real_name, boss.role, boss.is_admin, boss.superior) == (
        "林国栋",
        Role.BOSS,
        True,
        None,
    )
    assert boss.check_password("demo-2026")
    assert all(user.check_password("demo-2026") for user in users.values())

    vice = users["chenyaqin"]
    assert (vice.role, vice.is_admin) == (Role.BOSS, False)
    roles = [user.role for user in users.values()]
    assert 2 <= roles.count(Role.DIRECTOR) <= 3
    assert roles.count(Role.MANAGER) >= 2
    reps = [
        u
        for u in users.values()
        if u.role == Role.SALES
        and u.assistant_of is None
        and not u.has_perm("accounts.warehouse_keeper")
        and not u.has_perm("accounts.customer_service")
    ]
    assert 10 <= len(reps) <= 15
    assert any(rep.superior.role == Role.DIRECTOR for rep in reps)
    assert [rep.username for rep in reps if rep.superior == boss] == ["fengkai"]
    assert max(user.depth for user in users.values()) == 3  # boss → director → manager → sales
    lina = users["lina"]
    assert lina.path.startswith(users["wanghaitao"].path)
    assert users["wanghaitao"].path.startswith(users["zhoujianhua"].path)
    assistant = users["zhengxiaoyan"]
    assert assistant.assistant_of == users["wanghaitao"]
    assert assistant.assistant_of.role == Role.MANAGER


def test_special_permissions_are_handed_out_realistically(demo_company):
    users = people(demo_company)

    def holders(codename):
        return sorted(u.username for u in users.values() if u.has_perm(f"accounts.{codename}"))

    assert holders("finance") == ["boss", "xuhui"]
    assert holders("warehouse_keeper") == ["boss", "dengjianguo"]
    assert holders("customer_service") == ["boss", "caolihua"]
    assert not users["lina"].get_all_permissions()


def test_the_demo_people_have_chinese_names_mobiles_and_emails(demo_company):
    for user in User.objects.filter(company=demo_company):
        assert 2 <= len(user.real_name) <= 3
        assert all("\u4e00" <= ch <= "\u9fff" for ch in user.real_name)
        assert len(user.mobile) == 11 and user.mobile.startswith("1")
        assert user.email == f"{user.username}@{demo.DEMO_EMAIL_DOMAIN}"
    mobiles = list(User.objects.filter(company=demo_company).values_list("mobile", flat=True))
    assert len(set(mobiles)) == len(mobiles)


def test_try_the_demo_logs_in_as_the_demo_boss_and_lands_on_the_workbench(client, demo_company):
    login_page = client.get(reverse("login")).content.decode()
    assert 'id="try-demo"' in login_page

    response = client.post(reverse("demo-login"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    user = home.context["request"].user
    assert (user.company.code, user.username) == ("demo", "boss")
    assert 'id="demo-banner"' in home.content.decode()


def test_the_demo_boss_cannot_change_the_password(client, demo_company):
    client.post(reverse("demo-login"))

    response = client.post(
        reverse("password-change"),
        {
            "old_password": "demo-2026",
            "new_password": "Another-pass-2026",
            "new_password_again": "Another-pass-2026",
        },
    )

    assert response.status_code == 200
    assert "passwords and account settings cannot be changed" in response.content.decode()
    assert User.objects.get(company=demo_company, username="boss").check_password("demo-2026")
