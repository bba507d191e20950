"""Writing rows to .csv and .xlsx: typed cells, neutralised text, chunked reads.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be read by
a spreadsheet as a formula (CSV injection): it gets a leading `'`. Numbers, dates and times
stay numbers, dates and times in .xlsx (times in the company's time zone); CSV is UTF-8 with a
BOM, so Excel opens Chinese correctly.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, tzinfo
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from banyan.exports.registry import Column

CHUNK_ROWS = 2_000
FORMULA_STARTS = frozenset("=+-@\t\r")
BOM = "\ufeff"


def neutralised(text: str) -> str:
    return "'" + text if text[:1] in FORMULA_STARTS else text


def _xlsx_text(text: str) -> str:
    """Neutralised, and without the control characters XML cannot hold (a note pasted from
    another program may carry one; openpyxl would refuse the whole file)."""
    text = "'" + text if text[:1] in FORMULA_STARTS else text
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _xlsx_cells(zone: tzinfo) -> dict:
    """Each value type's conversion to an .xlsx cell (types not named stay as they are)."""

    def instant(value: datetime):
        return value.astimezone(zone).replace(tzinfo=None) if value.tzinfo else value

    return {str: _xlsx_text, datetime: instant, bool: int}


def _csv_cells(zone: tzinfo) -> dict:
    """Each value type's conversion to CSV text (ints and floats the csv module writes)."""

    def instant(value: datetime) -> str:
        local = value.astimezone(zone) if value.tzinfo else value
        return local.isoformat(" ", "seconds")[:19]

    return {
        str: neutralised,
        type(None): lambda value: "",
        datetime: instant,
        date: date.isoformat,
        Decimal: str,
        bool: int,
    }


CACHED_DISPLAYS = 20_000


def _remembered(display: Callable) -> Callable:
    """`display` remembering its answers: the same few options, users and choices come back
    row after row, and translating them each time would cost more than reading the rows."""
    answers: dict = {}

    def shown(*values):
        try:
            return answers[values]
        except KeyError:
            answer = display(*values)
            if len(answers) < CACHED_DISPLAYS:
                answers[values] = answer
            return answer
        except TypeError:  # a value that cannot be a key
            return display(*values)

    return shown


def _shown_by(column: Column, user) -> Callable | None:
    if column.lookup is not None:
        return column.lookup(user).get  # one query per export, whatever the rows
    return _remembered(column.display) if column.display else None


def row_maker(
    columns: list[Column], zone: tzinfo, cells: dict, user=None
) -> Callable[[tuple], list]:
    """The function that turns one `values_list` tuple into the row's cells."""
    convert = cells.get
    plain = all(
        column.display is None and column.lookup is None and isinstance(column.path, str)
        for column in columns
    )
    if plain:
        return lambda values: [
            change(value) if (change := convert(type(value))) else value for value in values
        ]
    parts = []
    start = 0
    for column in columns:
        width = len(column.paths)
        display = _shown_by(column, user)
        parts.append((start, start + width, display))
        start += width

    def make(values):
        shown = [
            display(*values[first:last]) if display else values[first]
            for first, last, display in parts
        ]
        return [change(value) if (change := convert(type(value))) else value for value in shown]

    return make


def values_of(rows, columns: list[Column]):
    """The rows' column values, read in chunks without model instances."""
    paths = [path for column in columns for path in column.paths]
    return rows.prefetch_related(None).values_list(*paths).iterator(chunk_size=CHUNK_ROWS)


def headers(columns: list[Column]) -> list[str]:
    return [str(column.header) for column in columns]


class Counter:
    """How many rows of the list (the first sheet) went out."""

    def __init__(self):
        self.rows = 0


def csv_chunks(
    rows, columns: list[Column], zone: tzinfo, counter: Counter, user=None
) -> Iterator[str]:
    """The CSV text in pieces of a few thousand rows, the header first (after the BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers(columns))
    yield BOM + buffer.getvalue()
    make = row_maker(columns, zone, _csv_cells(zone), user)
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
    user=None,
) -> None:
    """Write each (title, rows, columns) as a sheet in openpyxl's write-only mode; the first
    sheet's rows are the ones counted."""
    workbook = Workbook(write_only=True)
    for index, (title, rows, columns) in enumerate(sheets):
        sheet = workbook.create_sheet(title=_sheet_title(title))
        sheet.freeze_panes = "A2"  # the headers stay in sight while scrolling
        sheet.append(headers(columns))
        make = row_maker(columns, zone, _xlsx_cells(zone), user)
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
