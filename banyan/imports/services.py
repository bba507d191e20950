"""Writes on imports: upload (and the check that follows), confirm (and the write that
follows), revert. The check and the write run as background tasks (django-tasks): with the
immediate backend they finish within the request that starts them.

The write is one transaction: a failure midway (a database error, the worker killed) leaves
the data as it was, and the job says why.
"""

import dataclasses
import datetime
import gzip
import json
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from banyan.accounts.guards import ensure_can_write
from banyan.accounts.models import User
from banyan.core.errors import DomainError, PermissionRefused, ValidationFailed
from banyan.imports import files, selectors
from banyan.imports.importers import importer_for
from banyan.imports.importers.base import ImportRefused, Plan, plan_for, rows_of
from banyan.imports.models import ImportJob
from banyan.products import selectors as product_selectors

logger = logging.getLogger(__name__)

REVERT_WINDOW = datetime.timedelta(days=7)
# A working job whose progress has not moved for this long lost its worker.
INTERRUPTED_AFTER_MINUTES = 15
Status = ImportJob.Status


def _ensure_may_import(user: User, kind: str) -> None:
    ensure_can_write(user)
    if kind == ImportJob.Kind.PRODUCTS and not product_selectors.can_manage_products(user):
        raise PermissionRefused(_("Only users allowed to manage products may import them."))


def import_job_create(
    *, user: User, kind: str, upload, encoding: str = "", on_duplicate: str = "skip"
) -> ImportJob:
    """Take an uploaded file and check it in the background (the job is `validating`, then
    `previewed` with the rows it would leave out, or `failed` saying why). A file that is
    not what it claims, too large, a zip bomb, with macros or external links, empty, or in an
    encoding we cannot read is refused here: ValidationFailed on `file` (or `encoding`)."""
    if kind not in ImportJob.Kind.values:
        raise ValidationFailed({"kind": [_("Choose customers, products or stock.")]})
    if on_duplicate in (None, ""):
        on_duplicate = ImportJob.OnDuplicate.SKIP
    if on_duplicate not in ImportJob.OnDuplicate.values:
        raise ValidationFailed({"on_duplicate": [_("Choose skip or update.")]})
    _ensure_may_import(user, kind)
    if upload is None:
        raise ValidationFailed({"file": [_("Choose a file to import.")]})
    limit = files.max_bytes()
    if getattr(upload, "size", 0) > limit:
        raise ValidationFailed(
            {
                "file": [
                    _("The file is larger than %(limit)d MB: split it into smaller files.")
                    % {"limit": limit // (1024 * 1024)}
                ]
            }
        )
    data = upload.read(limit + 1)
    name = (getattr(upload, "name", "") or "import").rsplit("/", 1)[-1][-200:]
    inspected = files.inspect_upload(name=name, data=data, encoding=encoding or "")
    job = ImportJob(
        company_id=user.company_id,
        kind=kind,
        created_by=user,
        file_name=name,
        file_format=inspected.file_format,
        encoding=inspected.encoding,
        on_duplicate=on_duplicate,
    )
    job.file.save(f"import.{inspected.file_format}", ContentFile(data), save=False)
    job.save()
    check_import.enqueue(job.pk)
    job.refresh_from_db()
    return job


def _plan(job: ImportJob, user: User, progress):
    data = job.file.open("rb").read()
    job.file.close()
    numbered = files.read_rows(data=data, file_format=job.file_format, encoding=job.encoding)
    match, rows = rows_of(job.kind, numbered)
    plan = plan_for(job.kind, match)
    return importer_for(job.kind).plan(
        user=user, rows=rows, plan=plan, on_duplicate=job.on_duplicate, progress=progress
    )


def _plan_path(job: ImportJob) -> str:
    return f"{job.file.name}.plan.json.gz"


def _keep_plan(job: ImportJob, plan) -> None:
    """Keep a plan in JSON beside the file, for the write to carry out unless stale."""
    storage = job.file.storage
    path = _plan_path(job)
    if storage.exists(path):
        storage.delete(path)
    fields = {field.name: getattr(plan, field.name) for field in dataclasses.fields(plan)}
    content = json.dumps(fields, ensure_ascii=False, default=str)
    storage.save(path, ContentFile(gzip.compress(content.encode(), compresslevel=1)))


def _kept_plan(job: ImportJob, user: User):
    """The plan kept by the check, if there is one and nothing it relies on changed since."""
    check = importer_for(job.kind).still_valid
    storage = job.file.storage
    path = _plan_path(job)
    if check is None or not storage.exists(path):
        return None
    with storage.open(path, "rb") as kept:
        plan = Plan(**json.loads(gzip.decompress(kept.read())))
    if not check(user=user, plan=plan, on_duplicate=job.on_duplicate):
        return None
    return plan


def _progress_in_autocommit(job_id: int, low: int, high: int):
    last = {"value": -1}

    def report(done: int, total: int) -> None:
        value = low + (high - low) * done // max(total, 1)
        if value != last["value"]:
            last["value"] = value
            ImportJob.objects.filter(pk=job_id).update(progress=value, updated_at=timezone.now())

    return report


class _SideProgress:
    """Progress of a write in progress, reported on a connection of its own: the write's
    transaction is invisible to the page until it commits. PostgreSQL only (SQLite's one
    writer is the write itself); elsewhere the bar jumps when the write ends."""

    def __init__(self, job_id: int, low: int, high: int):
        self.job_id, self.low, self.high, self.last = job_id, low, high, -1
        self.side = None
        if connection.vendor == "postgresql":
            try:
                self.side = connections.create_connection("default")
            except Exception:  # progress is a courtesy: never fail an import for it
                self.side = None

    def __call__(self, done: int, total: int) -> None:
        value = self.low + (self.high - self.low) * done // max(total, 1)
        if self.side is None or value == self.last:
            return
        self.last = value
        try:
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {ImportJob._meta.db_table} SET progress = %s, rows_written = %s, "
                    "updated_at = %s WHERE id = %s",
                    [value, done if self.low >= 30 else 0, timezone.now(), self.job_id],
                )
        except Exception:
            logger.warning("import %s: progress not reported", self.job_id, exc_info=True)
            self.close()

    def close(self) -> None:
        if self.side is not None:
            try:
                self.side.close()
            finally:
                self.side = None


