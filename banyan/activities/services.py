"""Writes on activities, tasks, work summaries and calendar feeds.

Every function takes the acting user and enforces their rights: writing on a customer
needs edit rights on it; an activity or a summary is changed by its author's line; a task
by its assignee, its creator or the people above the assignee.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from banyan.accounts.guards import ensure_can_write
from banyan.accounts.models import DictionaryOption, User
from banyan.accounts.selectors import assignable_users
from banyan.activities import selectors
from banyan.activities.models import Activity, CalendarFeed, Task, WorkSummary, new_feed_token
from banyan.activities.reminders import schedule_task_reminder, withdraw_task_reminders
from banyan.core.errors import PermissionRefused, ValidationFailed
from banyan.core.fetch import get_or_none
from banyan.core.text import squash_spaces
from banyan.core.values import day_in_range, day_range_message
from banyan.customers.models import Contact, Customer
from banyan.customers.selectors import get_customer_for, visible_customers
from banyan.customers.services import customer_contacted, save_as

SUBJECT_MAX_LENGTH = 200
# An activity is something that happened; a little slack absorbs clocks that run ahead.
FUTURE_SLACK = datetime.timedelta(minutes=5)

Errors = dict[str, list[str]]


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _customer_for_edit(user: User, customer: Customer | int) -> Customer:
    pk = customer.pk if isinstance(customer, Customer) else customer
    return get_customer_for(user, pk, for_edit=True)


def _subject(value, errors: Errors, *, field: str = "subject", message: str) -> str:
    subject = squash_spaces(value)
    if not subject:
        _add(errors, field, message)
    elif len(subject) > SUBJECT_MAX_LENGTH:
        _add(errors, field, _("At most 200 characters."))
    return subject


def _datetime(value, errors: Errors, *, field: str, required: bool, message: str = ""):
    if value in (None, ""):
        if required:
            _add(errors, field, message)
        return None
    if not isinstance(value, datetime.datetime):
        _add(errors, field, _("Enter a valid date and time."))
        return None
    if not day_in_range(value):
        _add(errors, field, day_range_message())
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


# --- activities ---------------------------------------------------------------------------


def _activity_type(user: User, value, errors: Errors, *, current_id=None):
    if value in (None, ""):
        _add(errors, "type", _("Choose the type of the activity."))
        return None
    option = get_or_none(
        DictionaryOption.objects.filter(company_id=user.company_id, kind="activity_type"), value
    )
    if option is None:
        _add(errors, "type", _("Choose an activity type from the list."))
        return None
    if not option.is_active and option.pk != current_id:
        _add(
            errors,
            "type",
            _("%(label)s is no longer in use: choose another option.")
            % {"label": option.display_label},
        )
        return None
    return option


def _contact(customer: Customer, value, errors: Errors):
    if value in (None, ""):
        return None
    contact = get_or_none(Contact.objects.filter(customer_id=customer.pk), value)
    if contact is None:
        _add(errors, "contact", _("Choose a contact of this customer."))
    return contact


def _clean_activity(user: User, customer: Customer, data: dict, errors: Errors, current=None):
    cleaned = {}
    if "type" in data:
        cleaned["type"] = _activity_type(
            user, data["type"], errors, current_id=current.type_id if current else None
        )
    if "subject" in data:
        cleaned["subject"] = _subject(
            data["subject"], errors, message=_("Write the key points of the activity.")
        )
    if "details" in data:
        cleaned["details"] = (data["details"] or "").strip()
    if "occurred_at" in data:
        occurred_at = _datetime(data["occurred_at"], errors, field="occurred_at", required=False)
        occurred_at = occurred_at or (current.occurred_at if current else timezone.now())
        if occurred_at > timezone.now() + FUTURE_SLACK:
            _add(
                errors,
                "occurred_at",
                _("An activity is something that happened: its time cannot be in the future."),
            )
        cleaned["occurred_at"] = occurred_at
    if "contact" in data:
        cleaned["contact"] = _contact(customer, data["contact"], errors)
    return cleaned


@transaction.atomic
def activity_log(
    *,
    user: User,
    customer: Customer | int,
    type: DictionaryOption | int | None,
    subject: str,
    details: str = "",
    occurred_at: datetime.datetime | None = None,
    contact: Contact | int | None = None,
) -> Activity:
    """Record a contact with a customer the user may edit, done by the user; the customer's
    "last contacted" moves forward to its time (never back)."""
    activity, _task = _log(
        user=user,
        customer=customer,
        activity_data={
            "type": type,
            "subject": subject,
            "details": details,
            "occurred_at": occurred_at,
            "contact": contact,
        },
        task_data=None,
    )
    return activity


# The follow-up fields of the combined form, and the task fields they fill.
FOLLOW_UP_FIELDS = {
    "next_subject": "subject",
    "next_details": "details",
    "next_due_at": "due_at",
    "remind_at": "remind_at",
    "remind_by_sms": "remind_by_sms",
    "remind_by_email": "remind_by_email",
    "next_assignee": "assignee",
}


@transaction.atomic
def activity_log_with_follow_up(
    *,
    user: User,
    customer: Customer | int,
    type: DictionaryOption | int | None,
    subject: str,
    details: str = "",
    occurred_at: datetime.datetime | None = None,
    contact: Contact | int | None = None,
    next_subject: str = "",
    next_details: str = "",
    next_due_at: datetime.datetime | None = None,
    remind_at: datetime.datetime | None = None,
    remind_by_sms: bool = False,
    remind_by_email: bool = False,
    next_assignee: User | int | None = None,
) -> tuple[Activity, Task | None]:
    """Log an activity and schedule the next follow-up on the same customer, all or nothing.

    The follow-up is optional: with neither `next_subject` nor `next_due_at`, only the
    activity is logged. Errors name the form's fields (`next_subject`, `next_due_at`…).
    """
    wants_follow_up = bool(squash_spaces(next_subject) or next_due_at)
    task_data = None
    if wants_follow_up:
        task_data = {
            "subject": next_subject,
            "details": next_details,
            "due_at": next_due_at,
            "remind_at": remind_at,
            "remind_by_sms": remind_by_sms,
            "remind_by_email": remind_by_email,
            "assignee": next_assignee,
        }
    return _log(
        user=user,
        customer=customer,
        activity_data={
            "type": type,
            "subject": subject,
            "details": details,
            "occurred_at": occurred_at,
            "contact": contact,
        },
        task_data=task_data,
    )


def _log(*, user, customer, activity_data: dict, task_data: dict | None):
    ensure_can_write(user)
    customer = _customer_for_edit(user, customer)
    errors: Errors = {}
    data = _clean_activity(user, customer, activity_data, errors)
    task_fields = None
    if task_data is not None:
        task_errors: Errors = {}
        task_fields = _clean_task(user, customer, task_data, task_errors, current=None)
        to_form = {task: form for form, task in FOLLOW_UP_FIELDS.items()}
        for field, messages in task_errors.items():
            errors.setdefault(to_form.get(field, field), []).extend(messages)
    if errors:
        raise ValidationFailed(errors)
    activity = Activity(company_id=user.company_id, customer=customer, owner=user, **data)
    save_as(activity, user)
    customer_contacted(customer=customer, at=activity.occurred_at)
    task = None
    if task_fields is not None:
        task = Task.objects.create(
            company_id=user.company_id, customer=customer, created_by=user, **task_fields
        )
        schedule_task_reminder(task)
    return activity, task


def ensure_can_change_activity(user: User, activity: Activity) -> None:
    """PermissionRefused unless the user may change or delete this (visible) activity."""
    if selectors.can_change_activity(user, activity):
        return
    get_customer_for(user, activity.customer_id, for_edit=True)
    raise PermissionRefused(
        _("Only the person who logged an activity and the people above them can change it.")
    )


def _lock_activity(user: User, activity: Activity) -> Activity:
    activity = selectors.get_activity_for(user, activity.pk)
    ensure_can_change_activity(user, activity)
    return (
        Activity.objects.select_for_update(of=("self",))
        .select_related("customer", "owner")
        .get(pk=activity.pk)
    )


@transaction.atomic
def activity_update(*, user: User, activity: Activity, **fields) -> Activity:
    """Change an activity (its owner's line, with edit rights on the customer). The customer
    and the owner stay; a later time moves "last contacted" forward."""
    ensure_can_write(user)
    activity = _lock_activity(user, activity)
    if "customer" in fields:
        customer = fields.pop("customer")
        customer_id = customer.pk if isinstance(customer, Customer) else customer
        if customer_id is not None and str(customer_id) != str(activity.customer_id):
            raise ValidationFailed(
                {"customer": [_("The customer of an activity cannot be changed.")]}
            )
    unknown = set(fields) - {"type", "subject", "details", "occurred_at", "contact"}
    if unknown:
        raise ValidationFailed({"detail": [_("Unknown fields: %s") % ", ".join(sorted(unknown))]})
    errors: Errors = {}
    data = _clean_activity(user, activity.customer, fields, errors, current=activity)
    if errors:
        raise ValidationFailed(errors)
    for field, value in data.items():
        setattr(activity, field, value)
    save_as(activity, user)
    customer_contacted(customer=activity.customer, at=activity.occurred_at)
    return activity


@transaction.atomic
def activity_delete(*, user: User, activity: Activity) -> None:
    """Delete an activity (its owner's line). "Last contacted" stays where it is."""
    ensure_can_write(user)
    activity = _lock_activity(user, activity)
    activity._history_user = user
    activity.delete()


# --- tasks --------------------------------------------------------------------------------


def _assignee(user: User, customer: Customer | None, value, errors: Errors) -> User | None:
    if value in (None, ""):
        return user
    assignee = get_or_none(assignable_users(user), value)
    if assignee is None:
        _add(
            errors,
            "assignee",
            _("You can assign tasks only to yourself or to the people below you."),
        )
        return None
    if (
        customer is not None
        and assignee.pk != user.pk
        and not visible_customers(assignee).filter(pk=customer.pk).exists()
    ):
        _add(
            errors,
            "assignee",
            _("%(name)s cannot see this customer: share it with them first.")
            % {"name": assignee.display_name},
        )
        return None
    return assignee


def _clean_task(user: User, customer: Customer | None, data: dict, errors: Errors, current):
    cleaned = {}
    if "subject" in data:
        cleaned["subject"] = _subject(
            data["subject"], errors, message=_("Write what is to be done.")
        )
    if "details" in data:
        cleaned["details"] = (data["details"] or "").strip()
    if "due_at" in data:
        cleaned["due_at"] = _datetime(
            data["due_at"],
            errors,
            field="due_at",
            required=True,
            message=_("Enter when it is due."),
        )
    if "remind_at" in data:
        cleaned["remind_at"] = _datetime(
            data["remind_at"], errors, field="remind_at", required=False
        )
    for flag in ("remind_by_sms", "remind_by_email"):
        if flag in data:
            cleaned[flag] = bool(data[flag])
    if "assignee" in data:
        current_assignee_id = current.assignee_id if current else None
        value = data["assignee"]
        value_id = value.pk if isinstance(value, User) else value
        if current is not None and str(value_id) == str(current_assignee_id):
            cleaned["assignee"] = current.assignee
        else:
            assignee = _assignee(user, customer, value, errors)
            if assignee is not None:
                cleaned["assignee"] = assignee

    due_at = cleaned.get("due_at", current.due_at if current else None)
    remind_at = cleaned.get("remind_at", current.remind_at if current else None)
    if due_at and remind_at and remind_at > due_at:
        _add(errors, "remind_at", _("The reminder must come before the due time, or at it."))
    sms = cleaned.get("remind_by_sms", current.remind_by_sms if current else False)
    email = cleaned.get("remind_by_email", current.remind_by_email if current else False)
    if (sms or email) and not remind_at and "remind_at" not in errors:
        _add(errors, "remind_at", _("Set when to remind, or turn off the SMS and e-mail reminder."))
    return cleaned


TASK_FIELDS = {
    "subject",
    "details",
    "due_at",
    "remind_at",
    "remind_by_sms",
    "remind_by_email",
    "assignee",
}


@transaction.atomic
def task_create(
    *,
    user: User,
    subject: str,
    due_at: datetime.datetime | None,
    customer: Customer | int | None = None,
    details: str = "",
    remind_at: datetime.datetime | None = None,
    remind_by_sms: bool = False,
    remind_by_email: bool = False,
    assignee: User | int | None = None,
    is_done: bool = False,
) -> Task:
    """A task for the user or someone they may assign to (people below them). On a customer,
    it needs edit rights on the customer, and the assignee must be able to see it. With
    `is_done`, it is recorded as done at once (`task_set_done`'s rules)."""
    ensure_can_write(user)
    customer = _customer_for_edit(user, customer) if customer not in (None, "") else None
    errors: Errors = {}
    data = _clean_task(
        user,
        customer,
        {
            "subject": subject,
            "details": details,
            "due_at": due_at,
            "remind_at": remind_at,
            "remind_by_sms": remind_by_sms,
            "remind_by_email": remind_by_email,
            "assignee": assignee,
        },
        errors,
        current=None,
    )
    if errors:
        raise ValidationFailed(errors)
    task = Task.objects.create(
        company_id=user.company_id, customer=customer, created_by=user, **data
    )
    schedule_task_reminder(task)
    if is_done:
        task = task_set_done(user=user, task=task, is_done=True)
    return task


def ensure_can_mark_task(user: User, task: Task) -> None:
    """PermissionRefused unless the user may mark this (visible) task done or open."""
    if not selectors.can_mark_task(user, task):
        raise PermissionRefused(
            _("Only the assignee, the creator and the people above the assignee can do this.")
        )


def ensure_can_change_task(user: User, task: Task) -> None:
    """PermissionRefused unless the user may edit or delete this (visible) task."""
    ensure_can_mark_task(user, task)
    if not selectors.can_change_task(user, task):
        # A customer shared to view only: the same answer the customer itself gives.
        get_customer_for(user, task.customer_id, for_edit=True)
        raise PermissionRefused(_("This customer is shared with you to view only."))


def ensure_can_write_task(user: User, task: Task, *, fields, deleting: bool = False) -> None:
    """The check before a change of a visible task that gives `fields`: marking it done or
    open (`is_done` alone) needs the right to mark it; any other change, or deleting it, the
    right to change it (PermissionRefused, with the reason, otherwise)."""
    if not deleting and set(fields) <= {"is_done"}:
        ensure_can_mark_task(user, task)
    else:
        ensure_can_change_task(user, task)


def _lock_task(user: User, task: Task, *, for_change: bool) -> Task:
    task = selectors.get_task_for(user, task.pk)
    if for_change:
        ensure_can_change_task(user, task)
    else:
        ensure_can_mark_task(user, task)
    return (
        Task.objects.select_for_update(of=("self",))
        .select_related("customer", "assignee")
        .get(pk=task.pk)
    )


@transaction.atomic
def task_update(*, user: User, task: Task, **fields) -> Task:
    """Change a task (assignee, creator or above the assignee; edit rights on its customer).
    The customer stays."""
    ensure_can_write(user)
    task = _lock_task(user, task, for_change=True)
    if "customer" in fields:
        customer = fields.pop("customer")
        customer_id = customer.pk if isinstance(customer, Customer) else customer
        if str(customer_id or "") != str(task.customer_id or ""):
            raise ValidationFailed({"customer": [_("The customer of a task cannot be changed.")]})
    unknown = set(fields) - TASK_FIELDS
    if unknown:
        raise ValidationFailed({"detail": [_("Unknown fields: %s") % ", ".join(sorted(unknown))]})
    errors: Errors = {}
    data = _clean_task(user, task.customer, fields, errors, current=task)
    if errors:
        raise ValidationFailed(errors)
    for field, value in data.items():
        setattr(task, field, value)
    task.save()
    schedule_task_reminder(task)
    return task


@transaction.atomic
def task_change(*, user: User, task: Task, is_done: bool | None = None, **fields) -> Task:
    """One change of a task, all or nothing: its fields (`task_update`, for those who may
    change it), then done or open (`task_set_done`, for those who may mark it)."""
    if fields:
        task = task_update(user=user, task=task, **fields)
    if is_done is not None:
        task = task_set_done(user=user, task=task, is_done=is_done)
    return task


@transaction.atomic
def task_set_done(*, user: User, task: Task, is_done: bool = True) -> Task:
    """Mark a task done (now) or open again: its assignee, its creator, or someone above the
    assignee. Marking it twice changes nothing: the first time it was done stays."""
    ensure_can_write(user)
    task = _lock_task(user, task, for_change=False)
    if is_done and task.done_at is None:
        task.done_at = timezone.now()
        task.save(update_fields=["done_at", "updated_at"])
        withdraw_task_reminders(task)
    elif not is_done and task.done_at is not None:
        task.done_at = None
        task.save(update_fields=["done_at", "updated_at"])
        schedule_task_reminder(task)
    return task


@transaction.atomic
def task_delete(*, user: User, task: Task) -> None:
    ensure_can_write(user)
    task = _lock_task(user, task, for_change=True)
    withdraw_task_reminders(task)
    task.delete()


# --- work summaries -----------------------------------------------------------------------


def _clean_summary(user: User, data: dict, errors: Errors) -> dict:
    cleaned = {}
    if "kind" in data:
        if data["kind"] not in WorkSummary.Kind.values:
            _add(errors, "kind", _("Choose evaluation or request for help."))
        cleaned["kind"] = data["kind"]
    if "content" in data:
        cleaned["content"] = (data["content"] or "").strip()
        if not cleaned["content"]:
            _add(errors, "content", _("Write the summary."))
    if "addressed_to" in data:
        value = data["addressed_to"]
        if value in (None, ""):
            cleaned["addressed_to"] = None
        else:
            addressed_to = get_or_none(
                User.objects.filter(company_id=user.company_id, is_active=True), value
            )
            if addressed_to is None:
                _add(errors, "addressed_to", _("Choose an active user of your company."))
            else:
                cleaned["addressed_to"] = addressed_to
    return cleaned


@transaction.atomic
def work_summary_create(
    *,
    user: User,
    customer: Customer | int,
    kind: str,
    content: str,
    addressed_to: User | int | None = None,
) -> WorkSummary:
    """An evaluation of a customer or a request for help (edit rights on the customer)."""
    ensure_can_write(user)
    customer = _customer_for_edit(user, customer)
    errors: Errors = {}
    data = _clean_summary(
        user, {"kind": kind, "content": content, "addressed_to": addressed_to}, errors
    )
    if errors:
        raise ValidationFailed(errors)
    return WorkSummary.objects.create(
        company_id=user.company_id, customer=customer, author=user, **data
    )


def ensure_can_change_work_summary(user: User, summary: WorkSummary) -> None:
    """PermissionRefused unless the user may change or delete this (visible) summary."""
    if selectors.can_change_work_summary(user, summary):
        return
    get_customer_for(user, summary.customer_id, for_edit=True)
    raise PermissionRefused(
        _("Only the author of a summary and the people above them can change it.")
    )


def _lock_summary(user: User, summary: WorkSummary) -> WorkSummary:
    summary = selectors.get_work_summary_for(user, summary.pk)
    ensure_can_change_work_summary(user, summary)
    return WorkSummary.objects.select_for_update().get(pk=summary.pk)


@transaction.atomic
def work_summary_update(*, user: User, summary: WorkSummary, **fields) -> WorkSummary:
    ensure_can_write(user)
    summary = _lock_summary(user, summary)
    if "customer" in fields:
        customer = fields.pop("customer")
        customer_id = customer.pk if isinstance(customer, Customer) else customer
        if customer_id is not None and str(customer_id) != str(summary.customer_id):
            raise ValidationFailed(
                {"customer": [_("The customer of a summary cannot be changed.")]}
            )
    unknown = set(fields) - {"kind", "content", "addressed_to"}
    if unknown:
        raise ValidationFailed({"detail": [_("Unknown fields: %s") % ", ".join(sorted(unknown))]})
    errors: Errors = {}
    data = _clean_summary(user, fields, errors)
    if errors:
        raise ValidationFailed(errors)
    for field, value in data.items():
        setattr(summary, field, value)
    summary.save()
    return summary


@transaction.atomic
def work_summary_delete(*, user: User, summary: WorkSummary) -> None:
    ensure_can_write(user)
    summary = _lock_summary(user, summary)
    summary.delete()


# --- calendar feed ------------------------------------------------------------------------


def _ensure_company_user(user: User) -> None:
    if not user.is_active or not user.company_id:
        raise PermissionRefused(_("Your account cannot make changes."))


@transaction.atomic
def calendar_feed_get_or_create(*, user: User) -> CalendarFeed:
    """The user's private feed, made on first use. Works in a read-only trial too: it only
    reads the user's own tasks."""
    _ensure_company_user(user)
    feed, _created = CalendarFeed.objects.get_or_create(
        user=user, defaults={"company_id": user.company_id}
    )
    return feed


@transaction.atomic
def calendar_feed_regenerate(*, user: User) -> CalendarFeed:
    """A new secret for the user's feed: the old URL stops working at once."""
    _ensure_company_user(user)
    feed = calendar_feed_get_or_create(user=user)
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    feed.token = new_feed_token()
    feed.save(update_fields=["token", "updated_at"])
    return feed


def follow_customer_transfer(*, customer, from_owner: User, to_owner: User) -> int:
    """A transferred customer's open tasks, assigned to the old owner, go to the new one."""
    return Task.objects.filter(customer=customer, assignee=from_owner, done_at__isnull=True).update(
        assignee=to_owner
    )


def hand_over_open_tasks(*, actor: User, from_user: User, to_user: User) -> int:
    """When a user leaves with a successor, their open tasks go to the successor."""
    return Task.objects.filter(
        company_id=actor.company_id, assignee=from_user, done_at__isnull=True
    ).update(assignee=to_user)
