"""Services of activities, tasks, work summaries and calendar feeds: rules and refusals."""

import datetime

import pytest
from django.utils import timezone

from banyan.accounts import services as account_services
from banyan.activities import services
from banyan.activities.models import Activity, CalendarFeed, Task, WorkSummary
from banyan.activities.tests.conftest import activity_type, local
from banyan.core.errors import NotFound, PermissionRefused, ReadOnlyCompany, ValidationFailed
from banyan.customers.models import Customer


def last_contacted(customer):
    return Customer.objects.get(pk=customer.pk).last_contacted_at


def task_row(task):
    task = Task.objects.get(pk=task.pk)
    return (task.subject, task.due_at, task.remind_at, task.assignee_id, task.done_at)


def activity_row(activity):
    activity = Activity.objects.get(pk=activity.pk)
    return (activity.subject, activity.type_id, activity.occurred_at, activity.contact_id)


# Activities --------------------------------------------------------------------------------


def test_logging_an_activity_records_it_and_moves_last_contacted(org, customer, contact, call_type):
    at = local(2025, 3, 4, 10, 30)

    activity = services.activity_log(
        user=org.sales1,
        customer=customer,
        type=call_type,
        subject=" 谈了报价  ",
        details="客户要求九折",
        occurred_at=at,
        contact=contact,
    )

    activity.refresh_from_db()
    assert (activity.company_id, activity.customer_id, activity.owner_id) == (
        org.company.pk,
        customer.pk,
        org.sales1.pk,
    )
    assert (activity.subject, activity.details, activity.contact_id) == (
        "谈了报价",
        "客户要求九折",
        contact.pk,
    )
    assert activity.occurred_at == at
    assert last_contacted(customer) == at
    assert activity.history.count() == 1


def test_last_contacted_only_moves_forward(org, customer, call_type):
    later = local(2025, 3, 4, 10, 0)
    earlier = local(2025, 2, 1, 9, 0)
    services.activity_log(
        user=org.sales1, customer=customer, type=call_type, subject="a", occurred_at=later
    )

    earlier_activity = services.activity_log(
        user=org.sales1, customer=customer, type=call_type, subject="b", occurred_at=earlier
    )

    assert last_contacted(customer) == later
    latest = local(2025, 3, 5, 8, 0)
    services.activity_update(user=org.sales1, activity=earlier_activity, occurred_at=latest)
    assert last_contacted(customer) == latest
    services.activity_delete(user=org.sales1, activity=earlier_activity)
    assert last_contacted(customer) == latest


def test_an_activity_without_a_time_happened_now(org, customer, call_type):
    before = timezone.now()

    activity = services.activity_log(
        user=org.sales1, customer=customer, type=call_type, subject="a"
    )

    assert before <= activity.occurred_at <= timezone.now()
    assert last_contacted(customer) == activity.occurred_at


def test_a_contact_of_another_customer_is_refused(org, make_customer, customer, call_type):
    other = make_customer(org.sales1, name="上海明珠", contacts=[{"name": "李四"}])

    with pytest.raises(ValidationFailed) as refused:
        services.activity_log(
            user=org.sales1,
            customer=customer,
            type=call_type,
            subject="a",
            contact=other.contacts.get(),
        )

    assert refused.value.as_dict() == {"contact": ["Choose a contact of this customer."]}
    assert Activity.objects.count() == 0
    assert last_contacted(customer) is None


def test_bad_activity_input_names_every_field(org, other_org, customer):
    with pytest.raises(ValidationFailed) as refused:
        services.activity_log(
            user=org.sales1,
            customer=customer,
            type=activity_type(other_org.company),
            subject="  ",
            occurred_at=timezone.now() + datetime.timedelta(days=1),
        )

    assert refused.value.as_dict() == {
        "type": ["Choose an activity type from the list."],
        "subject": ["Write the key points of the activity."],
        "occurred_at": [
            "An activity is something that happened: its time cannot be in the future."
        ],
    }
    assert Activity.objects.count() == 0


