"""How a report's figure reads in its table: money as yuan, percent with a sign, counts; and
a row of the table, written in one piece (a report by rep has a thousand rows of ten cells:
as template nodes they took most of the page's time)."""

import functools
import html
from decimal import Decimal

from django import template
from django.utils.formats import get_format, number_format
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language
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
        if isinstance(value, Decimal) and value.as_tuple().exponent == -2:
            return _yuan(value)
        return yuan(value)
    if kind == PERCENT:
        return f"{number_format(value, 1)}%"
    if kind == COUNT:
        if isinstance(value, int):
            return _grouped(str(abs(value)), "-" if value < 0 else "")
        return number_format(value, force_grouping=True)
    if kind == DATE:
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return str(value)


@functools.lru_cache(maxsize=16)
def _number_format(language: str) -> tuple[str, str, int]:
    """The active language's thousand separator, decimal separator and grouping (read once:
    a report's table formats ten thousand figures)."""
    grouping = get_format("NUMBER_GROUPING")
    return (
        get_format("THOUSAND_SEPARATOR"),
        get_format("DECIMAL_SEPARATOR"),
        grouping if isinstance(grouping, int) else 0,
    )


def _grouped(digits: str, sign: str = "", decimals: str = "") -> str:
    """`number_format(..., force_grouping=True)` for a plain run of digits."""
    separator, point, size = _number_format(get_language() or "")
    if separator and size > 0 and len(digits) > size:
        head = len(digits) % size or size
        parts = [digits[:head]]
        parts += [digits[index : index + size] for index in range(head, len(digits), size)]
        digits = separator.join(parts)
    return f"{sign}{digits}{point}{decimals}" if decimals else f"{sign}{digits}"


def _yuan(amount: Decimal) -> str:
    """`yuan()` for an amount in fen (two decimals), as the reports' sums are."""
    whole, _point, fen = f"{abs(amount):.2f}".partition(".")
    text = "¥" + _grouped(whole, "", fen)
    return f"-{text}" if amount < 0 else text


def escape(value) -> str:
    """`conditional_escape` without its lazy-object wrappers (called for every cell)."""
    if isinstance(value, SafeData):
        return str(value)
    return html.escape(str(value), quote=True)


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
