"""Who sees which activities, tasks and work summaries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from banyan.activities import selectors, services
from banyan.activities.tests.conftest import READERS, STRANGERS, local
from banyan.customers import services as customer_services

DUE = local(2031, 3, 5, 9, 30)


def ids(rows):
    return sorted(row.pk for row in rows)


@pytest.mark.parametrize("who", READERS + STRANGERS)
def test_records_on_a_customer_are_visible_exactly_when_the_customer_is(records, actor, who):
    user = actor(who)
    expected = who in READERS

    assert (records["activity"].pk in ids(selectors.visible_activities(user))) is expected
    assert (records["task"].pk in ids(selectors.visible_tasks(user))) is expected
    assert (records["summary"].pk in ids(selectors.visible_work_summaries(user))) is expected


def test_a_revoked_share_hides_the_records_again(org, records, customer):
    customer_services.customer_unshare(user=org.sales1, customer=customer, target=org.sales4)

    assert list(selectors.visible_activities(org.sales4)) == []
    assert list(selectors.visible_tasks(org.sales4)) == []


def test_a_transfer_takes_the_records_along(org, records, customer):
    customer_services.customer_transfer(user=org.manager1, customer=customer, owner=org.sales3)

    assert ids(selectors.visible_activities(org.manager2)) == [records["activity"].pk]
    assert list(selectors.visible_activities(org.sales2)) == []
    assert list(selectors.visible_activities(org.assistant)) == []


def test_the_visibility_is_a_condition_on_the_rows_own_columns(org, records):
    for user in (org.sales1, org.assistant, org.sales4, org.boss):
        assert user.assistant_of is None or user.assistant_of == org.manager1  # loaded once
        with CaptureQueriesContext(connection) as captured:
            list(selectors.visible_activities(user))
            list(selectors.visible_tasks(user))
            list(selectors.visible_work_summaries(user))
        lists = [
            q["sql"]
            for q in captured.captured_queries
            if "customers_customershare" not in q["sql"] or "activities_" in q["sql"]
        ]
        assert len(lists) == 3
        # the line's owners and the customers shared with a non-boss are looked up first (one
        # query per list), then written into the list's own query: no subquery over customers
        # or shares (a narrow line's rows are read as a union of scans of the rows' own table)
        assert len(captured.captured_queries) == (3 if user == org.boss else 6)
        for sql in lists:
            selects = sql.count("SELECT")
            assert selects == 1 or selects == 1 + sql.count(" UNION ALL ") + 1, sql
            assert 'FROM "customers_' not in sql and "customers_customershare" not in sql, sql


@pytest.mark.parametrize(
    "who, expected",
    [
        ("sales1", True),  # the assignee
        ("manager1", True),  # the creator, and above the assignee
        ("director1", True),
        ("boss", True),
        ("vice_boss", True),
        ("assistant", True),  # assistant of manager1
        ("sales2", False),
        ("manager2", False),
        ("sales_d1", False),
    ],
)
def test_a_task_without_a_customer_is_seen_by_assignee_creator_and_above(org, who, expected):
    task = services.task_create(user=org.manager1, subject="a", due_at=DUE, assignee=org.sales1)

    assert (task.pk in ids(selectors.visible_tasks(getattr(org, who)))) is expected


def test_the_creator_keeps_seeing_a_task_they_gave_away(org):
    task = services.task_create(user=org.manager1, subject="a", due_at=DUE, assignee=org.sales1)
    services.task_update(user=org.director1, task=task, assignee=org.sales_d1)

    assert task.pk in ids(selectors.visible_tasks(org.manager1))
    assert task.pk not in ids(selectors.visible_tasks(org.sales1))


def test_another_company_sees_nothing(org, other_org, records):
    services.task_create(user=org.sales1, subject="mine", due_at=DUE)

    assert list(selectors.visible_activities(other_org.boss)) == []
    assert list(selectors.visible_tasks(other_org.boss)) == []
    assert list(selectors.visible_work_summaries(other_org.boss)) == []


def test_task_list_scopes_and_statuses(org, settings):
    mine_open = services.task_create(user=org.sales1, subject="mine open", due_at=DUE)
    mine_done = services.task_create(user=org.sales1, subject="mine done", due_at=DUE)
    services.task_set_done(user=org.sales1, task=mine_done)
    overdue = services.task_create(
        user=org.sales1, subject="overdue", due_at=local(2020, 1, 1, 9, 0)
    )
    given = services.task_create(
        user=org.manager1, subject="given", due_at=DUE, assignee=org.sales2
    )

    assert ids(selectors.task_list(org.sales1)) == sorted([mine_open.pk, overdue.pk])
    assert ids(selectors.task_list(org.sales1, status="done")) == [mine_done.pk]
    assert ids(selectors.task_list(org.sales1, status="overdue")) == [overdue.pk]
    assert ids(selectors.task_list(org.sales1, status="all")) == sorted(
        [mine_open.pk, mine_done.pk, overdue.pk]
    )
    assert ids(selectors.task_list(org.manager1, scope="team")) == sorted(
        [mine_open.pk, overdue.pk, given.pk]
    )
    assert ids(selectors.task_list(org.manager1, scope="created")) == [given.pk]
    assert list(selectors.task_list(org.sales2, scope="team")) == []


def test_activity_list_search_and_filters(org, customer, make_customer, call_type, visit_type):
    other = make_customer(org.sales1, name="上海明珠贸易")
    first = services.activity_log(
        user=org.sales1,
        customer=customer,
        type=call_type,
        subject="报价",
        occurred_at=local(2025, 3, 4, 23, 30),
    )
    second = services.activity_log(
        user=org.manager1,
        customer=other,
        type=visit_type,
        subject="拜访",
        occurred_at=local(2025, 3, 5, 0, 30),
    )
    import datetime

    from django.utils import timezone

    assert ids(selectors.activity_list(org.manager1, search="bjwl")) == [first.pk]
    assert ids(selectors.activity_list(org.manager1, search="拜访")) == [second.pk]
    assert ids(selectors.activity_list(org.manager1, type_id=visit_type.pk)) == [second.pk]
    assert ids(selectors.activity_list(org.manager1, owner_id=org.sales1.pk)) == [first.pk]
    assert ids(selectors.activity_list(org.manager1, customer_id=other.pk)) == [second.pk]
    with timezone.override("Asia/Shanghai"):
        day = datetime.date(2025, 3, 4)
        assert ids(selectors.activity_list(org.manager1, occurred_from=day, occurred_to=day)) == [
            first.pk
        ]
        assert ids(
            selectors.activity_list(org.manager1, occurred_from=day + datetime.timedelta(days=1))
        ) == [second.pk]
    assert [a.pk for a in selectors.activity_list(org.manager1)] == [second.pk, first.pk]
    assert [a.pk for a in selectors.activity_list(org.manager1, ordering="customer__name")] == [
        second.pk,
        first.pk,
    ]


def test_a_short_chinese_word_finds_the_activities_of_customers_and_contacts_named_so(
    org, customer, make_customer, call_type
):
    """One or two Chinese characters are looked for in the customers' and their contacts'
    names (through their gram indexes), as the search text holds them."""
    other = make_customer(org.sales1, name="上海明珠贸易", contacts=[{"name": "李娜"}])
    on_customer = services.activity_log(
        user=org.sales1, customer=customer, type=call_type, subject="a"
    )
    on_other = services.activity_log(user=org.sales1, customer=other, type=call_type, subject="b")

    with CaptureQueriesContext(connection) as queries:
        assert ids(selectors.activity_list(org.manager1, search="沃力")) == [on_customer.pk]
    # The customers' search text (name, pinyin, phones…) has no index for such a word.
    tested = re.compile(r'"customers_customer"\."search_text"[^,]{0,20}LIKE')
    assert not any(tested.search(q["sql"]) for q in queries)
    assert ids(selectors.activity_list(org.manager1, search="张伟")) == [on_customer.pk]
    assert ids(selectors.activity_list(org.manager1, search="李")) == [on_other.pk]
    assert ids(selectors.activity_list(org.manager1, search="贸易 李娜")) == [on_other.pk]
    assert ids(selectors.activity_list(org.manager1, search="经理")) == []
    assert ids(selectors.activity_list(org.manager2, search="张伟")) == []  # not manager2's


def test_a_word_common_among_the_activities_is_looked_up_among_the_customers_once(
    org, records, customer, call_type, monkeypatch
):
    """A word the rows themselves hold often enough is matched as the list is read; the
    customers are asked once, with a limit (testing each row's customer as the list is read
    instead took seconds at a million customers: bench/results)."""
    from banyan.customers import selectors as customer_selectors

    monkeypatch.setattr(customer_selectors, "SEARCH_KEYS", 1)
    for subject in ("上门拜访", "拜访后回电"):
        services.activity_log(user=org.sales1, customer=customer, type=call_type, subject=subject)
    with CaptureQueriesContext(connection) as captured:
        found = list(selectors.activity_list(org.boss, search="拜访"))
    assert sorted(a.subject for a in found) == ["上门拜访", "拜访后回电"]
    lookups = [
        q["sql"] for q in captured.captured_queries if 'FROM "customers_customer"' in q["sql"]
    ]
    assert len(lookups) == 1 and "LIMIT" in lookups[0]
    # a word few activities hold still finds those whose customer holds it
    assert ids(selectors.activity_list(org.boss, search="沃力")) == ids(
        selectors.visible_activities(org.boss)
    )


def test_the_teams_newest_activities_are_the_newest_the_user_may_see_below_them(
    org, customer, make_customer, call_type
):
    """Read member by member where the line is a short list: still exactly the newest of the
    line's activities the user sees, their own left out, even when a member's newest is on a
    customer shared with them that the user above them does not see."""
    own_of_sales4 = make_customer(org.sales4, name="深圳客户")
    shared = make_customer(org.sales1, name="共享客户")
    customer_services.customer_share(
        user=org.sales1, customer=shared, target=org.sales4, level="edit"
    )

    def log(user, on, subject, day):
        services.activity_log(
            user=user, customer=on, type=call_type, subject=subject, occurred_at=local(2025, 5, day)
        )

    log(org.sales1, customer, "一日", 1)
    log(org.sales2, make_customer(org.sales2, name="上海客户"), "二日", 2)
    log(org.sales1, customer, "三日", 3)
    log(org.manager1, customer, "经理四日", 4)
    log(org.sales4, own_of_sales4, "自己的五日", 5)
    log(org.sales4, shared, "共享的六日", 6)  # sales1's customer, shared with sales4

    def subjects(user, limit=10):
        return [a.subject for a in selectors.team_recent_activities(user, limit=limit)]

    assert subjects(org.manager1) == ["三日", "二日", "一日"]
    assert subjects(org.manager1, limit=2) == ["三日", "二日"]
    assert subjects(org.director2) == ["自己的五日"]  # the shared customer is not director2's
    assert subjects(org.director2, limit=1) == ["自己的五日"]  # past sales4's invisible newest
    assert subjects(org.director1) == ["经理四日", "三日", "二日", "一日"]
    assert subjects(org.boss)[:3] == ["共享的六日", "自己的五日", "经理四日"]
    assert subjects(org.sales1) == []