def test_an_option_of_another_list_or_too_long_key_points_are_refused(org, customer):
    from banyan.accounts.models import DictionaryOption

    industry = DictionaryOption.objects.filter(company=org.company, kind="industry").first()

    with pytest.raises(ValidationFailed) as refused:
        services.activity_log(user=org.sales1, customer=customer, type=industry, subject="长" * 201)

    assert refused.value.as_dict() == {
        "type": ["Choose an activity type from the list."],
        "subject": ["At most 200 characters."],
    }


def test_an_inactive_activity_type_is_refused_for_new_activities_but_kept_on_old_ones(
    org, customer, call_type, visit_type
):
    activity = services.activity_log(
        user=org.sales1, customer=customer, type=call_type, subject="a"
    )
    account_services.dictionary_option_update(actor=org.boss, option=call_type, is_active=False)

    with pytest.raises(ValidationFailed) as refused:
        services.activity_log(user=org.sales1, customer=customer, type=call_type, subject="b")
    services.activity_update(user=org.sales1, activity=activity, type=call_type, subject="a2")

    assert refused.value.as_dict() == {
        "type": ["Phone call is no longer in use: choose another option."]
    }
    assert activity_row(activity)[:2] == ("a2", call_type.pk)


@pytest.mark.parametrize("writer", ["sales1", "manager1", "director1", "boss", "assistant"])
def test_the_owner_line_and_edit_share_may_log(org, customer, call_type, writer):
    activity = services.activity_log(
        user=getattr(org, writer), customer=customer, type=call_type, subject="a"
    )

    assert activity.owner == getattr(org, writer)


def test_a_view_share_may_not_log_and_a_stranger_finds_nothing(org, other_org, customer, call_type):
    with pytest.raises(PermissionRefused):
        services.activity_log(user=org.sales4, customer=customer, type=call_type, subject="a")
    for stranger in (org.sales2, org.manager2, other_org.sales1):
        with pytest.raises(NotFound):
            services.activity_log(user=stranger, customer=customer, type=call_type, subject="a")

    assert Activity.objects.count() == 0
    assert last_contacted(customer) is None


def test_an_edit_share_logs_but_changes_only_its_own_activities(org, customer, call_type):
    owners = services.activity_log(user=org.sales1, customer=customer, type=call_type, subject="a")
    own = services.activity_log(user=org.sales_boss, customer=customer, type=call_type, subject="b")

    with pytest.raises(PermissionRefused) as refused:
        services.activity_update(user=org.sales_boss, activity=owners, subject="changed")
    services.activity_update(user=org.sales_boss, activity=own, subject="b2")

    assert str(refused.value.message) == (
        "Only the person who logged an activity and the people above them can change it."
    )
    assert activity_row(owners)[0] == "a"
    assert activity_row(own)[0] == "b2"


def test_a_peer_may_not_change_or_delete_an_activity(org, customer, call_type):
    activity = services.activity_log(
        user=org.sales1, customer=customer, type=call_type, subject="a"
    )
    before = activity_row(activity)

    with pytest.raises(NotFound):
        services.activity_update(user=org.sales2, activity=activity, subject="x")
    with pytest.raises(NotFound):
        services.activity_delete(user=org.sales2, activity=activity)
    with pytest.raises(PermissionRefused):
        services.activity_delete(user=org.sales4, activity=activity)

    assert activity_row(activity) == before


def test_the_customer_of_an_activity_stays(org, make_customer, customer, call_type):
    activity = services.activity_log(
        user=org.sales1, customer=customer, type=call_type, subject="a"
    )
    other = make_customer(org.sales1, name="其他")

    with pytest.raises(ValidationFailed) as refused:
        services.activity_update(user=org.sales1, activity=activity, customer=other)

    assert refused.value.as_dict() == {
        "customer": ["The customer of an activity cannot be changed."]
    }
    assert Activity.objects.get(pk=activity.pk).customer_id == customer.pk


