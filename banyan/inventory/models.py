"""Inventory (库存): warehouses and their keepers, stock levels, stock slips (inbound 入库单 and
outbound 出库单), the movement ledger, stocktakes (盘点) and shipments (发货) of orders.

The ledger is the truth: every change of a stock level writes a StockMovement in the same
transaction, so a level always equals the sum of its movements (`check_stock` verifies it).
Levels never go below zero: the services lock the level rows before they change them, and a
database constraint refuses a negative level whatever happens.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from banyan.core.errors import PermissionRefused
from banyan.core.models import TenantModel, quantity_field
from banyan.customers.models import CustomerRecord


class Warehouse(TenantModel):
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=255, blank=True)
    keepers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="kept_warehouses",
        blank=True,
        verbose_name=_("keepers"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="warehouse_name_unique")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("warehouse-detail", args=[self.pk])


class StockLevel(TenantModel):
    product = models.ForeignKey(
        "products.Product",
        on_delete=models.PROTECT,
        related_name="stock_levels",
        verbose_name=_("product"),
    )
    warehouse = models.ForeignKey(
        Warehouse,
        on_delete=models.PROTECT,
        related_name="stock_levels",
        verbose_name=_("warehouse"),
    )
    quantity = quantity_field(_("quantity"))

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        ordering = ["warehouse", "product"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "product"], name="stock_level_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_never_negative"),
        ]
        indexes = [models.Index(fields=["company", "product"], name="stock_company_product")]

    def __str__(self):
        return f"{self.product} @ {self.warehouse}: {self.quantity}"


class StockSlip(TenantModel):
    class Kind(models.TextChoices):
        INBOUND = "inbound", _("Inbound slip")
        OUTBOUND = "outbound", _("Outbound slip")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    # The status badge ({% status_badge %}): a Bootstrap tone per status ("" for any other)
    STATUS_BADGES = {"draft": "warning", "confirmed": "success", "": "secondary"}
    STATUS_BADGE_CLASS = "slip-status"

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=50)
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="slips", verbose_name=_("warehouse")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    agreement = models.ForeignKey(
        "agreements.Agreement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stock_slips",
        verbose_name=_("order"),
    )
    purchase_order = models.ForeignKey(
        "purchasing.PurchaseOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stock_slips",
        verbose_name=_("purchase order"),
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    reject_reason = models.CharField(_("rejection reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed or rejected by"),
    )
    decided_at = models.DateTimeField(_("confirmed or rejected at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("stock slip")
        verbose_name_plural = _("stock slips")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="stock_slip_number_unique")
        ]
        indexes = [
            models.Index(fields=["company", "status", "warehouse"], name="slip_company_queue"),
            models.Index(fields=["company", "agreement"], name="slip_company_agreement"),
            models.Index(fields=["company", "-created_at", "-id"], name="slip_company_created"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("slip-detail", args=[self.pk])

    @property
    def is_outbound(self) -> bool:
        return self.kind == self.Kind.OUTBOUND


class StockSlipLine(TenantModel):
    slip = models.ForeignKey(
        StockSlip, on_delete=models.CASCADE, related_name="lines", verbose_name=_("stock slip")
    )
    product = models.ForeignKey(
        "products.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = quantity_field(_("quantity"))
    agreement_line = models.ForeignKey(
        "agreements.AgreementLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="slip_lines",
    )
    purchase_line = models.ForeignKey(
        "purchasing.PurchaseOrderLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="slip_lines",
    )

    class Meta:
        verbose_name = _("stock slip line")
        verbose_name_plural = _("stock slip lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="slip_line_quantity")
        ]


class Stocktake(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Counting")
        CONFIRMED = "confirmed", _("Confirmed")

    # The status badge ({% status_badge %}): a Bootstrap tone per status ("" for any other)
    STATUS_BADGES = {"draft": "warning", "": "success"}

    number = models.CharField(_("number"), max_length=50)
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="stocktakes", verbose_name=_("warehouse")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    counted_on = models.DateField(_("count date"), default=timezone.localdate)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="stocktake_number_unique")
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("stocktake-detail", args=[self.pk])


class StocktakeLine(TenantModel):
    stocktake = models.ForeignKey(
        Stocktake, on_delete=models.CASCADE, related_name="lines", verbose_name=_("stocktake")
    )
    product = models.ForeignKey(
        "products.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    book_quantity = quantity_field(_("book quantity"))
    counted_quantity = quantity_field(_("counted quantity"), null=True, blank=True, default=None)
    reason = models.CharField(_("reason for the difference"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("stocktake line")
        verbose_name_plural = _("stocktake lines")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["stocktake", "product"], name="stocktake_line_unique")
        ]

    @property
    def difference(self):
        if self.counted_quantity is None:
            return None
        return self.counted_quantity - self.book_quantity


class MovementQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionRefused(_("Stock movements are never changed."))

    def delete(self):
        raise PermissionRefused(_("Stock movements are never deleted."))


class StockMovement(TenantModel):
    """One change of one stock level: written with the change, never changed or deleted."""

    class Reason(models.TextChoices):
        INITIAL = "initial", _("Initial stock")
        INBOUND = "inbound", _("Inbound slip")
        OUTBOUND = "outbound", _("Outbound slip")
        STOCKTAKE = "stocktake", _("Stocktake adjustment")
        # An import of initial stock undone (within its revert window): the level starts again.
        REVERTED = "reverted", _("Initial stock reverted")

    product = models.ForeignKey(
        "products.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="movements", verbose_name=_("warehouse")
    )
    quantity = quantity_field(_("quantity"))
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)
    slip = models.ForeignKey(
        StockSlip, on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    stocktake = models.ForeignKey(
        Stocktake, on_delete=models.PROTECT, null=True, blank=True, related_name="movements"
    )
    moved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    moved_at = models.DateTimeField(_("at"), default=timezone.now)

    objects = MovementQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-moved_at", "-id"]
        indexes = [
            models.Index(fields=["company", "warehouse", "product"], name="move_company_level"),
            models.Index(fields=["company", "-moved_at"], name="move_company_time"),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionRefused(_("Stock movements are never changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionRefused(_("Stock movements are never deleted."))


class Shipment(CustomerRecord):
    """Goods of an order sent to the customer (发货)."""

    agreement = models.ForeignKey(
        "agreements.Agreement",
        on_delete=models.PROTECT,
        related_name="shipments",
        verbose_name=_("order"),
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    carrier = models.CharField(_("carrier"), max_length=100)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    shipped_on = models.DateField(_("shipping date"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-shipped_on", "-id"]
        indexes = [
            models.Index(fields=["company", "agreement"], name="shipment_company_order"),
            models.Index(fields=["company", "customer"], name="shipment_company_customer"),
            models.Index(fields=["company", "-shipped_on", "-id"], name="shipment_company_shipped"),
            models.Index(
                fields=["company", "customer_owner", "-shipped_on", "-id"],
                name="shipment_company_cust_owner",
            ),
        ]

    def __str__(self):
        return f"{self.carrier} {self.tracking_number}"


class ShipmentLine(TenantModel):
    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="lines", verbose_name=_("shipment")
    )
    agreement_line = models.ForeignKey(
        "agreements.AgreementLine", on_delete=models.PROTECT, related_name="shipment_lines"
    )
    quantity = quantity_field(_("quantity"))

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_line_quantity")
        ]
