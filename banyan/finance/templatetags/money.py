"""Template helpers of the money pages: amounts in yuan and the state of an instalment."""

from datetime import timedelta
from decimal import Decimal

from django import template
from django.utils.formats import number_format

from banyan.finance.selectors import DUE_SOON_DAYS

register = template.Library()


@register.filter
def yuan(value) -> str:
    """¥12,000.00; a negative amount (a reversal) as -¥12,000.00."""
    if value in (None, ""):
        return "—"
    amount = Decimal(value)
    text = "¥" + number_format(abs(amount), decimal_pos=2, force_grouping=True)
    return f"-{text}" if amount < 0 else text


@register.filter
def plan_state(plan, today) -> str:
    """ "covered", "cancelled" (its agreement was), "overdue", "due_soon" (within 30 days)
    or "open"."""
    if plan.is_covered:
        return "covered"
    agreement = plan.agreement if "agreement" in plan._state.fields_cache else None
    if agreement is not None and agreement.status == "cancelled":
        return "cancelled"
    if plan.due_on < today:
        return "overdue"
    if plan.due_on <= today + timedelta(days=DUE_SOON_DAYS):
        return "due_soon"
    return "open"
