"""Customers (企业客户 / 个人客户), their contacts (联系人), and sharing."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from banyan.core.models import TenantModel
from banyan.customers.text import build_contact_search_text

# The codes of the built-in customer types a conversion moves between (潜在客户 → 普通客户).
POTENTIAL_TYPE = "potential"
REGULAR_TYPE = "regular"


class Customer(TenantModel):
    """A company or person the sales team sells to; owned by one rep."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise customer")
        INDIVIDUAL = "individual", _("Individual customer")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ENTERPRISE)
    type = models.ForeignKey(
        "accounts.DictionaryOption",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer type"),
    )
    source = models.ForeignKey(
        "accounts.DictionaryOption",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source"),
    )
    industry = models.ForeignKey(
        "accounts.DictionaryOption",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("industry"),
    )
    region = models.CharField(_("region"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_customers",
        verbose_name=_("owner"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    is_hot = models.BooleanField(_("hot customer"), default=False)
    last_contacted_at = models.DateTimeField(_("last contacted"), null=True, blank=True)
    # When the customer last moved from the potential type to the regular one (a signing
    # or an edit), kept by the services in the same transaction; cleared when it moves back
    # to potential. Customers created regular were never converted: None.
    converted_at = models.DateTimeField(
        _("converted to a regular customer"), null=True, blank=True, editable=False
    )
    # Kept current by the services: the normalised name for the duplicate check, and the
    # text searched by name, pinyin, initials, phones and contact names.
    name_key = models.CharField(max_length=200, editable=False, db_index=False)
    search_text = models.TextField(editable=False, blank=True)

    history = HistoricalRecords(excluded_fields=["search_text", "name_key", "updated_at"])

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["company", "owner", "-created_at"], name="cust_company_owner"),
            models.Index(fields=["company", "name_key"], name="cust_company_name_key"),
            models.Index(fields=["company", "phone"], name="cust_company_phone"),
            models.Index(fields=["company", "-created_at"], name="cust_company_created"),
            models.Index(fields=["company", "last_contacted_at"], name="cust_company_contacted"),
            models.Index(fields=["company", "converted_at"], name="cust_company_converted"),
            # The customers report's groupings, each counted from its index alone.
            models.Index(fields=["company", "type"], name="cust_company_type"),
            models.Index(fields=["company", "source"], name="cust_company_source"),
            models.Index(fields=["company", "industry"], name="cust_company_industry"),
            models.Index(fields=["company", "region"], name="cust_company_region"),
            models.Index(
                fields=["company", "owner"], condition=Q(is_hot=True), name="cust_company_hot"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("customer-detail", args=[self.pk])


class CustomerRecord(TenantModel):
    """A row hung on a customer, visible exactly when its customer is.

    `customer_owner` is the customer's owner, copied so that "the customer is visible" is a
    condition on the row's own indexed columns (`accounts.visibility`). It is filled here on
    every save that writes the customer, and customer transfers and handovers rewrite it for
    every row of the customer in their transaction (`customers.services`).
    `manage.py check_visibility_copies` proves the copies equal their customer's owner.
    A subclass defines its own `customer` foreign key (nullable where a row may have none).
    """

    customer_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        db_index=False,  # led by `company` in each subclass's own indexes
        related_name="+",
        verbose_name=_("customer's owner"),
    )

    # {copy on the row: the customer's attribute it copies}
    CUSTOMER_COPIES = {"customer_owner_id": "owner_id"}

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "customer" in update_fields:
            for copy, attribute in self.CUSTOMER_COPIES.items():
                field = self._meta.get_field(copy.removesuffix("_id"))
                value = getattr(self.customer, attribute) if self.customer_id else None
                setattr(self, copy, field.get_default() if value is None else value)
            if update_fields is not None:
                copies = {copy.removesuffix("_id") for copy in self.CUSTOMER_COPIES}
                kwargs["update_fields"] = {*update_fields, *copies}
        super().save(*args, **kwargs)


class NamedCustomerRecord(CustomerRecord):
    """A row hung on a customer that also carries its customer's name (`customer_name`), so
    that a search for a word common among the customers' names (北京) tests each row's own
    column as its list is read, not its customer's row fetched from a million. The customer
    services rewrite it when a customer is renamed, in the same transaction, and
    `manage.py check_visibility_copies` proves it equals the customer's name."""

    customer_name = models.CharField(
        _("customer's name"), max_length=200, blank=True, default="", editable=False
    )

    CUSTOMER_COPIES = {**CustomerRecord.CUSTOMER_COPIES, "customer_name": "name"}

    class Meta:
        abstract = True


def customer_record_models() -> list[type[CustomerRecord]]:
    """Every model of rows hung on a customer (each carries the customer's owner)."""
    from django.apps import apps

    return [model for model in apps.get_models() if issubclass(model, CustomerRecord)]


def named_customer_record_models() -> list[type[NamedCustomerRecord]]:
    """Every model of rows that carry their customer's name as well."""
    return [model for model in customer_record_models() if issubclass(model, NamedCustomerRecord)]


class Contact(CustomerRecord):
    """A person at a customer (联系人)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("customer")
    )
    name = models.CharField(_("name"), max_length=100)
    category = models.ForeignKey(
        "accounts.DictionaryOption",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    title = models.CharField(_("job title"), max_length=100, blank=True)
    mobile = models.CharField(_("mobile"), max_length=30, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    # Name, title, phones and e-mail in lower case, for the contacts' search box (a trigram
    # index on PostgreSQL); kept by `save`.
    search_text = models.TextField(blank=True, default="", editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at", "customer_owner", "search_text"])

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name", "id"]
        indexes = [
            models.Index(fields=["company", "customer"], name="contact_company_customer"),
            models.Index(fields=["company", "mobile"], name="contact_company_mobile"),
            models.Index(fields=["company", "phone"], name="contact_company_phone"),
            models.Index(fields=["company", "name", "id"], name="contact_company_name"),
            models.Index(
                fields=["company", "customer_owner", "name", "id"],
                name="contact_company_cust_owner",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = build_contact_search_text(
            name=self.name, title=self.title, mobile=self.mobile, phone=self.phone, email=self.email
        )
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)


class CustomerShare(TenantModel):
    """One customer shared with one user, to view or to edit."""

    class Level(models.TextChoices):
        VIEW = "view", _("View")
        EDIT = "edit", _("Edit")

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="shares", verbose_name=_("customer")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="customer_shares",
        verbose_name=_("shared with"),
    )
    level = models.CharField(_("level"), max_length=4, choices=Level.choices, default=Level.VIEW)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        verbose_name = _("customer share")
        verbose_name_plural = _("customer shares")
        constraints = [
            models.UniqueConstraint(fields=["customer", "user"], name="customer_share_unique"),
        ]
        indexes = [models.Index(fields=["company", "user"], name="share_company_user")]

    def __str__(self):
        return f"{self.customer} → {self.user} ({self.level})"
