"""Writing rows to .csv and .xlsx: typed cells, neutralised text, chunked reads.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be read by
a spreadsheet as a formula (CSV injection): it gets a leading `'`. Numbers, dates and times
stay numbers, dates and times in .xlsx (times in the company's time zone); CSV is UTF-8 with a
BOM, so Excel opens Chinese correctly.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, tzinfo
from decimal import Decimal

from openpyxl import Workbook

from banyan.exports.registry import Column

CHUNK_ROWS = 2_000
FORMULA_STARTS = frozenset("=+-@\t\r")
BOM = "\ufeff"


def neutralised(text: str) -> str:
    return "'" + text if text[:1] in FORMULA_STARTS else text


def _xlsx_cell(value, zone: tzinfo):
    kind = type(value)
    if kind is str:
        return "'" + value if value[:1] in FORMULA_STARTS else value
    if kind is datetime:
        return value.astimezone(zone).replace(tzinfo=None) if value.tzinfo else value
    if kind is bool:
        return int(value)
    return value  # int, Decimal, float, date, None


def _csv_cell(value, zone: tzinfo):
    kind = type(value)
    if kind is str:
        return "'" + value if value[:1] in FORMULA_STARTS else value
    if value is None:
        return ""
    if kind is datetime:
        local = value.astimezone(zone) if value.tzinfo else value
        return local.strftime("%Y-%m-%d %H:%M:%S")
    if kind is Decimal:
        return str(value)
    if kind is bool:
        return int(value)
    return value


def row_maker(columns: list[Column], zone: tzinfo, cell: Callable) -> Callable[[tuple], list]:
    """The function that turns one `values_list` tuple into the row's cells."""
    if all(column.display is None and isinstance(column.path, str) for column in columns):
        return lambda values: [cell(value, zone) for value in values]
    parts = []
    start = 0
    for column in columns:
        width = len(column.paths)
        parts.append((start, start + width, column.display))
        start += width

    def make(values):
        row = []
        for first, last, display in parts:
            if display is None:
                row.append(cell(values[first], zone))
            else:
                row.append(cell(display(*values[first:last]), zone))
        return row

    return make


def values_of(rows, columns: list[Column]):
    """The rows' column values, read in chunks without model instances."""
    paths = [path for column in columns for path in column.paths]
    return rows.prefetch_related(None).values_list(*paths).iterator(chunk_size=CHUNK_ROWS)


def headers(columns: list[Column]) -> list[str]:
    return [str(column.header) for column in columns]


class Counter:
    def __init__(self):
        self.rows = 0


def csv_chunks(rows, columns: list[Column], zone: tzinfo, counter: Counter) -> Iterator[str]:
    """The CSV text in pieces of a few thousand rows, the header first (after the BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers(columns))
    yield BOM + buffer.getvalue()
    make = row_maker(columns, zone, _csv_cell)
    batch = []
    for values in values_of(rows, columns):
        batch.append(make(values))
        if len(batch) >= CHUNK_ROWS:
            yield _csv_text(batch)
            counter.rows += len(batch)
            batch = []
    if batch:
        yield _csv_text(batch)
        counter.rows += len(batch)


def _csv_text(batch: list[list]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(batch)
    return buffer.getvalue()


def write_xlsx(
    target,
    sheets: Iterable[tuple[str, object, list[Column]]],
    zone: tzinfo,
    counter: Counter,
) -> None:
    """Write each (title, rows, columns) as a sheet in openpyxl's write-only mode; the first
    sheet's rows are the ones counted."""
    workbook = Workbook(write_only=True)
    for index, (title, rows, columns) in enumerate(sheets):
        sheet = workbook.create_sheet(title=_sheet_title(title))
        sheet.append(headers(columns))
        make = row_maker(columns, zone, _xlsx_cell)
        written = 0
        for values in values_of(rows, columns):
            sheet.append(make(values))
            written += 1
        if index == 0:
            counter.rows = written
    workbook.save(target)


def _sheet_title(title) -> str:
    text = str(title)
    for character in "[]:*?/\\":
        text = text.replace(character, " ")
    return text[:31] or "Sheet"
