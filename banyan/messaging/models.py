"""SMS and e-mail: the outbox, the SMS log and message templates.

A message is written to the outbox in the same transaction as what caused it, then sent by
a task (`services.send_pending`). The SMS log (短信日志) is a ledger: one row per final SMS
outcome, written once and never changed or deleted. The model layer refuses any other path
(save of an existing row, delete, queryset update or delete).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from banyan.core.errors import PermissionRefused
from banyan.core.models import TenantModel


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


def new_out_id() -> str:
    return uuid.uuid4().hex


class OutboxMessage(TenantModel):
    """One SMS or e-mail to one recipient, waiting to be sent, being sent, sent or failed.

    `out_id` goes to the gateway with the message, so that after a crash we can ask it
    whether the message was already accepted. While `sending`, `next_attempt_at` is the end
    of the sending worker's lease: past it, the message counts as abandoned. A message with
    a `log_only_reason` (a reminder queued past the company's send limit) goes to the log
    only, as does every message of the demo company: neither ever reaches a gateway.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    # The status badge ({% status_badge %}): a Bootstrap tone per status ("" for any other)
    STATUS_BADGES = {"sent": "success", "failed": "danger", "": "secondary"}

    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(
        _("status"), max_length=7, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_error = models.TextField(_("last error"), blank=True)
    gateway = models.CharField(_("gateway"), max_length=20, blank=True)
    gateway_answer = models.TextField(_("gateway answer"), blank=True)
    provider_id = models.CharField(_("gateway message id"), max_length=100, blank=True)
    out_id = models.CharField(_("out id"), max_length=32, unique=True, default=new_out_id)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sender"),
    )
    dedupe_key = models.CharField(_("dedupe key"), max_length=100, null=True, blank=True)
    log_only_reason = models.CharField(_("logged only, because"), max_length=300, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    contact = models.ForeignKey(
        "customers.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact"),
    )

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "dedupe_key"],
                condition=Q(dedupe_key__isnull=False),
                name="outbox_dedupe_unique",
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["company", "channel", "-created_at"], name="outbox_company_list"),
            models.Index(
                fields=["company", "created_by", "created_at"], name="outbox_company_sender"
            ),
            # The send limits count a company's messages of the last day.
            models.Index(fields=["company", "created_at"], name="outbox_company_created"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient}"


class LogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionRefused(_("SMS logs are never changed."))

    def delete(self):
        raise PermissionRefused(_("SMS logs are never deleted."))


class SmsLog(TenantModel):
    """The final outcome of one SMS (短信日志): who sent what to whom, and the gateway's
    answer. Written once by the sending task; never changed or deleted."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    # The status badge ({% status_badge %}): a Bootstrap tone per status ("" for any other)
    STATUS_BADGES = {"sent": "success", "": "danger"}

    message = models.ForeignKey(
        OutboxMessage, on_delete=models.PROTECT, related_name="sms_logs", verbose_name=_("message")
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sender"),
    )
    recipient = models.CharField(_("recipient"), max_length=32)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=6, choices=Status.choices)
    gateway = models.CharField(_("gateway"), max_length=20)
    gateway_answer = models.TextField(_("gateway answer"), blank=True)
    at = models.DateTimeField(_("at"))

    objects = LogQuerySet.as_manager()

    class Meta:
        verbose_name = _("SMS log entry")
        verbose_name_plural = _("SMS log")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["company", "-at"], name="smslog_company_at"),
            models.Index(fields=["company", "sender", "-at"], name="smslog_company_sender"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.recipient} {self.status}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionRefused(_("SMS logs are never changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionRefused(_("SMS logs are never deleted."))


class MessageTemplate(TenantModel):
    """A reusable SMS or e-mail text with placeholders: {contact_name}, {customer_name},
    {my_name}."""

    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    name = models.CharField(_("name"), max_length=100)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["channel", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "channel", "name"], name="message_template_name_unique"
            )
        ]

    def __str__(self):
        return self.name
