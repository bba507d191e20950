"""Reading an uploaded spreadsheet safely: .xlsx (openpyxl, read-only, through defusedxml)
and .csv (UTF-8, UTF-8 with BOM, GBK/GB18030 detected with charset-normalizer).

A file is checked before anything opens it (`inspect_upload`): size, what it really is, the
uncompressed sizes of an .xlsx's parts (a zip bomb never gets inflated), macros and external
links, the text encoding of a CSV. Reading (`read_rows`) then yields each row with its number
as the spreadsheet shows it. Formula cells come out as their text: nothing is evaluated.
"""

import codecs
import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from banyan.core.errors import ValidationFailed

# What an .xlsx may inflate to, in all, and how much one part may grow compared to its size
# in the zip (real sheets compress about 10:1; a bomb by thousands).
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ZIP_ENTRIES = 5000
# How much of a CSV the encoding detector reads.
SAMPLE_BYTES = 200_000
# The encodings a CSV may be read in, as Python names them; GBK and GB2312 are read as
# GB18030, which contains them both.
CHINESE_ENCODINGS = {"gb2312", "gbk", "gb18030", "hz", "cp936"}
SUPPORTED_ENCODINGS = {"utf_8", "utf_8_sig", "gb18030", "big5", "big5hkscs", "utf_16"}


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", 200_000))


def _refuse(message: str):
    raise ValidationFailed({"file": [message]})


@dataclass(frozen=True)
class Inspected:
    file_format: str  # "xlsx" or "csv"
    encoding: str  # for a CSV: the Python codec name it is read with


def inspect_upload(*, name: str, data: bytes, encoding: str = "") -> Inspected:
    """What the upload is and how to read it, or ValidationFailed on `file` (or `encoding`)
    saying why it is refused."""
    limit = max_bytes()
    if len(data) > limit:
        _refuse(
            _("The file is larger than %(limit)d MB: split it into smaller files.")
            % {"limit": limit // (1024 * 1024)}
        )
    if not data.strip():
        _refuse(_("The file is empty."))
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension == "xlsx":
        _inspect_xlsx(data)
        return Inspected("xlsx", "")
    if extension in ("csv", "txt"):
        if data.startswith((b"PK\x03\x04", b"MZ", b"%PDF", b"\xd0\xcf\x11\xe0")):
            _refuse(_("This file is not a CSV text file: save it from Excel as CSV or .xlsx."))
        return Inspected("csv", detect_encoding(data, encoding))
    if extension in ("xls", "xlsm", "xlsb", "et"):
        _refuse(_("Only .xlsx and .csv files can be imported: save the file as .xlsx."))
    _refuse(_("Only .xlsx and .csv files can be imported."))


def _inspect_xlsx(data: bytes) -> None:
    not_a_workbook = _("This file is not an Excel workbook (.xlsx), whatever its name says.")
    if not data.startswith(b"PK\x03\x04"):
        _refuse(not_a_workbook)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        _refuse(not_a_workbook)
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        _refuse(not_a_workbook)
    if len(entries) > MAX_ZIP_ENTRIES:
        _refuse(_("This workbook has too many parts to be a spreadsheet of data."))
    total = 0
    for entry in entries:
        total += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if total > MAX_UNCOMPRESSED_BYTES or (
            entry.file_size > 1024 * 1024 and ratio > MAX_COMPRESSION_RATIO
        ):
            _refuse(
                _(
                    "This workbook would unpack to far more data than it holds (a "
                    "compression bomb): it is refused."
                )
            )
    lowered = {entry.lower() for entry in names}
    if any(entry.endswith("vbaproject.bin") for entry in lowered):
        _refuse(_("This workbook contains macros: save it as a plain .xlsx without macros."))
    if any(entry.startswith("xl/externallinks/") for entry in lowered):
        _refuse(
            _(
                "This workbook links to other files (external links): copy the values into "
                "the sheet and save it again."
            )
        )


def detect_encoding(data: bytes, requested: str = "") -> str:
    """The codec a CSV is read with: the one asked for, else UTF-8 (with or without BOM),
    else what charset-normalizer finds among the encodings Chinese users have."""
    if requested:
        try:
            codec = codecs.lookup(requested.strip()).name.replace("-", "_")
        except LookupError:
            raise ValidationFailed(
                {"encoding": [_("%(name)s is not an encoding we know.") % {"name": requested}]}
            ) from None
        if codec in {"gbk", "gb2312", "cp936"}:
            codec = "gb18030"
        if codec == "utf_8" and data.startswith(codecs.BOM_UTF8):
            codec = "utf_8_sig"
        _decode(data, codec, requested=True)
        return codec
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        _refuse(_("This file is not a CSV text file: save it from Excel as CSV or .xlsx."))
    if data.startswith(codecs.BOM_UTF8):
        _decode(data, "utf_8_sig")
        return "utf_8_sig"
    try:
        data.decode("utf-8")
        return "utf_8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    sample = data[:SAMPLE_BYTES]
    if len(data) > SAMPLE_BYTES and b"\n" in sample:
        sample = sample.rsplit(b"\n", 1)[0]  # whole lines: never half a character
    best = from_bytes(sample).best()
    codec = ""
    if best is not None:
        codec = codecs.lookup(best.encoding).name.replace("-", "_")
        if codec in CHINESE_ENCODINGS:
            codec = "gb18030"
    if codec not in SUPPORTED_ENCODINGS:
        # What Chinese Excel saves as "CSV" on Windows, when the detector cannot tell.
        try:
            data.decode("gb18030")
            codec = "gb18030"
        except UnicodeDecodeError:
            pass
    if codec not in SUPPORTED_ENCODINGS:
        _refuse(
            _(
                "The text encoding of this file could not be recognised: save it as CSV "
                "UTF-8, or name its encoding (for example GBK)."
            )
        )
    _decode(data, codec)
    return codec


def _decode(data: bytes, codec: str, *, requested: bool = False) -> str:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        if requested:
            raise ValidationFailed(
                {"encoding": [_("The file cannot be read as %(name)s.") % {"name": codec}]}
            ) from None
        _refuse(
            _(
                "The text encoding of this file could not be recognised: save it as CSV "
                "UTF-8, or name its encoding (for example GBK)."
            )
        )


def cell_text(value) -> str:
    """A cell as text: whole numbers without ".0" (phones typed as numbers), dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def read_rows(
    *, data: bytes, file_format: str, encoding: str = ""
) -> Iterator[tuple[int, list[str]]]:
    """(row number, cell texts) for every row of the first sheet, the header row first."""
    if file_format == "xlsx":
        yield from _xlsx_rows(data)
    else:
        text = data.decode(encoding or "utf_8")
        reader = csv.reader(io.StringIO(text, newline=""))
        for number, row in enumerate(reader, start=1):
            yield number, [cell.strip() for cell in row]


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, list[str]]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
    except Exception:  # openpyxl raises many kinds on a damaged file
        _refuse(_("This workbook cannot be read: open it in Excel and save it again."))
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [cell_text(value) for value in row]
    finally:
        workbook.close()
