"""The visibility engine: who sees whose records, for every role in the fixture company."""

import pytest

from banyan.accounts import services, visibility
from banyan.accounts.models import User


def names(queryset):
    return sorted(queryset.values_list("username", flat=True))


ALL_ALPHA = sorted(
    [
        "boss",
        "vice_boss",
        "director1",
        "director2",
        "manager1",
        "manager2",
        "sales1",
        "sales2",
        "sales3",
        "sales_d1",
        "sales4",
        "sales_boss",
        "assistant",
    ]
)


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("sales1", ["sales1"]),  # a rep: only themself
        ("sales2", ["sales2"]),  # a peer does not see sales1
        ("manager1", ["manager1", "sales1", "sales2"]),
        ("manager2", ["manager2", "sales3"]),  # another department
        (
            "director1",
            [
                "assistant",
                "director1",
                "manager1",
                "manager2",
                "sales1",
                "sales2",
                "sales3",
                "sales_d1",
            ],
        ),
        ("director2", ["director2", "sales4"]),
        ("sales_boss", ["sales_boss"]),
        ("assistant", ["assistant", "manager1", "sales1", "sales2"]),  # sees their principal's
        ("boss", ALL_ALPHA),
        ("vice_boss", ALL_ALPHA),  # a boss without admin rights still sees everything
    ],
)
def test_visible_owners(org, other_org, who, sees):
    user = getattr(org, who)
    assert names(visibility.visible_owners(user)) == sorted(sees)
    # never anyone of the other company, whatever the role
    assert not visibility.visible_owners(user).filter(company=other_org.company).exists()


def test_owner_condition_filters_rows_in_one_query(org, django_assert_num_queries):
    # Users stand in for any owned rows here: the condition is on an `owner`-like key.
    condition = visibility.line_condition(org.manager1, field="pk")
    with django_assert_num_queries(1):
        visible = sorted(
            User.objects.filter(company=org.company)
            .filter(condition)
            .values_list("username", flat=True)
        )
    assert visible == ["manager1", "sales1", "sales2"]


def test_can_see_owner_agrees_with_the_query(org, other_org):
    everyone = list(User.objects.filter(company__in=[org.company, other_org.company]))
    for who in ("sales1", "manager1", "director1", "assistant", "boss"):
        user = getattr(org, who)
        visible = set(visibility.visible_owners(user).values_list("pk", flat=True))
        for owner in everyone:
            assert visibility.can_see_owner(user, owner) == (owner.pk in visible), (who, owner)


def test_visibility_follows_a_move(org):
    assert "sales1" not in names(visibility.visible_owners(org.manager2))
    services.user_update(actor=org.boss, user=org.sales1, superior=org.manager2)
    org.manager2.refresh_from_db()
    assert names(visibility.visible_owners(org.manager2)) == ["manager2", "sales1", "sales3"]
    org.manager1.refresh_from_db()
    assert names(visibility.visible_owners(org.manager1)) == ["manager1", "sales2"]


def test_a_moved_subtree_is_seen_by_the_new_director(org):
    services.user_update(actor=org.boss, user=org.manager1, superior=org.director2)
    org.director2.refresh_from_db()
    assert names(visibility.visible_owners(org.director2)) == [
        "director2",
        "manager1",
        "sales1",
        "sales2",
        "sales4",
    ]


def test_deactivated_users_records_stay_visible_up_the_line(org):
    services.user_deactivate(actor=org.boss, user=org.sales1)
    assert "sales1" in names(visibility.visible_owners(org.manager1))


def test_a_deactivated_user_sees_nothing(org):
    services.user_deactivate(actor=org.boss, user=org.sales2)
    org.sales2.refresh_from_db()
    assert names(visibility.visible_owners(org.sales2)) == []


def test_an_assistant_of_a_deactivated_principal_sees_only_their_own(org):
    org.manager1.is_active = False  # bypass the service's checks to set up the state
    org.manager1.save(update_fields=["is_active"])
    assistant = User.objects.get(pk=org.assistant.pk)
    assert names(visibility.visible_owners(assistant)) == ["assistant"]


def test_subordinates(org):
    assert names(visibility.subordinates(org.manager1)) == ["sales1", "sales2"]
    assert names(visibility.subordinates(org.manager1, include_self=True)) == [
        "manager1",
        "sales1",
        "sales2",
    ]
    assert len(names(visibility.subordinates(org.boss))) == 12
