"""API of the agreements app: `/api/v1/agreements/` (contracts and orders, lines nested) and
its sign/start/complete/cancel actions.

Thin by design: serializers check the shape of the input, selectors fetch (only what the
acting user may see: anything else is 404), services write and enforce every rule (a visible
agreement the user may not change is 403). Registered on the one router in banyan/api.py.

A line's `unit_cost` and `gross_profit` are for users with the "see costs" permission: for
anyone else the keys are left out of the answer, not blanked.
"""

from django.db.models import Prefetch, prefetch_related_objects
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.fields import SkipField, empty
from rest_framework.response import Response

from banyan.accounts.api import acting_user
from banyan.agreements import selectors, services
from banyan.agreements.models import Agreement
from banyan.core.api import (
    INVALID,
    NOT_FOUND,
    REFUSED,
    IdField,
    RelatedIdField,
    VisibleObjectMixin,
)
from banyan.products.selectors import sees_costs

ORDERINGS = sorted(selectors.LIST_ORDERINGS, key=lambda name: (name.lstrip("-"), name))
COST_FIELDS = ("unit_cost", "gross_profit")
MONEY = {"max_digits": 14, "decimal_places": 2}
PERCENT = {"max_digits": 5, "decimal_places": 2}


class CostField(serializers.DecimalField):
    """A cost figure in an answer. Never read from input; the line serializer leaves the key
    out for users without "see costs", so the schema documents it as optional, output only."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **MONEY, **kwargs)

    def run_validation(self, data=empty):
        raise SkipField()


class CostFieldSchema(OpenApiSerializerFieldExtension):
    """Absent from request bodies; an optional decimal string in answers (a read-only field
    would be documented as always present, which it is not)."""

    target_class = CostField

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return None
        return build_basic_type(OpenApiTypes.DECIMAL)


class AgreementLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    product = RelatedIdField(
        label=_("Product"),
        help_text=_(
            "Id of an active product of your catalogue (a contract takes service products only)."
        ),
    )
    product_code = serializers.CharField(
        label=_("Product code"), source="product.code", read_only=True
    )
    product_name = serializers.CharField(
        label=_("Product name"), source="product.name", read_only=True
    )
    description = serializers.CharField(
        label=_("Description"),
        max_length=255,
        required=False,
        allow_blank=True,
        help_text=_("Left blank: the product's name."),
    )
    unit = serializers.CharField(label=_("Unit"), read_only=True)
    unit_price = serializers.DecimalField(
        label=_("Unit price"),
        **MONEY,
        required=False,
        allow_null=True,
        help_text=_("Left out or null: the product's list price."),
    )
    quantity = serializers.DecimalField(
        label=_("Quantity"), **MONEY, required=False, help_text=_("Above zero; default 1.")
    )
    discount_percent = serializers.DecimalField(
        label=_("Discount (%)"), **PERCENT, required=False, help_text=_("0–100; default 0.")
    )
    amount = serializers.DecimalField(
        label=_("Amount"),
        **MONEY,
        read_only=True,
        help_text=_("Unit price × quantity less the discount, rounded to the fen."),
    )
    unit_cost = CostField(
        label=_("Unit cost"),
        help_text=_("Only for users with the see-costs permission (absent otherwise)."),
    )
    gross_profit = CostField(
        label=_("Gross profit"),
        help_text=_(
            "Amount less unit cost × quantity. Only for users with the see-costs permission "
            "(absent otherwise)."
        ),
    )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("sees_costs"):
            for name in COST_FIELDS:
                data.pop(name, None)
        return data


LINE_INPUT_FIELDS = ("product", "description", "unit_price", "quantity", "discount_percent")


def line_input(line: dict) -> dict:
    """A validated line as the service takes it (the product by id, only the keys given)."""
    return {key: value for key, value in line.items() if key in LINE_INPUT_FIELDS}


class AgreementSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(
        label=_("Kind"),
        choices=Agreement.Kind.choices,
        help_text=_("contract or order, chosen on creation: an agreement keeps its kind."),
    )
    number = serializers.CharField(
        label=_("Number"),
        max_length=50,
        required=False,
        allow_blank=True,
        help_text=_("Unique in the company. Left blank on creation: generated from the prefix."),
    )
    title = serializers.CharField(label=_("Title"), max_length=200, allow_blank=True)
    customer = RelatedIdField(
        label=_("Customer"),
        help_text=_("Id of a customer you may edit; an agreement stays with its customer."),
    )
    customer_name = serializers.CharField(
        label=_("Customer name"), source="customer.name", read_only=True
    )
    owner = RelatedIdField(
        label=_("Owner"),
        required=False,
        help_text=_(
            "Id of the owner: by default you when the customer is in your line, otherwise the "
            "customer's owner; you may choose yourself, someone below you or the customer's "
            "owner."
        ),
    )
    owner_name = serializers.CharField(
        label=_("Owner name"), source="owner.display_name", read_only=True
    )
    status = serializers.ChoiceField(
        label=_("Status"), choices=Agreement.Status.choices, read_only=True
    )
    signed_on = serializers.DateField(label=_("Signing date"), required=False, allow_null=True)
    starts_on = serializers.DateField(label=_("Start date"), required=False, allow_null=True)
    ends_on = serializers.DateField(label=_("End date"), required=False, allow_null=True)
    terms = serializers.CharField(label=_("Terms"), required=False, allow_blank=True)
    discount_percent = serializers.DecimalField(
        label=_("Whole discount (%)"),
        **PERCENT,
        required=False,
        help_text=_("0–100, on the lines' total; changes only while a draft."),
    )
    lines_total = serializers.DecimalField(label=_("Lines total"), **MONEY, read_only=True)
    amount = serializers.DecimalField(
        label=_("Amount"),
        **MONEY,
        read_only=True,
        help_text=_("The lines' total less the whole discount, rounded to the fen."),
    )
    paid_amount = serializers.DecimalField(label=_("Paid"), **MONEY, read_only=True)
    invoiced_amount = serializers.DecimalField(label=_("Invoiced"), **MONEY, read_only=True)
    receivable = serializers.DecimalField(
        label=_("Receivable"), **MONEY, read_only=True, help_text=_("Amount less paid.")
    )
    uninvoiced = serializers.DecimalField(
        label=_("Uninvoiced"), **MONEY, read_only=True, help_text=_("Paid less invoiced.")
    )
    cancel_reason = serializers.CharField(label=_("Cancellation reason"), read_only=True)
    cancelled_at = serializers.DateTimeField(label=_("Cancelled at"), read_only=True)
    created_by = RelatedIdField(label=_("Created by"), read_only=True)
    created_at = serializers.DateTimeField(label=_("Created at"), read_only=True)
    updated_at = serializers.DateTimeField(label=_("Updated at"), read_only=True)
    lines = AgreementLineSerializer(
        many=True,
        required=False,
        label=_("Lines"),
        help_text=_(
            "The product lines (a contract: one to five). On a change, sending lines replaces "
            "them all, and only while the agreement is a draft."
        ),
    )

    def validate_customer(self, customer_id):
        if self.instance is not None and customer_id != self.instance.customer_id:
            raise serializers.ValidationError(_("An agreement stays with its customer."))
        return customer_id


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(label=_("File name"))
    size = serializers.IntegerField(label=_("Size (bytes)"))
    uploaded_by = RelatedIdField(label=_("Uploaded by"))
    created_at = serializers.DateTimeField(label=_("Uploaded at"))
    download_url = serializers.SerializerMethodField(label=_("Download URL"))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, attachment):
        try:
            path = reverse("agreement-attachment-download", args=[attachment.pk])
        except NoReverseMatch:  # the pages that serve files are not installed
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class DuePlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    due_on = serializers.DateField(label=_("Due date"))
    amount = serializers.DecimalField(label=_("Amount"), **MONEY)
    outstanding = serializers.DecimalField(
        label=_("Outstanding"), **MONEY, help_text=_("What is still to be paid on it.")
    )


class AgreementDetailSerializer(AgreementSerializer):
    attachments = serializers.SerializerMethodField(label=_("Attachments"))
    next_due_plan = serializers.SerializerMethodField(
        label=_("Next due plan"),
        help_text=_("The earliest payment plan not yet covered and not yet due, or null."),
    )
    overdue_plans = serializers.SerializerMethodField(
        label=_("Overdue plans"), help_text=_("Payment plans past their date and not covered.")
    )

    def _plans(self, agreement):
        if not hasattr(agreement, "_plan_standing"):
            agreement._plan_standing = selectors.plan_standing(
                self.context["request"].user, agreement
            )
        return agreement._plan_standing

    @extend_schema_field(AttachmentSerializer(many=True))
    def get_attachments(self, agreement):
        rows = selectors.agreement_attachments(self.context["request"].user, agreement)
        return AttachmentSerializer(rows, many=True, context=self.context).data

    @extend_schema_field(DuePlanSerializer(allow_null=True))
    def get_next_due_plan(self, agreement):
        standing = self._plans(agreement)
        plan = standing.next_due_plan if standing is not None else None
        return DuePlanSerializer(plan).data if plan is not None else None

    @extend_schema_field(DuePlanSerializer(many=True))
    def get_overdue_plans(self, agreement):
        standing = self._plans(agreement)
        overdue = standing.overdue_plans if standing is not None else []
        return DuePlanSerializer(overdue, many=True).data


class AgreementListQuery(serializers.Serializer):
    kind = serializers.ChoiceField(
        label=_("Kind"),
        choices=Agreement.Kind.choices,
        required=False,
        help_text=_("contract or order; a kind your company does not use lists nothing."),
    )
    search = serializers.CharField(
        label=_("Search"),
        required=False,
        allow_blank=True,
        help_text=_("Words found in the number, the title or the customer's name."),
    )
    status = serializers.ChoiceField(
        label=_("Status"), choices=Agreement.Status.choices, required=False
    )
    customer = IdField(label=_("Customer (id)"), required=False)
    owner = IdField(label=_("Owner (user id)"), required=False)
    signed_from = serializers.DateField(label=_("Signed from"), required=False)
    signed_to = serializers.DateField(label=_("Signed until"), required=False)
    ordering = serializers.ChoiceField(
        label=_("Ordering"),
        choices=ORDERINGS,
        required=False,
        help_text=_("A leading minus sorts in descending order; the default is -created_at."),
    )

    def selector_arguments(self) -> dict:
        data = self.validated_data
        return {
            "kind": data.get("kind", ""),
            "search": data.get("search", ""),
            "status": data.get("status", ""),
            "customer_id": data.get("customer"),
            "owner_id": data.get("owner"),
            "signed_from": data.get("signed_from"),
            "signed_to": data.get("signed_to"),
            "ordering": data.get("ordering", "-created_at"),
        }


class SignRequestSerializer(serializers.Serializer):
    signed_on = serializers.DateField(
        label=_("Signing date"),
        required=False,
        allow_null=True,
        help_text=_("Left out: the date already entered, else today."),
    )


class CancelRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        label=_("Reason"), allow_blank=True, help_text=_("Why it is cancelled (required).")
    )


CHANGE_RESPONSES = {200: AgreementSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND}


@extend_schema_view(
    list=extend_schema(summary=_("Contracts and orders you see"), parameters=[AgreementListQuery]),
    retrieve=extend_schema(
        summary=_("An agreement, with its attachments and payment plans due"),
        responses={200: AgreementDetailSerializer, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary=_("Add a contract or an order to a customer you may edit"),
        responses={201: AgreementSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    ),
    update=extend_schema(summary=_("Change an agreement"), responses=CHANGE_RESPONSES),
    partial_update=extend_schema(summary=_("Change an agreement"), responses=CHANGE_RESPONSES),
    destroy=extend_schema(
        summary=_("Delete a draft agreement"),
        responses={204: None, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    ),
)
class AgreementViewSet(VisibleObjectMixin, viewsets.ModelViewSet):
    """Contracts (合同) and orders (订单). An agreement is visible, and may be changed, exactly
    when its customer is. Its lines come nested; status steps are actions."""

    serializer_class = AgreementSerializer
    filter_backends: list = []  # filtering and ordering go through selectors.agreement_list
    fetch_one = selectors.get_agreement_for
    fetch_for_edit = True

    def get_serializer_class(self):
        if self.action == "retrieve":
            return AgreementDetailSerializer
        return AgreementSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["sees_costs"] = sees_costs(acting_user(self))
        return context

    def _lines(self):
        return Prefetch("lines", queryset=selectors.lines_to_prefetch(acting_user(self)))

    def get_queryset(self):
        user = acting_user(self)
        if getattr(self, "swagger_fake_view", False):
            return selectors.visible_agreements(user)
        query = AgreementListQuery(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        arguments = query.selector_arguments()
        in_use = selectors.kinds_in_use(user)
        if (arguments["kind"] and arguments["kind"] not in in_use) or not in_use:
            return selectors.visible_agreements(user).none()
        if not arguments["kind"] and len(in_use) == 1:
            arguments["kind"] = in_use[0]
        return selectors.agreement_list(user, **arguments).prefetch_related(self._lines())

    def get_object(self):
        agreement = super().get_object()
        prefetch_related_objects([agreement], self._lines())
        return agreement

    def _fetch(self, pk) -> Agreement:
        agreement = selectors.get_agreement_for(self.request.user, pk)
        prefetch_related_objects([agreement], self._lines())
        return agreement

    def _answer(self, agreement, *, status_code=status.HTTP_200_OK) -> Response:
        fresh = self._fetch(agreement.pk)
        data = AgreementSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        lines = [line_input(line) for line in data.pop("lines", [])]
        agreement = services.agreement_create(
            user=self.request.user,
            kind=data.pop("kind"),
            customer=data.pop("customer"),
            lines=lines,
            **data,
        )
        serializer.instance = self._fetch(agreement.pk)

    def perform_update(self, serializer):
        agreement = serializer.instance
        data = dict(serializer.validated_data)
        data.pop("customer", None)
        lines = data.pop("lines", None)
        if lines is not None:
            lines = [line_input(line) for line in lines]
        discount = data.pop("discount_percent", None)
        if discount == agreement.discount_percent:
            # The same discount sent back with the rest (a PUT) is no change: it must not be
            # refused once the agreement is signed.
            discount = None
        agreement = services.agreement_update(
            user=self.request.user,
            agreement=agreement,
            kind=data.pop("kind", None),
            lines=lines,
            discount_percent=discount,
            **data,
        )
        serializer.instance = self._fetch(agreement.pk)

    def perform_destroy(self, instance):
        services.agreement_delete(user=self.request.user, agreement=instance)

    @extend_schema(
        request=SignRequestSerializer,
        responses=CHANGE_RESPONSES,
        summary=_("Sign a draft agreement"),
    )
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        agreement = self.get_object()
        body = SignRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        agreement = services.agreement_sign(
            user=request.user, agreement=agreement, signed_on=body.validated_data.get("signed_on")
        )
        return self._answer(agreement)

    @extend_schema(
        request=None,
        responses=CHANGE_RESPONSES,
        summary=_("Start executing a signed agreement"),
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        agreement = services.agreement_start(user=request.user, agreement=self.get_object())
        return self._answer(agreement)

    @extend_schema(
        request=None,
        responses=CHANGE_RESPONSES,
        summary=_("Complete an agreement being executed"),
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        agreement = services.agreement_complete(user=request.user, agreement=self.get_object())
        return self._answer(agreement)

    @extend_schema(
        request=CancelRequestSerializer,
        responses=CHANGE_RESPONSES,
        summary=_("Cancel an agreement (with the reason)"),
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        agreement = self.get_object()
        body = CancelRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        agreement = services.agreement_cancel(
            user=request.user, agreement=agreement, reason=body.validated_data["reason"]
        )
        return self._answer(agreement)


def register(router) -> None:
    """Add this app's viewsets to the one API router."""
    router.register("agreements", AgreementViewSet, basename="agreement")