def test_an_expired_trial_cannot_log(org, customer, call_type):
    from banyan.accounts.models import Company

    Company.objects.filter(pk=org.company.pk).update(
        plan=Company.Plan.TRIAL, trial_ends_on=datetime.date(2020, 1, 31)
    )
    org.sales1.company.refresh_from_db()

    with pytest.raises(ReadOnlyCompany):
        services.activity_log(user=org.sales1, customer=customer, type=call_type, subject="a")

    assert Activity.objects.count() == 0


# Log with follow-up ------------------------------------------------------------------------


def test_log_with_follow_up_creates_both(org, customer, call_type):
    due = local(2031, 5, 6, 9, 0)
    remind = local(2031, 5, 6, 8, 30)

    activity, task = services.activity_log_with_follow_up(
        user=org.sales1,
        customer=customer,
        type=call_type,
        subject="首次电话",
        next_subject="发报价单",
        next_due_at=due,
        remind_at=remind,
        remind_by_sms=True,
    )

    task.refresh_from_db()
    assert activity.customer_id == task.customer_id == customer.pk
    assert (task.subject, task.due_at, task.remind_at) == ("发报价单", due, remind)
    assert (task.remind_by_sms, task.remind_by_email) == (True, False)
    assert task.assignee_id == task.created_by_id == org.sales1.pk
    assert task.done_at is None


def test_log_with_follow_up_without_a_next_step_logs_only(org, customer, call_type):
    _activity, task = services.activity_log_with_follow_up(
        user=org.sales1, customer=customer, type=call_type, subject="a"
    )

    assert task is None
    assert Activity.objects.count() == 1 and Task.objects.count() == 0


def test_log_with_a_bad_follow_up_writes_nothing_and_names_the_form_fields(org, customer):
    with pytest.raises(ValidationFailed) as refused:
        services.activity_log_with_follow_up(
            user=org.sales1,
            customer=customer,
            type=None,
            subject="a",
            next_subject="",
            next_due_at=local(2031, 5, 6, 9, 0),
            remind_at=local(2031, 5, 6, 10, 0),
            next_assignee=org.sales2,
        )

    assert refused.value.as_dict() == {
        "type": ["Choose the type of the activity."],
        "next_subject": ["Write what is to be done."],
        "next_assignee": ["You can assign tasks only to yourself or to the people below you."],
        "remind_at": ["The reminder must come before the due time, or at it."],
    }
    assert Activity.objects.count() == 0 and Task.objects.count() == 0
    assert last_contacted(customer) is None


# Tasks -------------------------------------------------------------------------------------


def test_a_task_for_oneself_without_a_customer(org):
    due = local(2031, 1, 2, 15, 0)

    task = services.task_create(user=org.sales1, subject="写周报", due_at=due)

    task.refresh_from_db()
    assert (task.customer_id, task.assignee_id, task.created_by_id, task.due_at) == (
        None,
        org.sales1.pk,
        org.sales1.pk,
        due,
    )
    assert not task.is_done


def test_a_manager_assigns_to_people_below_but_not_to_peers_or_superiors(org):
    due = local(2031, 1, 2, 15, 0)

    task = services.task_create(user=org.manager1, subject="a", due_at=due, assignee=org.sales2)
    for refused_assignee in (org.manager2, org.director1, org.sales3):
        with pytest.raises(ValidationFailed) as refused:
            services.task_create(
                user=org.manager1, subject="b", due_at=due, assignee=refused_assignee
            )
        assert refused.value.as_dict() == {
            "assignee": ["You can assign tasks only to yourself or to the people below you."]
        }

    assert task.assignee_id == org.sales2.pk
    assert list(Task.objects.values_list("subject", flat=True)) == ["a"]


