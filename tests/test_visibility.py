"""The visibility engine across the apps: every row hung on a customer follows its customer,
through the copy of the customer's owner it carries, and no rule ever reaches past the
company. Runs on SQLite and on PostgreSQL like the rest of the suite."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from banyan.accounts import visibility
from banyan.accounts.models import DictionaryOption
from banyan.accounts.services import users as user_services
from banyan.activities import selectors as activity_selectors
from banyan.activities import services as activity_services
from banyan.activities.models import Activity, Task
from banyan.agreements import selectors as agreement_selectors
from banyan.agreements import services as agreement_services
from banyan.customers import selectors as customer_selectors
from banyan.customers import services as customer_services
from banyan.customers.models import Contact, Customer, customer_record_models
from banyan.finance import selectors as finance_selectors
from banyan.finance import services as finance_services
from banyan.finance.models import Payment
from banyan.opportunities import selectors as opportunity_selectors
from banyan.opportunities import services as opportunity_services


@pytest.fixture
def records(org, make_customer, make_product, grant):
    """A customer of sales1 (under manager1) with a row of every kind hung on it."""
    customer = make_customer(org.sales1, name="跟随客户")
    contact = customer_services.contact_create(user=org.sales1, customer=customer, name="张三")
    activity = activity_services.activity_log(
        user=org.sales1,
        customer=customer,
        type=DictionaryOption.objects.get(company=org.company, kind="activity_type", code="visit"),
        subject="拜访",
    )
    task = activity_services.task_create(
        user=org.sales1,
        subject="回访",
        due_at=timezone.now() + datetime.timedelta(days=1),
        customer=customer,
    )
    opportunity = opportunity_services.opportunity_create(
        user=org.sales1, customer=customer, name="大单"
    )
    product = make_product(org.sales1, list_price="1000.00")
    agreement = agreement_services.agreement_create(
        user=org.sales1,
        kind="order",
        customer=customer,
        title="订单",
        lines=[{"product": product.pk, "quantity": "1"}],
    )
    agreement_services.agreement_sign(user=org.sales1, agreement=agreement)
    plan = finance_services.plan_create(
        user=org.sales1, agreement=agreement, due_on="2026-12-31", amount="600.00"
    )
    finance = grant(org.vice_boss, "finance")
    method = DictionaryOption.objects.get(
        company=org.company, kind="payment_method", code="bank_transfer"
    )
    payment = finance_services.payment_record(
        user=finance, agreement=agreement, amount="300.00", paid_on="2026-11-01", method=method
    )
    return {
        "customer": customer,
        "contact": contact,
        "activity": activity,
        "task": task,
        "opportunity": opportunity,
        "agreement": agreement,
        "plan": plan,
        "payment": payment,
    }


def sees(user, records) -> dict[str, bool]:
    """What `user` sees of the records, each through its app's selector."""
    return {
        "customer": customer_selectors.visible_customers(user)
        .filter(pk=records["customer"].pk)
        .exists(),
        "contact": customer_selectors.visible_contacts(user)
        .filter(pk=records["contact"].pk)
        .exists(),
        "activity": activity_selectors.visible_activities(user)
        .filter(pk=records["activity"].pk)
        .exists(),
        "task": activity_selectors.visible_tasks(user).filter(pk=records["task"].pk).exists(),
        "opportunity": opportunity_selectors.visible_opportunities(user)
        .filter(pk=records["opportunity"].pk)
        .exists(),
        "agreement": agreement_selectors.visible_agreements(user)
        .filter(pk=records["agreement"].pk)
        .exists(),
        "plan": finance_selectors.visible_plans(user).filter(pk=records["plan"].pk).exists(),
        "payment": finance_selectors.visible_payments(user)
        .filter(pk=records["payment"].pk)
        .exists(),
    }


def every(value: bool) -> dict[str, bool]:
    return dict.fromkeys(
        ("customer", "contact", "activity", "task", "opportunity", "agreement", "plan", "payment"),
        value,
    )


def test_every_row_carries_its_customers_owner(org, records):
    for name, row in records.items():
        if name == "customer":
            continue
        row.refresh_from_db()
        assert row.customer_owner_id == org.sales1.pk, name
    call_command("check_visibility_copies")


def test_after_a_transfer_the_rows_follow_the_customer_to_the_new_line(org, records):
    assert sees(org.manager1, records) == every(True)
    assert sees(org.manager2, records) == every(False)

    customer_services.customer_transfer(
        user=org.director1, customer=records["customer"], owner=org.sales3
    )

    assert sees(org.manager1, records) == every(False)
    assert sees(org.sales1, records) == every(False)
    assert sees(org.manager2, records) == every(True)
    assert sees(org.sales3, records) == every(True)
    assert sees(org.director1, records) == every(True)  # above both lines
    call_command("check_visibility_copies")


def test_a_bulk_transfer_moves_the_copies_too(org, records, make_customer):
    other = make_customer(org.sales1, name="第二个客户")
    customer_services.customers_bulk_transfer(
        user=org.boss, customer_ids=[records["customer"].pk, other.pk], owner=org.sales4
    )

    assert sees(org.manager1, records) == every(False)
    assert sees(org.director2, records) == every(True)
    call_command("check_visibility_copies")


