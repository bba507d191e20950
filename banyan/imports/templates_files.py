"""The downloadable templates: the headers of a kind of import in the user's language."""

import csv
import io

from banyan.imports.columns import template_headers

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def template_file(kind: str, file_format: str, *, sees_costs: bool) -> bytes:
    """An empty sheet with the headers (required ones marked "*"); a CSV in UTF-8 with BOM,
    so that Excel shows its Chinese right."""
    headers = template_headers(kind, sees_costs=sees_costs)
    if file_format == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(headers)
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = kind
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = max(
            12, len(header) * 2
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