def test_a_rep_cannot_assign_to_a_peer_or_another_company(org, other_org):
    due = local(2031, 1, 2, 15, 0)
    for assignee in (org.sales2, other_org.sales1):
        with pytest.raises(ValidationFailed) as refused:
            services.task_create(user=org.sales1, subject="a", due_at=due, assignee=assignee)
        assert list(refused.value.as_dict()) == ["assignee"]

    assert Task.objects.count() == 0


def test_a_deactivated_user_cannot_be_assigned(org):
    account_services.user_deactivate(actor=org.boss, user=org.sales2, hand_over_to=org.sales1)

    with pytest.raises(ValidationFailed) as refused:
        services.task_create(
            user=org.manager1, subject="a", due_at=local(2031, 1, 2, 15, 0), assignee=org.sales2
        )

    assert list(refused.value.as_dict()) == ["assignee"]


def test_task_input_is_checked(org):
    with pytest.raises(ValidationFailed) as refused:
        services.task_create(
            user=org.sales1, subject="", due_at=None, remind_at=local(2031, 1, 2, 15, 0)
        )
    assert refused.value.as_dict() == {
        "subject": ["Write what is to be done."],
        "due_at": ["Enter when it is due."],
    }
    with pytest.raises(ValidationFailed) as refused:
        services.task_create(
            user=org.sales1, subject="a", due_at=local(2031, 1, 2, 15, 0), remind_by_email=True
        )
    assert refused.value.as_dict() == {
        "remind_at": ["Set when to remind, or turn off the SMS and e-mail reminder."]
    }
    assert Task.objects.count() == 0


def test_a_reminder_at_the_due_time_is_fine_after_it_is_not(org):
    due = local(2031, 1, 2, 15, 0)
    task = services.task_create(user=org.sales1, subject="a", due_at=due, remind_at=due)

    with pytest.raises(ValidationFailed) as refused:
        services.task_update(
            user=org.sales1, task=task, remind_at=due + datetime.timedelta(minutes=1)
        )

    assert refused.value.as_dict() == {
        "remind_at": ["The reminder must come before the due time, or at it."]
    }
    assert task_row(task)[2] == due


def test_a_task_on_a_customer_needs_edit_rights(org, other_org, customer):
    due = local(2031, 1, 2, 15, 0)

    with pytest.raises(PermissionRefused):
        services.task_create(user=org.sales4, subject="a", due_at=due, customer=customer)
    with pytest.raises(NotFound):
        services.task_create(user=org.sales2, subject="a", due_at=due, customer=customer)
    with pytest.raises(NotFound):
        services.task_create(user=other_org.sales1, subject="a", due_at=due, customer=customer)
    task = services.task_create(user=org.sales_boss, subject="a", due_at=due, customer=customer)

    assert list(Task.objects.values_list("pk", flat=True)) == [task.pk]


def test_the_assignee_of_a_customer_task_must_see_the_customer(org, customer):
    due = local(2031, 1, 2, 15, 0)

    task = services.task_create(
        user=org.manager1, subject="a", due_at=due, customer=customer, assignee=org.sales1
    )
    with pytest.raises(ValidationFailed) as refused:
        services.task_create(
            user=org.manager1, subject="b", due_at=due, customer=customer, assignee=org.sales2
        )

    assert task.assignee_id == org.sales1.pk
    assert refused.value.as_dict() == {
        "assignee": ["sales2 cannot see this customer: share it with them first."]
    }


@pytest.mark.parametrize("who", ["sales1", "manager1", "director1", "boss", "assistant"])
def test_done_and_undone_by_assignee_creator_or_above(org, who):
    """sales1 is the assignee, manager1 the creator; director1, boss and the assistant of
    manager1 are above the assignee."""
    user = getattr(org, who)
    task = services.task_create(
        user=org.manager1, subject="a", due_at=local(2031, 1, 2, 15, 0), assignee=org.sales1
    )

    done = services.task_set_done(user=user, task=task)
    first_done_at = task_row(task)[4]
    again = services.task_set_done(user=user, task=task, is_done=True)
    reopened = services.task_set_done(user=user, task=task, is_done=False)

    assert first_done_at is not None and done.is_done
    assert again.done_at == first_done_at
    assert reopened.done_at is None and task_row(task)[4] is None


