from django.db import models
from django.utils.translation import gettext_lazy as _

from banyan.core.models import MONEY


class MonthTally(models.Model):
    """How many rows of a dashboard flow, and their amount, a company has in a month for an
    owner: kept by PostgreSQL's triggers (`workbench.tallies`), never written by the
    application; read by the dashboard through `workbench.selectors`."""

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    flow = models.CharField(max_length=16)
    month = models.DateField()
    owner_key = models.BigIntegerField(help_text="The rows' visibility owner; 0 for none.")
    count = models.BigIntegerField(default=0)
    amount = models.DecimalField(max_digits=18, decimal_places=MONEY["decimal_places"], default=0)

    class Meta:
        verbose_name = _("monthly tally")
        verbose_name_plural = _("monthly tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "flow", "month", "owner_key"], name="tally_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.flow} {self.month:%Y-%m} owner {self.owner_key}: {self.count}, {self.amount}"