def test_a_deactivation_handover_moves_the_copies_too(org, records):
    user_services.user_deactivate(actor=org.boss, user=org.sales1, hand_over_to=org.sales4)

    assert sees(org.manager1, records) == every(False)
    assert sees(org.sales4, records) == every(True)
    assert sees(org.director2, records) == every(True)
    call_command("check_visibility_copies")


def test_a_share_shows_every_row_of_the_customer_and_nothing_else(org, records, make_customer):
    make_customer(org.sales1, name="不共享的客户")
    customer_services.customer_share(
        user=org.sales1, customer=records["customer"], target=org.sales4, level="view"
    )

    assert sees(org.sales4, records) == every(True)
    assert list(customer_selectors.visible_customers(org.sales4)) == [records["customer"]]


def test_the_check_finds_a_copy_that_drifted_and_mends_it(org, records, capsys):
    Activity.objects.filter(pk=records["activity"].pk).update(customer_owner=org.sales4)
    Payment.objects.filter(pk=records["payment"].pk).update(customer_owner=None)

    with pytest.raises(CommandError):
        call_command("check_visibility_copies")
    out = capsys.readouterr().out
    assert "activities.Activity: 1 row differ" in out
    assert "finance.Payment: 1 row differ" in out

    call_command("check_visibility_copies", "--fix")

    assert Activity.objects.get(pk=records["activity"].pk).customer_owner_id == org.sales1.pk
    assert Payment.objects.get(pk=records["payment"].pk).customer_owner_id == org.sales1.pk


def test_a_task_without_a_customer_carries_no_owner(org):
    task = activity_services.task_create(
        user=org.manager1, subject="周会", due_at=timezone.now(), assignee=org.sales1
    )
    assert Task.objects.get(pk=task.pk).customer_owner_id is None
    call_command("check_visibility_copies")


def test_every_model_hung_on_a_customer_carries_the_copy():
    labels = {model._meta.label for model in customer_record_models()}

    assert labels == {
        "customers.Contact",
        "activities.Activity",
        "activities.Task",
        "activities.WorkSummary",
        "opportunities.Opportunity",
        "agreements.Agreement",
        "finance.PaymentPlan",
        "finance.Payment",
        "finance.Invoice",
        "inventory.Shipment",
    }


def test_rows_searched_by_customer_name_carry_it_and_a_rename_rewrites_them(org, records):
    named = {"opportunity", "agreement", "plan", "payment"}
    for name in named:
        records[name].refresh_from_db()
        assert records[name].customer_name == "跟随客户", name

    customer_services.customer_update(
        user=org.sales1, customer=records["customer"], name="北京改名客户"
    )

    for name in named:
        records[name].refresh_from_db()
        assert records[name].customer_name == "北京改名客户", name
    call_command("check_visibility_copies")


def test_the_check_finds_a_name_that_drifted_and_mends_it(org, records, capsys):
    Payment.objects.filter(pk=records["payment"].pk).update(customer_name="旧名")

    with pytest.raises(CommandError):
        call_command("check_visibility_copies")
    assert "finance.Payment: 1 row differ" in capsys.readouterr().out

    call_command("check_visibility_copies", "--fix")

    assert Payment.objects.get(pk=records["payment"].pk).customer_name == "跟随客户"


def test_a_word_common_among_customer_names_is_tested_on_the_rows_own_copy(
    org, records, make_customer, monkeypatch
):
    """Past SEARCH_KEYS matching customers, a payment search tests each payment's copy of
    its customer's name, and still finds exactly the payments of those customers."""
    monkeypatch.setattr(customer_selectors, "SEARCH_KEYS", 0)
    other = make_customer(org.sales1, name="上海客户")

    with CaptureQueriesContext(connection) as queries:
        found = list(finance_selectors.payment_list(org.sales1, search="跟随"))

    assert found == [records["payment"]]
    page_query = queries.captured_queries[-1]["sql"]
    assert "customer_name" in page_query
    assert other.pk not in [payment.customer_id for payment in found]


# No rule reaches past the company -------------------------------------------------------------


def test_another_companys_rows_never_appear_even_through_the_bosss_condition(
    org, other_org, make_customer
):
    ours = make_customer(org.sales1, name="我们的客户")
    theirs = make_customer(other_org.sales1, name="他们的客户")
    customer_services.contact_create(user=org.sales1, customer=ours, name="甲")
    customer_services.contact_create(user=other_org.sales1, customer=theirs, name="乙")

    whole_company = visibility.line_condition(org.boss)
    assert list(Customer.objects.filter(whole_company)) == [ours]
    assert list(Contact.objects.filter(visibility.customer_condition(org.boss))) == [
        ours.contacts.get()
    ]
    assert list(
        Customer.objects.filter(
            visibility.customer_condition(org.boss, owner_field="owner", customer_field="pk")
        )
    ) == [ours]
    # OR-ing two rules keeps both inside the company: no "Q() | X" that drops a rule.
    either = visibility.line_condition(org.boss) | visibility.line_condition(org.sales1)
    assert list(Customer.objects.filter(either)) == [ours]
    # The company is part of the condition itself, not left to the caller.
    assert list(Customer.objects.filter(whole_company | Q(pk__in=[]))) == [ours]
    assert visibility.rule_of(org.boss) == visibility.WHOLE_COMPANY
    assert visibility.rule_of(org.sales1) == visibility.LINE


