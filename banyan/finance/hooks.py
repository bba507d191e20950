"""What the finance app tells the apps below it through their hooks."""

from banyan.agreements.selectors import PLAN_STANDING
from banyan.finance import selectors


@PLAN_STANDING.register
def agreement_plan_standing(*, user, agreement) -> selectors.MoneyState:
    """The agreement's API shows its next due plan and its overdue plans (one query)."""
    return selectors.agreement_money(user, agreement)
