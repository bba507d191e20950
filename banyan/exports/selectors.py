"""Reads of the export log. Everyone sees their own exports; an admin boss sees the company's.
A file is served only to the user who made it."""

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from banyan.accounts import visibility
from banyan.accounts.models import User
from banyan.core.errors import NotFound
from banyan.core.fetch import get_for
from banyan.exports.models import ExportJob

EXPORT_PERMISSION = "accounts.export_data"


def can_export(user: User) -> bool:
    """The "export data" special permission, which an admin boss grants (to themself too)."""
    return visibility.is_member(user) and user.has_perm(EXPORT_PERMISSION)


def sees_company_exports(user: User) -> bool:
    return visibility.is_member(user) and user.is_account_admin


def visible_export_jobs(user: User) -> QuerySet[ExportJob]:
    jobs = visibility.of_company(user, ExportJob).select_related("user")
    if sees_company_exports(user):
        return jobs
    return jobs.filter(user_id=user.pk)


def get_export_job_for(user: User, pk) -> ExportJob:
    return get_for(visible_export_jobs(user), pk)


def get_export_file_for(user: User, pk) -> ExportJob:
    """The export whose file the user may download: their own, done, still kept. Anyone
    else's (an admin boss's company log included) answers not found."""
    job = get_export_job_for(user, pk)
    kept_since = timezone.now() - timedelta(days=getattr(settings, "EXPORT_KEEP_DAYS", 7))
    if job.user_id != user.pk or not job.is_downloadable or job.created_at < kept_since:
        raise NotFound()
    return job


def dangerously_export_job_by_id(pk: int) -> ExportJob | None:
    """The job a worker runs, by its id alone (the task has no acting user: the job's own
    user is the actor of every read it makes)."""
    return ExportJob.objects.select_related("user", "user__company").filter(pk=pk).first()


def company_wide_expired_export_jobs(before) -> QuerySet[ExportJob]:
    """Every company's exports whose file is past keeping (the sweep)."""
    return ExportJob.objects.filter(created_at__lt=before, file_removed=False).exclude(file="")
