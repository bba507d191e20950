"""The SMS and e-mail logs, as the exports app writes them."""

from django.utils.translation import gettext_lazy as _

from banyan.exports.registry import (
    Column,
    ExportKind,
    choice_labels,
    register,
    rows_of_list_api,
    user_column,
)
from banyan.messaging import selectors
from banyan.messaging.api import EmailViewSet, SmsViewSet
from banyan.messaging.forms import LogFilterForm
from banyan.messaging.models import OutboxMessage, SmsLog

register(
    ExportKind(
        key="sms",
        label=_("SMS log"),
        list_url_name="sms-log",
        page_rows=lambda user, query: selectors.sms_log_list(
            user, **LogFilterForm(query or None).filters()
        ),
        api_rows=rows_of_list_api(SmsViewSet),
        columns=(
            Column("at", _("Time"), "at"),
            Column("recipient", _("Recipient"), "recipient"),
            Column("customer", _("Customer"), "message__customer__name"),
            Column("contact", _("Contact"), "message__contact__name"),
            Column("body", _("Text"), "body"),
            Column("status", _("Status"), "status", choice_labels(SmsLog.Status)),
            user_column("sender", _("Sender"), "sender"),
            Column("gateway", _("Gateway"), "gateway"),
            Column("gateway_answer", _("Gateway answer"), "gateway_answer"),
        ),
    )
)

register(
    ExportKind(
        key="emails",
        label=_("E-mail log"),
        list_url_name="email-log",
        page_rows=lambda user, query: selectors.email_list(
            user, **LogFilterForm(query or None, statuses=OutboxMessage.Status.choices).filters()
        ),
        api_rows=rows_of_list_api(EmailViewSet),
        columns=(
            Column("created_at", _("Time"), "created_at"),
            Column("recipient", _("Recipient"), "recipient"),
            Column("subject", _("Subject"), "subject"),
            Column("customer", _("Customer"), "customer__name"),
            Column("status", _("Status"), "status", choice_labels(OutboxMessage.Status)),
            Column("sent_at", _("Sent at"), "sent_at"),
            user_column("created_by", _("Sender"), "created_by"),
            Column("last_error", _("Last error"), "last_error"),
        ),
    )
)
