"""Sales targets (销售目标): per person and month, a payment amount and a contract amount.

A target is either the person's own (`is_group=False`: their own payments and agreements) or
a group's (`is_group=True`: the sums over the person and everyone below them, for a director
or a manager). Achievement is never stored: selectors compute it from the data.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from banyan.core.models import TenantModel, money_field


class SalesTarget(TenantModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sales_targets",
        verbose_name=_("person"),
    )
    is_group = models.BooleanField(
        _("group target"),
        default=False,
        help_text=_("The sum over the person and everyone below them."),
    )
    month = models.DateField(_("month"), help_text=_("Always the first day of the month."))
    payment_amount = money_field(_("payment target"))
    contract_amount = money_field(_("contract target"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("set by"),
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        ordering = ["-month", "user__path", "is_group"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "user", "is_group", "month"], name="sales_target_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(payment_amount__gte=0) & models.Q(contract_amount__gte=0),
                name="sales_target_amounts_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["company", "month"], name="sales_target_company_month")]

    def __str__(self):
        return f"{self.user} {self.month:%Y-%m}"
