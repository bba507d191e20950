"""Shared model bases. Every row a company owns derives from TenantModel."""

from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 2}


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class TenantModel(TimeStampedModel):
    """A row that belongs to one company (enterprise account).

    The company never comes from request parameters: services set it from the acting user.
    Composite indexes on subclasses start with `company`.
    """

    company = models.ForeignKey(
        "accounts.Company",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("company"),
        db_index=True,
    )

    class Meta:
        abstract = True


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    """A CNY amount: Decimal with 2 places, never float."""
    kwargs.setdefault("default", 0)
    return models.DecimalField(verbose_name, **MONEY, **kwargs)


QUANTITY = {"max_digits": 14, "decimal_places": 2}


def quantity_field(verbose_name, **kwargs) -> models.DecimalField:
    """A quantity of a product in its unit (pieces, kg, hours…): Decimal with 2 places."""
    kwargs.setdefault("default", 0)
    return models.DecimalField(verbose_name, **QUANTITY, **kwargs)


class NumberSequence(TenantModel):
    """The last running number handed out per company and series ("contract", "order",
    "inbound"…). `core.numbers.next_number` locks the row while it takes the next one."""

    key = models.CharField(max_length=20)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "key"], name="number_sequence_unique")
        ]

    def __str__(self):
        return f"{self.key} {self.last}"


class ExactSum(models.Sum):
    """Σ of a money or quantity column, exact to two places on every database.

    SQLite adds decimal columns as floats, so a plain Sum of 0.47 + 0.06 − 0.47 comes back as
    0.0600000000000000522…; this rounds the result back to the fen. (A comparison made inside
    the SQL, such as `sum < quantity`, needs `Round(Sum(...), 2)` instead.)
    """

    def __init__(self, *expressions, **extra):
        extra.setdefault("output_field", models.DecimalField(max_digits=20, decimal_places=2))
        super().__init__(*expressions, **extra)

    def get_db_converters(self, connection):
        return [*super().get_db_converters(connection), _to_fen]


def _to_fen(value, expression, connection):
    from banyan.core.values import fen

    return None if value is None else fen(value)


class IdempotencyKey(TenantModel):
    """One submission that created money or stock, remembered so that the same submission
    arriving again (a double click, back and resubmit, a client's retry) books nothing twice.

    `key` is a page's one-time form token or an API client's `Idempotency-Key` header, unique
    per user and kind: the INSERT that takes it is what lets exactly one of two identical
    requests through (`core.idempotency`). The row is written in the same transaction as the
    record it stands for, so it exists exactly when that record does, with the answer given.
    """

    class Kind(models.TextChoices):
        FORM = "form", _("Form token")
        API = "api", _("API idempotency key")

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=255)
    # API: a hash of method, path and body; a form: its path.
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True)
    response_body = models.TextField(_("response body"), blank=True)
    result_url = models.CharField(_("result page"), max_length=2000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "user", "kind", "key"], name="idempotency_key_unique"
            )
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_key_created")]

    def __str__(self):
        return f"{self.kind} {self.key}"
