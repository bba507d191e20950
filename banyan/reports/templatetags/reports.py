"""How a report's figure reads in its table: money as yuan, percent with a sign, counts; and
a row of the table, written in one piece (a report by rep has a thousand rows of ten cells:
as template nodes they took most of the page's time)."""

from django import template
from django.utils.formats import number_format
from django.utils.html import conditional_escape as escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

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


def _cell(cell, *, first: bool) -> str:
    text = escape(report_value(cell))
    if cell.get("link"):
        text = f'<a href="{escape(cell["link"])}" class="report-link">{text}</a>'
    key = escape(cell["column"].key)
    if first:
        return f'<th scope="row" class="fw-normal" data-key="{key}">{text}</th>'
    value = cell["value"]
    css = "" if cell["column"].kind == "text" else "text-end text-nowrap"
    shown = "" if value is None else escape(value)
    return f'<td class="{css}" data-key="{key}" data-value="{shown}">{text}</td>'


@register.simple_tag
def report_row(row, with_drilldown: bool = False) -> str:
    """One row of a report's table: its cells (the first a row header), each a link to its
    records where it has one, and the link to the row's records."""
    cells = [_cell(cell, first=index == 0) for index, cell in enumerate(row["cells"])]
    if with_drilldown:
        link = ""
        if row.get("drilldown"):
            link = (
                f'<a href="{escape(row["drilldown"])}" class="report-drilldown small">'
                f"{escape(_('Records'))}</a>"
            )
        cells.append(f'<td class="text-end">{link}</td>')
    return mark_safe(f'<tr class="report-row">{"".join(cells)}</tr>')
