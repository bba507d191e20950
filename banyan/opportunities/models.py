"""Opportunities (销售机会) and their stage history.

An opportunity hangs on a customer and is visible exactly when its customer is. Its stage is
an option of the company's "opportunity_stage" pick-list, whose default probability the
services apply when the stage changes (unless the user gives one).
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from banyan.core.models import TenantModel, money_field
from banyan.customers.models import NamedCustomerRecord

CENT = Decimal("0.01")


def weighted(amount_times_percent) -> Decimal:
    """Σ(amount × probability) in percent → the weighted amount, rounded half up to the fen."""
    return (Decimal(amount_times_percent or 0) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


class Opportunity(NamedCustomerRecord):
    """A possible sale to one customer, moving through the company's stages."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    # The status badge ({% status_badge %}): a Bootstrap tone per status ("" for any other)
    STATUS_BADGES = {"won": "success", "lost": "secondary", "": "primary"}

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="opportunities",
        verbose_name=_("customer"),
    )
    name = models.CharField(_("name"), max_length=200)
    stage = models.ForeignKey(
        "accounts.DictionaryOption",
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("stage"),
    )
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    expected_amount = money_field(_("expected amount"))
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    next_step = models.CharField(_("next step"), max_length=255, blank=True)
    competitors = models.TextField(_("competitors"), blank=True)
    status = models.CharField(
        _("status"), max_length=4, choices=Status.choices, default=Status.OPEN
    )
    close_reason = models.TextField(_("reason"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_opportunities",
        verbose_name=_("owner"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    # Order of the card inside its board column (smaller first).
    position = models.PositiveIntegerField(_("position"), default=0)

    history = HistoricalRecords(
        excluded_fields=["updated_at", "position", "customer_owner", "customer_name"]
    )

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_amount__gte=0), name="opportunity_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(probability__lte=100), name="opportunity_probability_at_most_100"
            ),
        ]
        indexes = [
            # The board's columns and their totals (count, Σ amount, Σ amount × probability)
            # come from these alone, an index-only scan on PostgreSQL: no visit to the rows.
            models.Index(
                fields=["company", "status", "stage", "position", "id"],
                include=["expected_amount", "probability"],
                name="opp_company_board_totals",
            ),
            models.Index(
                fields=["company", "customer_owner", "status", "stage", "position", "id"],
                include=["expected_amount", "probability"],
                name="opp_company_owner_board_totals",
            ),
            models.Index(
                fields=["company", "customer_owner", "-created_at", "-id"],
                name="opp_company_cust_owner",
            ),
            models.Index(fields=["company", "customer"], name="opp_company_customer"),
            models.Index(fields=["company", "owner", "status"], name="opp_company_owner"),
            models.Index(fields=["company", "expected_close_date"], name="opp_company_close_date"),
            models.Index(fields=["company", "-created_at", "-id"], name="opp_company_created"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("opportunity-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def weighted_amount(self):
        """Expected amount × probability, to the fen."""
        return weighted(self.expected_amount * self.probability)


class StageChange(TenantModel):
    """One step of an opportunity's history: created, moved to another stage, won, lost or
    reopened. Written by the services, never edited."""

    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.CASCADE,
        related_name="stage_changes",
        verbose_name=_("opportunity"),
    )
    from_stage = models.ForeignKey(
        "accounts.DictionaryOption",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stage_changes_from",
        verbose_name=_("from stage"),
    )
    to_stage = models.ForeignKey(
        "accounts.DictionaryOption",
        on_delete=models.PROTECT,
        related_name="stage_changes_to",
        verbose_name=_("to stage"),
    )
    from_probability = models.PositiveSmallIntegerField(
        _("from probability (%)"), null=True, blank=True
    )
    to_probability = models.PositiveSmallIntegerField(_("to probability (%)"))
    from_status = models.CharField(
        _("from status"), max_length=4, choices=Opportunity.Status.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=4, choices=Opportunity.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["changed_at", "id"]
        indexes = [
            models.Index(
                fields=["company", "opportunity", "changed_at"], name="opp_stage_change_opp"
            ),
        ]

    def __str__(self):
        return f"{self.opportunity} → {self.to_stage} ({self.to_status})"

    @property
    def kind(self) -> str:
        """created | stage | won | lost | reopened: what this row records."""
        if self.from_stage_id is None and not self.from_status:
            return "created"
        if self.from_status != self.to_status:
            return "reopened" if self.to_status == Opportunity.Status.OPEN else self.to_status
        return "stage"
