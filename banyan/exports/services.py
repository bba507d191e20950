"""Exports: start one (logged as an ExportJob), produce its file, sweep files past keeping.

Only a user with the "export data" permission exports, and only the rows the list shows them
(the list's own selector, through the registry), with the cost columns only when they may see
costs. A small export is produced within the request; past `EXPORT_INLINE_ROWS` rows an
.xlsx runs on the task worker and is downloaded from the export log. A CSV from a list page
streams straight to the browser whatever its size, and is kept as a file like the others.
Every file is kept `EXPORT_KEEP_DAYS` days and served only to the user who made it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task
from rest_framework.exceptions import ValidationError as ApiValidationError

from banyan.accounts.models import User
from banyan.core.errors import NotFound, PermissionRefused, ValidationFailed
from banyan.exports import selectors, writers
from banyan.exports.models import ExportJob
from banyan.exports.registry import ExportKind, kind_named, query_of

FORMATS = {choice.value for choice in ExportJob.Format}


def inline_rows() -> int:
    return getattr(settings, "EXPORT_INLINE_ROWS", 5_000)


def stream_rows() -> int:
    """Past this many rows a page's CSV goes to the worker too: a download that streams for
    longer than the web server's timeout would be cut off."""
    return getattr(settings, "EXPORT_STREAM_ROWS", 300_000)


def keep_days() -> int:
    return getattr(settings, "EXPORT_KEEP_DAYS", 7)


def _export_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def ensure_can_export(user: User) -> None:
    if not selectors.can_export(user):
        raise PermissionRefused(
            _("Exporting needs the “export data” permission, which an administrator grants.")
        )


def _kind_for(user: User, key: str) -> ExportKind:
    kind = kind_named(key or "")
    if kind is None:
        raise ValidationFailed({"kind": [_("Choose one of the lists that can be exported.")]})
    if not kind.allowed(user):
        raise NotFound(_("This list is not available to you."))
    return kind


def export_rows(*, user: User, kind: ExportKind, origin: str, filters):
    """The list's rows for the user: the page's query string, or the list API's parameters.
    A bad API parameter is refused naming it (`filters.<name>`)."""
    query = query_of(filters)
    try:
        if origin == ExportJob.Origin.API:
            return kind.api_rows(user, query)
        return kind.page_rows(user, query)
    except ApiValidationError as exc:
        detail = exc.detail if isinstance(exc.detail, dict) else {"detail": exc.detail}
        raise ValidationFailed(
            {
                f"filters.{name}": [str(message) for message in _as_list(messages)]
                for name, messages in detail.items()
            }
        ) from None


def _as_list(messages) -> list:
    return list(messages) if isinstance(messages, list | tuple) else [messages]


def _plain_filters(filters) -> dict:
    """What the log keeps: each parameter as a string, or a list of them when repeated."""
    if hasattr(filters, "lists"):
        return {
            name: values if len(values) > 1 else values[0]
            for name, values in filters.lists()
            if name not in {"page", "format", "export"}
        }
    if not isinstance(filters, dict):
        raise ValidationFailed({"filters": [_("Give the filters as an object of parameters.")]})
    return {
        str(name): value if isinstance(value, list | bool | int) else str(value)
        for name, value in filters.items()
        if value is not None
    }


def export_start(
    *,
    user: User,
    kind: str,
    format: str,
    filters=None,
    origin: str = ExportJob.Origin.PAGE,
    background: bool = False,
) -> ExportJob:
    """Log an export of one list and produce it: within the call when small, on the worker
    when larger than EXPORT_INLINE_ROWS or asked (then the job is `queued` and the export log
    offers the file once `done`)."""
    ensure_can_export(user)
    export_kind = _kind_for(user, kind)
    if format not in FORMATS:
        raise ValidationFailed({"format": [_("Choose xlsx or csv.")]})
    plain = _plain_filters(filters or {})
    rows = export_rows(user=user, kind=export_kind, origin=origin, filters=plain)
    large = background or rows.count() > inline_rows()
    job = ExportJob.objects.create(
        company_id=user.company_id,
        user=user,
        kind=export_kind.key,
        format=format,
        filters=plain,
        origin=origin,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    if large:
        run_export.enqueue(job.pk)
        job.refresh_from_db()
    else:
        export_run(job)
    job.ran_in_background = large
    return job


def _file_name(job: ExportJob) -> str:
    return f"exports/{job.company_id}/{job.pk}-{secrets.token_hex(8)}.{job.format}"


def _file_path(name: str) -> Path:
    return _export_root() / name


def export_file_path(job: ExportJob) -> Path:
    """Where the job's file lies (under MEDIA_ROOT/exports/, never served by the media URL)."""
    return _file_path(job.file)


def _claim(job: ExportJob) -> bool:
    """Only one runner takes a queued job (a task run twice finds it taken)."""
    taken = ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING
    )
    job.status = ExportJob.Status.RUNNING
    return bool(taken)


