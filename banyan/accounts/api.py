"""API of the accounts app: token login and one's own tokens, users, data dictionary.

Thin by design: serializers check the shape of the input, selectors fetch (limited to the
acting user's company), services write and enforce every rule.
"""

import math

import django_filters
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import (
    exceptions,
    mixins,
    permissions,
    serializers,
    status,
    throttling,
    viewsets,
)
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from banyan.accounts import selectors, services
from banyan.accounts.dictionary import KINDS
from banyan.accounts.guards import ensure_account_admin
from banyan.accounts.models import (
    SPECIAL_PERMISSION_CODENAMES,
    ApiToken,
    DictionaryOption,
    Role,
    User,
)
from banyan.accounts.permissions import IsCompanyMember
from banyan.core.api import NOT_FOUND, VisibleObjectMixin, acting_user
from banyan.core.api import IdField as ApiIdField
from banyan.core.errors import DomainError
from banyan.core.forms import IdField
from banyan.core.net import client_address

# Token login ---------------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    company = serializers.CharField(label=_("Company code"), max_length=32)
    username = serializers.CharField(label=_("Username"), max_length=50)
    password = serializers.CharField(label=_("Password"), trim_whitespace=False)
    label = serializers.CharField(
        label=_("Label"),
        max_length=100,
        required=False,
        allow_blank=True,
        help_text=_(
            "Which device or program the token is for, to tell your tokens apart "
            "(default: the client's User-Agent)."
        ),
    )


class TokenLoginThrottle(throttling.SimpleRateThrottle):
    """Token logins per client address, at the rate of the API_TOKEN_RATE setting (read at
    request time), counted in the default cache: the API's counterpart of the login page's
    captcha. The address is the one the lockout counts (`core.net.client_address`)."""

    scope = "auth_token"

    def get_rate(self):
        return settings.API_TOKEN_RATE

    def get_ident(self, request):
        return client_address(request._request)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class _WithoutSession:
    """The request as the login signal's receivers see it, minus its session.

    `user_logged_in` sets `last_login` and lets django-axes log the access; axes would also
    create a session to note its key, and a token client has no use for a session (nor its
    cookie). Everything else, `data` included (axes reads the company from a JSON body), is
    the DRF request's.
    """

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        if name == "session":
            raise AttributeError(name)
        return getattr(self._request, name)


class ObtainTokenView(APIView):
    """`POST {"company", "username", "password"}` → `{"token": ..., "expires_at": ...}`.

    Every wrong combination gets the same answer. A company + username is locked after a few
    failures, an address after many across many usernames (`banyan.accounts.lockout`); once
    locked, even the right password is answered 429 until the lock lifts (`Retry-After`).

    Each login gives a new token (one per device); none opens a session. Requests from one
    address are also limited (API_TOKEN_RATE, default 10 a minute), right or wrong.
    """

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [TokenLoginThrottle]

    def throttled(self, request, wait):
        seconds = max(math.ceil(wait or 0), 1)
        exc = exceptions.Throttled(
            detail=ngettext(
                "Too many token requests from your address: try again in %(seconds)d second.",
                "Too many token requests from your address: try again in %(seconds)d seconds.",
                seconds,
            )
            % {"seconds": seconds}
        )
        exc.wait = seconds  # the Retry-After header
        raise exc

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: inline_serializer(
                "Token",
                {
                    "token": serializers.CharField(
                        help_text=_("Send it as `Authorization: Token <token>`. Shown only once.")
                    ),
                    "expires_at": serializers.DateTimeField(),
                },
            ),
            400: OpenApiResponse(description=_("Wrong or missing credentials.")),
            429: OpenApiResponse(
                description=_(
                    "Locked out after too many failures, or too many requests from your "
                    "address: Retry-After says when to try again."
                )
            ),
        },
        auth=[],
        summary=_("Log in: get a new API token"),
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credentials = dict(serializer.validated_data)
        label = credentials.pop("label", "") or request.headers.get("User-Agent", "")
        try:
            user = services.login_check(request=request._request, **credentials)
        except services.LoginLocked as exc:
            return Response(
                {"detail": str(exc.message)},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(exc.retry_after)},
            )
        except DomainError as exc:
            return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)
        # What `django.contrib.auth.login` signals for the login page (last login, axes'
        # bookkeeping), without logging in: a token client gets no session.
        user_logged_in.send(sender=type(user), request=_WithoutSession(request), user=user)
        token, key = services.api_token_create(user=user, label=label)
        return Response({"token": key, "expires_at": token.expires_at})


