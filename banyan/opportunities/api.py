"""API of the opportunities app: `/api/v1/opportunities/` and its move/won/lost/reopen actions.

Thin by design: serializers check the shape of the input, selectors fetch (only what the
acting user may see: anything else is 404), services write and enforce every rule (a visible
opportunity the user may not change is 403). Registered on the one router in banyan/api.py.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
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
from banyan.opportunities import selectors, services
from banyan.opportunities.models import Opportunity

ORDERINGS = [
    "name",
    "-name",
    "created_at",
    "-created_at",
    "expected_amount",
    "-expected_amount",
    "expected_close_date",
    "-expected_close_date",
    "probability",
    "-probability",
]


class OpportunitySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    customer = RelatedIdField(
        label=_("Customer"),
        help_text=_("Id of a customer you may edit; an opportunity stays with its customer."),
    )
    customer_name = serializers.CharField(
        label=_("Customer name"), source="customer.name", read_only=True
    )
    name = serializers.CharField(label=_("Name"), max_length=200, allow_blank=True)
    stage = RelatedIdField(
        label=_("Stage"),
        required=False,
        help_text=_(
            "Id of an active option of the opportunity stage list (default: the first one)."
        ),
    )
    stage_label = serializers.CharField(
        label=_("Stage label"), source="stage.display_label", read_only=True
    )
    probability = serializers.IntegerField(
        label=_("Probability (%)"),
        required=False,
        allow_null=True,
        help_text=_("0–100. Left out or null: the stage's default probability."),
    )
    expected_amount = serializers.DecimalField(
        label=_("Expected amount"),
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_('CNY, as a decimal string such as "12000.00"; not negative.'),
    )
    expected_close_date = serializers.DateField(
        label=_("Expected close date"), required=False, allow_null=True
    )
    next_step = serializers.CharField(
        label=_("Next step"), max_length=255, required=False, allow_blank=True
    )
    competitors = serializers.CharField(label=_("Competitors"), required=False, allow_blank=True)
    status = serializers.ChoiceField(
        label=_("Status"), choices=Opportunity.Status.choices, read_only=True
    )
    close_reason = serializers.CharField(label=_("Reason"), read_only=True)
    closed_at = serializers.DateTimeField(label=_("Closed at"), read_only=True)
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
    created_by = RelatedIdField(label=_("Created by"), read_only=True)
    created_at = serializers.DateTimeField(label=_("Created at"), read_only=True)
    updated_at = serializers.DateTimeField(label=_("Updated at"), read_only=True)

    def validate_customer(self, customer_id):
        if self.instance is not None and customer_id != self.instance.customer_id:
            raise serializers.ValidationError(_("An opportunity stays with its customer."))
        return customer_id


class StageChangeSerializer(serializers.Serializer):
    from_stage = RelatedIdField(label=_("From stage"), allow_null=True)
    from_stage_label = serializers.SerializerMethodField(label=_("From stage label"))
    to_stage = RelatedIdField(label=_("To stage"))
    to_stage_label = serializers.CharField(source="to_stage.display_label")
    from_probability = serializers.IntegerField(allow_null=True)
    to_probability = serializers.IntegerField()
    from_status = serializers.CharField(help_text=_("Empty on the first row (creation)."))
    to_status = serializers.CharField(help_text=_("open, won or lost."))
    changed_by = RelatedIdField(label=_("Changed by"))
    changed_by_name = serializers.CharField(source="changed_by.display_name")
    changed_at = serializers.DateTimeField()

    def get_from_stage_label(self, change) -> str:
        return change.from_stage.display_label if change.from_stage_id else ""


class OpportunityDetailSerializer(OpportunitySerializer):
    stage_history = serializers.SerializerMethodField(label=_("Stage history"))

    @extend_schema_field(StageChangeSerializer(many=True))
    def get_stage_history(self, opportunity):
        changes = selectors.stage_history(self.context["request"].user, opportunity)
        return StageChangeSerializer(changes, many=True).data


class OpportunityListQuery(serializers.Serializer):
    search = serializers.CharField(
        label=_("Search"),
        required=False,
        allow_blank=True,
        help_text=_("Words found in the opportunity's or the customer's name."),
    )
    customer = IdField(label=_("Customer (id)"), required=False)
    stage = IdField(label=_("Stage (option id)"), required=False)
    status = serializers.ChoiceField(
        label=_("Status"), choices=Opportunity.Status.choices, required=False
    )
    owner = IdField(label=_("Owner (user id)"), required=False)
    close_from = serializers.DateField(label=_("Expected close from"), required=False)
    close_to = serializers.DateField(label=_("Expected close until"), required=False)
    ordering = serializers.ChoiceField(
        label=_("Ordering"),
        choices=ORDERINGS,
        required=False,
        help_text=_("A leading minus sorts in descending order; the default is -created_at."),
    )

    def selector_arguments(self) -> dict:
        data = self.validated_data
        return {
            "search": data.get("search", ""),
            "customer_id": data.get("customer"),
            "stage_id": data.get("stage"),
            "status": data.get("status", ""),
            "owner_id": data.get("owner"),
            "close_from": data.get("close_from"),
            "close_to": data.get("close_to"),
            "ordering": data.get("ordering", "-created_at"),
        }


class MoveRequestSerializer(serializers.Serializer):
    stage = IdField(label=_("Stage (option id)"))
    probability = serializers.IntegerField(
        label=_("Probability (%)"),
        required=False,
        allow_null=True,
        help_text=_("Left out: the new stage's default probability."),
    )
    position = serializers.IntegerField(
        label=_("Position"),
        required=False,
        allow_null=True,
        min_value=0,
        help_text=_("Place in the board column, counted among the cards you see (0 = top)."),
    )


class WonRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(label=_("Reason"), required=False, allow_blank=True)


class LostRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        label=_("Reason"), allow_blank=True, help_text=_("Why it was lost (required).")
    )


CHANGE_RESPONSES = {200: OpportunitySerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND}


@extend_schema_view(
    list=extend_schema(summary=_("Opportunities you see"), parameters=[OpportunityListQuery]),
    retrieve=extend_schema(
        summary=_("An opportunity, with its stage history"),
        responses={200: OpportunityDetailSerializer, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary=_("Add an opportunity to a customer you may edit"),
        responses={201: OpportunitySerializer, 400: INVALID, 403: REFUSED},
    ),
    update=extend_schema(summary=_("Change an opportunity"), responses=CHANGE_RESPONSES),
    partial_update=extend_schema(summary=_("Change an opportunity"), responses=CHANGE_RESPONSES),
    destroy=extend_schema(
        summary=_("Delete an opportunity"), responses={204: None, 403: REFUSED, 404: NOT_FOUND}
    ),
)
class OpportunityViewSet(VisibleObjectMixin, viewsets.ModelViewSet):
    """Opportunities (销售机会). An opportunity is visible, and may be changed, exactly when its
    customer is. Changing `stage` moves it (its probability follows the stage's default unless
    given); won, lost and reopen are actions."""

    serializer_class = OpportunitySerializer
    filter_backends: list = []  # filtering and ordering go through selectors.opportunity_list
    fetch_one = selectors.get_opportunity_for
    fetch_for_edit = True

    def get_serializer_class(self):
        if self.action == "retrieve":
            return OpportunityDetailSerializer
        return OpportunitySerializer

    def get_queryset(self):
        user = acting_user(self)
        if getattr(self, "swagger_fake_view", False):
            return selectors.visible_opportunities(user)
        query = OpportunityListQuery(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        return selectors.opportunity_list(user, **query.selector_arguments())

    def _answer(self, opportunity) -> Response:
        fresh = selectors.get_opportunity_for(self.request.user, opportunity.pk)
        return Response(OpportunitySerializer(fresh, context=self.get_serializer_context()).data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        opportunity = services.opportunity_create(
            user=self.request.user, customer=data.pop("customer"), **data
        )
        serializer.instance = selectors.get_opportunity_for(self.request.user, opportunity.pk)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("customer", None)
        opportunity = services.opportunity_update(
            user=self.request.user, opportunity=serializer.instance, **data
        )
        serializer.instance = selectors.get_opportunity_for(self.request.user, opportunity.pk)

    def perform_destroy(self, instance):
        services.opportunity_delete(user=self.request.user, opportunity=instance)

    @extend_schema(
        request=MoveRequestSerializer,
        responses=CHANGE_RESPONSES,
        summary=_("Move an open opportunity to another stage"),
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        opportunity = self.get_object()
        body = MoveRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        opportunity = services.opportunity_move_stage(
            user=request.user, opportunity=opportunity, **body.validated_data
        )
        return self._answer(opportunity)

    @extend_schema(
        request=WonRequestSerializer,
        responses=CHANGE_RESPONSES,
        summary=_("Mark an open opportunity won"),
    )
    @action(detail=True, methods=["post"])
    def won(self, request, pk=None):
        opportunity = self.get_object()
        body = WonRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        opportunity = services.opportunity_mark_won(
            user=request.user, opportunity=opportunity, reason=body.validated_data.get("reason", "")
        )
        return self._answer(opportunity)

    @extend_schema(
        request=LostRequestSerializer,
        responses=CHANGE_RESPONSES,
        summary=_("Mark an open opportunity lost (with the reason)"),
    )
    @action(detail=True, methods=["post"])
    def lost(self, request, pk=None):
        opportunity = self.get_object()
        body = LostRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        opportunity = services.opportunity_mark_lost(
            user=request.user, opportunity=opportunity, reason=body.validated_data["reason"]
        )
        return self._answer(opportunity)

    @extend_schema(
        request=None,
        responses=CHANGE_RESPONSES,
        summary=_("Reopen a won or lost opportunity"),
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        opportunity = services.opportunity_reopen(user=request.user, opportunity=self.get_object())
        return self._answer(opportunity)


def register(router) -> None:
    """Add this app's viewsets to the one API router."""
    router.register("opportunities", OpportunityViewSet, basename="opportunity")
