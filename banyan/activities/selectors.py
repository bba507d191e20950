"""Reads on activities, tasks and work summaries, always for an acting user.

Records on a customer are visible exactly when their customer is (the visibility engine's
customer rule, on the columns each row carries). A task without a customer is visible to its
assignee, its creator and the people above the assignee.
"""

import datetime

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from banyan.accounts import visibility
from banyan.accounts.models import Role, User
from banyan.activities.models import Activity, CalendarFeed, Task, WorkSummary
from banyan.core.errors import NotFound
from banyan.core.fetch import get_for
from banyan.core.lookups import text_contains
from banyan.core.values import start_of_company_day
from banyan.customers.models import Customer
from banyan.customers.selectors import editable_among, records_of_customer, search_conditions

ACTIVITY_ORDERINGS = {
    "occurred_at",
    "-occurred_at",
    "customer__name",
    "-customer__name",
    "owner__real_name",
    "-owner__real_name",
    "type__position",
    "-type__position",
}
TASK_ORDERINGS = {
    "due_at",
    "-due_at",
    "customer__name",
    "-customer__name",
    "assignee__real_name",
    "-assignee__real_name",
    "done_at",
    "-done_at",
}


def _has_company(user: User) -> bool:
    return bool(user.is_authenticated and user.company_id and user.is_active)


# --- activities ---------------------------------------------------------------------------

ACTIVITY_RELATED = ("customer", "contact", "type", "owner")
SUMMARY_RELATED = ("customer", "author", "addressed_to")


def visible_activities(user: User) -> QuerySet[Activity]:
    """Activities on the customers the user may see."""
    return visibility.on_visible_customers(user, Activity).select_related(*ACTIVITY_RELATED)


def get_activity_for(user: User, pk) -> Activity:
    """The activity if the user may see it; NotFound whether missing or not theirs."""
    return get_for(visible_activities(user), pk)


def changeable_activities(user: User, activities) -> set[int]:
    """The keys of those `activities` (fetched visible, owner and customer loaded) the user
    may change or delete: its owner or the people above them, while they may edit the
    customer. The activity list, the customer view's panel and the services all ask this;
    at most one query for any number of rows."""
    activities = [a for a in activities if visibility.can_see_owner(user, a.owner)]
    customers = editable_among(user, [a.customer for a in activities])
    return {a.pk for a in activities if a.customer_id in customers}


def can_change_activity(user: User, activity: Activity) -> bool:
    """`changeable_activities`, for one activity."""
    return activity.pk in changeable_activities(user, [activity])


# Key points this short (电话, ok, 跟进) with no details say nothing: the seed's rules ask for
# the key points of every follow-up.
KEY_POINTS_MIN_LENGTH = 4


def lacking_key_points() -> Q:
    """Activities whose key points are empty in substance: fewer than KEY_POINTS_MIN_LENGTH
    characters, and no details."""
    shorter = f"^.{{0,{KEY_POINTS_MIN_LENGTH - 1}}}$"
    return Q(subject__regex=shorter, details="")


def activity_list(
    user: User,
    *,
    search: str = "",
    type_id=None,
    owner_id=None,
    customer_id=None,
    occurred_from: datetime.date | None = None,
    occurred_to: datetime.date | None = None,
    without_key_points: bool = False,
    ordering: str = "-occurred_at",
) -> QuerySet[Activity]:
    """The activity list: search the key points and the customer's name (and pinyin);
    dates are days in the company's time zone, both ends included."""
    activities = visible_activities(user)
    for condition in search_conditions(
        user,
        activities,
        search,
        own=lambda term: text_contains("subject", term),
        customer_lookup="search_text__contains",
    ):
        activities = activities.filter(condition)
    if type_id:
        activities = activities.filter(type_id=type_id)
    if owner_id:
        activities = activities.filter(owner_id=owner_id)
    if customer_id:
        activities = activities.filter(customer_id=customer_id)
    if occurred_from:
        activities = activities.filter(occurred_at__gte=start_of_company_day(user, occurred_from))
    if occurred_to:
        activities = activities.filter(
            occurred_at__lt=start_of_company_day(user, occurred_to + datetime.timedelta(days=1))
        )
    if without_key_points:
        activities = activities.filter(lacking_key_points())
    if ordering not in ACTIVITY_ORDERINGS:
        ordering = "-occurred_at"
    return activities.order_by(ordering, "-id")


def customer_activities(user: User, customer: Customer, *, limit: int = 20) -> list[Activity]:
    """The newest activities on one customer (the customer view's panel)."""
    return list(
        records_of_customer(Activity, user, customer)
        .select_related(*ACTIVITY_RELATED)
        .order_by("-occurred_at", "-id")[:limit]
    )


# --- tasks --------------------------------------------------------------------------------


