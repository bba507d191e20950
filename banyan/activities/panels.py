"""The panels this app contributes to the customer view: activities, tasks, work summaries.

Each context function reads through this app's selectors, so a panel shows only what the
user may see, in a fixed number of queries whatever the number of rows.
"""

from django.utils.translation import gettext_lazy as _

from banyan.accounts import scopes
from banyan.accounts import selectors as account_selectors
from banyan.activities import selectors
from banyan.activities.forms import QuickTaskForm
from banyan.core.panels import Panel, customer_view
from banyan.customers.selectors import can_edit_customer

TRACKING = ("uses_customer_tracking",)
PANEL_ROWS = 20


def activities_context(user, customer) -> dict:
    can_edit = can_edit_customer(user, customer)
    activities = selectors.customer_activities(user, customer, limit=PANEL_ROWS)
    for activity in activities:
        activity.can_change = can_edit and scopes.can_see_owner(user, activity.owner)
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
    tasks = selectors.customer_open_tasks(user, customer, limit=PANEL_ROWS)
    for task in tasks:
        task.can_mark = selectors.can_mark_task(user, task)
        task.can_change = task.can_mark and can_edit
    return {
        "tasks": tasks,
        "can_edit": can_edit,
        "quick_task_form": QuickTaskForm(auto_id="quick-task-%s") if can_edit else None,
    }


def work_summaries_context(user, customer) -> dict:
    can_edit = can_edit_customer(user, customer)
    summaries = selectors.customer_work_summaries(user, customer, limit=PANEL_ROWS)
    for summary in summaries:
        summary.can_change = can_edit and scopes.can_see_owner(user, summary.author)
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
