"""API of the targets app: `/api/v1/targets/`, sales targets with their achievement.

Thin by design: serializers check the shape of the input, selectors fetch (a target is
visible to its person and to the people above them; anything else is 404), services write
and enforce who may set whose target (403 with the reason). Registered on the one router in
banyan/api.py.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
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
from banyan.targets import selectors, services

MONEY = {"max_digits": 14, "decimal_places": 2}
MONTH_HELP = _("A month as YYYY-MM, e.g. 2026-11.")


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-11"})
class MonthField(serializers.Field):
    """A month as "YYYY-MM", stored as its first day."""

    default_error_messages = {"invalid": MONTH_HELP}

    def to_representation(self, value):
        return f"{value:%Y-%m}"

    def to_internal_value(self, data):
        month = selectors.parse_month(data) if isinstance(data, str) else None
        if month is None:
            self.fail("invalid")
        return month


class AchievementSerializer(serializers.Serializer):
    payment_amount = serializers.DecimalField(
        label=_("Payments achieved"),
        **MONEY,
        help_text=_("Payments credited to the person (or group) in the month, net of reversals."),
    )
    contract_amount = serializers.DecimalField(
        label=_("Contracts achieved"),
        **MONEY,
        help_text=_("Agreements signed in the month and not cancelled."),
    )
    payment_percent = serializers.FloatField(
        label=_("Payments achieved (percent of target)"), help_text=_("0 when the target is 0.")
    )
    contract_percent = serializers.FloatField(
        label=_("Contracts achieved (percent of target)"), help_text=_("0 when the target is 0.")
    )
    days_left = serializers.IntegerField(
        label=_("Days left"), help_text=_("Days left in the month, today included.")
    )


class TargetSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    user = RelatedIdField(
        label=_("Person"),
        help_text=_("Id of a person below you (a boss: anyone but themself)."),
    )
    user_name = serializers.CharField(
        label=_("Person's name"), source="user.display_name", read_only=True
    )
    is_group = serializers.BooleanField(
        label=_("Group target"),
        required=False,
        default=False,
        help_text=_("The sum over the person and everyone below them (directors and managers)."),
    )
    month = MonthField(label=_("Month"), help_text=MONTH_HELP)
    payment_amount = serializers.DecimalField(
        label=_("Payment target"), **MONEY, help_text=_("Zero or more.")
    )
    contract_amount = serializers.DecimalField(
        label=_("Contract target"), **MONEY, help_text=_("Zero or more.")
    )
    set_by = RelatedIdField(label=_("Set by"), read_only=True)
    achievement = AchievementSerializer(read_only=True)

    def service_fields(self) -> dict:
        """The fields the client sent, named as the services name them (the person is the
        service's `target_user`: its `user` is the one acting)."""
        data = self.validated_data
        sent = {name: data[name] for name in data if name in self.initial_data}
        if "user" in sent:
            sent["target_user"] = sent.pop("user")
        return sent


class TargetListQuery(serializers.Serializer):
    month = MonthField(label=_("Month"), required=False, help_text=MONTH_HELP)
    user = IdField(label=_("Person (user id)"), required=False)
    is_group = serializers.BooleanField(label=_("Group target"), required=False, allow_null=True)

    def selector_arguments(self) -> dict:
        data = self.validated_data
        return {
            "month": data.get("month"),
            "user_id": data.get("user"),
            "is_group": data.get("is_group"),
        }


TARGET_CHANGE = {200: TargetSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND}


@extend_schema_view(
    list=extend_schema(
        summary=_("Sales targets you see, with their achievement"), parameters=[TargetListQuery]
    ),
    retrieve=extend_schema(
        summary=_("A sales target"), responses={200: TargetSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary=_("Set a target (creates it, or changes the existing one of that month)"),
        responses={201: TargetSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    ),
    update=extend_schema(summary=_("Change a target's amounts"), responses=TARGET_CHANGE),
    partial_update=extend_schema(summary=_("Change a target's amounts"), responses=TARGET_CHANGE),
    destroy=extend_schema(
        summary=_("Remove a target"), responses={204: None, 403: REFUSED, 404: NOT_FOUND}
    ),
)
class TargetViewSet(VisibleObjectMixin, viewsets.ModelViewSet):
    """Sales targets (销售目标): per person (or group) and month, a payment and a contract
    amount, set by a superior; achievement is computed from payments and agreements."""

    serializer_class = TargetSerializer
    filter_backends: list = []  # filtering goes through selectors.target_list
    fetch_one = selectors.get_target_for
    service_field_names = {"target_user": "user"}  # a refusal names the API's field

    def get_queryset(self):
        user = acting_user(self)
        if getattr(self, "swagger_fake_view", False):
            return selectors.visible_targets(user)
        query = TargetListQuery(data=self.request.query_params.dict())
        query.is_valid(raise_exception=True)
        return selectors.target_list(user, **query.selector_arguments())

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            page = selectors.with_achievement(self.request.user, page)
        return page

    def _with_achievement(self, target):
        return selectors.with_achievement(self.request.user, [target])[0]

    def get_object(self):
        return self._with_achievement(super().get_object())

    def _show(self, serializer, target) -> None:
        serializer.instance = self._with_achievement(
            selectors.get_target_for(self.request.user, target.pk)
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        target = services.target_set(
            user=self.request.user,
            target_user=data["user"],
            month=data["month"],
            payment_amount=data["payment_amount"],
            contract_amount=data["contract_amount"],
            is_group=data.get("is_group", False),
        )
        self._show(serializer, target)

    def perform_update(self, serializer):
        target = services.target_update(
            user=self.request.user, target=serializer.instance, **serializer.service_fields()
        )
        self._show(serializer, target)

    def perform_destroy(self, instance):
        services.target_delete(user=self.request.user, target=instance)


def register(router) -> None:
    """Add this app's viewsets to the one API router."""
    router.register("targets", TargetViewSet, basename="target")