def _finish(job: ExportJob, *, rows: int, name: str) -> None:
    job.status = ExportJob.Status.DONE
    job.rows = rows
    job.file = name
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "rows", "file", "finished_at", "updated_at"])


def _fail(job: ExportJob, exc: Exception, path: Path | None) -> None:
    if path is not None:
        path.unlink(missing_ok=True)
    job.status = ExportJob.Status.FAILED
    job.error = str(getattr(exc, "message", exc))[:2000] or type(exc).__name__
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at", "updated_at"])


def export_run(job: ExportJob) -> ExportJob:
    """Produce the job's file as its user, in the language they exported in. A failure marks
    the job failed with the reason and leaves no file behind."""
    if not _claim(job):
        return job
    user = job.user
    path = None
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            ensure_can_export(user)
            kind = _kind_for(user, job.kind)
            rows = export_rows(user=user, kind=kind, origin=job.origin, filters=job.filters)
            name = _file_name(job)
            path = _file_path(name)
            path.parent.mkdir(parents=True, exist_ok=True)
            counter = writers.Counter()
            zone = user.company.zone
            if job.format == ExportJob.Format.CSV:
                columns = kind.columns_for(user)
                with path.open("w", encoding="utf-8", newline="") as target:
                    for chunk in writers.csv_chunks(rows, columns, zone, counter, user):
                        target.write(chunk)
            else:
                sheets = [(kind.label, rows, kind.columns_for(user))]
                sheets += [
                    (sheet.title, sheet.rows(user, rows), kind.columns_for(user, sheet.columns))
                    for sheet in kind.sheets
                ]
                with path.open("wb") as target:
                    writers.write_xlsx(target, sheets, zone, counter, user)
        _finish(job, rows=counter.rows, name=name)
    except Exception as exc:  # the job says why; the worker goes on
        _fail(job, exc, path)
        if settings.DEBUG:
            raise
    return job


def export_stream(*, user: User, kind: str, filters) -> tuple[ExportJob, Iterator[bytes] | None]:
    """A CSV export from a list page, streamed as it is read (no worker): the job, and the
    response's pieces. The same pieces go to the kept file; the job is done when the last
    piece is out (failed if the download broke off). Past `EXPORT_STREAM_ROWS` rows the job
    goes to the worker instead, and there are no pieces (None)."""
    ensure_can_export(user)
    export_kind = _kind_for(user, kind)
    plain = _plain_filters(filters or {})
    rows = export_rows(user=user, kind=export_kind, origin=ExportJob.Origin.PAGE, filters=plain)
    if rows.count() > stream_rows():
        job = export_start(
            user=user, kind=kind, format=ExportJob.Format.CSV, filters=plain, background=True
        )
        return job, None
    job = ExportJob.objects.create(
        company_id=user.company_id,
        user=user,
        kind=export_kind.key,
        format=ExportJob.Format.CSV,
        filters=plain,
        origin=ExportJob.Origin.PAGE,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        status=ExportJob.Status.RUNNING,
    )
    columns = export_kind.columns_for(user)
    zone = user.company.zone
    language = job.language

    def pieces() -> Iterator[bytes]:
        name = _file_name(job)
        path = _file_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        counter = writers.Counter()
        try:
            with translation.override(language), path.open("wb") as target:
                for chunk in writers.csv_chunks(rows, columns, zone, counter, user):
                    data = chunk.encode("utf-8")
                    target.write(data)
                    yield data
        except BaseException as exc:  # a broken download (GeneratorExit) too
            _fail(job, exc if str(exc) else RuntimeError(_("The download broke off.")), path)
            raise
        _finish(job, rows=counter.rows, name=name)

    return job, pieces()


@task()
def run_export(job_id: int) -> str | None:
    """The background task that produces one export's file (`export_run`). Declared beside
    the service that enqueues it; `tasks.py` names it for the worker."""
    job = selectors.dangerously_export_job_by_id(job_id)
    if job is None:
        return None
    return export_run(job).status


def export_sweep(*, now=None) -> int:
    """Remove the files of exports older than the keeping time; the log rows stay (who
    exported what, when). Returns how many files went."""
    before = (now or timezone.now()) - timedelta(days=keep_days())
    removed = 0
    for job in selectors.company_wide_expired_export_jobs(before).only("pk", "file"):
        _file_path(job.file).unlink(missing_ok=True)
        ExportJob.objects.filter(pk=job.pk).update(file_removed=True)
        removed += 1
    return removed
