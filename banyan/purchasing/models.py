"""Purchasing (采购): suppliers and purchase orders, received into stock by inbound slips.

Purchase prices are costs: only users with the "see costs" permission see them (the pages
and serializers leave them out for everyone else).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from banyan.core.models import TenantModel, money_field, quantity_field


class Supplier(TenantModel):
    name = models.CharField(_("name"), max_length=200)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="supplier_name_unique")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("supplier-detail", args=[self.pk])


class PurchaseOrder(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ORDERED = "ordered", _("Ordered")
        PARTLY_RECEIVED = "partly_received", _("Partly received")
        RECEIVED = "received", _("Received")
        CANCELLED = "cancelled", _("Cancelled")

    # The status badge ({% status_badge %}): a Bootstrap tone per status ("" for any other)
    STATUS_BADGES = {
        "draft": "secondary",
        "ordered": "primary",
        "partly_received": "warning",
        "received": "success",
        "": "light border",
    }
    STATUS_BADGE_CLASS = "po-status"

    number = models.CharField(_("number"), max_length=50)
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.PROTECT,
        related_name="purchase_orders",
        verbose_name=_("supplier"),
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        on_delete=models.PROTECT,
        related_name="purchase_orders",
        verbose_name=_("receiving warehouse"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    ordered_on = models.DateField(_("order date"), null=True, blank=True)
    expected_on = models.DateField(_("expected delivery"), null=True, blank=True)
    amount = money_field(_("amount"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="purchase_number_unique")
        ]
        indexes = [
            models.Index(fields=["company", "status", "-created_at"], name="po_company_status"),
            models.Index(fields=["company", "supplier"], name="po_company_supplier"),
            models.Index(fields=["company", "-created_at", "-id"], name="po_company_created"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("purchase-order-detail", args=[self.pk])


class PurchaseOrderLine(TenantModel):
    purchase_order = models.ForeignKey(
        PurchaseOrder,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("purchase order"),
    )
    product = models.ForeignKey(
        "products.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product")
    )
    quantity = quantity_field(_("quantity"))
    unit_price = money_field(_("purchase price"))
    amount = money_field(_("amount"))
    received_quantity = quantity_field(_("received"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="po_line_quantity"),
            models.CheckConstraint(condition=Q(received_quantity__gte=0), name="po_line_received"),
        ]

    @property
    def outstanding(self) -> Decimal:
        return max(self.quantity - self.received_quantity, Decimal("0.00"))
