"""Customer-based tracking: activities (行动历史), tasks (待办任务/日程), work summaries
(工作总结), and each user's private calendar feed."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from banyan.core.models import TenantModel
from banyan.customers.models import CustomerRecord


class Activity(CustomerRecord):
    """One contact with a customer: a call, an e-mail, a visit… done by its owner."""

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("customer"),
    )
    contact = models.ForeignKey(
        "customers.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("contact"),
    )
    type = models.ForeignKey(
        "accounts.DictionaryOption",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("activity type"),
    )
    subject = models.CharField(_("key points"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("done by"),
    )

    history = HistoricalRecords(excluded_fields=["updated_at", "customer_owner"])

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(
                fields=["company", "customer", "-occurred_at"], name="act_company_customer"
            ),
            models.Index(fields=["company", "owner", "-occurred_at"], name="act_company_owner"),
            models.Index(fields=["company", "-occurred_at", "-id"], name="act_company_occurred"),
            models.Index(
                fields=["company", "customer_owner", "-occurred_at", "-id"],
                name="act_company_cust_owner",
            ),
        ]

    def __str__(self):
        return self.subject


class Task(CustomerRecord):
    """Something to do by a due time (a follow-up, a meeting), optionally on a customer.

    The reminder time and channels are stored here; sending them is the reminders' job.
    """

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("customer"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    due_at = models.DateTimeField(_("due"))
    remind_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    remind_by_sms = models.BooleanField(_("remind by SMS"), default=False)
    remind_by_email = models.BooleanField(_("remind by e-mail"), default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("assignee"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["company", "assignee", "due_at"], name="task_company_assignee_due"
            ),
            models.Index(
                fields=["company", "customer", "due_at"], name="task_company_customer_due"
            ),
            models.Index(fields=["company", "created_by"], name="task_company_creator"),
            models.Index(fields=["company", "due_at", "id"], name="task_company_due"),
            models.Index(
                fields=["company", "customer_owner", "due_at", "id"], name="task_company_cust_owner"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(remind_at__isnull=True) | Q(remind_at__lte=models.F("due_at")),
                name="task_remind_not_after_due",
            ),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_at < timezone.now()


class WorkSummary(CustomerRecord):
    """A rep's evaluation of a customer, or a request for help, optionally to one user."""

    class Kind(models.TextChoices):
        EVALUATION = "evaluation", _("Evaluation")
        HELP_REQUEST = "help_request", _("Request for help")

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="work_summaries",
        verbose_name=_("customer"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    content = models.TextField(_("content"))
    addressed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("addressed to"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="work_summaries",
        verbose_name=_("author"),
    )

    class Meta:
        verbose_name = _("work summary")
        verbose_name_plural = _("work summaries")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["company", "customer", "-created_at"], name="summary_company_customer"
            ),
            models.Index(fields=["company", "-created_at", "-id"], name="summary_company_created"),
            models.Index(
                fields=["company", "customer_owner", "-created_at", "-id"],
                name="summary_company_cust_owner",
            ),
        ]

    def __str__(self):
        return self.content[:50]


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(TenantModel):
    """The secret of one user's iCalendar feed URL; a new token revokes the old URL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("user"),
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.user)
