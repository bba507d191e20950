"""`/api/v1/shipments/`: an order's goods leave."""

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from banyan.accounts.api import acting_user
from banyan.core.api import INVALID, NOT_FOUND, REFUSED, IdField, RelatedIdField, VisibleObjectMixin
from banyan.core.idempotency import idempotent
from banyan.inventory import selectors, services
from banyan.inventory.api.common import QUANTITY, created

# --- shipments -----------------------------------------------------------------------------


class ShipmentLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    agreement_line = RelatedIdField(
        label=_("Order line"), help_text=_("Id of a line of the order.")
    )
    product = serializers.IntegerField(
        label=_("Product"), source="agreement_line.product_id", read_only=True
    )
    product_code = serializers.CharField(
        label=_("Product code"), source="agreement_line.product.code", read_only=True
    )
    product_name = serializers.CharField(
        label=_("Product name"), source="agreement_line.product.name", read_only=True
    )
    quantity = serializers.DecimalField(
        label=_("Quantity"), **QUANTITY, help_text=_("Above zero, at most two decimals.")
    )


class ShipmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    agreement = RelatedIdField(
        label=_("Order"), help_text=_("Id of a signed or executing order you may change.")
    )
    agreement_number = serializers.CharField(
        label=_("Order number"), source="agreement.number", read_only=True
    )
    customer = RelatedIdField(label=_("Customer"), read_only=True)
    customer_name = serializers.CharField(
        label=_("Customer name"), source="customer.name", read_only=True
    )
    carrier = serializers.CharField(label=_("Carrier"), max_length=100, allow_blank=True)
    tracking_number = serializers.CharField(
        label=_("Tracking number"), max_length=100, required=False, allow_blank=True
    )
    shipped_on = serializers.DateField(label=_("Shipping date"))
    note = serializers.CharField(label=_("Note"), max_length=255, required=False, allow_blank=True)
    lines = ShipmentLineSerializer(
        many=True,
        required=False,
        allow_empty=False,
        label=_("Lines"),
        help_text=_(
            "[{agreement_line, quantity}]; left out: everything that may ship now. Never more "
            "than ordered, nor (for stock items, when the company uses inventory) more than "
            "its confirmed outbound slips released."
        ),
    )
    created_by = RelatedIdField(label=_("Created by"), read_only=True)
    created_at = serializers.DateTimeField(label=_("Created at"), read_only=True)


class ShipmentListQuery(serializers.Serializer):
    agreement = IdField(label=_("Order (id)"), required=False)
    customer = IdField(label=_("Customer (id)"), required=False)

    def selector_arguments(self) -> dict:
        data = self.validated_data
        return {"agreement_id": data.get("agreement"), "customer_id": data.get("customer")}


@extend_schema_view(
    list=extend_schema(summary=_("Shipments you see"), parameters=[ShipmentListQuery]),
    retrieve=extend_schema(
        summary=_("A shipment"), responses={200: ShipmentSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary=_("Ship an order's goods"),
        responses={201: ShipmentSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    ),
)
class ShipmentViewSet(
    VisibleObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Shipments (发货) of orders: visible exactly when the order's customer is; made by whoever
    may change the order. A record: no PUT, PATCH or DELETE."""

    serializer_class = ShipmentSerializer
    filter_backends: list = []

    def get_queryset(self):
        user = acting_user(self)
        if getattr(self, "swagger_fake_view", False):
            return selectors.visible_shipments(user)
        query = ShipmentListQuery(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        return selectors.shipment_list(user, **query.selector_arguments(), with_lines=True)

    fetch_one = selectors.get_shipment_for

    def get_object(self):
        return self._with_lines(super().get_object())

    def _fetch(self, pk):
        return self._with_lines(selectors.get_shipment_for(self.request.user, pk))

    def _with_lines(self, shipment):
        prefetch_related_objects([shipment], "lines__agreement_line__product")
        return shipment

    @idempotent
    def create(self, request, *args, **kwargs):
        body = ShipmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        lines = data.pop("lines", None)
        shipment = services.shipment_create(
            user=request.user,
            agreement=data.pop("agreement"),
            lines=None
            if lines is None
            else [
                {"agreement_line": line["agreement_line"], "quantity": line["quantity"]}
                for line in lines
            ],
            **data,
        )
        fresh = self._fetch(shipment.pk)
        return created(ShipmentSerializer(fresh, context=self.get_serializer_context()).data)
