"""The product catalogue: categories (a tree of any depth) and products.

A product's cost is a secret of the company: it is stored here but shown only to users with
the "see costs" permission (the selectors and serializers leave the field out for others).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from banyan.core.models import TenantModel, money_field, quantity_field


class ProductCategory(TenantModel):
    """A node of the category tree. `path` is "/<root id>/…/<own id>/", kept by the services,
    so "this category and everything below it" is one `path LIKE` condition."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent category"),
    )
    path = models.CharField(max_length=255, editable=False, default="")
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["path"]
        indexes = [models.Index(fields=["company", "path"], name="prodcat_company_path")]

    def __str__(self):
        return self.name

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)


class Product(TenantModel):
    class Kind(models.TextChoices):
        SERVICE = "service", _("Service")
        PHYSICAL = "physical", _("Physical product")

    code = models.CharField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    spec = models.CharField(_("specification"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    category = models.ForeignKey(
        ProductCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
        verbose_name=_("category"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PHYSICAL)
    list_price = money_field(_("list price"))
    cost = money_field(_("cost"))
    tracks_stock = models.BooleanField(_("tracks stock"), default=False)
    low_stock_threshold = quantity_field(_("low-stock threshold"))
    is_active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="product_code_unique"),
            models.CheckConstraint(condition=Q(list_price__gte=0), name="product_price_positive"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="product_cost_positive"),
            models.CheckConstraint(
                condition=Q(kind="physical") | Q(tracks_stock=False),
                name="product_service_no_stock",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "category"], name="product_company_category"),
            models.Index(fields=["company", "is_active", "code"], name="product_company_active"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("product-detail", args=[self.pk])

    @property
    def is_service(self) -> bool:
        return self.kind == self.Kind.SERVICE