def test_no_rule_lets_an_inactive_user_or_an_operator_see_anything(org, make_customer):
    from banyan.accounts.models import User

    make_customer(org.sales1)
    operator = User.objects.create_user(username="operator", password="x" * 12)
    org.sales1.is_active = False

    for user in (org.sales1, operator):
        assert not Customer.objects.filter(visibility.line_condition(user)).exists()
        assert not visibility.of_company(user, Customer).exists()
        assert not visibility.on_visible_customers(user, Contact).exists()


# A narrow line read as a union of its parts ---------------------------------------------------


@pytest.fixture
def shared_to_sales2(org, records, make_customer):
    """sales2 (a rep, a line of one) owns a customer with a contact and an activity, and is
    shared sales1's customer with every row hung on it; a third customer is nobody's
    business of theirs."""
    own = make_customer(org.sales2, name="自己的客户")
    customer_services.contact_create(user=org.sales2, customer=own, name="李四")
    activity_services.activity_log(
        user=org.sales2,
        customer=own,
        type=DictionaryOption.objects.get(company=org.company, kind="activity_type", code="call"),
        subject="电话",
    )
    theirs = make_customer(org.sales3, name="别人的客户")
    activity_services.activity_log(
        user=org.sales3,
        customer=theirs,
        type=DictionaryOption.objects.get(company=org.company, kind="activity_type", code="call"),
        subject="别人的电话",
    )
    customer_services.customer_share(
        user=org.sales1, customer=records["customer"], target=org.sales2, level="view"
    )
    return own


def test_a_shared_customers_rows_appear_exactly_once_beside_the_reps_own(
    org, records, shared_to_sales2
):
    own = shared_to_sales2
    contacts = customer_selectors.visible_contacts(org.sales2).order_by("name", "id")
    assert [c.name for c in contacts] == sorted(["李四", "张三"])
    assert contacts.count() == 2
    assert [c.customer_id for c in contacts[:1]] + [c.customer_id for c in contacts[1:]] == [
        c.customer_id for c in contacts
    ]
    activities = activity_selectors.visible_activities(org.sales2)
    assert sorted(a.customer_id for a in activities) == sorted([own.pk, records["customer"].pk])
    assert sorted(
        customer_selectors.visible_customers(org.sales2).values_list("pk", flat=True)
    ) == (sorted([own.pk, records["customer"].pk]))
    assert sees(org.sales2, records) == every(True)
    # the customer is shared *and* (after a transfer) owned: still once
    customer_services.customer_transfer(
        user=org.manager1, customer=records["customer"], owner=org.sales2
    )
    assert customer_selectors.visible_contacts(org.sales2).count() == 2
    assert customer_selectors.visible_customers(org.sales2).count() == 2


def test_a_narrow_lines_list_reads_the_union_of_its_parts(org, records, shared_to_sales2):
    sql = str(customer_selectors.visible_contacts(org.sales2).query)
    assert " UNION ALL " in sql
    # a wider line reads the table, the rule a filter
    assert " UNION ALL " not in str(customer_selectors.visible_contacts(org.manager1).query)


def test_writes_and_locks_through_a_narrow_lines_rows_keep_the_rule(org, records, shared_to_sales2):
    """An update, a delete, a locking read or an OR with another queryset read the plain
    table with the whole condition: never more (nor fewer) rows than the list shows."""
    from django.db import transaction

    visible = activity_selectors.visible_activities(org.sales2)
    mine = set(visible.values_list("pk", flat=True))
    assert len(mine) == 2 and Activity.objects.count() == 3

    assert visible.update(details="改过") == 2
    assert set(Activity.objects.filter(details="改过").values_list("pk", flat=True)) == mine
    assert Activity.objects.exclude(pk__in=mine).get().details == ""
    with transaction.atomic():
        assert set(visible.select_for_update().values_list("pk", flat=True)) == mine
    assert set((visible | Activity.objects.none()).values_list("pk", flat=True)) == mine
    others = Activity.objects.exclude(pk__in=mine)
    assert set((visible | others).values_list("pk", flat=True)) == set(
        Activity.objects.values_list("pk", flat=True)
    )
    assert set(
        Activity.objects.filter(pk__in=visible.values("pk")).values_list("pk", flat=True)
    ) == (mine)
    assert (
        Activity.objects.filter(
            pk__in=activity_selectors.visible_activities(org.sales2).filter(subject="电话")
        ).count()
        == 1
    )

    deleted, _ = activity_selectors.visible_activities(org.sales2).filter(subject="电话").delete()
    assert deleted == 1
    assert Activity.objects.count() == 2
    assert visible.count() == 1
