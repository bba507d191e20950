"""`/api/v1/warehouses/`: read by everyone in the company, written by an admin boss."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets

from banyan.accounts.api import IsAccountAdminOrReadOnly, acting_user
from banyan.accounts.permissions import IsCompanyMember
from banyan.core.api import INVALID, NOT_FOUND, REFUSED, IdField
from banyan.inventory import selectors, services
from banyan.inventory.api.common import UsesInventory

# --- warehouses ----------------------------------------------------------------------------


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class KeepersField(serializers.ListField):
    """The keepers' user ids; written as a list that replaces them all."""

    child = IdField()

    def to_representation(self, keepers):
        return sorted(keeper.pk for keeper in keepers.all())


class WarehouseSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(
        label=_("Name"), max_length=100, allow_blank=True, help_text=_("Unique in the company.")
    )
    address = serializers.CharField(
        label=_("Address"), max_length=255, required=False, allow_blank=True
    )
    is_active = serializers.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("A closed warehouse takes no new slips, stocktakes or purchase orders."),
    )
    keepers = KeepersField(
        label=_("Keepers"),
        required=False,
        help_text=_(
            "Ids of the users who keep it (each needs the warehouse-keeper permission). Sent, "
            "the list replaces the keepers; left out, they stay."
        ),
    )


WAREHOUSE_CHANGE = {200: WarehouseSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND}


@extend_schema_view(
    list=extend_schema(summary=_("Warehouses")),
    retrieve=extend_schema(
        summary=_("A warehouse"), responses={200: WarehouseSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary=_("Add a warehouse (admin boss)"),
        responses={201: WarehouseSerializer, 400: INVALID, 403: REFUSED},
    ),
    update=extend_schema(summary=_("Change a warehouse (admin boss)"), responses=WAREHOUSE_CHANGE),
    partial_update=extend_schema(
        summary=_("Change a warehouse (admin boss)"), responses=WAREHOUSE_CHANGE
    ),
    destroy=extend_schema(
        summary=_("Delete a warehouse without any stock records (admin boss)"),
        responses={204: None, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    ),
)
class WarehouseViewSet(UsesInventory, viewsets.ModelViewSet):
    """Warehouses (仓库) and their keepers (库管). Everyone in the company reads them; an
    admin boss adds, changes and deletes them (403 for anyone else, before the body is read).
    A warehouse with stock records is closed (`is_active` false), not deleted."""

    serializer_class = WarehouseSerializer
    filter_backends: list = []
    permission_classes = [IsCompanyMember, IsAccountAdminOrReadOnly]

    def get_queryset(self):
        return selectors.warehouse_list(acting_user(self))

    fetch_one = selectors.get_warehouse_for

    def _fresh(self, warehouse):
        return self.get_queryset().get(pk=warehouse.pk)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        warehouse = services.warehouse_create(
            user=self.request.user, name=data.pop("name"), keepers=data.pop("keepers", ()), **data
        )
        serializer.instance = self._fresh(warehouse)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        warehouse = services.warehouse_update(
            user=self.request.user,
            warehouse=serializer.instance,
            keepers=data.pop("keepers", None),
            **data,
        )
        serializer.instance = self._fresh(warehouse)

    def perform_destroy(self, instance):
        services.warehouse_delete(user=self.request.user, warehouse=instance)
