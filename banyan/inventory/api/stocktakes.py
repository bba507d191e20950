"""`/api/v1/stocktakes/`, with count and confirm."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from banyan.accounts.api import acting_user
from banyan.accounts.permissions import IsCompanyMember
from banyan.core.api import INVALID, NOT_FOUND, REFUSED, IdField, RelatedIdField
from banyan.core.idempotency import idempotent
from banyan.inventory import selectors, services
from banyan.inventory.api.common import QUANTITY, SeesStockPapers, UsesInventory
from banyan.inventory.models import Stocktake

# --- stocktakes ----------------------------------------------------------------------------


class StocktakeLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    product = RelatedIdField(label=_("Product"), read_only=True)
    product_code = serializers.CharField(
        label=_("Product code"), source="product.code", read_only=True
    )
    product_name = serializers.CharField(
        label=_("Product name"), source="product.name", read_only=True
    )
    book_quantity = serializers.DecimalField(
        label=_("Book quantity"),
        **QUANTITY,
        read_only=True,
        help_text=_("The stock in the books when the count sheet was made."),
    )
    counted_quantity = serializers.DecimalField(
        label=_("Counted quantity"), **QUANTITY, read_only=True, allow_null=True
    )
    difference = serializers.DecimalField(
        label=_("Difference"),
        **QUANTITY,
        read_only=True,
        allow_null=True,
        help_text=_("Counted less book quantity; null until counted."),
    )
    reason = serializers.CharField(label=_("Reason for the difference"), read_only=True)


class StocktakeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(label=_("Number"), read_only=True)
    warehouse = RelatedIdField(
        label=_("Warehouse"), help_text=_("Id of an open warehouse you keep.")
    )
    warehouse_name = serializers.CharField(
        label=_("Warehouse name"), source="warehouse.name", read_only=True
    )
    status = serializers.ChoiceField(
        label=_("Status"), choices=Stocktake.Status.choices, read_only=True
    )
    counted_on = serializers.DateField(label=_("Count date"), read_only=True)
    note = serializers.CharField(label=_("Note"), max_length=255, required=False, allow_blank=True)
    created_by = RelatedIdField(label=_("Created by"), read_only=True)
    created_at = serializers.DateTimeField(label=_("Created at"), read_only=True)
    confirmed_by = RelatedIdField(label=_("Confirmed by"), read_only=True, allow_null=True)
    confirmed_at = serializers.DateTimeField(
        label=_("Confirmed at"), read_only=True, allow_null=True
    )


class StocktakeDetailSerializer(StocktakeSerializer):
    lines = serializers.SerializerMethodField(
        label=_("Lines"),
        help_text=_("One per stock-tracked product: book quantity, count, difference, reason."),
    )

    @extend_schema_field(StocktakeLineSerializer(many=True))
    def get_lines(self, stocktake):
        rows = selectors.stocktake_lines(self.context["request"].user, stocktake)
        return StocktakeLineSerializer(rows, many=True).data


class StocktakeListQuery(serializers.Serializer):
    warehouse = IdField(label=_("Warehouse (id)"), required=False)
    status = serializers.ChoiceField(
        label=_("Status"), choices=Stocktake.Status.choices, required=False
    )

    def selector_arguments(self) -> dict:
        data = self.validated_data
        return {"warehouse_id": data.get("warehouse"), "status": data.get("status", "")}


class CountSerializer(serializers.Serializer):
    line = IdField(label=_("Stocktake line (id)"))
    counted = serializers.DecimalField(
        label=_("Counted quantity"),
        **QUANTITY,
        allow_null=True,
        help_text=_("Zero or more; null clears the count."),
    )
    reason = serializers.CharField(
        label=_("Reason"),
        max_length=255,
        required=False,
        allow_blank=True,
        help_text=_("Required when the count differs from the book quantity."),
    )


class CountRequestSerializer(serializers.Serializer):
    counts = CountSerializer(many=True, allow_empty=False, label=_("Counts"))


STOCKTAKE_CHANGE = {200: StocktakeDetailSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND}


@extend_schema_view(
    list=extend_schema(
        summary=_("Stocktakes, newest first (keepers, purchasing staff, bosses)"),
        parameters=[StocktakeListQuery],
        responses={200: StocktakeSerializer(many=True), 403: REFUSED},
    ),
    retrieve=extend_schema(
        summary=_("A stocktake with its lines"),
        responses={200: StocktakeDetailSerializer, 403: REFUSED, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary=_("Start a stocktake of a warehouse you keep"),
        responses={201: StocktakeDetailSerializer, 400: INVALID, 403: REFUSED},
    ),
)
class StocktakeViewSet(
    UsesInventory,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Stocktakes (盘点). A keeper starts one for a warehouse (a count sheet with the book
    quantities), enters the counted quantities with a reason for each difference, and
    confirms it: each difference becomes an adjustment movement. The list leaves the lines
    out (a sheet has a line per stock item); a single stocktake has them. Keepers, purchasing
    staff and bosses read them; anyone else is answered 403 with the reason."""

    serializer_class = StocktakeSerializer
    filter_backends: list = []
    permission_classes = [IsCompanyMember, SeesStockPapers]

    def get_serializer_class(self):
        if self.action == "list":
            return StocktakeSerializer
        return StocktakeDetailSerializer

    def get_queryset(self):
        user = acting_user(self)
        if getattr(self, "swagger_fake_view", False):
            return selectors.visible_stocktakes(user)
        query = StocktakeListQuery(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        return selectors.stocktake_list(user, **query.selector_arguments())

    fetch_one = selectors.get_stocktake_for

    def _answer(self, stocktake, *, status_code=status.HTTP_200_OK) -> Response:
        fresh = selectors.get_stocktake_for(self.request.user, stocktake.pk)
        data = StocktakeDetailSerializer(fresh, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    @idempotent
    def create(self, request, *args, **kwargs):
        body = StocktakeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        stocktake = services.stocktake_start(
            user=request.user,
            warehouse=body.validated_data["warehouse"],
            note=body.validated_data.get("note", ""),
        )
        return self._answer(stocktake, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        request=CountRequestSerializer,
        responses=STOCKTAKE_CHANGE,
        summary=_("Enter counted quantities (a keeper of its warehouse)"),
    )
    @action(detail=True, methods=["post"])
    def count(self, request, pk=None):
        stocktake = self.get_object()
        body = CountRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        counts = {
            entry["line"]: {"counted": entry["counted"], "reason": entry.get("reason", "")}
            for entry in body.validated_data["counts"]
        }
        stocktake = services.stocktake_count(user=request.user, stocktake=stocktake, counts=counts)
        return self._answer(stocktake)

    @extend_schema(
        request=None,
        responses=STOCKTAKE_CHANGE,
        summary=_("Confirm a counted stocktake: differences adjust the stock"),
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        stocktake = services.stocktake_confirm(user=request.user, stocktake=self.get_object())
        return self._answer(stocktake)
