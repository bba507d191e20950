"""`/api/v1/imports/`: upload a file, read its preview, confirm, revert; the templates."""

import json

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from banyan.core.api import INVALID, NOT_FOUND, REFUSED, VisibleObjectMixin, acting_user
from banyan.core.errors import ValidationFailed
from banyan.imports import selectors, services
from banyan.imports.models import ImportJob
from banyan.imports.templates_files import CONTENT_TYPES, template_file
from banyan.products import selectors as product_selectors


class ImportJobSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportJob
        fields = [
            "id",
            "kind",
            "status",
            "encoding",
            "rows_total",
            "rows_valid",
            "errors",
            "duplicates",
            "progress",
            "rows_written",
            "error",
            "file_name",
            "on_duplicate",
            "unknown_columns",
            "revert_kept",
            "created_at",
            "finished_at",
            "reverted_at",
        ]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ImportJob.Kind.choices)
    file = serializers.FileField(allow_empty_file=True)
    encoding = serializers.CharField(required=False, allow_blank=True, max_length=30)
    on_duplicate = serializers.ChoiceField(
        choices=ImportJob.OnDuplicate.choices, required=False, default="skip"
    )


class FileRenderer(BaseRenderer):
    """Lets `?format=xlsx|csv` choose a template file (DRF reads `format` as a renderer's)."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False).encode()  # an error, as JSON


class XlsxRenderer(FileRenderer):
    media_type = CONTENT_TYPES["xlsx"]
    format = "xlsx"


class CsvRenderer(FileRenderer):
    media_type = "text/csv"
    format = "csv"


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("Your imports (an admin boss: the company's)")),
    retrieve=extend_schema(
        summary=gettext_lazy("An import, with its preview and progress"),
        responses={200: ImportJobSerializer, 404: NOT_FOUND},
    ),
)
class ImportJobViewSet(
    VisibleObjectMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Imports (数据导入) of customers with contacts, products and initial stock."""

    serializer_class = ImportJobSerializer
    fetch_one = selectors.get_import_job_for
    change_methods = ()  # each action's service checks who may do it
    filter_backends: list = []
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self):
        return selectors.visible_import_jobs(acting_user(self))

    @extend_schema(
        summary=gettext_lazy("Upload a file: it is checked, and the job shows the preview"),
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportJobSerializer, 400: INVALID, 403: REFUSED},
    )
    def create(self, request, *args, **kwargs):
        upload = ImportUploadSerializer(data=request.data)
        if not upload.is_valid():
            return Response(upload.errors, status=status.HTTP_400_BAD_REQUEST)
        data = upload.validated_data
        job = services.import_job_create(
            user=acting_user(self),
            kind=data["kind"],
            upload=data["file"],
            encoding=data.get("encoding", ""),
            on_duplicate=data.get("on_duplicate") or "skip",
        )
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Import the checked file (its importer only)"),
        request=None,
        responses={200: ImportJobSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        job = services.import_job_confirm(user=acting_user(self), job=self.get_object())
        return Response(ImportJobSerializer(job).data)

    @extend_schema(
        summary=gettext_lazy("Revert a finished import (within 7 days)"),
        request=None,
        responses={200: ImportJobSerializer, 400: INVALID, 403: REFUSED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def revert(self, request, pk=None):
        job = services.import_job_revert(user=acting_user(self), job=self.get_object())
        return Response(ImportJobSerializer(job).data)

    @extend_schema(
        summary=gettext_lazy("The template of a kind of import, headers in your language"),
        parameters=[
            OpenApiParameter(
                "kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=ImportJob.Kind.values
            ),
            OpenApiParameter("format", OpenApiTypes.STR, enum=["xlsx", "csv"], required=False),
        ],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, 404: NOT_FOUND},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path=r"templates/(?P<kind>[^/.]+)",
        renderer_classes=[XlsxRenderer, CsvRenderer, JSONRenderer],
    )
    def templates(self, request, kind=None):
        if kind not in ImportJob.Kind.values:
            raise ValidationFailed({"kind": [_("Choose customers, products or stock.")]})
        file_format = request.query_params.get("format") or "xlsx"
        if file_format not in CONTENT_TYPES:
            raise ValidationFailed({"format": [_("Choose xlsx or csv.")]})
        user = acting_user(self)
        content = template_file(kind, file_format, sees_costs=product_selectors.sees_costs(user))
        response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
        response["Content-Disposition"] = f'attachment; filename="{kind}-template.{file_format}"'
        return response


def register(router) -> None:
    router.register("imports", ImportJobViewSet, basename="import")
