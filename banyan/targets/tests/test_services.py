"""Who may set whose target, the amounts, and create-or-update. A refusal changes nothing."""

from datetime import date
from decimal import Decimal

import pytest

from banyan.core.errors import DomainError, NotFound, PermissionRefused, ValidationFailed
from banyan.targets import services
from banyan.targets.models import SalesTarget

pytestmark = pytest.mark.django_db


def rows():
    return list(
        SalesTarget.objects.order_by("id").values_list(
            "id", "user_id", "is_group", "month", "payment_amount", "contract_amount", "set_by_id"
        )
    )


def set_by(actor, person, **kw):
    kw.setdefault("month", "2026-11")
    kw.setdefault("payment_amount", "100000.00")
    kw.setdefault("contract_amount", "150000.50")
    return services.target_set(user=actor, target_user=person, **kw)


@pytest.mark.parametrize(
    ("actor", "person", "is_group"),
    [
        ("boss", "sales1", False),
        ("boss", "director1", True),
        ("boss", "manager2", True),
        ("boss", "vice_boss", False),
        ("vice_boss", "sales4", False),
        ("director1", "sales1", False),
        ("director1", "manager1", False),
        ("director1", "manager1", True),
        ("director1", "sales_d1", False),
        ("manager1", "sales1", False),
        ("manager1", "sales2", False),
    ],
)
def test_who_may_set_whose(org, actor, person, is_group):
    actor, person = getattr(org, actor), getattr(org, person)
    target = set_by(actor, person, is_group=is_group)
    target.refresh_from_db()
    assert (target.user, target.is_group, target.month, target.set_by) == (
        person,
        is_group,
        date(2026, 11, 1),
        actor,
    )
    assert target.payment_amount == Decimal("100000.00")
    assert target.contract_amount == Decimal("150000.50")
    assert target.company == org.company
    assert target.history.count() == 1


@pytest.mark.parametrize(
    "name", ["boss", "vice_boss", "director1", "manager1", "sales1", "assistant"]
)
def test_nobody_sets_their_own_target(org, name):
    user = getattr(org, name)
    with pytest.raises(PermissionRefused) as refused:
        set_by(user, user)
    assert str(refused.value.message) == "You cannot set your own target: your superior does."
    assert rows() == []


@pytest.mark.parametrize(
    ("actor", "person", "reason"),
    [
        ("manager1", "sales3", "You set targets only for the people below you"),
        ("manager2", "sales1", "You set targets only for the people below you"),
        ("director2", "sales1", "You set targets only for the people below you"),
        ("manager1", "director1", "You set targets only for the people below you"),
        ("director1", "director2", "You set targets only for the people below you"),
        ("sales1", "sales2", "Only a boss, a director or a manager sets sales targets"),
        ("assistant", "sales1", "Only a boss, a director or a manager sets sales targets"),
    ],
)
def test_others_are_refused_with_the_reason(org, set_target, actor, person, reason):
    set_target(getattr(org, person), "1.00", "1.00")
    before = rows()
    with pytest.raises(PermissionRefused) as refused:
        set_by(getattr(org, actor), getattr(org, person))
    assert str(refused.value.message).startswith(reason)
    assert rows() == before


def test_another_companys_person_is_not_found(org, other_org):
    with pytest.raises(NotFound):
        set_by(org.boss, other_org.sales1)
    with pytest.raises(NotFound):
        set_by(org.boss, 10**12)
    assert rows() == []


@pytest.mark.parametrize("person", ["sales1", "sales_boss", "vice_boss"])
def test_group_targets_only_for_directors_and_managers(org, person):
    with pytest.raises(DomainError) as refused:
        set_by(org.boss, getattr(org, person), is_group=True)
    assert refused.value.field == "is_group"
    assert "has no group" in str(refused.value.message)
    assert rows() == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("payment_amount", "-1", "The amount cannot be negative."),
        ("payment_amount", "1.005", "Give at most two decimal places."),
        ("contract_amount", "abc", "Enter an amount, e.g. 12000.00."),
        ("contract_amount", "", "Enter an amount, e.g. 12000.00."),
        ("month", "2026-13", "Enter a month as YYYY-MM, e.g. 2026-11."),
        ("month", "November", "Enter a month as YYYY-MM, e.g. 2026-11."),
        ("month", "", "Choose a month, e.g. 2026-11."),
    ],
)
def test_bad_input_names_the_field(org, field, value, message):
    with pytest.raises(ValidationFailed) as refused:
        set_by(org.manager1, org.sales1, **{field: value})
    assert refused.value.errors == {field: [message]}
    assert rows() == []