class ApiTokenSerializer(serializers.ModelSerializer):
    prefix = serializers.CharField(
        read_only=True, help_text=_("The first characters of the key, to recognise it.")
    )

    class Meta:
        model = ApiToken
        fields = ["id", "label", "prefix", "created_at", "last_used_at", "expires_at"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary=_("Your API tokens"),
        description=_(
            "The tokens you have logged in with, newest first. Keys are never shown again: "
            "the prefix tells them apart."
        ),
    ),
    destroy=extend_schema(
        summary=_("Revoke one of your API tokens"),
        responses={204: None, 404: NOT_FOUND},
    ),
)
class ApiTokenViewSet(
    VisibleObjectMixin, mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Your own API tokens: list them, revoke one (another person's token is not found)."""

    serializer_class = ApiTokenSerializer
    filter_backends: list = []
    fetch_one = selectors.get_own_api_token

    def get_queryset(self):
        return selectors.own_api_tokens(acting_user(self))

    def perform_destroy(self, instance):
        services.api_token_revoke(user=self.request.user, token=instance)


# Shared pieces ------------------------------------------------------------------------------


class IsAccountAdminOrReadOnly(permissions.BasePermission):
    """Everyone in the company reads; only an admin boss of a writable company writes.

    The guard raises PermissionRefused (or ReadOnlyCompany for an expired trial), which the
    API's exception handler answers 403 with the guard's message.
    """

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        ensure_account_admin(request.user)
        return True


# Users --------------------------------------------------------------------------------------


class CompanyUserField(serializers.PrimaryKeyRelatedField):
    """A user id that resolves only among the acting user's company."""

    default_error_messages = {
        "does_not_exist": _("Choose a user of your company."),
        "incorrect_type": _("Give the id of a user (a whole number)."),
    }

    def get_queryset(self):
        return selectors.company_users(self.context["request"].user)


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "enum": SPECIAL_PERMISSION_CODENAMES},
    }
)
class SpecialPermissionsField(serializers.ListField):
    """The user's special permissions as codenames; the service checks written ones."""

    child = serializers.CharField()

    def get_attribute(self, instance):
        return instance

    def to_representation(self, data):
        granted = {permission.codename for permission in data.user_permissions.all()}
        return [codename for codename in SPECIAL_PERMISSION_CODENAMES if codename in granted]


class UserSerializer(serializers.ModelSerializer):
    username = serializers.CharField(label=_("Username"), max_length=50)
    password = serializers.CharField(
        label=_("Password"),
        write_only=True,
        required=False,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text=_("Required when creating a user; when changing one, sets a new password."),
    )
    superior = CompanyUserField(label=_("Superior"), allow_null=True, required=False)
    assistant_of = CompanyUserField(label=_("Assistant of"), allow_null=True, required=False)
    permissions = SpecialPermissionsField(
        label=_("Special permissions"),
        required=False,
        help_text=_("Codenames of the special permissions the user holds."),
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "password",
            "real_name",
            "mobile",
            "email",
            "role",
            "superior",
            "assistant_of",
            "is_admin",
            "is_active",
            "permissions",
        ]

    def validate(self, attrs):
        if self.instance is None and not attrs.get("password"):
            raise serializers.ValidationError({"password": [_("Enter a password.")]})
        return attrs


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """A filter on a related row's id (a whole number)."""

    field_class = IdField


class UserFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Role.choices)
    is_active = django_filters.BooleanFilter()
    superior = IdFilter(field_name="superior_id", label=_("Superior (id)"))

    class Meta:
        model = User
        fields = ["role", "is_active", "superior"]


