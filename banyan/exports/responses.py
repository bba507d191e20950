"""An export's file as an HTTP download (the page and the API serve it alike)."""

from django.http import FileResponse, Http404

from banyan.exports.models import ExportJob
from banyan.exports.registry import kind_named
from banyan.exports.services import export_file_path

CONTENT_TYPES = {
    ExportJob.Format.CSV: "text/csv; charset=utf-8",
    ExportJob.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_file_name(job: ExportJob, when=None) -> str:
    """The list's name in the user's language and the time: 客户-20261203-1640.xlsx."""
    kind = kind_named(job.kind)
    label = str(kind.label) if kind else job.kind
    stamp = (when or job.finished_at or job.created_at).strftime("%Y%m%d-%H%M")
    return f"{label}-{stamp}.{job.format}"


def export_file_response(job: ExportJob) -> FileResponse:
    try:
        handle = export_file_path(job).open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=export_file_name(job),
        content_type=CONTENT_TYPES[job.format],
    )