@pytest.mark.parametrize("who", ["sales2", "manager2", "sales_d1"])
def test_others_cannot_mark_a_personal_task(org, who):
    task = services.task_create(
        user=org.manager1, subject="a", due_at=local(2031, 1, 2, 15, 0), assignee=org.sales1
    )

    with pytest.raises(NotFound):
        services.task_set_done(user=getattr(org, who), task=task)

    assert task_row(task)[4] is None


def test_a_peer_or_a_view_share_cannot_mark_a_task_done(org, customer):
    task = services.task_create(
        user=org.sales1, subject="a", due_at=local(2031, 1, 2, 15, 0), customer=customer
    )

    with pytest.raises(NotFound):
        services.task_set_done(user=org.sales2, task=task)
    with pytest.raises(PermissionRefused):
        services.task_set_done(user=org.sales4, task=task)
    with pytest.raises(PermissionRefused):
        services.task_set_done(user=org.sales_boss, task=task)

    assert task_row(task)[4] is None


def test_the_creator_marks_done_a_task_they_gave_away(org, customer):
    task = services.task_create(
        user=org.sales_boss,
        subject="a",
        due_at=local(2031, 1, 2, 15, 0),
        customer=customer,
    )
    services.task_update(user=org.sales_boss, task=task, subject="b")

    services.task_set_done(user=org.sales_boss, task=task)

    assert task_row(task)[0] == "b" and task_row(task)[4] is not None


def test_reassigning_follows_the_assignee_rules(org):
    task = services.task_create(
        user=org.manager1, subject="a", due_at=local(2031, 1, 2, 15, 0), assignee=org.sales1
    )

    services.task_update(user=org.manager1, task=task, assignee=org.sales2)
    with pytest.raises(ValidationFailed):
        services.task_update(user=org.sales2, task=task, assignee=org.sales1)

    assert task_row(task)[3] == org.sales2.pk


def test_deleting_a_task(org):
    task = services.task_create(
        user=org.manager1, subject="a", due_at=local(2031, 1, 2, 15, 0), assignee=org.sales1
    )

    with pytest.raises(NotFound):
        services.task_delete(user=org.sales2, task=task)
    services.task_delete(user=org.sales1, task=task)

    assert Task.objects.count() == 0


# Work summaries ----------------------------------------------------------------------------


def test_work_summary_create_and_delete(org, customer):
    summary = services.work_summary_create(
        user=org.sales1,
        customer=customer,
        kind="help_request",
        content="需要技术支持",
        addressed_to=org.director2,
    )

    summary.refresh_from_db()
    assert (summary.kind, summary.content, summary.addressed_to_id, summary.author_id) == (
        "help_request",
        "需要技术支持",
        org.director2.pk,
        org.sales1.pk,
    )
    with pytest.raises(PermissionRefused):
        services.work_summary_delete(user=org.sales4, summary=summary)
    with pytest.raises(PermissionRefused):
        services.work_summary_delete(user=org.sales_boss, summary=summary)
    with pytest.raises(NotFound):
        services.work_summary_delete(user=org.sales2, summary=summary)
    assert WorkSummary.objects.count() == 1
    services.work_summary_delete(user=org.manager1, summary=summary)
    assert WorkSummary.objects.count() == 0


def test_work_summary_input_is_checked(org, other_org, customer):
    with pytest.raises(ValidationFailed) as refused:
        services.work_summary_create(
            user=org.sales1, customer=customer, kind="x", content=" ", addressed_to=other_org.boss
        )

    assert refused.value.as_dict() == {
        "kind": ["Choose evaluation or request for help."],
        "content": ["Write the summary."],
        "addressed_to": ["Choose an active user of your company."],
    }
    assert WorkSummary.objects.count() == 0


