"""The enterprise account (Company), its users and reporting line, its data dictionary, and
the users' API tokens."""

import datetime
import hashlib
import zoneinfo

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from banyan.core.models import TenantModel, TimeStampedModel

company_code_validator = RegexValidator(
    r"^[a-z0-9-]{3,32}\Z",
    _("Use 3 to 32 characters: lowercase letters a-z, digits 0-9 and hyphens."),
)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class Company(TimeStampedModel):
    """An enterprise account (企业帐户): the tenant every business row belongs to."""

    class Plan(models.TextChoices):
        TRIAL = "trial", _("Trial")
        FORMAL = "formal", _("Formal")
        DEMO = "demo", _("Demo")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    code = models.CharField(
        _("company code"),
        max_length=32,
        unique=True,
        validators=[company_code_validator],
        help_text=_("Used at login. 3 to 32 of a-z, 0-9 and hyphens."),
    )
    name = models.CharField(_("company name"), max_length=100)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    plan = models.CharField(_("plan"), max_length=10, choices=Plan.choices, default=Plan.TRIAL)
    trial_ends_on = models.DateField(_("trial ends on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    uses_contracts = models.BooleanField(_("uses contracts"), default=True)
    uses_orders = models.BooleanField(_("uses orders"), default=True)
    uses_customer_tracking = models.BooleanField(_("uses customer-based tracking"), default=True)
    uses_opportunity_tracking = models.BooleanField(
        _("uses opportunity-based tracking"), default=True
    )
    uses_inventory = models.BooleanField(_("uses inventory"), default=False)
    hot_customer_cap = models.PositiveSmallIntegerField(
        _("hot customers per rep"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    payment_reminder_days = models.PositiveSmallIntegerField(
        _("payment reminder days"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Payment plans due within this many days remind their owner once."),
    )
    contract_number_prefix = models.CharField(
        _("contract number prefix"), max_length=10, default="HT", blank=True
    )
    order_number_prefix = models.CharField(
        _("order number prefix"), max_length=10, default="DD", blank=True
    )
    signing_makes_regular = models.BooleanField(
        _("signing makes a potential customer regular"), default=True
    )
    allow_invoice_ahead = models.BooleanField(
        _("invoices may run ahead of payments"), default=False
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_time_zone]
    )
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def is_demo(self) -> bool:
        return self.plan == self.Plan.DEMO

    def today(self) -> datetime.date:
        """Today's date in the company's time zone."""
        return timezone.localdate(timezone=self.zone)

    @property
    def trial_expired(self) -> bool:
        return (
            self.plan == self.Plan.TRIAL
            and self.trial_ends_on is not None
            and timezone.localdate(timezone=self.zone) > self.trial_ends_on
        )

    @property
    def is_read_only(self) -> bool:
        """An expired trial can log in and read; every write waits for conversion."""
        return self.trial_expired

    @property
    def trial_days_left(self) -> int | None:
        if self.plan != self.Plan.TRIAL or self.trial_ends_on is None:
            return None
        return max((self.trial_ends_on - timezone.localdate(timezone=self.zone)).days, 0)

    @cached_property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("Asia/Shanghai")


class Role(models.TextChoices):
    BOSS = "boss", _("Boss")
    DIRECTOR = "director", _("Director")
    MANAGER = "manager", _("Manager")
    SALES = "sales", _("Sales")


# The special permissions an admin boss grants per user (codename, label).
SPECIAL_PERMISSIONS = [
    ("manage_products", _("Manage products")),
    ("see_costs", _("See costs and gross profit")),
    ("purchasing", _("Purchasing")),
    ("export_data", _("Export data")),
    ("customer_service", _("Customer service")),
    ("view_reports", _("View reports")),
    ("warehouse_keeper", _("Warehouse keeper")),
    ("finance", _("Finance")),
]
SPECIAL_PERMISSION_CODENAMES = [codename for codename, _label in SPECIAL_PERMISSIONS]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        """Natural keys name operators (no company); company users log in with a company."""
        return self.get(company__isnull=True, username=username)

    def create_user(self, username, password=None, *, company=None, **extra):
        user = self.model(username=username, company=company, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username, password=None, **extra):
        """An operator of the service: manages companies in Django's admin, owns no data."""
        extra.update(is_staff=True, is_superuser=True, role=Role.BOSS)
        return self.create_user(username, password, company=None, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in to one company. Operators of the service have no company.

    `path` is the materialised reporting line: "/<boss id>/<director id>/.../<own id>/", so
    "owned by this user or anyone below" is `path LIKE '<path>%'`, one indexed condition.
    """

    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="users",
        null=True,
        blank=True,
        verbose_name=_("company"),
    )
    username = models.CharField(
        _("username"),
        max_length=50,
        validators=[
            RegexValidator(
                r"^[\w.@+-]+\Z",
                _("Use letters, digits and @ . + - _ only."),
            )
        ],
    )
    real_name = models.CharField(_("real name"), max_length=50, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.SALES)
    superior = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subordinates",
        verbose_name=_("superior"),
    )
    assistant_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assistants",
        verbose_name=_("assistant of"),
    )
    is_admin = models.BooleanField(
        _("account administrator"),
        default=False,
        help_text=_("May change account settings and manage users (bosses only)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("operator staff"), default=False)
    path = models.CharField(max_length=255, default="/", editable=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    history = HistoricalRecords(excluded_fields=["password", "last_login", "path"])
    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "username"], name="accounts_user_username_unique_in_company"
            ),
            models.UniqueConstraint(
                fields=["username"],
                condition=Q(company__isnull=True),
                name="accounts_user_operator_username_unique",
            ),
            models.CheckConstraint(
                condition=Q(is_admin=False) | Q(role="boss"),
                name="accounts_user_admin_is_boss",
            ),
            models.CheckConstraint(
                condition=~Q(role="boss") | Q(superior__isnull=True),
                name="accounts_user_boss_has_no_superior",
            ),
        ]
        indexes = [models.Index(fields=["company", "path"], name="accounts_user_company_path")]
        permissions = SPECIAL_PERMISSIONS

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.real_name or self.username

    @property
    def is_boss(self) -> bool:
        return self.role == Role.BOSS

    @property
    def is_account_admin(self) -> bool:
        return bool(self.is_active and self.is_boss and self.is_admin and self.company_id)

    @property
    def depth(self) -> int:
        return self.path.strip("/").count("/")


class DictionaryOption(TenantModel):
    """One option of a company's pick-list (数据字典): customer type, source, industry …

    Built-in options carry a `code` (rules such as "potential becomes regular" rely on it) and
    show their translated default label until the company renames them.
    """

    kind = models.CharField(_("list"), max_length=32)
    code = models.CharField(_("code"), max_length=32, blank=True)
    label = models.CharField(_("label"), max_length=50, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    probability = models.PositiveSmallIntegerField(
        _("default probability (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("dictionary option")
        verbose_name_plural = _("dictionary options")
        ordering = ["kind", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "kind", "code"],
                condition=~Q(code=""),
                name="accounts_dictionary_code_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "kind", "position"], name="accounts_dict_kind_pos"),
        ]

    def __str__(self):
        return self.display_label

    @property
    def display_label(self) -> str:
        if self.label:
            return self.label
        from banyan.accounts.dictionary import default_label

        return str(default_label(self.kind, self.code))


class ApiToken(models.Model):
    """A key a program sends as `Authorization: Token <key>`: one per device or script.

    Only the key's SHA-256 is kept (the key itself is shown once, when it is made) and a
    short prefix to tell tokens apart. A token ends at `expires_at`, when its user changes
    password or is deactivated, or when revoked. Operators of the service have no company,
    so `company` may be empty for their tokens; for a company user it is the user's.
    """

    PREFIX_LENGTH = 8

    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("company"),
    )
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("key prefix"), max_length=PREFIX_LENGTH, editable=False)
    label = models.CharField(_("label"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.prefix}… ({self.label})" if self.label else f"{self.prefix}…"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
