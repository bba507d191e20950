"""The export log: one row per export a user started, with its file while it is kept."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from banyan.core.models import TenantModel


class ExportJob(TenantModel):
    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel (.xlsx)"
        CSV = "csv", "CSV"

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("job status", "Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", pgettext_lazy("job status", "Failed")

    class Origin(models.TextChoices):
        PAGE = "page", _("List page")
        API = "api", _("API")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("exported by"),
    )
    kind = models.CharField(_("list"), max_length=40)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    # The list's query parameters as given: the page's query string, or the list API's.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    origin = models.CharField(_("started from"), max_length=8, choices=Origin.choices)
    language = models.CharField(_("language"), max_length=16, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    # Relative to MEDIA_ROOT, never served by the media URL: only through the download view.
    file = models.CharField(_("file"), max_length=255, blank=True)
    file_removed = models.BooleanField(_("file removed"), default=False)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "-created_at"], name="export_company_created"),
            models.Index(fields=["company", "user", "-created_at"], name="export_user_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}.{self.format} #{self.pk}"

    @property
    def is_downloadable(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file) and not self.file_removed
