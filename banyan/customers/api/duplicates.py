"""`/api/v1/duplicates/`: the duplicate check (查重) before adding a customer."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from banyan.customers import selectors
from banyan.customers.api.serializers import DuplicateMatchSerializer


class DuplicateQuery(serializers.Serializer):
    name = serializers.CharField(label=_("Name"), required=False, allow_blank=True)
    phone = serializers.ListField(
        label=_("Phone"),
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text=_("A phone number; repeat the parameter to check several."),
    )


class DuplicateCheckViewSet(viewsets.ViewSet):
    """The duplicate check (查重) across the whole company, before adding a customer."""

    @extend_schema(
        summary=_("Customers of your company with the same name or phone"),
        description=_(
            "Customers you cannot see are reported by their owner's name only, so two reps "
            "never chase the same customer unknowingly."
        ),
        parameters=[DuplicateQuery],
        responses={
            200: inline_serializer(
                "DuplicateCheck", {"results": DuplicateMatchSerializer(many=True)}
            )
        },
    )
    def list(self, request):
        query = DuplicateQuery(
            data={
                "name": request.query_params.get("name", ""),
                "phone": request.query_params.getlist("phone"),
            }
        )
        query.is_valid(raise_exception=True)
        matches = selectors.company_wide_duplicates(
            request.user,
            name=query.validated_data.get("name", ""),
            phones=query.validated_data.get("phone", []),
        )
        return Response({"results": [match.as_dict() for match in matches]})