def visible_tasks(user: User) -> QuerySet[Task]:
    """Tasks on customers the user may see, plus tasks without a customer that are assigned
    to them, created by them, or assigned to someone below them."""

    def personal(line_owners) -> Q:
        return Q(customer__isnull=True) & (Q(assignee__in=line_owners) | Q(created_by=user))

    return visibility.on_visible_customers(user, Task, also=personal).select_related(
        "customer", "assignee", "created_by"
    )


def get_task_for(user: User, pk) -> Task:
    return get_for(visible_tasks(user), pk)


def can_mark_task(user: User, task: Task) -> bool:
    """Done/undone: the assignee, the creator, or someone above the assignee."""
    return (
        task.company_id == user.company_id
        and user.is_active
        and (
            task.assignee_id == user.pk
            or task.created_by_id == user.pk
            or visibility.can_see_owner(user, task.assignee)
        )
    )


def changeable_tasks(user: User, tasks) -> set[int]:
    """The keys of those `tasks` (fetched visible, assignee and customer loaded) the user may
    edit or delete: whoever may mark it, and, on a customer, may edit that customer. The
    task list, the calendar, the customer view's panel and the services all ask this; at
    most one query for any number of rows."""
    tasks = [task for task in tasks if can_mark_task(user, task)]
    customers = editable_among(user, [task.customer for task in tasks if task.customer_id])
    return {task.pk for task in tasks if task.customer_id is None or task.customer_id in customers}


def can_change_task(user: User, task: Task) -> bool:
    """`changeable_tasks`, for one task."""
    return task.pk in changeable_tasks(user, [task])


def has_team(user: User) -> bool:
    """Whether "my team" means anyone: managers, directors, bosses and assistants."""
    return user.role != Role.SALES or user.assistant_of_id is not None


def task_list(
    user: User,
    *,
    scope: str = "mine",
    status: str = "open",
    search: str = "",
    customer_id=None,
    assignee_id=None,
    ordering: str = "due_at",
) -> QuerySet[Task]:
    """The task list. `scope`: "mine" (assigned to me), "team" (assigned to people I see,
    me excluded), "created" (created by me for others) or "all". `status`: "open", "done",
    "overdue", "today" (due today in the current time zone, open or done) or "all"."""
    tasks = visible_tasks(user)
    if scope == "mine":
        tasks = tasks.filter(assignee=user)
    elif scope == "team":
        tasks = tasks.filter(visibility.line_condition(user, field="assignee")).exclude(
            assignee=user
        )
    elif scope == "created":
        tasks = tasks.filter(created_by=user).exclude(assignee=user)
    now = timezone.now()
    if status == "open":
        tasks = tasks.filter(done_at__isnull=True)
    elif status == "done":
        tasks = tasks.filter(done_at__isnull=False)
    elif status == "overdue":
        tasks = tasks.filter(done_at__isnull=True, due_at__lt=now)
    elif status == "today":
        today = timezone.localdate()
        tasks = tasks.filter(
            due_at__gte=start_of_day(today),
            due_at__lt=start_of_day(today + datetime.timedelta(days=1)),
        )
    for condition in search_conditions(
        user,
        tasks,
        search,
        own=lambda term: text_contains("subject", term),
        customer_lookup="search_text__contains",
    ):
        tasks = tasks.filter(condition)
    if customer_id:
        tasks = tasks.filter(customer_id=customer_id)
    if assignee_id:
        tasks = tasks.filter(assignee_id=assignee_id)
    if ordering not in TASK_ORDERINGS:
        ordering = "due_at"
    return tasks.order_by(ordering, "id")


def customer_open_tasks(user: User, customer: Customer, *, limit: int = 20) -> list[Task]:
    """Open tasks on one customer, soonest first (the customer view's panel)."""
    return list(
        records_of_customer(Task, user, customer)
        .filter(done_at__isnull=True)
        .select_related("customer", "assignee", "created_by")
        .order_by("due_at", "id")[:limit]
    )


def calendar_tasks(user: User, *, start: datetime.datetime, end: datetime.datetime) -> list[Task]:
    """The user's own tasks (assigned to them) due in [start, end), in due order."""
    return list(
        visible_tasks(user)
        .filter(assignee=user, due_at__gte=start, due_at__lt=end)
        .order_by("due_at", "id")
    )


def start_of_day(day: datetime.date) -> datetime.datetime:
    """Midnight of `day` in the current time zone (the company's, on a request)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --- the workbench ------------------------------------------------------------------------


def company_day(user: User, day: datetime.date | None = None):
    """`day` (default: today) in the user's company's time zone, as [start, end) instants."""
    zone = user.company.zone
    day = day or timezone.localdate(timezone=zone)
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    return start, datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )


def tasks_due_by_today(user: User, *, limit: int = 20) -> list[Task]:
    """The user's own open tasks due today or before (company time zone), oldest first."""
    if not _has_company(user):
        return []
    _start, end = company_day(user)
    return list(
        visible_tasks(user)
        .filter(assignee=user, done_at__isnull=True, due_at__lt=end)
        .order_by("due_at", "id")[:limit]
    )


