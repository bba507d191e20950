"""Writes of the reports app: the export of a report's table to .xlsx, logged in the export
log (the exports app's `ExportJob`) like every other export."""

import io

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import Workbook

from banyan.exports.models import ExportJob
from banyan.exports.services import ensure_can_export
from banyan.exports.writers import _xlsx_text
from banyan.reports.registry import Report, ReportQuery

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value):
    if isinstance(value, str):
        return _xlsx_text(value)
    return value


def report_export(*, user, report: Report, query: ReportQuery) -> tuple[bytes, str]:
    """The report's table (its columns, rows and totals, as the page shows them) as .xlsx
    bytes and a file name; needs the "export data" permission. The export is logged (done,
    no file kept: it is made again from the figures whenever asked)."""
    ensure_can_export(user)
    columns = report.columns(query)
    result = report.compute(query)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(report.title)[:31] or "Report")
    sheet.append([str(column.label) for column in columns])
    for row in result.rows:
        sheet.append([_cell(row.get(column.key)) for column in columns])
    if result.totals:
        sheet.append(
            [gettext("Total")] + [_cell(result.totals.get(column.key)) for column in columns[1:]]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    now = timezone.now()
    ExportJob.objects.create(
        company_id=user.company_id,
        user=user,
        kind=f"report-{report.name}"[:40],
        format=ExportJob.Format.XLSX,
        filters={
            "from": query.date_from.isoformat(),
            "to": query.date_to.isoformat(),
            "group_by": query.group_by,
        },
        origin=ExportJob.Origin.PAGE,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        status=ExportJob.Status.DONE,
        rows=len(result.rows),
        finished_at=now,
    )
    stamp = timezone.localtime(now, user.company.zone).strftime("%Y%m%d-%H%M")
    return (
        buffer.getvalue(),
        f"{report.title}-{query.date_from:%Y%m%d}-{query.date_to:%Y%m%d}-{stamp}.xlsx",
    )