def _fail(job_id: int, message: str, status_from) -> None:
    ImportJob.objects.filter(pk=job_id, status__in=status_from).update(
        status=Status.FAILED, error=message, finished_at=timezone.now()
    )


def import_job_check(*, job_id: int) -> None:
    """Check a `validating` job's file row by row and keep the preview (task body)."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status != Status.VALIDATING:
        return
    try:
        plan = _plan(job, job.created_by, _progress_in_autocommit(job.pk, 0, 100))
    except ImportRefused as exc:
        _fail(job.pk, str(exc.message), [Status.VALIDATING])
        return
    except ValidationFailed as exc:
        _fail(job.pk, str(exc.message), [Status.VALIDATING])
        return
    except Exception:
        logger.exception("import %s could not be checked", job.pk)
        _fail(job.pk, _("The file could not be checked: it may be damaged."), [Status.VALIDATING])
        return
    if importer_for(job.kind).still_valid is not None:
        _keep_plan(job, plan)
    ImportJob.objects.filter(pk=job.pk, status=Status.VALIDATING).update(
        status=Status.PREVIEWED,
        rows_total=plan.rows_total,
        rows_valid=plan.rows_valid,
        errors=plan.errors,
        duplicates=plan.duplicates,
        unknown_columns=plan.unknown_columns,
        progress=100,
    )


@task()
def check_import(job_id: int) -> None:
    import_job_check(job_id=job_id)


def _ensure_importer(user: User, job: ImportJob) -> None:
    if job.created_by_id != user.pk:
        raise PermissionRefused(_("Only the user who uploaded the file can import it."))


def import_job_confirm(*, user: User, job: ImportJob) -> ImportJob:
    """Queue the write of a checked file (its importer only). The rows that had errors or
    are skipped duplicates are left out, as the preview showed."""
    _ensure_may_import(user, job.kind)
    _ensure_importer(user, job)
    if job.status != Status.PREVIEWED:
        raise DomainError(_("Only a checked import can be confirmed."), field="status")
    if job.rows_valid == 0:
        raise DomainError(_("No row of this file can be imported."), field="status")
    claimed = ImportJob.objects.filter(pk=job.pk, status=Status.PREVIEWED).update(
        status=Status.QUEUED, progress=0, error=""
    )
    if not claimed:
        raise DomainError(_("This import was confirmed already."), field="status")
    run_import.enqueue(job.pk)
    job.refresh_from_db()
    return job


def import_job_write(*, job_id: int) -> None:
    """Write a `queued` job in one transaction (task body): `done`, or `failed` with the
    reason and nothing written."""
    claimed = ImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now(), progress=0, updated_at=timezone.now()
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    user = job.created_by
    checking = _SideProgress(job.pk, 0, 30)
    writing = _SideProgress(job.pk, 30, 100)
    try:
        _ensure_may_import(user, job.kind)
        with transaction.atomic():
            plan = _kept_plan(job, user) or _plan(job, user, checking)
            result = importer_for(job.kind).write(user=user, plan=plan, progress=writing)
            ImportJob.objects.filter(pk=job.pk).update(
                status=Status.DONE,
                progress=100,
                rows_total=plan.rows_total,
                rows_valid=plan.rows_valid,
                errors=plan.errors,
                duplicates=plan.duplicates,
                rows_written=result["rows_written"],
                created_ids=result["created_ids"],
                before_values=result["before_values"],
                finished_at=timezone.now(),
            )
    except DomainError as exc:
        _fail(
            job.pk,
            _("Nothing was imported: %(reason)s") % {"reason": exc.message},
            [Status.RUNNING],
        )
    except Exception as exc:
        logger.exception("import %s failed", job.pk)
        _fail(
            job.pk,
            _("Nothing was imported: the import stopped on an error (%(error)s).")
            % {"error": type(exc).__name__},
            [Status.RUNNING],
        )
    finally:
        checking.close()
        writing.close()


@task()
def run_import(job_id: int) -> None:
    import_job_write(job_id=job_id)


def may_revert(user: User, job: ImportJob) -> bool:
    """The importer or an admin boss, a finished import, within the revert window."""
    return (
        (job.created_by_id == user.pk or user.is_account_admin)
        and job.status == Status.DONE
        and job.finished_at is not None
        and timezone.now() - job.finished_at <= REVERT_WINDOW
    )


@transaction.atomic
def import_job_revert(*, user: User, job: ImportJob) -> ImportJob:
    """Undo a finished import within 7 days (its importer or an admin boss): what it created
    is removed, except what was changed or used since (kept, and listed on the job), and
    what it updated gets its previous values back. All or nothing."""
    ensure_can_write(user)
    job = ImportJob.objects.select_for_update().get(pk=job.pk, company_id=user.company_id)
    if job.created_by_id != user.pk and not user.is_account_admin:
        raise PermissionRefused(
            _("Only the user who imported the file or an administrator boss can revert it.")
        )
    if job.status != Status.DONE:
        raise DomainError(_("Only a finished import can be reverted."), field="status")
    if not may_revert(user, job):
        raise DomainError(_("An import can be reverted within 7 days only."), field="status")
    kept = importer_for(job.kind).revert(user=user, job=job)
    job.status = Status.REVERTED
    job.revert_kept = kept
    job.reverted_at = timezone.now()
    job.reverted_by = user
    job.save(update_fields=["status", "revert_kept", "reverted_at", "reverted_by", "updated_at"])
    return job


def imports_fail_interrupted(*, minutes: int = INTERRUPTED_AFTER_MINUTES) -> int:
    """Mark failed the jobs still checking or importing whose progress has not moved for
    `minutes`: their worker stopped, and a write's transaction died with it (nothing was
    written). Returns how many."""
    stale = timezone.now() - datetime.timedelta(minutes=minutes)
    return ImportJob.objects.filter(
        status__in=[Status.VALIDATING, Status.RUNNING], updated_at__lt=stale
    ).update(
        status=Status.FAILED,
        error=_("The import was interrupted (its worker stopped): nothing was written."),
        finished_at=timezone.now(),
    )


def imports_sweep_files(*, now=None) -> int:
    """Remove the uploaded files, and the plans checked from them, of imports uploaded more
    than IMPORT_KEEP_DAYS days ago and not at work; the jobs stay, with what a revert needs.
    A file checked but never confirmed in that time can no longer be: its job is marked
    failed, saying so. Returns how many files went."""
    days = settings.IMPORT_KEEP_DAYS
    before = (now or timezone.now()) - datetime.timedelta(days=days)
    removed = 0
    for job in selectors.company_wide_expired_import_jobs(before).only("pk", "file", "status"):
        storage = job.file.storage
        for path in (job.file.name, _plan_path(job)):
            if storage.exists(path):
                storage.delete(path)
        ImportJob.objects.filter(pk=job.pk).update(file="")
        ImportJob.objects.filter(pk=job.pk, status=Status.PREVIEWED).update(
            status=Status.FAILED,
            error=_("Not confirmed within %(days)d days: the file was removed. Upload it again.")
            % {"days": days},
            finished_at=timezone.now(),
        )
        removed += 1
    return removed
