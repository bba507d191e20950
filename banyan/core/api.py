"""The API's error format: every error is JSON naming the fields at fault."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from banyan.core.errors import DomainError, NotFound, PermissionRefused, ValidationFailed
from banyan.core.values import day_in_range, day_range_message


def exception_handler(exc, context):
    """Every error is JSON naming fields: `{"field": ["message"]}` or `{"detail": "..."}`."""
    if isinstance(exc, NotFound):
        exc = exceptions.NotFound(str(exc.message))
    elif isinstance(exc, PermissionRefused):
        return Response({"detail": str(exc.message)}, status=status.HTTP_403_FORBIDDEN)
    elif isinstance(exc, ValidationFailed | DomainError):
        return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)
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


# Keys are 64-bit: a larger number can name no row, and would overflow the database driver.
MAX_ID = 2**63 - 1


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
