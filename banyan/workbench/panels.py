"""The workbench's own panels: slots that later modules fill.

- "announcements": everyone; an empty state until the announcements module registers its
  panel under the same key.
- "complaints": customer-service users; an empty state until the customer-service module
  registers its panel under the same key.

A slot is registered only while no app has registered its key, whatever the apps' order.

- "dashboard": bosses, directors and managers with the report permission (an admin boss by
  office): the team's month against last month and last year, the ranking against targets
  and the overdue receivables (`banyan.workbench.selectors`). The page loads it after itself
  (`workbench-dashboard`; its JSON: `GET /api/v1/workbench/dashboard/`): its figures add
  up months of the team's records.
"""

from django.utils.translation import gettext_lazy as _

from banyan.core.panels import Panel, workbench
from banyan.workbench import selectors


def is_customer_service(user, _obj=None) -> bool:
    return user.has_perm("accounts.customer_service")


SLOTS = [
    Panel(
        key="announcements",
        title=_("Announcements"),
        template="workbench/panels/announcements.html",
        order=5,
        data=lambda user: {"announcements": []},
    ),
    Panel(
        key="complaints",
        title=_("New and overdue complaints"),
        template="workbench/panels/complaints.html",
        order=45,
        data=lambda user: {"complaints": []},
        allowed=is_customer_service,
    ),
]
for slot in SLOTS:
    if slot.key not in workbench:
        workbench.register(slot)


workbench.register(
    Panel(
        key="dashboard",
        title=_("Dashboard"),
        template="workbench/panels/dashboard.html",
        order=1,
        allowed=lambda user, _obj=None: selectors.can_see_team_figures(user),
        framed=False,  # its figures: GET /api/v1/workbench/dashboard/
    )
)
