"""API of the finance app: `/api/v1/payment-plans/`, `/api/v1/payments/` (a ledger: recorded
and reversed, never changed or deleted) and `/api/v1/invoices/`.

Thin by design: serializers check the shape of the input, selectors fetch (a row is visible
exactly when its customer is: anything else is 404), services write and enforce every rule.
Payment plans are made by whoever may change the agreement (403 otherwise); payments and
invoices are recorded by users with the finance permission, refused with a 403 before the
body is even read. Registered on the one router in banyan/api.py.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from banyan.accounts.api import acting_user
from banyan.accounts.permissions import IsCompanyMember
from banyan.agreements.models import Agreement
from banyan.core.api import (
    INVALID,
    NOT_FOUND,
    REFUSED,
    IdField,
    RelatedIdField,
    VisibleObjectMixin,
)
from banyan.core.errors import PermissionRefused
from banyan.core.idempotency import idempotent
from banyan.finance import selectors, services

MONEY = {"max_digits": 14, "decimal_places": 2}
FINANCE_ONLY = _("Only users with the finance permission record payments and invoices.")
PLAN_STATES = [
    ("open", _("Open (not yet covered)")),
    ("covered", _("Covered")),
    ("overdue", _("Overdue")),
    ("due_soon", _("Due within 30 days")),
]


def orderings(names) -> list[str]:
    return sorted(names, key=lambda name: (name.lstrip("-"), name))


class RecordsMoney(permissions.BasePermission):
    """The view's `finance_actions` need the finance permission. Checked before anything is
    looked up or validated, so the answer without it is always the 403 and its reason."""

    def has_permission(self, request, view):
        if view.action in getattr(view, "finance_actions", ()) and not (
            selectors.can_record_money(request.user)
        ):
            raise PermissionRefused(FINANCE_ONLY)
        return True


def stays_with_agreement(serializer, agreement_id, message):
    if serializer.instance is not None and agreement_id != serializer.instance.agreement_id:
        raise serializers.ValidationError(message)
    return agreement_id


# Payment plans ------------------------------------------------------------------------------


class PaymentPlanSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    agreement = RelatedIdField(
        label=_("Agreement"),
        help_text=_("Id of an agreement you may change; a plan stays with its agreement."),
    )
    agreement_number = serializers.CharField(
        label=_("Agreement number"), source="agreement.number", read_only=True
    )
    customer = RelatedIdField(label=_("Customer"), read_only=True)
    due_on = serializers.DateField(label=_("Due date"))
    amount = serializers.DecimalField(
        label=_("Amount"),
        **MONEY,
        help_text=_("Above zero; all plans of an agreement add up to at most its amount."),
    )
    note = serializers.CharField(label=_("Note"), max_length=255, required=False, allow_blank=True)
    paid_amount = serializers.DecimalField(
        label=_("Paid"),
        **MONEY,
        read_only=True,
        help_text=_("The payments recorded against this plan."),
    )
    outstanding = serializers.DecimalField(label=_("Outstanding"), **MONEY, read_only=True)
    is_covered = serializers.BooleanField(label=_("Covered"), read_only=True)
    is_overdue = serializers.SerializerMethodField(
        label=_("Overdue"),
        help_text=_("Not covered and past its date, on an agreement not cancelled."),
    )
    created_at = serializers.DateTimeField(label=_("Created at"), read_only=True)

    def get_is_overdue(self, plan) -> bool:
        today = self.context.get("today")
        return bool(
            today is not None
            and not plan.is_covered
            and plan.due_on < today
            and plan.agreement.status != Agreement.Status.CANCELLED
        )

    def validate_agreement(self, agreement_id):
        return stays_with_agreement(
            self, agreement_id, _("A payment plan stays with its agreement.")
        )


class PlanListQuery(serializers.Serializer):
    agreement = IdField(label=_("Agreement (id)"), required=False)
    customer = IdField(label=_("Customer (id)"), required=False)
    owner = IdField(label=_("Agreement owner (user id)"), required=False)
    state = serializers.ChoiceField(label=_("State"), choices=PLAN_STATES, required=False)
    due_from = serializers.DateField(label=_("Due from"), required=False)
    due_to = serializers.DateField(label=_("Due until"), required=False)
    ordering = serializers.ChoiceField(
        label=_("Ordering"),
        choices=orderings(selectors.PLAN_ORDERINGS),
        required=False,
        help_text=_("A leading minus sorts in descending order; the default is due_on."),
    )

    def selector_arguments(self) -> dict:
        data = self.validated_data
        return {
            "agreement_id": data.get("agreement"),
            "customer_id": data.get("customer"),
            "owner_id": data.get("owner"),
            "state": data.get("state", ""),
            "due_from": data.get("due_from"),
            "due_to": data.get("due_to"),
            "ordering": data.get("ordering", "due_on"),
        }


PLAN_CHANGE = {200: PaymentPlanSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND}


@extend_schema_view(
    list=extend_schema(
        summary=_("Payment plans of the agreements you see"), parameters=[PlanListQuery]
    ),
    retrieve=extend_schema(
        summary=_("A payment plan"), responses={200: PaymentPlanSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary=_("Add a payment plan to an agreement you may change"),
        responses={201: PaymentPlanSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    ),
    update=extend_schema(summary=_("Change a payment plan"), responses=PLAN_CHANGE),
    partial_update=extend_schema(summary=_("Change a payment plan"), responses=PLAN_CHANGE),
    destroy=extend_schema(
        summary=_("Delete a payment plan no payment was recorded against"),
        responses={204: None, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    ),
)
class PaymentPlanViewSet(VisibleObjectMixin, viewsets.ModelViewSet):
    """Payment plans (回款计划): the instalments an agreement's customer is to pay. Visible
    when the customer is; made and changed by whoever may change the agreement."""

    serializer_class = PaymentPlanSerializer
    filter_backends: list = []  # filtering and ordering go through selectors.plan_list
    fetch_one = selectors.get_plan_for
    fetch_for_edit = True

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = acting_user(self)
        context["today"] = selectors.today_for(user) if user.company_id else None
        return context

    def get_queryset(self):
        user = acting_user(self)
        if getattr(self, "swagger_fake_view", False):
            return selectors.visible_plans(user)
        query = PlanListQuery(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        return selectors.plan_list(user, **query.selector_arguments())

    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        plan = services.plan_create(user=self.request.user, agreement=data.pop("agreement"), **data)
        serializer.instance = selectors.get_plan_for(self.request.user, plan.pk)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("agreement", None)
        plan = services.plan_update(user=self.request.user, plan=serializer.instance, **data)
        serializer.instance = selectors.get_plan_for(self.request.user, plan.pk)

    def perform_destroy(self, instance):
        services.plan_delete(user=self.request.user, plan=instance)


# Payments -----------------------------------------------------------------------------------


class PaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    agreement = RelatedIdField(
        label=_("Agreement"),
        help_text=_("Id of a signed, executing or completed agreement you see."),
    )
    agreement_number = serializers.CharField(
        label=_("Agreement number"), source="agreement.number", read_only=True
    )
    customer = RelatedIdField(label=_("Customer"), read_only=True)
    customer_name = serializers.CharField(
        label=_("Customer name"), source="customer.name", read_only=True
    )
    plan = RelatedIdField(
        label=_("Payment plan"),
        required=False,
        allow_null=True,
        help_text=_("Id of one of the agreement's payment plans this payment goes to."),
    )
    paid_on = serializers.DateField(label=_("Payment date"))
    amount = serializers.DecimalField(
        label=_("Amount"),
        **MONEY,
        help_text=_("Above zero; a reversal shows the opposite (negative) amount."),
    )
    method = RelatedIdField(
        label=_("Payment method"),
        help_text=_("Id of an active option of the payment method list."),
    )
    method_label = serializers.CharField(
        label=_("Payment method label"), source="method.display_label", read_only=True
    )
    owner = RelatedIdField(
        label=_("Owner"),
        required=False,
        allow_null=True,
        help_text=_("Id of the rep credited; left out: the agreement's owner."),
    )
    owner_name = serializers.CharField(
        label=_("Owner name"), source="owner.display_name", read_only=True
    )
    note = serializers.CharField(label=_("Note"), max_length=255, required=False, allow_blank=True)
    reverses = RelatedIdField(
        label=_("Reverses"),
        read_only=True,
        allow_null=True,
        help_text=_("On a reversal: the id of the payment it cancels out."),
    )
    reversed_by = serializers.SerializerMethodField(
        label=_("Reversed by"), help_text=_("The id of the reversal of this payment, if any.")
    )
    recorded_by = RelatedIdField(label=_("Recorded by"), read_only=True)
    created_at = serializers.DateTimeField(label=_("Recorded at"), read_only=True)
    confirm_overpayment = serializers.BooleanField(
        label=_("Confirm over-payment"),
        write_only=True,
        default=False,
        help_text=_(
            "Record it even though the paid total then passes the agreement's amount "
            "(otherwise refused, naming amount)."
        ),
    )

    def get_reversed_by(self, payment) -> int | None:
        reversal = getattr(payment, "reversed_by", None)  # absent: RelatedObjectDoesNotExist
        return reversal.pk if reversal is not None else None


class ReverseRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        label=_("Reason"), allow_blank=True, help_text=_("Why it is reversed (required).")
    )
    paid_on = serializers.DateField(
        label=_("Date"),
        required=False,
        allow_null=True,
        help_text=_("The reversal's date; left out: today."),
    )


class PaymentListQuery(serializers.Serializer):
    agreement = IdField(label=_("Agreement (id)"), required=False)
    customer = IdField(label=_("Customer (id)"), required=False)
    owner = IdField(label=_("Owner (user id)"), required=False)
    method = IdField(label=_("Payment method (option id)"), required=False)
    paid_from = serializers.DateField(label=_("Paid from"), required=False)
    paid_to = serializers.DateField(label=_("Paid until"), required=False)
    search = serializers.CharField(
        label=_("Search"),
        required=False,
        allow_blank=True,
        help_text=_("Words found in the agreement number, the customer's name or the note."),
    )
    ordering = serializers.ChoiceField(
        label=_("Ordering"),
        choices=orderings(selectors.PAYMENT_ORDERINGS),
        required=False,
        help_text=_("A leading minus sorts in descending order; the default is -paid_on."),
    )

    def selector_arguments(self) -> dict:
        data = self.validated_data
        return {
            "agreement_id": data.get("agreement"),
            "customer_id": data.get("customer"),
            "owner_id": data.get("owner"),
            "method_id": data.get("method"),
            "paid_from": data.get("paid_from"),
            "paid_to": data.get("paid_to"),
            "search": data.get("search", ""),
            "ordering": data.get("ordering", "-paid_on"),
        }


@extend_schema_view(
    list=extend_schema(
        summary=_("Payments on the agreements you see"), parameters=[PaymentListQuery]
    ),
    retrieve=extend_schema(
        summary=_("A payment"), responses={200: PaymentSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary=_("Record a payment (finance permission)"),
        responses={201: PaymentSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    ),
)
class PaymentViewSet(
    VisibleObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Payments (回款记录), a ledger: recorded by users with the finance permission and never
    changed or deleted (no PUT, PATCH or DELETE); a mistake is undone by `reverse`, which
    books the opposite amount pointing at the original."""

    serializer_class = PaymentSerializer
    filter_backends: list = []  # filtering and ordering go through selectors.payment_list
    permission_classes = [IsCompanyMember, RecordsMoney]
    finance_actions = ("create", "reverse")
    fetch_one = selectors.get_payment_for

    def get_queryset(self):
        user = acting_user(self)
        if getattr(self, "swagger_fake_view", False):
            return selectors.visible_payments(user)
        query = PaymentListQuery(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        return selectors.payment_list(user, **query.selector_arguments())

    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        payment = services.payment_record(
            user=self.request.user, agreement=data.pop("agreement"), **data
        )
        serializer.instance = selectors.get_payment_for(self.request.user, payment.pk)

    @idempotent
    @extend_schema(
        request=ReverseRequestSerializer,
        responses={201: PaymentSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
        summary=_("Reverse a payment (finance permission): books the opposite amount"),
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        payment = self.get_object()
        body = ReverseRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reversal = services.payment_reverse(
            user=request.user, payment=payment, **body.validated_data
        )
        fresh = selectors.get_payment_for(request.user, reversal.pk)
        return Response(
            PaymentSerializer(fresh, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


# Invoices -----------------------------------------------------------------------------------


class InvoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    agreement = RelatedIdField(
        label=_("Agreement"),
        help_text=_("Id of an agreement you see; an invoice stays with its agreement."),
    )
    agreement_number = serializers.CharField(
        label=_("Agreement number"), source="agreement.number", read_only=True
    )
    customer = RelatedIdField(label=_("Customer"), read_only=True)
    number = serializers.CharField(
        label=_("Invoice number"),
        max_length=50,
        allow_blank=True,
        help_text=_("Unique in the company."),
    )
    type = RelatedIdField(
        label=_("Invoice type"), help_text=_("Id of an active option of the invoice type list.")
    )
    type_label = serializers.CharField(
        label=_("Invoice type label"), source="type.display_label", read_only=True
    )
    title = serializers.CharField(
        label=_("Invoice title"),
        max_length=200,
        required=False,
        allow_blank=True,
        help_text=_("The buyer's name; left blank on creation: the customer's name."),
    )
    tax_id = serializers.CharField(
        label=_("Taxpayer id"), max_length=30, required=False, allow_blank=True
    )
    amount = serializers.DecimalField(
        label=_("Amount"),
        **MONEY,
        help_text=_(
            "Above zero; invoices add up to at most the paid total unless your company "
            "invoices ahead of payment."
        ),
    )
    issued_on = serializers.DateField(label=_("Invoice date"))
    note = serializers.CharField(label=_("Note"), max_length=255, required=False, allow_blank=True)
    recorded_by = RelatedIdField(label=_("Recorded by"), read_only=True)
    created_at = serializers.DateTimeField(label=_("Created at"), read_only=True)
    updated_at = serializers.DateTimeField(label=_("Updated at"), read_only=True)

    def validate_agreement(self, agreement_id):
        return stays_with_agreement(self, agreement_id, _("An invoice stays with its agreement."))


class InvoiceListQuery(serializers.Serializer):
    agreement = IdField(label=_("Agreement (id)"), required=False)
    customer = IdField(label=_("Customer (id)"), required=False)
    type = IdField(label=_("Invoice type (option id)"), required=False)
    issued_from = serializers.DateField(label=_("Issued from"), required=False)
    issued_to = serializers.DateField(label=_("Issued until"), required=False)
    search = serializers.CharField(
        label=_("Search"),
        required=False,
        allow_blank=True,
        help_text=_("Words found in the number, the title, the agreement number or customer."),
    )
    ordering = serializers.ChoiceField(
        label=_("Ordering"),
        choices=orderings(selectors.INVOICE_ORDERINGS),
        required=False,
        help_text=_("A leading minus sorts in descending order; the default is -issued_on."),
    )

    def selector_arguments(self) -> dict:
        data = self.validated_data
        return {
            "agreement_id": data.get("agreement"),
            "customer_id": data.get("customer"),
            "type_id": data.get("type"),
            "issued_from": data.get("issued_from"),
            "issued_to": data.get("issued_to"),
            "search": data.get("search", ""),
            "ordering": data.get("ordering", "-issued_on"),
        }


INVOICE_CHANGE = {200: InvoiceSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND}


@extend_schema_view(
    list=extend_schema(
        summary=_("Invoices on the agreements you see"), parameters=[InvoiceListQuery]
    ),
    retrieve=extend_schema(
        summary=_("An invoice"), responses={200: InvoiceSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary=_("Record an invoice (finance permission)"),
        responses={201: InvoiceSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    ),
    update=extend_schema(
        summary=_("Change an invoice (finance permission)"), responses=INVOICE_CHANGE
    ),
    partial_update=extend_schema(
        summary=_("Change an invoice (finance permission)"), responses=INVOICE_CHANGE
    ),
    destroy=extend_schema(
        summary=_("Remove an invoice recorded by mistake (finance permission)"),
        responses={204: None, 403: REFUSED, 404: NOT_FOUND},
    ),
)
class InvoiceViewSet(VisibleObjectMixin, viewsets.ModelViewSet):
    """Invoices (开票记录) on agreements: everyone who sees the customer reads them; users
    with the finance permission record, change and remove them."""

    serializer_class = InvoiceSerializer
    filter_backends: list = []  # filtering and ordering go through selectors.invoice_list
    permission_classes = [IsCompanyMember, RecordsMoney]
    finance_actions = ("create", "update", "partial_update", "destroy")
    fetch_one = selectors.get_invoice_for

    def get_queryset(self):
        user = acting_user(self)
        if getattr(self, "swagger_fake_view", False):
            return selectors.visible_invoices(user)
        query = InvoiceListQuery(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        return selectors.invoice_list(user, **query.selector_arguments())

    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        invoice = services.invoice_create(
            user=self.request.user, agreement=data.pop("agreement"), **data
        )
        serializer.instance = selectors.get_invoice_for(self.request.user, invoice.pk)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("agreement", None)
        invoice = services.invoice_update(
            user=self.request.user, invoice=serializer.instance, **data
        )
        serializer.instance = selectors.get_invoice_for(self.request.user, invoice.pk)

    def perform_destroy(self, instance):
        services.invoice_delete(user=self.request.user, invoice=instance)


def register(router) -> None:
    """Add this app's viewsets to the one API router."""
    router.register("payment-plans", PaymentPlanViewSet, basename="payment-plan")
    router.register("payments", PaymentViewSet, basename="payment")
    router.register("invoices", InvoiceViewSet, basename="invoice")
