"""Imports (数据导入): one job per uploaded file, from the preview to the write and its revert."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from banyan.core.models import TenantModel


class ImportJob(TenantModel):
    """One uploaded file of customers, products or stock.

    It is checked first (`validating` → `previewed`: `errors` and `duplicates` list what would
    be left out), written on confirmation (`queued` → `running` → `done` | `failed`) in one
    transaction, and may be reverted within the revert window (`reverted`). What the write
    created and the values it overwrote are kept here, so that a revert knows them.
    """

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", _("Customers and contacts")
        PRODUCTS = "products", _("Products")
        STOCK = "stock", _("Initial stock")

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Checking")
        PREVIEWED = "previewed", _("Checked")
        QUEUED = "queued", pgettext_lazy("job status", "Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", pgettext_lazy("job status", "Failed")
        REVERTED = "reverted", _("Reverted")

    class OnDuplicate(models.TextChoices):
        SKIP = "skip", _("Skip duplicates")
        UPDATE = "update", _("Update duplicates I may edit")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.VALIDATING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("imported by"),
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(max_length=4)  # "xlsx" or "csv"
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    on_duplicate = models.CharField(
        _("duplicates"), max_length=6, choices=OnDuplicate.choices, default=OnDuplicate.SKIP
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_valid = models.PositiveIntegerField(_("rows to import"), default=0)
    rows_written = models.PositiveIntegerField(_("rows imported"), default=0)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    # [{"row", "column", "message"}] and [{"row", "message"}], rows numbered as the
    # spreadsheet shows them (the header is row 1).
    errors = models.JSONField(default=list, blank=True)
    duplicates = models.JSONField(default=list, blank=True)
    unknown_columns = models.JSONField(default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    # {"customers": [ids], "contacts": [ids], …} created, and [{"model", "id", "values"}]
    # as they were before the import updated them.
    created_ids = models.JSONField(default=dict, blank=True)
    before_values = models.JSONField(default=list, blank=True)
    # What a revert kept because it was changed or used since: [{"model", "id", "name"}].
    revert_kept = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    reverted_at = models.DateTimeField(_("reverted"), null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reverted by"),
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["company", "created_by", "-created_at"], name="import_company_user"
            ),
            models.Index(fields=["company", "-created_at"], name="import_company_created"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.file_name}"

    def get_absolute_url(self):
        return reverse("import-detail", args=[self.pk])

    @property
    def is_working(self) -> bool:
        """Still changing on its own: the page polls for progress."""
        return self.status in {self.Status.VALIDATING, self.Status.QUEUED, self.Status.RUNNING}
