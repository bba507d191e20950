"""Agreements (合约): a contract (合同) or an order (订单), with its lines and attachments.

One agreement is one kind forever. A contract sells service products in one to five lines
and never touches stock; an order sells any products in any number of lines. Each line is
unit price × quantity less its discount (percent); the agreement's amount is the lines'
total less the whole-agreement discount (percent), each rounded half up to the fen and
stored, so lists and sums never recompute it.

`planned_amount`, `paid_amount` and `invoiced_amount` are kept by the finance services under a
row lock on the agreement: the sum of its payment plans, of its payments (reversals included)
and of its invoices. So this app reads its money figures without knowing the finance app.
"""

import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from banyan.core.models import TenantModel, money_field, quantity_field
from banyan.core.values import fen
from banyan.customers.models import NamedCustomerRecord

HUNDRED = Decimal(100)


def line_amount(unit_price, quantity, discount_percent) -> Decimal:
    """Unit price × quantity less the discount, to the fen (rounded half up)."""
    return fen(
        Decimal(unit_price) * Decimal(quantity) * (HUNDRED - Decimal(discount_percent)) / HUNDRED
    )


def agreement_amount(lines_total, discount_percent) -> Decimal:
    """The lines' total less the whole-agreement discount, to the fen."""
    return fen(Decimal(lines_total) * (HUNDRED - Decimal(discount_percent)) / HUNDRED)


class Agreement(NamedCustomerRecord):
    class Kind(models.TextChoices):
        CONTRACT = "contract", _("Contract")
        ORDER = "order", _("Order")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        EXECUTING = "executing", _("Executing")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    # The status badge ({% status_badge %}): a Bootstrap tone per status ("" for any other)
    STATUS_BADGES = {
        "draft": "secondary",
        "signed": "info",
        "executing": "primary",
        "completed": "success",
        "": "dark",
    }
    STATUS_BADGE_CLASS = "agreement-status"

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="agreements",
        verbose_name=_("customer"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_agreements",
        verbose_name=_("owner"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    signed_on = models.DateField(_("signing date"), null=True, blank=True)
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    terms = models.TextField(_("terms"), blank=True)
    discount_percent = models.DecimalField(
        _("whole discount (%)"), max_digits=5, decimal_places=2, default=0
    )
    lines_total = money_field(_("lines total"))
    amount = money_field(_("amount"))
    planned_amount = money_field(_("Planned"))
    paid_amount = money_field(_("paid"))
    invoiced_amount = money_field(_("invoiced"))
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    history = HistoricalRecords(excluded_fields=["updated_at", "customer_owner", "customer_name"])

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="agreement_number_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="agreement_amount_positive"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="agreement_discount_percent",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "kind", "-created_at", "-id"], name="agr_company_kind"),
            models.Index(
                fields=["company", "customer_owner", "kind", "-created_at", "-id"],
                name="agr_company_cust_owner",
            ),
            # the API's list of both kinds, in its default order
            models.Index(fields=["company", "-created_at", "-id"], name="agr_company_created"),
            models.Index(
                fields=["company", "customer_owner", "-created_at", "-id"],
                name="agr_company_cust_owner_created",
            ),
            models.Index(fields=["company", "customer"], name="agr_company_customer"),
            models.Index(fields=["company", "owner", "kind"], name="agr_company_owner"),
            models.Index(fields=["company", "kind", "status"], name="agr_company_status"),
            models.Index(fields=["company", "signed_on"], name="agr_company_signed"),
            # What is paid and not invoiced (the finance desk, the receivables report): few.
            models.Index(
                fields=["company", "customer_owner"],
                include=["owner", "kind", "customer", "paid_amount", "invoiced_amount"],
                condition=Q(invoiced_amount__lt=F("paid_amount")) & ~Q(status="cancelled"),
                name="agr_to_invoice",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("agreement-detail", args=[self.pk])

    @property
    def is_contract(self) -> bool:
        return self.kind == self.Kind.CONTRACT

    @property
    def is_open(self) -> bool:
        """Not completed or cancelled: its header may still change."""
        return self.status not in (self.Status.COMPLETED, self.Status.CANCELLED)

    @property
    def lines_editable(self) -> bool:
        """Lines, and so the amount, are fixed once the agreement is signed."""
        return self.status == self.Status.DRAFT

    @property
    def takes_payments(self) -> bool:
        return self.status in (self.Status.SIGNED, self.Status.EXECUTING, self.Status.COMPLETED)

    @property
    def receivable(self) -> Decimal:
        return self.amount - self.paid_amount

    @property
    def uninvoiced(self) -> Decimal:
        return self.paid_amount - self.invoiced_amount


class AgreementLine(TenantModel):
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="lines", verbose_name=_("agreement")
    )
    product = models.ForeignKey(
        "products.Product",
        on_delete=models.PROTECT,
        related_name="agreement_lines",
        verbose_name=_("product"),
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    unit_price = money_field(_("unit price"))
    quantity = quantity_field(_("quantity"), default=1)
    discount_percent = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=0
    )
    amount = money_field(_("amount"))
    # The product's cost when the line was written: gross profit = amount − cost × quantity.
    unit_cost = money_field(_("unit cost"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("agreement line")
        verbose_name_plural = _("agreement lines")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="agreement_line_quantity"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="agreement_line_price"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="agreement_line_discount",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "agreement", "position"], name="agr_line_agreement"),
            models.Index(fields=["company", "product"], name="agr_line_product"),
        ]

    def __str__(self):
        return f"{self.agreement.number} #{self.position + 1}"

    @property
    def cost_total(self) -> Decimal:
        return fen(self.unit_cost * self.quantity)

    @property
    def gross_profit(self) -> Decimal:
        return self.amount - self.cost_total


def attachment_path(instance, filename: str) -> str:
    """A random name under the company's folder: the uploaded name is kept on the row only."""
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"agreements/{instance.company_id}/{uuid.uuid4().hex}{suffix}"


class AgreementAttachment(TenantModel):
    agreement = models.ForeignKey(
        Agreement,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("agreement"),
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size"), default=0)
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["company", "agreement"], name="agr_attachment_agreement")]

    def __str__(self):
        return self.name
