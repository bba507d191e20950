"""Achievement against hand-computed data, month boundaries in Asia/Shanghai, and which
targets each person sees."""

from datetime import UTC, date, datetime
from decimal import Decimal
from unittest import mock

import pytest

from banyan.agreements import services as agreement_services
from banyan.targets import selectors

pytestmark = pytest.mark.django_db

NOV = date(2026, 11, 1)


def at(moment: str):
    """Patch "now" to a UTC moment."""
    return mock.patch(
        "django.utils.timezone.now",
        return_value=datetime.fromisoformat(moment).replace(tzinfo=UTC),
    )


@pytest.fixture
def november(org, sign, pay, reverse):
    """Agreements and payments around November 2026 (expected sums in comments)."""
    a1 = sign(org.sales1, "1000.00", "2026-11-01")  # in: sales1 +1000
    a2 = sign(org.sales1, "250.50", "2026-11-30")  # in: sales1 +250.50
    a3 = sign(org.sales1, "700.00", "2026-10-31")  # out
    sign(org.sales1, "900.00", "2026-12-01")  # out
    cancelled = sign(org.sales1, "5000.00", "2026-11-15")
    agreement_services.agreement_cancel(user=org.sales1, agreement=cancelled, reason="lost")
    b1 = sign(org.sales2, "2000.00", "2026-11-10")  # in: sales2 +2000
    m1 = sign(org.manager1, "300.00", "2026-11-20")  # in: manager1 +300
    c1 = sign(org.sales3, "4000.00", "2026-11-11")  # in: sales3 (manager2's) +4000
    sign(org.sales4, "8000.00", "2026-11-11")  # director2's group only

    pay(a1, "400.00", "2026-11-01")  # in: sales1 +400
    bounced = pay(a1, "100.00", "2026-11-30")  # in
    reverse(bounced, "2026-11-30")  # in: −100
    pay(a3, "700.00", "2026-10-31")  # out
    pay(a3, "0.10", "2026-12-01")  # out
    pay(a2, "0.47", "2026-11-15")  # in: +0.47
    old = pay(a3, "0.06", "2026-10-15")  # out
    reverse(old, "2026-11-02")  # in: −0.06 (the reversal is dated in November)
    pay(b1, "1500.00", "2026-11-05")  # sales2 +1500
    pay(m1, "300.00", "2026-11-06")  # manager1 +300
    pay(c1, "999.99", "2026-11-07")  # sales3 +999.99


def test_personal_achievement(org, november):
    assert selectors.achieved(org.sales1, NOV) == (Decimal("400.41"), Decimal("1250.50"))
    assert selectors.achieved(org.sales2, NOV) == (Decimal("1500.00"), Decimal("2000.00"))
    assert selectors.achieved(org.manager1, NOV) == (Decimal("300.00"), Decimal("300.00"))
    assert selectors.achieved(org.sales1, date(2026, 10, 1)) == (
        Decimal("700.06"),
        Decimal("700.00"),
    )
    assert selectors.achieved(org.sales1, date(2026, 12, 1)) == (
        Decimal("0.10"),
        Decimal("900.00"),
    )
    assert selectors.achieved(org.sales_boss, NOV) == (Decimal("0.00"), Decimal("0.00"))


def test_group_achievement(org, november):
    manager1 = (Decimal("400.41") + 1500 + 300, Decimal("1250.50") + 2000 + 300)
    assert selectors.achieved(org.manager1, NOV, is_group=True) == manager1
    director1 = (manager1[0] + Decimal("999.99"), manager1[1] + 4000)
    assert selectors.achieved(org.director1, NOV, is_group=True) == director1
    assert selectors.achieved(org.manager2, NOV, is_group=True) == (
        Decimal("999.99"),
        Decimal("4000.00"),
    )