def test_zero_and_full_width_amounts_are_accepted(org):
    target = set_by(org.boss, org.sales1, payment_amount="0", contract_amount="１２,０００.５")
    assert (target.payment_amount, target.contract_amount) == (
        Decimal("0.00"),
        Decimal("12000.50"),
    )


def test_setting_again_updates_the_same_target(org):
    first = set_by(org.boss, org.sales1)
    second = set_by(org.manager1, org.sales1, payment_amount="5.00", contract_amount="6.00")
    assert second.pk == first.pk
    assert rows() == [
        (
            first.pk,
            org.sales1.pk,
            False,
            date(2026, 11, 1),
            Decimal("5.00"),
            Decimal("6.00"),
            org.manager1.pk,
        )
    ]
    assert first.history.count() == 2
    # The group target and another month are other rows.
    set_by(org.boss, org.manager1, is_group=True)
    set_by(org.boss, org.sales1, month="2026-12")
    assert SalesTarget.objects.count() == 3


def test_a_deactivated_person_gets_no_target(org):
    org.sales2.is_active = False
    org.sales2.save(update_fields=["is_active"])
    with pytest.raises(ValidationFailed) as refused:
        set_by(org.manager1, org.sales2)
    assert "target_user" in refused.value.errors


def test_delete_follows_the_same_rule(org, set_target):
    target = set_target(org.sales1, by=org.manager1)
    for actor in (org.sales1, org.manager2):
        with pytest.raises((PermissionRefused, NotFound)):
            services.target_delete(user=actor, target=target)
    assert SalesTarget.objects.filter(pk=target.pk).exists()
    services.target_delete(user=org.director1, target=target)
    assert not SalesTarget.objects.filter(pk=target.pk).exists()


def test_delete_of_another_companys_target_is_not_found(org, other_org, set_target):
    target = set_target(other_org.sales1, by=other_org.boss)
    with pytest.raises(NotFound):
        services.target_delete(user=org.boss, target=target)
    assert SalesTarget.objects.filter(pk=target.pk).exists()


def test_an_update_changes_the_amounts_and_keeps_the_rest(org):
    target = set_by(org.manager1, org.sales1)

    changed = services.target_update(user=org.manager1, target=target, contract_amount="7.50")

    assert changed.pk == target.pk
    assert rows() == [
        (
            target.pk,
            org.sales1.pk,
            False,
            date(2026, 11, 1),
            Decimal("100000.00"),
            Decimal("7.50"),
            org.manager1.pk,
        )
    ]


def test_an_update_may_name_the_same_person_kind_and_month(org):
    target = set_by(org.manager1, org.sales1)

    services.target_update(
        user=org.manager1,
        target=target,
        target_user=org.sales1.pk,
        is_group=False,
        month=date(2026, 11, 1),
        payment_amount="1.00",
    )

    assert SalesTarget.objects.get(pk=target.pk).payment_amount == Decimal("1.00")


def test_a_target_stays_with_its_person_kind_and_month(org):
    target = set_by(org.manager1, org.sales1)
    before = rows()

    with pytest.raises(ValidationFailed) as moved:
        services.target_update(
            user=org.manager1,
            target=target,
            target_user=org.sales2,
            is_group=True,
            month="2026-12",
            payment_amount="1.00",
            colour="red",
        )

    stays = ["A target stays with its person, kind and month."]
    assert moved.value.errors == {
        "colour": ["Unknown field."],
        "target_user": stays,
        "is_group": stays,
        "month": stays,
    }
    assert rows() == before


def test_an_update_follows_the_rules_of_who_may_set_it(org):
    target = set_by(org.manager1, org.sales1)
    before = rows()

    with pytest.raises(PermissionRefused):
        services.target_update(user=org.sales1, target=target, payment_amount="1.00")
    with pytest.raises(NotFound):
        services.target_update(user=org.sales3, target=target, payment_amount="1.00")

    assert rows() == before
