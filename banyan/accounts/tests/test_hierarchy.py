"""Every legal and illegal reporting line, built through the services."""

import pytest

from banyan.accounts import services
from banyan.accounts.models import Role, User
from banyan.core.errors import ValidationFailed
from banyan.core.hooks import Hook

PW = "Banyan-test-2026"


def add(actor, username, role, superior=None, **extra):
    return services.user_create(
        actor=actor, username=username, password=PW, role=role, superior=superior, **extra
    )


@pytest.fixture
def boss(db):
    _company, boss = services.company_create(
        code="lines", name="Lines Ltd", plan="formal", boss_username="boss", boss_password=PW
    )
    return boss


def test_two_layers_boss_sales(boss):
    rep = add(boss, "rep", Role.SALES, boss)
    assert rep.path == f"/{boss.pk}/{rep.pk}/"


def test_two_layers_boss_director_to_grow_later(boss):
    director = add(boss, "dir", Role.DIRECTOR, boss)
    assert director.superior == boss


def test_three_layers_boss_director_sales(boss):
    director = add(boss, "dir", Role.DIRECTOR, boss)
    rep = add(boss, "rep", Role.SALES, director)
    assert rep.path == f"/{boss.pk}/{director.pk}/{rep.pk}/"


def test_three_layers_boss_director_manager(boss):
    director = add(boss, "dir", Role.DIRECTOR, boss)
    manager = add(boss, "mgr", Role.MANAGER, director)
    assert manager.depth == 2


def test_four_layers(boss):
    director = add(boss, "dir", Role.DIRECTOR, boss)
    manager = add(boss, "mgr", Role.MANAGER, director)
    rep = add(boss, "rep", Role.SALES, manager)
    assert rep.path == f"/{boss.pk}/{director.pk}/{manager.pk}/{rep.pk}/"
    assert rep.depth == 3


def test_several_bosses_report_to_nobody(boss):
    vice = add(boss, "vice", Role.BOSS)
    assert vice.superior is None and vice.path == f"/{vice.pk}/"


@pytest.mark.parametrize(
    ("role", "superior_role", "message"),
    [
        (Role.MANAGER, Role.BOSS, "A Manager reports to a Director, not to a Boss."),
        (Role.DIRECTOR, Role.DIRECTOR, "A Director reports to a Boss, not to a Director."),
        (Role.DIRECTOR, Role.MANAGER, "A Director reports to a Boss, not to a Manager."),
        (Role.MANAGER, Role.MANAGER, "A Manager reports to a Director, not to a Manager."),
        (Role.SALES, Role.SALES, "not to a Sales"),
        (Role.MANAGER, Role.SALES, "not to a Sales"),
    ],
)
def test_illegal_superiors_are_refused(boss, role, superior_role, message):
    director = add(boss, "dir", Role.DIRECTOR, boss)
    manager = add(boss, "mgr", Role.MANAGER, director)
    rep = add(boss, "rep", Role.SALES, manager)
    superior = {Role.BOSS: boss, Role.DIRECTOR: director, Role.MANAGER: manager, Role.SALES: rep}[
        superior_role
    ]
    before = User.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        add(boss, "new", role, superior)
    assert any(message in m for m in refused.value.errors["superior"])
    assert User.objects.count() == before


def test_boss_with_a_superior_is_refused(boss):
    with pytest.raises(ValidationFailed) as refused:
        add(boss, "boss2", Role.BOSS, boss)
    assert refused.value.errors["superior"] == [
        "A boss reports to nobody: leave the superior empty."
    ]


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.MANAGER, Role.SALES])
def test_everyone_but_a_boss_needs_a_superior(boss, role):
    with pytest.raises(ValidationFailed) as refused:
        add(boss, "orphan", role, None)
    assert "must report to" in refused.value.errors["superior"][0]


def test_superior_of_another_company_is_refused(boss, org):
    with pytest.raises(ValidationFailed) as refused:
        add(boss, "rep", Role.SALES, org.boss)
    assert refused.value.errors["superior"] == ["The superior must be a user of your company."]


def test_deactivated_superior_is_refused(org):
    services.user_update(actor=org.boss, user=org.sales4, superior=org.director1)
    services.user_deactivate(actor=org.boss, user=org.director2)
    with pytest.raises(ValidationFailed) as refused:
        add(org.boss, "late", Role.SALES, org.director2)
    assert "deactivated" in refused.value.errors["superior"][0]


def test_cycle_is_refused(org):
    # director1 cannot become a sales rep under their own manager
    with pytest.raises(ValidationFailed) as refused:
        services.user_update(actor=org.boss, user=org.manager1, superior=org.manager1)
    assert refused.value.errors["superior"] == ["A user cannot report to themself."]
    org.director1.refresh_from_db()
    with pytest.raises(ValidationFailed) as refused:
        services.user_update(
            actor=org.boss, user=org.director1, role=Role.SALES, superior=org.manager1
        )
    assert "loop" in refused.value.errors["superior"][0]
    org.director1.refresh_from_db()
    assert org.director1.role == Role.DIRECTOR and org.director1.superior == org.boss


def test_role_change_that_strands_subordinates_is_refused(org):
    with pytest.raises(ValidationFailed) as refused:
        services.user_update(actor=org.boss, user=org.director1, role=Role.MANAGER)
    messages = refused.value.errors["role"]
    assert any("manager1" in m and "move them first" in m for m in messages)
    org.director1.refresh_from_db()
    assert org.director1.role == Role.DIRECTOR