def test_listed_targets_carry_the_same_achievement(org, november, set_target):
    set_target(org.sales1, "800.82", "0")
    set_target(org.manager1, "5000.00", "3550.50", is_group=True)
    set_target(org.director1, "0", "0", is_group=True)
    set_target(org.sales1, "1.00", "1.00", month="2026-10")
    listed = {(t.user_id, t.is_group, t.month): t for t in selectors.targets_for(org.boss, NOV)}
    assert len(listed) == 3
    for (_user_id, is_group, month), target in listed.items():
        achieved = selectors.achieved(target.user, month, is_group=is_group)
        assert (target.achievement.payment_amount, target.achievement.contract_amount) == achieved
    sales1 = listed[(org.sales1.pk, False, NOV)].achievement
    assert sales1.payment_percent == Decimal("50.0")
    assert sales1.contract_percent == Decimal("0.0")  # a target of 0 is 0 %
    group = listed[(org.manager1.pk, True, NOV)].achievement
    assert group.contract_percent == Decimal("100.0")
    assert group.as_dict()["payment_percent"] == 44.0
    # Several months in one list: each target counts its own month.
    both = selectors.with_achievement(
        org.boss, selectors.target_list(org.boss, user_id=org.sales1.pk)
    )
    assert [(t.month, t.achievement.payment_amount) for t in both] == [
        (NOV, Decimal("400.41")),
        (date(2026, 10, 1), Decimal("700.06")),
    ]


def test_current_month_is_the_companys(org):
    with at("2026-11-30T17:00:00"):  # 01:00 on 1 December in Shanghai
        assert selectors.current_month(org.sales1) == date(2026, 12, 1)
        assert selectors.days_left(org.sales1, date(2026, 12, 1)) == 31
        assert selectors.days_left(org.sales1, NOV) == 0
    with at("2026-11-30T15:59:59"):  # 23:59:59 on 30 November in Shanghai
        assert selectors.current_month(org.sales1) == NOV
        assert selectors.days_left(org.sales1, NOV) == 1
        assert selectors.days_left(org.sales1, date(2027, 2, 1)) == 28
    company = org.sales1.company
    company.time_zone = "America/New_York"
    company.save(update_fields=["time_zone"])
    company.__dict__.pop("zone", None)  # a cached property
    with at("2026-11-30T17:00:00"):
        assert selectors.current_month(org.sales1) == NOV


def test_month_bounds(org):
    assert selectors.month_bounds(org.company, date(2026, 11, 17)) == (
        date(2026, 11, 1),
        date(2026, 11, 30),
    )
    assert selectors.month_bounds(org.company, date(2028, 2, 1))[1] == date(2028, 2, 29)


def test_who_sees_which_targets(org, other_org, set_target):
    for person in (org.sales1, org.sales2, org.sales3, org.sales4, org.manager1, org.director1):
        set_target(person)
    set_target(org.manager1, is_group=True)
    set_target(other_org.sales1, by=other_org.boss)

    def seen(user):
        return {(t.user.username, t.is_group) for t in selectors.targets_for(user, NOV)}

    assert seen(org.sales1) == {("sales1", False)}
    assert seen(org.sales4) == {("sales4", False)}
    assert seen(org.manager1) == {
        ("manager1", False),
        ("manager1", True),
        ("sales1", False),
        ("sales2", False),
    }
    assert seen(org.director1) == seen(org.manager1) | {("sales3", False), ("director1", False)}
    assert len(seen(org.boss)) == 7
    assert seen(other_org.boss) == {("sales1", False)}
    assert seen(org.sales_boss) == set()


def test_settable_users(org):
    def names(user):
        return {u.username for u in selectors.settable_users(user)}

    assert names(org.manager1) == {"sales1", "sales2"}
    assert names(org.director2) == {"sales4"}
    assert "boss" not in names(org.boss) and "sales4" in names(org.boss)
    assert names(org.sales1) == set()
    assert names(org.assistant) == set()


def test_a_managers_targets_sum_only_the_rows_of_the_people_they_count(org, november, set_target):
    """Seen by manager1, the targets of sales1 and of manager1's group are summed from those
    people's rows only (not the company's month), and come out as for the boss."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    set_target(org.sales1, "800.82", "0")
    set_target(org.manager1, "5000.00", "3550.50", is_group=True)
    by_boss = {(t.user_id, t.is_group): t.achievement for t in selectors.targets_for(org.boss, NOV)}
    with CaptureQueriesContext(connection) as captured:
        seen = selectors.targets_for(org.manager1, NOV)
    assert {(t.user_id, t.is_group): t.achievement for t in seen} == by_boss
    sums = [q["sql"] for q in captured.captured_queries if "SUM(" in q["sql"].upper()]
    assert len(sums) == 2
    for sql in sums:
        assert '"owner_id" IN (SELECT' in sql, sql
