"""What every importer shares: the rows of a file with their numbers, the plan a preview
shows and a write carries out, and matching pick-list values by label or code."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _

from banyan.core.errors import DomainError
from banyan.core.text import to_half_width
from banyan.imports.columns import COLUMNS, HeaderMatch, match_headers
from banyan.imports.files import max_rows

Progress = Callable[[int, int], None]  # (rows done, rows in all)


class ImportRefused(DomainError):
    """The file as a whole cannot be imported (no data rows, a column missing, too many
    rows); the job fails with this message and nothing is written."""


@dataclass
class Row:
    number: int  # as the spreadsheet shows it: the header is row 1
    values: dict[str, str]  # column key → cell text, for the columns the file has


@dataclass
class Plan:
    """What a write will do, as the preview shows it."""

    rows_total: int = 0
    rows_valid: int = 0
    errors: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    items: list = field(default_factory=list)  # the importer's own records of what to write
    extra: dict = field(default_factory=dict)  # anything else the importer's write needs
    kind: str = ""

    def error(self, row: int, column: str, message) -> None:
        header = self.headers.get(column)
        if header is None:  # a column the file lacks: named as the template names it
            labels = {c.key: str(c.label) for c in COLUMNS.get(self.kind, ())}
            header = labels.get(column, column)
        self.errors.append({"row": row, "column": header, "message": str(message)})

    def duplicate(self, row: int, message) -> None:
        self.duplicates.append({"row": row, "message": str(message)})


def rows_of(
    kind: str, numbered_rows: Iterable[tuple[int, list[str]]]
) -> tuple[HeaderMatch, list[Row]]:
    """The header match and the data rows (blank ones left out) of a file, or ImportRefused
    for a file without a header, without data rows, missing a required column or longer
    than the row limit."""
    iterator = iter(numbered_rows)
    match = None
    for _number, cells in iterator:
        if any(cell for cell in cells):
            match = match_headers(kind, cells)
            break
    if match is None:
        raise ImportRefused(_("The file is empty."))
    if not match.positions:
        raise ImportRefused(_("No column of the file is one we know: use the template's headers."))
    if match.missing:
        raise ImportRefused(
            _("Required columns are missing: %(columns)s.") % {"columns": ", ".join(match.missing)}
        )
    limit = max_rows()
    rows = []
    positions = match.positions.items()
    for number, cells in iterator:
        if not any(cells):
            continue
        if len(rows) >= limit:
            raise ImportRefused(
                _("The file has more than %(limit)d rows: split it into smaller files.")
                % {"limit": limit}
            )
        values = {key: cells[index] if index < len(cells) else "" for key, index in positions}
        rows.append(Row(number, values))
    if not rows:
        raise ImportRefused(_("The file has headers but no rows of data."))
    return match, rows


def plan_for(kind: str, match: HeaderMatch) -> Plan:
    plan = Plan(headers=dict(match.headers), unknown_columns=list(match.unknown), kind=kind)
    for header in match.repeated:
        plan.unknown_columns.append(header)
    return plan


def value_key(text) -> str:
    """A pick-list value as compared: half-width, lower case, no spaces."""
    return "".join(to_half_width(str(text or "")).lower().split())


def labels_in_both_languages(label) -> set[str]:
    names = set()
    for language in ("en", "zh-hans"):
        with translation.override(language):
            names.add(value_key(str(label)))
    return names


class ChoiceLookup:
    """Values of a list found by code or by label in either language."""

    def __init__(self):
        self.values: dict[str, object] = {}

    def add(self, value, *names) -> None:
        for name in names:
            key = value_key(name)
            if key:
                self.values.setdefault(key, value)

    def add_label(self, value, label) -> None:
        for key in labels_in_both_languages(label):
            self.values.setdefault(key, value)

    def find(self, text):
        return self.values.get(value_key(text))


def dictionary_lookup(options) -> ChoiceLookup:
    """Options of a company's pick-list by code, own label, and default label in Chinese and
    English (built-in options show the default until renamed)."""
    from banyan.accounts.dictionary import default_label

    lookup = ChoiceLookup()
    for option in options:
        if option.label:
            lookup.add(option, option.label)
    for option in options:
        if option.code:
            lookup.add(option, option.code)
            if not option.label:
                lookup.add_label(option, default_label(option.kind, option.code))
    return lookup


def parse_date(text: str) -> datetime.date | None:
    """A date as Excel users type it: 2026-03-08, 2026/3/8, 2026.3.8, 2026年3月8日."""
    text = to_half_width(text).strip()
    for old, new in (("年", "-"), ("月", "-"), ("日", ""), ("/", "-"), (".", "-")):
        text = text.replace(old, new)
    text = text.split(" ")[0]
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return datetime.date(year, month, day)
    except (ValueError, TypeError):
        return None


def columns_of(kind: str):
    return COLUMNS[kind]
