"""Reads on imports: a user's own jobs; an admin boss sees every job of the company."""

from django.db.models import QuerySet

from banyan.accounts import visibility
from banyan.accounts.models import User
from banyan.core.fetch import get_for
from banyan.imports.models import ImportJob


def visible_import_jobs(user: User) -> QuerySet[ImportJob]:
    jobs = visibility.of_company(user, ImportJob).select_related("created_by")
    if not user.is_account_admin:
        jobs = jobs.filter(created_by_id=user.pk)
    return jobs.order_by("-created_at", "-id")


def get_import_job_for(user: User, pk) -> ImportJob:
    """One job the user sees (NotFound otherwise, whatever the reason)."""
    return get_for(visible_import_jobs(user), pk)


def company_wide_expired_import_jobs(before) -> QuerySet[ImportJob]:
    """Every company's imports uploaded before `before` that still hold their file and are
    not at work (the sweep)."""
    working = [ImportJob.Status.VALIDATING, ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]
    return (
        ImportJob.objects.filter(created_at__lt=before)
        .exclude(file="")
        .exclude(status__in=working)
        .order_by("pk")
    )
