"""API of the products app: `/api/v1/product-categories/` and `/api/v1/products/`.

Thin by design: serializers check the shape of the input, selectors fetch (only the acting
user's company: anything else is 404), services write and enforce every rule. Everyone in
the company reads the catalogue; writes need "manage products" (403 without). A product's
`cost` is left out of every answer for users who may not see costs, and a cost they send is
refused by the service (400). Registered on the one router in banyan/api.py.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from banyan.accounts.api import acting_user
from banyan.core.api import (
    INVALID,
    NOT_FOUND,
    REFUSED,
    IdField,
    RelatedIdField,
    VisibleObjectMixin,
)
from banyan.products import selectors, services
from banyan.products.models import Product

PRODUCT_ORDERINGS = sorted(selectors.LIST_ORDERINGS)


class ManagedCatalogueMixin(VisibleObjectMixin):
    """Writes are for users who may manage products: refused (403) before the body is read
    and, on one row, after the row is found (another company's row stays a 404)."""

    def create(self, request, *args, **kwargs):
        services.ensure_can_manage_products(request.user)
        return super().create(request, *args, **kwargs)

    def check_change(self, user, row) -> None:
        services.ensure_can_manage_products(user)


# --- categories ----------------------------------------------------------------------------


class ProductCategorySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(label=_("Name"), max_length=100, allow_blank=True)
    parent = RelatedIdField(
        label=_("Parent category"),
        required=False,
        allow_null=True,
        help_text=_(
            "Id of the parent category; null for a top-level one. A category cannot move "
            "under itself or one of its subcategories."
        ),
    )
    depth = serializers.IntegerField(
        label=_("Depth"), read_only=True, help_text=_("0 for a top-level category.")
    )
    position = serializers.IntegerField(
        label=_("Position"), read_only=True, help_text=_("Order among its siblings.")
    )


CATEGORY_CHANGE_RESPONSES = {
    200: ProductCategorySerializer,
    400: INVALID,
    403: REFUSED,
    404: NOT_FOUND,
}


@extend_schema_view(
    list=extend_schema(summary=_("Product categories, each after its parent")),
    retrieve=extend_schema(
        summary=_("A product category"),
        responses={200: ProductCategorySerializer, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary=_("Add a product category"),
        responses={201: ProductCategorySerializer, 400: INVALID, 403: REFUSED},
    ),
    update=extend_schema(
        summary=_("Rename or move a product category"), responses=CATEGORY_CHANGE_RESPONSES
    ),
    partial_update=extend_schema(
        summary=_("Rename or move a product category"), responses=CATEGORY_CHANGE_RESPONSES
    ),
    destroy=extend_schema(
        summary=_("Delete an empty product category"),
        responses={204: None, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    ),
)
class ProductCategoryViewSet(ManagedCatalogueMixin, viewsets.ModelViewSet):
    """Product categories (产品分类): a tree of any depth. Moving a category (changing
    `parent`) moves everything below it; only an empty category can be deleted."""

    serializer_class = ProductCategorySerializer
    filter_backends: list = []

    def get_queryset(self):
        user = acting_user(self)
        if getattr(self, "swagger_fake_view", False):
            return selectors.company_categories(user)
        # Tree order, one query (a list: the tree is small and read whole).
        return selectors.category_tree(user)

    fetch_one = selectors.get_category_for

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.category_create(
            user=self.request.user, name=data["name"], parent=data.get("parent")
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        changes = {key: data[key] for key in ("name", "parent") if key in data}
        serializer.instance = services.category_update(
            user=self.request.user, category=serializer.instance, **changes
        )

    def perform_destroy(self, instance):
        services.category_delete(user=self.request.user, category=instance)


# --- products ------------------------------------------------------------------------------


class ProductSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(
        label=_("Code"), max_length=50, allow_blank=True, help_text=_("Unique in the company.")
    )
    name = serializers.CharField(label=_("Name"), max_length=200, allow_blank=True)
    spec = serializers.CharField(
        label=_("Specification"), max_length=200, required=False, allow_blank=True
    )
    unit = serializers.CharField(label=_("Unit"), max_length=20, required=False, allow_blank=True)
    category = RelatedIdField(
        label=_("Category"),
        required=False,
        allow_null=True,
        help_text=_("Id of a product category of the company, or null."),
    )
    category_name = serializers.CharField(
        label=_("Category name"), source="category.name", read_only=True, allow_null=True
    )
    kind = serializers.ChoiceField(
        label=_("Kind"),
        choices=Product.Kind.choices,
        required=False,
        help_text=_("service or physical (the default); fixed once on an agreement."),
    )
    list_price = serializers.DecimalField(
        label=_("List price"),
        max_digits=14,
        decimal_places=2,
        required=False,
        help_text=_('CNY, as a decimal string such as "12000.00"; not negative.'),
    )
    cost = serializers.DecimalField(
        label=_("Cost"),
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text=_(
            "CNY. Present only for users allowed to see costs; anyone else who sends one is "
            "refused."
        ),
    )
    tracks_stock = serializers.BooleanField(
        label=_("Tracks stock"),
        required=False,
        help_text=_("Only physical products track stock."),
    )
    low_stock_threshold = serializers.DecimalField(
        label=_("Low-stock threshold"), max_digits=14, decimal_places=2, required=False
    )
    is_active = serializers.BooleanField(label=_("Active"), required=False)
    description = serializers.CharField(label=_("Description"), required=False, allow_blank=True)
    created_at = serializers.DateTimeField(label=_("Created at"), read_only=True)
    updated_at = serializers.DateTimeField(label=_("Updated at"), read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("sees_costs"):
            # Absent, not blank: the key itself would tell that there is something hidden.
            data.pop("cost", None)
        return data


class ProductListQuery(serializers.Serializer):
    search = serializers.CharField(
        label=_("Search"),
        required=False,
        allow_blank=True,
        help_text=_("Words found in the code, name or specification."),
    )
    category = IdField(
        label=_("Category (id)"), required=False, help_text=_("Includes its subcategories.")
    )
    kind = serializers.ChoiceField(label=_("Kind"), choices=Product.Kind.choices, required=False)
    active = serializers.BooleanField(label=_("Active"), required=False, allow_null=True)
    tracks_stock = serializers.BooleanField(
        label=_("Tracks stock"), required=False, allow_null=True
    )
    ordering = serializers.ChoiceField(
        label=_("Ordering"),
        choices=PRODUCT_ORDERINGS,
        required=False,
        help_text=_("A leading minus sorts in descending order; the default is code."),
    )

    def selector_arguments(self) -> dict:
        data = self.validated_data
        return {
            "search": data.get("search", ""),
            "category_id": data.get("category"),
            "kind": data.get("kind", ""),
            "active": data.get("active"),
            "tracks_stock": data.get("tracks_stock"),
            "ordering": data.get("ordering", "code"),
        }


PRODUCT_CHANGE_RESPONSES = {200: ProductSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND}


@extend_schema_view(
    list=extend_schema(summary=_("The product catalogue"), parameters=[ProductListQuery]),
    retrieve=extend_schema(
        summary=_("A product"), responses={200: ProductSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary=_("Add a product"),
        responses={201: ProductSerializer, 400: INVALID, 403: REFUSED},
    ),
    update=extend_schema(summary=_("Change a product"), responses=PRODUCT_CHANGE_RESPONSES),
    partial_update=extend_schema(summary=_("Change a product"), responses=PRODUCT_CHANGE_RESPONSES),
    destroy=extend_schema(
        summary=_("Delete a product that is on no agreement"),
        responses={204: None, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    ),
)
class ProductViewSet(ManagedCatalogueMixin, viewsets.ModelViewSet):
    """Products (产品). Everyone in the company reads them; users with "manage products"
    change them. `cost` appears only for users allowed to see costs."""

    serializer_class = ProductSerializer
    filter_backends: list = []  # filtering and ordering go through selectors.product_list

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["sees_costs"] = selectors.sees_costs(acting_user(self))
        return context

    def get_queryset(self):
        user = acting_user(self)
        if getattr(self, "swagger_fake_view", False):
            return selectors.company_products(user)
        query = ProductListQuery(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        return selectors.product_list(user, **query.selector_arguments())

    fetch_one = selectors.get_product_for

    def perform_create(self, serializer):
        product = services.product_create(user=self.request.user, **serializer.validated_data)
        serializer.instance = selectors.get_product_for(self.request.user, product.pk)

    def perform_update(self, serializer):
        product = services.product_update(
            user=self.request.user, product=serializer.instance, **serializer.validated_data
        )
        serializer.instance = selectors.get_product_for(self.request.user, product.pk)

    def perform_destroy(self, instance):
        services.product_delete(user=self.request.user, product=instance)


def register(router) -> None:
    """Add this app's viewsets to the one API router."""
    router.register("product-categories", ProductCategoryViewSet, basename="product-category")
    router.register("products", ProductViewSet, basename="product")
