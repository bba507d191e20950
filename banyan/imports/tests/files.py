"""Real files for the import tests, written as Excel and Chinese Excel write them."""

import io
import zipfile

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile


def xlsx(rows, name="customers.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_bytes(rows, encoding="utf-8") -> bytes:
    text = "\r\n".join(",".join(str(cell) for cell in row) for row in rows) + "\r\n"
    return text.encode(encoding)


def csv(rows, encoding="utf-8", name="customers.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_bytes(rows, encoding))


def raw(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def xlsx_with_part(part: str, content: bytes = b"x", name="customers.xlsx") -> SimpleUploadedFile:
    """A real workbook with one more part added (macros, external links…)."""
    base = xlsx([["客户名称"], ["甲公司"]]).read()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr(part, content)
    return SimpleUploadedFile(name, buffer.getvalue())


def zip_bomb(name="customers.xlsx") -> SimpleUploadedFile:
    """A workbook's parts with a sheet that inflates 1,000-fold (zeros compress so)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    return SimpleUploadedFile(name, buffer.getvalue())
