"""The self-motivation panel (自我激励) the targets app contributes to the workbench: this
month's own targets against achievement, percentage and days left, with a small chart; and
without any target this month, one's own figures of the month against last month (contract
amount, payments, new customers, follow-ups) instead of an empty chart.

`data(user)` offers the same figures as a JSON-able dict for the workbench API.
"""

from django.utils.translation import gettext_lazy as _

from banyan.core.panels import Panel, workbench
from banyan.targets import selectors


def panel_context(user, obj=None) -> dict:
    """Five queries: the targets, and two sums for each of the personal and group rows (or,
    without a target, four for one's own figures of this month and last)."""
    return {"motivation": selectors.motivation(user)}


def data(user) -> dict:
    """This month's own targets and achievement as JSON-able values (amounts as strings)."""
    figures = selectors.motivation(user)
    return {
        "month": f"{figures['month']:%Y-%m}",
        "days_left": figures["days_left"],
        "rows": [
            {
                "is_group": row.is_group,
                "label": str(row.label),
                "payment_target": _text(row.achievement.payment_target),
                "contract_target": _text(row.achievement.contract_target),
                **row.achievement.as_dict(),
            }
            for row in figures["rows"]
        ],
        "own": [figure.as_dict() for figure in figures["own"]],
    }


def _text(value) -> str | None:
    return None if value is None else str(value)


workbench.register(
    Panel(
        key="motivation",
        title=_("Self-motivation"),
        template="targets/panels/motivation.html",
        order=5,
        context=panel_context,
        data=data,
    )
)