@extend_schema_view(
    list=extend_schema(summary=_("Users of your company")),
    create=extend_schema(summary=_("Add a user (administrator bosses)")),
    update=extend_schema(summary=_("Change a user (administrator bosses)")),
    partial_update=extend_schema(
        summary=_("Change a user (administrator bosses)"),
        description=_("Send is_active=false to deactivate a user: users are never deleted."),
    ),
)
class UserViewSet(
    VisibleObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The users of your company. Users are never deleted: PATCH `is_active` instead."""

    serializer_class = UserSerializer
    permission_classes = [IsCompanyMember, IsAccountAdminOrReadOnly]
    filterset_class = UserFilter
    search_fields = ["username", "real_name"]
    ordering_fields = ["id", "username", "real_name", "role", "date_joined"]
    ordering = ["path"]
    fetch_one = selectors.get_company_user

    def get_queryset(self):
        return selectors.company_users(acting_user(self)).prefetch_related("user_permissions")

    def perform_create(self, serializer):
        serializer.instance = services.user_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        changes = dict(serializer.validated_data)
        password = changes.pop("password", None)
        with transaction.atomic():
            user = services.user_update(
                actor=self.request.user, user=serializer.instance, **changes
            )
            if password:
                user = services.user_reset_password(
                    actor=self.request.user, user=user, password=password
                )
        serializer.instance = user


# Data dictionary ----------------------------------------------------------------------------


class DictionaryOptionSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(label=_("List"), choices=list(KINDS.items()))
    label = serializers.CharField(
        label=_("Label"),
        max_length=50,
        help_text=_("Read: the label shown to users. Write: the company's own label."),
    )

    class Meta:
        model = DictionaryOption
        fields = ["id", "kind", "code", "label", "position", "is_active", "probability"]
        read_only_fields = ["code", "position"]

    def validate_kind(self, value):
        if self.instance is not None and value != self.instance.kind:
            raise serializers.ValidationError(_("The list of an option cannot be changed."))
        return value

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["label"] = instance.display_label
        return data


class DictionaryReorderSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(label=_("List"), choices=list(KINDS.items()))
    order = serializers.ListField(
        label=_("Order"),
        child=ApiIdField(),
        help_text=_("Option ids in the wanted order; options not listed follow them."),
    )


class DictionaryOptionFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=list(KINDS.items()))
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = DictionaryOption
        fields = ["kind", "is_active"]


class DictionaryOptionViewSet(VisibleObjectMixin, viewsets.ModelViewSet):
    """The options of your company's pick-lists (数据字典).

    Built-in options (with a `code`) and options in use cannot be deleted: deactivate them.
    """

    serializer_class = DictionaryOptionSerializer
    permission_classes = [IsCompanyMember, IsAccountAdminOrReadOnly]
    filterset_class = DictionaryOptionFilter
    ordering_fields = ["id", "kind", "position"]
    ordering = ["kind", "position", "id"]
    fetch_one = selectors.get_dictionary_option

    def get_queryset(self):
        return selectors.dictionary_options(acting_user(self))

    def perform_create(self, serializer):
        data = serializer.validated_data
        with transaction.atomic():
            option = services.dictionary_option_create(
                actor=self.request.user,
                kind=data["kind"],
                label=data["label"],
                probability=data.get("probability"),
            )
            if data.get("is_active") is False:
                option = services.dictionary_option_update(
                    actor=self.request.user, option=option, is_active=False
                )
        serializer.instance = option

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.dictionary_option_update(
            actor=self.request.user,
            option=serializer.instance,
            label=data.get("label"),
            probability=data.get("probability"),
            is_active=data.get("is_active"),
        )

    def perform_destroy(self, instance):
        services.dictionary_option_delete(actor=self.request.user, option=instance)

    @extend_schema(
        request=DictionaryReorderSerializer,
        responses={200: DictionaryOptionSerializer(many=True)},
        summary=_("Reorder the options of one list (administrator bosses)"),
    )
    @action(detail=False, methods=["post"], pagination_class=None, filter_backends=[])
    def reorder(self, request):
        serializer = DictionaryReorderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kind = serializer.validated_data["kind"]
        services.dictionary_reorder(
            actor=request.user, kind=kind, option_ids=serializer.validated_data["order"]
        )
        options = selectors.dictionary_options(request.user, kind)
        return Response(DictionaryOptionSerializer(options, many=True).data)


def register(router) -> None:
    """Add this app's viewsets to the one API router."""
    router.register("auth/tokens", ApiTokenViewSet, basename="api-tokens")
    router.register("users", UserViewSet, basename="user")
    router.register("dictionary", DictionaryOptionViewSet, basename="dictionary-option")
