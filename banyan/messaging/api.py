"""API of the messaging app: `/api/v1/sms/` and `/api/v1/emails/`.

GET lists and reads the log the user may see (their own sends; a manager's subtree; a boss
everything); POST sends to phone numbers / addresses and contacts by id, answering 201 with
what was queued and each recipient refused with its reason. A send that would cross a send
limit, or that in the demo company goes to anyone but the demo's contacts, is a 400 on
`recipients` and queues nothing. There is no PUT, PATCH or DELETE (405): the SMS log is
never changed or deleted. Registered in banyan/api.py.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from banyan.accounts.api import acting_user
from banyan.core.api import (
    INVALID,
    NOT_FOUND,
    REFUSED,
    IdField,
    RelatedIdField,
    VisibleObjectMixin,
)
from banyan.messaging import selectors, services
from banyan.messaging.services import Refusal, SendReport


class SmsLogSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    at = serializers.DateTimeField(label=gettext_lazy("Time"), read_only=True)
    recipient = serializers.CharField(read_only=True)
    body = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    gateway = serializers.CharField(read_only=True)
    gateway_answer = serializers.CharField(read_only=True)
    sender = RelatedIdField(read_only=True, allow_null=True)
    message = RelatedIdField(read_only=True)
    customer = serializers.IntegerField(
        source="message.customer_id", read_only=True, allow_null=True
    )
    contact = serializers.IntegerField(source="message.contact_id", read_only=True, allow_null=True)


class EmailSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    recipient = serializers.CharField(read_only=True)
    subject = serializers.CharField(read_only=True)
    body = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    attempts = serializers.IntegerField(read_only=True)
    sent_at = serializers.DateTimeField(read_only=True, allow_null=True)
    gateway = serializers.CharField(
        read_only=True, help_text=gettext_lazy('"log" when it was only logged, not sent.')
    )
    gateway_answer = serializers.CharField(read_only=True)
    sender = RelatedIdField(source="created_by", read_only=True, allow_null=True)
    customer = RelatedIdField(read_only=True, allow_null=True)
    contact = RelatedIdField(read_only=True, allow_null=True)


class QueuedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    recipient = serializers.CharField()
    status = serializers.CharField()
    contact = RelatedIdField(allow_null=True)
    customer = RelatedIdField(allow_null=True)


class RefusedSerializer(serializers.Serializer):
    recipient = serializers.CharField()
    reason = serializers.CharField()
    contact = serializers.IntegerField(source="contact_id", allow_null=True)


class SendReportSerializer(serializers.Serializer):
    queued = QueuedSerializer(many=True)
    refused = RefusedSerializer(many=True)


class SendSerializer(serializers.Serializer):
    recipients = serializers.ListField(
        child=serializers.CharField(max_length=254),
        required=False,
        max_length=1000,
        help_text=gettext_lazy("Phone numbers (SMS) or e-mail addresses, as typed."),
    )
    contacts = serializers.ListField(
        child=IdField(),
        required=False,
        max_length=1000,
        help_text=gettext_lazy("Ids of contacts of customers you see."),
    )
    body = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        help_text=gettext_lazy("Placeholders: {contact_name}, {customer_name}, {my_name}."),
    )


class EmailSendSerializer(SendSerializer):
    subject = serializers.CharField(allow_blank=True, max_length=200)


class _MessagesViewSet(
    VisibleObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    filter_backends: list = []
    http_method_names = ["get", "post", "head", "options"]

    def _send(self, request, send, **text):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        contact_ids = data.validated_data.get("contacts") or []
        found = selectors.visible_contacts_by_ids(user, contact_ids)
        missing = [
            Refusal(str(pk), _("No such contact."), None) for pk in contact_ids if pk not in found
        ]
        contacts = [found[pk] for pk in dict.fromkeys(contact_ids) if pk in found]
        recipients = data.validated_data.get("recipients") or []
        if missing and not contacts and not recipients:
            report = SendReport(refused=missing)
        else:
            report = send(
                user=user,
                body=data.validated_data["body"],
                contacts=contacts,
                recipients=recipients,
                **{key: data.validated_data[key] for key in text},
            )
            report.refused = missing + report.refused
        return Response(SendReportSerializer(report).data, status=status.HTTP_201_CREATED)


SEND_ANSWERS = {201: SendReportSerializer, 400: INVALID, 403: REFUSED}


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("The SMS log you may see")),
    retrieve=extend_schema(
        summary=gettext_lazy("One SMS log entry"),
        responses={200: SmsLogSerializer, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary=gettext_lazy("Send an SMS to numbers and contacts"),
        request=SendSerializer,
        responses=SEND_ANSWERS,
    ),
)
class SmsViewSet(_MessagesViewSet):
    """SMS (短信): the log, never changed or deleted; POST sends."""

    def get_serializer_class(self):
        return SendSerializer if self.action == "create" else SmsLogSerializer

    def get_queryset(self):
        return selectors.sms_log_list(acting_user(self))

    fetch_one = selectors.get_sms_log_for

    def create(self, request, *args, **kwargs):
        return self._send(request, services.sms_send)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("The e-mails you may see")),
    retrieve=extend_schema(
        summary=gettext_lazy("One e-mail"), responses={200: EmailSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary=gettext_lazy("Send an e-mail to addresses and contacts"),
        request=EmailSendSerializer,
        responses=SEND_ANSWERS,
    ),
)
class EmailViewSet(_MessagesViewSet):
    """E-mail: what was sent, with its status; POST sends."""

    def get_serializer_class(self):
        return EmailSendSerializer if self.action == "create" else EmailSerializer

    def get_queryset(self):
        return selectors.email_list(acting_user(self))

    fetch_one = selectors.get_email_for

    def create(self, request, *args, **kwargs):
        return self._send(request, services.email_send, subject=True)


def register(router) -> None:
    """Add this app's viewsets to the one API router."""
    router.register("sms", SmsViewSet, basename="sms")
    router.register("emails", EmailViewSet, basename="email")
