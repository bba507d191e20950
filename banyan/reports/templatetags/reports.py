"""How a report's figure reads in its table: money as yuan, percent with a sign, counts."""

from django import template
from django.utils.formats import number_format

from banyan.finance.templatetags.money import yuan
from banyan.reports.registry import COUNT, DATE, MONEY, PERCENT

register = template.Library()


@register.filter
def report_value(cell) -> str:
    value = cell["value"]
    kind = cell["column"].kind
    if value is None or value == "":
        return "—"
    if kind == MONEY:
        return yuan(value)
    if kind == PERCENT:
        return f"{number_format(value, 1)}%"
    if kind == COUNT:
        return number_format(value, force_grouping=True)
    if kind == DATE:
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return str(value)