def test_a_view_share_cannot_write_a_summary(org, customer):
    with pytest.raises(PermissionRefused):
        services.work_summary_create(
            user=org.sales4, customer=customer, kind="evaluation", content="a"
        )

    assert WorkSummary.objects.count() == 0


# Calendar feed -----------------------------------------------------------------------------


def test_calendar_feed_is_made_once_and_regenerated_with_a_new_token(org):
    feed = services.calendar_feed_get_or_create(user=org.sales1)
    same = services.calendar_feed_get_or_create(user=org.sales1)

    regenerated = services.calendar_feed_regenerate(user=org.sales1)

    assert feed.pk == same.pk and feed.token == same.token
    assert len(feed.token) == 43
    assert regenerated.pk == feed.pk and regenerated.token != feed.token
    assert CalendarFeed.objects.get().token == regenerated.token
    assert CalendarFeed.objects.get().company_id == org.company.pk


def test_open_tasks_follow_a_customer_transfer_and_a_leaving_rep(org, make_customer):
    import datetime

    from django.utils import timezone

    from banyan.accounts import services as account_services
    from banyan.activities import services as activity_services
    from banyan.customers import services as customer_services

    due = timezone.now() + datetime.timedelta(days=1)
    customer = make_customer(org.sales1)
    open_task = activity_services.task_create(
        user=org.sales1, subject="回访", due_at=due, customer=customer
    )
    done_task = activity_services.task_create(
        user=org.sales1, subject="报价", due_at=due, customer=customer
    )
    activity_services.task_set_done(user=org.sales1, task=done_task, is_done=True)
    customer_services.customer_transfer(user=org.manager1, customer=customer, owner=org.sales2)
    open_task.refresh_from_db()
    done_task.refresh_from_db()
    assert open_task.assignee == org.sales2
    assert done_task.assignee == org.sales1

    own_task = activity_services.task_create(user=org.sales3, subject="整理名片", due_at=due)
    account_services.user_deactivate(actor=org.boss, user=org.sales3, hand_over_to=org.sales2)
    own_task.refresh_from_db()
    assert own_task.assignee == org.sales2


@pytest.fixture
def task_of_a_view_share(org, customer):
    """On a customer sales4 sees through a view-only share, given to sales4 by the boss: they
    may mark it done, not change it."""
    return services.task_create(
        user=org.boss,
        subject="a",
        due_at=local(2031, 1, 2, 15, 0),
        customer=customer,
        assignee=org.sales4,
    )


def test_marking_needs_the_right_to_mark_any_other_change_the_right_to_change(
    org, task_of_a_view_share
):
    task = task_of_a_view_share

    services.ensure_can_write_task(org.sales4, task, fields={"is_done": True})
    with pytest.raises(PermissionRefused):
        services.ensure_can_write_task(org.sales4, task, fields={"is_done": True, "subject": "b"})
    with pytest.raises(PermissionRefused):
        services.ensure_can_write_task(org.sales4, task, fields={}, deleting=True)
    services.ensure_can_write_task(org.boss, task, fields={"subject": "b"}, deleting=True)


def test_one_change_of_a_task_is_all_or_nothing(org, task_of_a_view_share):
    task = task_of_a_view_share

    with pytest.raises(PermissionRefused):
        services.task_change(user=org.sales4, task=task, subject="b", is_done=True)
    assert task_row(task)[0] == "a" and task_row(task)[4] is None

    services.task_change(user=org.sales4, task=task, is_done=True)
    assert task_row(task)[4] is not None
    services.task_change(user=org.boss, task=task, subject="b", is_done=False)
    assert task_row(task)[0] == "b" and task_row(task)[4] is None
