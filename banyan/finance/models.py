"""Money on agreements: payment plans (回款计划), payments (回款记录) and invoices (开票记录).

Each row carries its agreement's customer too, so it is visible exactly when that customer
is, found by one indexed condition.

Payments are a ledger: a row is written once and never changed or deleted. A mistake is
corrected by a reversing payment (negative amount) that points at the original. The model
layer refuses any other path (save of an existing row, delete, queryset update or delete).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from banyan.core.errors import PermissionRefused
from banyan.core.models import money_field
from banyan.customers.models import NamedCustomerRecord


class PaymentPlan(NamedCustomerRecord):
    """One instalment the customer is to pay by a date. Covered when the payments recorded
    against it reach its amount; a covered plan stops reminding."""

    agreement = models.ForeignKey(
        "agreements.Agreement",
        on_delete=models.CASCADE,
        related_name="payment_plans",
        verbose_name=_("agreement"),
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    due_on = models.DateField(_("due date"))
    amount = money_field(_("amount"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    paid_amount = money_field(_("paid"))
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("payment plan")
        verbose_name_plural = _("payment plans")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_plan_amount_positive")
        ]
        indexes = [
            models.Index(fields=["company", "agreement", "due_on"], name="plan_company_agreement"),
            models.Index(fields=["company", "customer"], name="plan_company_customer"),
            models.Index(fields=["company", "due_on", "id"], name="plan_company_due"),
            models.Index(
                fields=["company", "customer_owner", "due_on", "id"], name="plan_company_cust_owner"
            ),
            # The plans still to collect (the workbench's due list): a small part of them all.
            models.Index(
                fields=["company", "customer_owner", "due_on"],
                name="plan_uncovered_due",
                condition=Q(paid_amount__lt=F("amount")),
                # The receivables report ages them all from the index alone.
                include=["amount", "paid_amount", "agreement", "customer"],
            ),
        ]

    def __str__(self):
        return f"{self.due_on} {self.amount}"

    @property
    def is_covered(self) -> bool:
        return self.paid_amount >= self.amount

    @property
    def outstanding(self) -> Decimal:
        return max(self.amount - self.paid_amount, Decimal("0.00"))


UNCOVERED = Q(paid_amount__lt=F("amount"))


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # The copies of the customer's owner and name say who sees the entry and how it is
        # found; they are no part of the money.
        if kwargs and set(kwargs) <= {"customer_owner", "customer_owner_id", "customer_name"}:
            return super().update(**kwargs)
        raise PermissionRefused(_("Payments are never changed: record a reversal instead."))

    def delete(self):
        raise PermissionRefused(_("Payments are never deleted: record a reversal instead."))


class Payment(NamedCustomerRecord):
    agreement = models.ForeignKey(
        "agreements.Agreement",
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("agreement"),
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    plan = models.ForeignKey(
        PaymentPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("payment plan"),
    )
    paid_on = models.DateField(_("payment date"))
    amount = money_field(_("amount"))
    method = models.ForeignKey(
        "accounts.DictionaryOption",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("payment method"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="credited_payments",
        verbose_name=_("owner"),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects = LedgerQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "customer_owner", "customer_name"])

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-paid_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(reverses__isnull=True) & Q(amount__gt=0))
                | (Q(reverses__isnull=False) & Q(amount__lt=0)),
                name="payment_sign",
            )
        ]
        indexes = [
            models.Index(fields=["company", "agreement"], name="payment_company_agreement"),
            models.Index(fields=["company", "customer"], name="payment_company_customer"),
            models.Index(fields=["company", "-paid_on", "-id"], name="payment_company_paid_on"),
            models.Index(
                fields=["company", "customer_owner", "-paid_on", "-id"],
                name="payment_company_cust_owner",
            ),
            models.Index(fields=["company", "owner", "paid_on"], name="payment_company_owner"),
            # "Is this payment reversed?" joins on reverses_id, which is NULL on nearly every
            # row: SQLite's statistics then make the unique index look useless and it scans
            # the table once per listed payment. A partial index over the reversals only is
            # small and always chosen.
            models.Index(
                fields=["reverses"], condition=Q(reverses__isnull=False), name="payment_reversal"
            ),
        ]

    def __str__(self):
        return f"{self.paid_on} {self.amount}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionRefused(_("Payments are never changed: record a reversal instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionRefused(_("Payments are never deleted: record a reversal instead."))


class Invoice(NamedCustomerRecord):
    agreement = models.ForeignKey(
        "agreements.Agreement",
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("agreement"),
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    number = models.CharField(_("invoice number"), max_length=50)
    type = models.ForeignKey(
        "accounts.DictionaryOption",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("invoice type"),
    )
    title = models.CharField(_("invoice title"), max_length=200)
    tax_id = models.CharField(_("taxpayer id"), max_length=30, blank=True)
    amount = money_field(_("amount"))
    issued_on = models.DateField(_("invoice date"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    history = HistoricalRecords(excluded_fields=["updated_at", "customer_owner", "customer_name"])

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="invoice_number_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["company", "agreement"], name="invoice_company_agreement"),
            models.Index(fields=["company", "customer"], name="invoice_company_customer"),
            models.Index(fields=["company", "-issued_on", "-id"], name="invoice_company_issued"),
            models.Index(
                fields=["company", "customer_owner", "-issued_on", "-id"],
                name="invoice_company_cust_owner",
            ),
        ]

    def __str__(self):
        return self.number