def test_assistant_must_serve_a_director_or_manager(org):
    with pytest.raises(ValidationFailed) as refused:
        add(org.boss, "helper", Role.SALES, org.boss, assistant_of=org.sales1)
    assert refused.value.errors["assistant_of"] == [
        "An assistant works for a director or a manager."
    ]
    helper = add(org.boss, "helper", Role.SALES, org.boss, assistant_of=org.director2)
    assert helper.assistant_of == org.director2


def test_only_bosses_are_admins(org):
    with pytest.raises(ValidationFailed) as refused:
        add(org.boss, "adm", Role.DIRECTOR, org.boss, is_admin=True)
    assert refused.value.errors["is_admin"] == ["Only a boss can be an account administrator."]


def test_last_admin_boss_cannot_step_down(org):
    for change in ({"is_admin": False}, {"is_active": False}):
        with pytest.raises(ValidationFailed) as refused:
            services.user_update(actor=org.boss, user=org.boss, **change)
        assert "At least one active administrator boss" in refused.value.errors["is_admin"][0]
    org.boss.refresh_from_db()
    assert org.boss.is_admin and org.boss.is_active


def test_admin_can_step_down_once_another_admin_exists(org):
    services.user_update(actor=org.boss, user=org.vice_boss, is_admin=True)
    services.user_update(actor=org.boss, user=org.boss, is_admin=False)
    org.boss.refresh_from_db()
    assert not org.boss.is_admin


def test_moving_a_manager_moves_their_whole_subtree(org):
    services.user_update(actor=org.boss, user=org.manager1, superior=org.director2)
    for user in (org.manager1, org.sales1, org.sales2):
        user.refresh_from_db()
    assert org.manager1.path == f"/{org.boss.pk}/{org.director2.pk}/{org.manager1.pk}/"
    assert org.sales1.path == f"{org.manager1.path}{org.sales1.pk}/"
    assert org.sales2.path == f"{org.manager1.path}{org.sales2.pk}/"
    # manager2's branch did not move
    org.sales3.refresh_from_db()
    assert (
        org.sales3.path == f"/{org.boss.pk}/{org.director1.pk}/{org.manager2.pk}/{org.sales3.pk}/"
    )


def test_promoting_a_rep_to_director_under_the_boss(org):
    services.user_update(actor=org.boss, user=org.sales_boss, role=Role.DIRECTOR)
    org.sales_boss.refresh_from_db()
    assert org.sales_boss.role == Role.DIRECTOR
    assert org.sales_boss.path == f"/{org.boss.pk}/{org.sales_boss.pk}/"


def test_deactivation_needs_subordinates_moved_first(org):
    with pytest.raises(ValidationFailed) as refused:
        services.user_deactivate(actor=org.boss, user=org.manager1)
    assert "2 active subordinates" in refused.value.errors["is_active"][0]
    services.user_update(actor=org.boss, user=org.sales1, superior=org.manager2)
    services.user_update(actor=org.boss, user=org.sales2, superior=org.manager2)
    services.user_update(actor=org.boss, user=org.assistant, assistant_of=None)
    services.user_deactivate(actor=org.boss, user=org.manager1)
    org.manager1.refresh_from_db()
    assert not org.manager1.is_active
    assert User.objects.filter(pk=org.manager1.pk).exists()  # never deleted


def test_deactivation_runs_the_registered_handovers(org, monkeypatch):
    calls = []
    handovers = Hook("user deactivated with a successor")
    handovers.register(
        lambda **kw: calls.append((kw["from_user"].username, kw["to_user"].username))
    )
    monkeypatch.setattr(services.users, "DEACTIVATION_HANDOVERS", handovers)
    services.user_deactivate(actor=org.boss, user=org.sales1, hand_over_to=org.sales2)
    assert calls == [("sales1", "sales2")]


def test_only_admin_bosses_manage_users(org):
    from banyan.core.errors import PermissionRefused

    for actor in (org.vice_boss, org.director1, org.sales1):
        with pytest.raises(PermissionRefused):
            add(actor, "sneaky", Role.SALES, org.boss)
    assert not User.objects.filter(username="sneaky").exists()


def test_usernames_are_unique_within_a_company_only(org, other_org):
    with pytest.raises(ValidationFailed) as refused:
        add(org.boss, "SALES1", Role.SALES, org.boss)
    assert "already taken" in refused.value.errors["username"][0]
    assert User.objects.filter(username="sales1").count() == 2  # one per company


def test_special_permissions_are_granted_per_user(org):
    services.user_update(actor=org.boss, user=org.sales1, permissions=["finance", "view_reports"])
    user = User.objects.get(pk=org.sales1.pk)
    assert user.has_perm("accounts.finance") and user.has_perm("accounts.view_reports")
    assert not user.has_perm("accounts.see_costs")
    with pytest.raises(ValidationFailed) as refused:
        services.user_update(actor=org.boss, user=org.sales1, permissions=["fly"])
    assert refused.value.errors["permissions"] == ["Unknown permission: fly."]


def test_mobile_is_normalised_and_validated(org):
    rep = add(org.boss, "mobile_rep", Role.SALES, org.boss, mobile="+86 １３９-0000-1111")
    assert rep.mobile == "13900001111"
    with pytest.raises(ValidationFailed) as refused:
        add(org.boss, "bad_mobile", Role.SALES, org.boss, mobile="1390000111")
    assert refused.value.errors["mobile"] == ["1390000111: a mobile number has 11 digits."]
