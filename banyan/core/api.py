"""The API's error format: every error is JSON naming the fields at fault."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from banyan.core.errors import DomainError, NotFound, PermissionRefused, ValidationFailed
from banyan.core.fetch import MAX_ID
from banyan.core.values import day_in_range, day_range_message
from banyan.core.views import uses_modules


def exception_handler(exc, context):
    """Every error is JSON naming fields: `{"field": ["message"]}` or `{"detail": "..."}`.

    A service's refusal names its own fields; a view whose fields are named otherwise says so
    in `service_field_names` (service field → API field), as a form does."""
    if isinstance(exc, NotFound):
        exc = exceptions.NotFound(str(exc.message))
    elif isinstance(exc, PermissionRefused):
        return Response({"detail": str(exc.message)}, status=status.HTTP_403_FORBIDDEN)
    elif isinstance(exc, ValidationFailed | DomainError):
        names = getattr(context.get("view"), "service_field_names", {})
        errors = {names.get(field, field): messages for field, messages in exc.as_dict().items()}
        return Response(errors, status=status.HTTP_400_BAD_REQUEST)
    elif isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            data = {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        else:
            data = {"detail": [str(m) for m in exc.messages]}
        return Response(data, status=status.HTTP_400_BAD_REQUEST)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)


# The answers every endpoint documents in its OpenAPI schema, whatever the app.
NOT_FOUND = OpenApiResponse(description=_("Missing, or not visible to you."))
REFUSED = OpenApiResponse(description=_("Visible to you, but you may not do this."))
INVALID = OpenApiResponse(description=_("Bad input: the fields at fault, each with messages."))


class IdField(serializers.IntegerField):
    """The id of a row, as a client sends it: a whole number a 64-bit key can hold, else a
    400 (whether such a row exists, and is theirs, is the selectors' and services' answer)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", -MAX_ID)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


@extend_schema_field(OpenApiTypes.INT)
class RelatedIdField(IdField):
    """A related row's id: read from `<field>_id` without loading the row, written as given
    for the service to check (a visible customer, an option of the right list, an owner…)."""

    def get_attribute(self, instance):
        return getattr(instance, f"{self.source}_id")


class InstantField(serializers.DateTimeField):
    """A date and time within the days every calendar page can work with (`core.values`):
    "0001-01-01T00:00" would overflow converting to UTC, deep inside DRF (a 500)."""

    def to_internal_value(self, value):
        try:
            instant = super().to_internal_value(value)
        except OverflowError:
            instant = None
        if instant is None or not day_in_range(instant):
            raise serializers.ValidationError(day_range_message(), code="out_of_range")
        return instant


class InstantsModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose date-and-time fields are `InstantField`s."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: InstantField,
    }


# One row of people's data ------------------------------------------------------------------


def acting_user(view):
    """The user a request acts as. Schema generation has no real actor: it acts as a user of
    no company, for whom every selector returns nothing."""
    if getattr(view, "swagger_fake_view", False):
        return get_user_model()()
    return view.request.user


class ModulesInUse(permissions.BasePermission):
    """A viewset's endpoints exist only in a company that uses its `modules` (all of them, or
    with `any_module` one): otherwise 404 with the viewset's `modules_off_message`."""

    def has_permission(self, request, view):
        flags = getattr(view, "modules", ())
        any_of = getattr(view, "any_module", False)
        if flags and not uses_modules(request.user.company, flags, any_of=any_of):
            raise NotFound(getattr(view, "modules_off_message", None))
        return True


class VisibleObjectMixin:
    """The base of a viewset over a company's rows: the safe path is the only easy one.

    A viewset declares
    - `fetch_one`: the selector that fetches one row the acting user may see (404 for a
      missing, invisible or another company's row), `(user, pk)`; with `fetch_for_edit`
      `(user, pk, *, for_edit)`, asked `for_edit` on a change (403 when visible but not theirs
      to change);
    - `ensure_can_change`: a service's check `(user, row)`, run before a change;
    - `change_methods`: the methods that change a row (all but GET, HEAD and OPTIONS);
    - `modules`: the company's modules its endpoints need (`ModulesInUse`, checked after the
      viewset's own permissions).
    """

    fetch_one = None
    fetch_for_edit = False
    ensure_can_change = None
    change_methods = ("POST", "PUT", "PATCH", "DELETE")
    modules: tuple[str, ...] = ()
    any_module = False
    modules_off_message = None

    def get_permissions(self):
        return [*super().get_permissions(), ModulesInUse()]

    def get_object(self):
        user = acting_user(self)
        changing = self.request.method in self.change_methods
        options = {"for_edit": changing} if self.fetch_for_edit else {}
        row = type(self).fetch_one(user, self.kwargs[self.lookup_url_kwarg or "pk"], **options)
        if changing:
            self.check_change(user, row)
        self.check_object_permissions(self.request, row)
        return row

    def check_change(self, user, row) -> None:
        """Before a change: the service's check, when the viewset names one."""
        if self.ensure_can_change is not None:
            type(self).ensure_can_change(user, row)
