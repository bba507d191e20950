"""The panels this app contributes to the customer view (activities, tasks, work summaries)
and to the workbench (today's and overdue tasks; for people with a team, the team's recent
activities and the members with no activity today).

Each context function reads through this app's selectors, so a panel shows only what the
user may see, in a fixed number of queries whatever the number of rows.
"""

from django.utils.translation import gettext_lazy as _

from banyan.accounts import selectors as account_selectors
from banyan.activities import selectors
from banyan.activities.forms import QuickTaskForm
from banyan.core.panels import Panel, customer_view, workbench
from banyan.customers.selectors import can_edit_customer

TRACKING = ("uses_customer_tracking",)
PANEL_ROWS = 20
WORKBENCH_TASKS = 20
WORKBENCH_ACTIVITIES = 10


def _on(customer, rows) -> list:
    """The panel's rows, each pointing at the customer object the view already checked (and
    remembered "may edit" on), so asking about the rows asks no more queries."""
    for row in rows:
        row.customer = customer
    return rows


def activities_context(user, customer) -> dict:
    can_edit = can_edit_customer(user, customer)
    activities = _on(customer, selectors.customer_activities(user, customer, limit=PANEL_ROWS))
    changeable = selectors.changeable_activities(user, activities)
    for activity in activities:
        activity.can_change = activity.pk in changeable
    return {
        "activities": activities,
        "can_edit": can_edit,
        "activity_types": list(
            account_selectors.dictionary_options(user, "activity_type", active_only=True)
        )
        if can_edit
        else [],
    }


def tasks_context(user, customer) -> dict:
    can_edit = can_edit_customer(user, customer)
    tasks = _on(customer, selectors.customer_open_tasks(user, customer, limit=PANEL_ROWS))
    changeable = selectors.changeable_tasks(user, tasks)
    for task in tasks:
        task.can_mark = selectors.can_mark_task(user, task)
        task.can_change = task.pk in changeable
    return {
        "tasks": tasks,
        "can_edit": can_edit,
        "quick_task_form": QuickTaskForm(auto_id="quick-task-%s") if can_edit else None,
    }


def work_summaries_context(user, customer) -> dict:
    can_edit = can_edit_customer(user, customer)
    summaries = _on(customer, selectors.customer_work_summaries(user, customer, limit=PANEL_ROWS))
    changeable = selectors.changeable_work_summaries(user, summaries)
    for summary in summaries:
        summary.can_change = summary.pk in changeable
    return {"summaries": summaries, "can_edit": can_edit}


customer_view.register(
    Panel(
        key="activities",
        title=_("Activities"),
        template="activities/panels/activities.html",
        order=30,
        context=activities_context,
        modules=TRACKING,
    )
)
customer_view.register(
    Panel(
        key="tasks",
        title=_("Tasks"),
        template="activities/panels/tasks.html",
        order=40,
        context=tasks_context,
        modules=TRACKING,
    )
)
customer_view.register(
    Panel(
        key="work_summaries",
        title=_("Work summaries"),
        template="activities/panels/work_summaries.html",
        order=70,
        context=work_summaries_context,
    )
)


# --- the workbench ------------------------------------------------------------------------


def _when(value) -> str | None:
    return value.isoformat() if value is not None else None


def my_tasks_context(user, _obj) -> dict:
    """Two queries: the customers shared with the user, then the tasks."""
    tasks = selectors.tasks_due_by_today(user, limit=WORKBENCH_TASKS)
    for task in tasks:
        task.can_mark = True  # assigned to the user
    return {"tasks": tasks}


def my_tasks_data(user) -> dict:
    return {
        "tasks": [
            {
                "id": task.pk,
                "subject": task.subject,
                "due_at": _when(task.due_at),
                "is_overdue": task.is_overdue,
                "customer": task.customer_id,
                "customer_name": task.customer.name if task.customer_id else "",
            }
            for task in selectors.tasks_due_by_today(user, limit=WORKBENCH_TASKS)
        ]
    }


def team_activity_context(user, _obj) -> dict:
    return {"activities": selectors.team_recent_activities(user, limit=WORKBENCH_ACTIVITIES)}


def team_activity_data(user) -> dict:
    return {
        "activities": [
            {
                "id": activity.pk,
                "subject": activity.subject,
                "occurred_at": _when(activity.occurred_at),
                "type": activity.type.display_label,
                "customer": activity.customer_id,
                "customer_name": activity.customer.name,
                "owner": activity.owner_id,
                "owner_name": activity.owner.display_name,
            }
            for activity in selectors.team_recent_activities(user, limit=WORKBENCH_ACTIVITIES)
        ]
    }


def idle_members_context(user, _obj) -> dict:
    return {"members": selectors.team_without_activity_today(user)}


def idle_members_data(user) -> dict:
    return {
        "members": [
            {"id": member.pk, "name": member.display_name}
            for member in selectors.team_without_activity_today(user)
        ]
    }


def has_team(user, _obj=None) -> bool:
    return selectors.has_team(user)


workbench.register(
    Panel(
        key="my_tasks",
        title=_("Today's and overdue tasks"),
        template="activities/workbench/my_tasks.html",
        order=10,
        context=my_tasks_context,
        data=my_tasks_data,
    )
)
workbench.register(
    Panel(
        key="team_activity",
        title=_("Team activity"),
        template="activities/workbench/team_activity.html",
        order=60,
        context=team_activity_context,
        data=team_activity_data,
        allowed=has_team,
    )
)
workbench.register(
    Panel(
        key="idle_members",
        title=_("No activity today"),
        template="activities/workbench/idle_members.html",
        order=70,
        context=idle_members_context,
        data=idle_members_data,
        allowed=has_team,
    )
)
