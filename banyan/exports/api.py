"""`/api/v1/exports/`: start an export of a list, read the export log, download the file."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from banyan.core.api import INVALID, NOT_FOUND, REFUSED, VisibleObjectMixin, acting_user
from banyan.exports import selectors, services
from banyan.exports.models import ExportJob
from banyan.exports.registry import all_kinds
from banyan.exports.responses import export_file_response


class ExportJobSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)
    download = serializers.SerializerMethodField(
        help_text=_("The URL of the file once the status is done (for the exporting user).")
    )

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "kind",
            "format",
            "filters",
            "status",
            "rows",
            "download",
            "error",
            "user",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_download(self, job) -> str | None:
        request = self.context.get("request")
        if request is None or job.user_id != request.user.pk or not job.is_downloadable:
            return None
        return request.build_absolute_uri(reverse("export-job-download", args=[job.pk]))


class ExportRequestSerializer(serializers.Serializer):
    kind = serializers.CharField(
        label=_("List"),
        help_text=_("customers, contacts, activities, tasks, opportunities, contracts, …"),
    )
    format = serializers.ChoiceField(label=_("Format"), choices=ExportJob.Format.choices)
    filters = serializers.DictField(
        label=_("Filters"),
        required=False,
        default=dict,
        help_text=_("The same query parameters as that list's API (search, ordering, …)."),
    )

    def validate_kind(self, value):
        if value not in {kind.key for kind in all_kinds()}:
            raise serializers.ValidationError(_("Choose one of the lists that can be exported."))
        return value


@extend_schema_view(
    list=extend_schema(summary=_("The export log (an admin boss: the company's)")),
    retrieve=extend_schema(
        summary=_("An export"), responses={200: ExportJobSerializer, 404: NOT_FOUND}
    ),
    create=extend_schema(
        summary=_("Export a list"),
        request=ExportRequestSerializer,
        responses={201: ExportJobSerializer, 400: INVALID, 403: REFUSED},
    ),
    download=extend_schema(
        summary=_("The export's file (only for the user who made it)"),
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: NOT_FOUND,
        },
    ),
)
class ExportJobViewSet(
    VisibleObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Exports of lists (.xlsx or CSV), with the "export data" permission."""

    serializer_class = ExportJobSerializer
    filter_backends: list = []
    fetch_one = selectors.get_export_job_for

    def get_queryset(self):
        return selectors.visible_export_jobs(acting_user(self))

    def create(self, request, *args, **kwargs):
        services.ensure_can_export(request.user)
        data = ExportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.export_start(
            user=request.user,
            kind=data.validated_data["kind"],
            format=data.validated_data["format"],
            filters=data.validated_data["filters"],
            origin=ExportJob.Origin.API,
        )
        serializer = self.get_serializer(job)
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["get"], url_path="download", url_name="download")
    def download(self, request, pk=None):
        job = selectors.get_export_file_for(request.user, pk)
        return export_file_response(job)


def register(router) -> None:
    """Add this app's viewsets to the one API router."""
    router.register("exports", ExportJobViewSet, basename="export-job")
