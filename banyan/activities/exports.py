"""The activity and task lists, as the exports app writes them to .xlsx and CSV."""

from django.utils.translation import gettext_lazy as _

from banyan.activities.api import ActivityViewSet, TaskViewSet
from banyan.activities.forms import ActivityFilterForm, TaskFilterForm
from banyan.activities.selectors import has_team
from banyan.activities.views import activity_list_rows, task_list_rows
from banyan.exports.registry import (
    Column,
    ExportKind,
    option_column,
    register,
    rows_of_list_api,
    user_column,
    yes_no,
)

register(
    ExportKind(
        key="activities",
        label=_("Activities"),
        list_url_name="activity-list",
        page_rows=lambda user, query: activity_list_rows(
            user,
            ActivityFilterForm(query or None, user=user),
            query.get("sort", "-occurred_at"),
        ),
        api_rows=rows_of_list_api(ActivityViewSet),
        columns=(
            Column("id", _("ID"), "id"),
            Column("occurred_at", _("Time"), "occurred_at"),
            Column("customer", _("Customer"), "customer__name"),
            Column("contact", _("Contact"), "contact__name"),
            option_column("type", _("Type"), "type"),
            Column("subject", _("Subject"), "subject"),
            Column("details", _("Details"), "details"),
            user_column("owner", _("Owner"), "owner"),
        ),
    )
)

register(
    ExportKind(
        key="tasks",
        label=_("Tasks"),
        list_url_name="task-list",
        page_rows=lambda user, query: task_list_rows(
            user,
            TaskFilterForm(query or None, show_team=has_team(user)),
            query.get("sort", "due_at"),
        ),
        api_rows=rows_of_list_api(TaskViewSet),
        columns=(
            Column("id", _("ID"), "id"),
            Column("due_at", _("Due"), "due_at"),
            Column("subject", _("Subject"), "subject"),
            Column("customer", _("Customer"), "customer__name"),
            user_column("assignee", _("Assignee"), "assignee"),
            Column("remind_at", _("Remind at"), "remind_at"),
            Column("done_at", _("Done at"), "done_at"),
            Column("remind_by_sms", _("Remind by SMS"), "remind_by_sms", yes_no),
            Column("details", _("Details"), "details"),
        ),
    )
)