# A line of at most this many people is read member by member (a query each, in one UNION
# ALL: beyond this, building the queries costs more than the plain one); a wider line is a
# fair share of the company, whose newest activities are found reading it newest first.
TEAM_READ_BY_MEMBER = 30


def team_recent_activities(user: User, *, limit: int = 10) -> list[Activity]:
    """The newest activities of the people the user sees below them (their own left out).

    "Owner in my line and customer's owner in my line" is two lists of the same people, and
    PostgreSQL, taking them for independent, estimated a few hundred of a manager's 100,000
    activities and joined them all before keeping ten (2.7 s at a million customers). Where
    the line is a short list, each member's newest few are read first, one index range each,
    and the visible ones among them kept; should one of those be invisible (a customer shared
    from outside the line), the whole rule is asked instead, so the answer is always exact."""
    if not _has_company(user):
        return []
    team = (
        visible_activities(user)
        .filter(visibility.line_condition(user))
        .exclude(owner=user)
        .order_by("-occurred_at", "-id")
    )
    owners = visibility.line_owner_keys(user)
    if (
        visibility.sees_whole_company(user)
        or isinstance(owners, QuerySet)
        or len(owners) > TEAM_READ_BY_MEMBER
        or not connection.features.supports_slicing_ordering_in_compound
    ):
        return list(team[:limit])
    newest = [
        visibility.of_company(user, Activity)
        .filter(owner_id=owner)
        .order_by("-occurred_at", "-id")
        .values_list("occurred_at", "pk")[:limit]
        for owner in owners
        if owner != user.pk
    ]
    if not newest:
        return []
    # The newest of the members' newest are the team's newest, when all of them are visible.
    candidates = sorted(newest[0].union(*newest[1:], all=True), reverse=True)[:limit]
    found = list(team.filter(pk__in=[pk for _at, pk in candidates]))
    if len(found) < len(candidates):
        return list(team[:limit])
    return found


def team_without_activity_today(user: User) -> list[User]:
    """Active members of the user's team (the owners they see, themself left out) who have
    logged no activity today, company time zone. One query."""
    if not _has_company(user):
        return []
    start, end = company_day(user)
    logged_today = visibility.of_company(user, Activity).filter(
        owner=OuterRef("pk"),
        occurred_at__gte=start,
        occurred_at__lt=end,
    )
    return list(
        visibility.visible_owners(user)
        .filter(is_active=True)
        .exclude(pk=user.pk)
        .filter(~Exists(logged_today))
        .order_by("real_name", "username", "id")
    )


# --- work summaries -----------------------------------------------------------------------


def visible_work_summaries(user: User) -> QuerySet[WorkSummary]:
    return visibility.on_visible_customers(user, WorkSummary).select_related(*SUMMARY_RELATED)


def get_work_summary_for(user: User, pk) -> WorkSummary:
    return get_for(visible_work_summaries(user), pk)


def changeable_work_summaries(user: User, summaries) -> set[int]:
    """The keys of those `summaries` (fetched visible, author and customer loaded) the user
    may change or delete: its author or the people above them, while they may edit the
    customer. The customer view's panel and the services both ask this; at most one query
    for any number of rows."""
    summaries = [s for s in summaries if visibility.can_see_owner(user, s.author)]
    customers = editable_among(user, [s.customer for s in summaries])
    return {s.pk for s in summaries if s.customer_id in customers}


def can_change_work_summary(user: User, summary: WorkSummary) -> bool:
    """`changeable_work_summaries`, for one summary."""
    return summary.pk in changeable_work_summaries(user, [summary])


def customer_work_summaries(user: User, customer: Customer, *, limit: int = 20) -> list:
    return list(
        records_of_customer(WorkSummary, user, customer).select_related(*SUMMARY_RELATED)[:limit]
    )


# --- calendar feed ------------------------------------------------------------------------


def calendar_feed_of(user: User) -> CalendarFeed | None:
    return visibility.of_company(user, CalendarFeed).filter(user=user).first()


def dangerously_feed_owner(token: str) -> User:
    """The user whose feed this token opens; NotFound for an unknown or revoked token, or an
    inactive user or company. Looked up across companies, by the token alone: it is the
    feed's only credential (a calendar app sends nothing else)."""
    feed = (
        CalendarFeed.objects.filter(token=str(token or ""))
        .select_related("user", "user__company")
        .first()
    )
    if feed is None or not token:
        raise NotFound()
    user = feed.user
    if not user.is_active or user.company_id != feed.company_id or not user.company.is_active:
        raise NotFound()
    return user


def feed_tasks(user: User) -> list[Task]:
    """What the iCalendar feed holds: the user's open tasks (assigned to them).

    Done tasks leave the feed, so a phone neither shows nor rings for finished work.
    """
    return list(
        visible_tasks(user).filter(assignee=user, done_at__isnull=True).order_by("due_at", "id")
    )
