"""`/api/v1/reports/`: the reports a user may open, and one report's figures as JSON.

`GET /api/v1/reports/{name}/?from=YYYY-MM-DD&to=YYYY-MM-DD&group_by=rep|group|month|week`
answers `{"name", "from", "to", "group_by", "columns": [{"key", "label"}], "rows": [...],
"totals": {...}}`, each row with `drilldown`, the URL of the list of its records. Money is an
exact decimal string. An unknown report is 404; a bad date or grouping is 400 naming the
field. Without `from`/`to`: this month.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from banyan.core.api import INVALID, NOT_FOUND, acting_user
from banyan.reports import registry, selectors
from banyan.reports.forms import ReportRangeForm


def _absolute(request, url):
    return request.build_absolute_uri(url) if url else url


class ReportViewSet(viewsets.ViewSet):
    """Reports (综合报表): each covers what you may see, beyond your own figures only with
    the "view reports" permission."""

    lookup_value_regex = "[-a-z0-9]+"
    lookup_field = "name"

    @extend_schema(
        summary=_("The reports you may open"),
        responses={
            200: inline_serializer(
                "ReportEntry",
                {
                    "name": serializers.CharField(),
                    "title": serializers.CharField(),
                    "description": serializers.CharField(),
                    "group_by": serializers.ListField(child=serializers.CharField()),
                },
                many=True,
            )
        },
    )
    def list(self, request):
        user = acting_user(self)
        return Response(
            [
                {
                    "name": report.name,
                    "title": str(report.title),
                    "description": str(report.description),
                    "group_by": list(report.group_by),
                }
                for report in registry.reports_for(user)
            ]
        )

    @extend_schema(
        summary=_("One report's figures"),
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description=_("First day (included).")),
            OpenApiParameter("to", OpenApiTypes.DATE, description=_("Last day (included).")),
            OpenApiParameter(
                "group_by", OpenApiTypes.STR, description=_("rep, group, month or week.")
            ),
        ],
        responses={
            200: inline_serializer(
                "Report",
                {
                    "name": serializers.CharField(),
                    "from": serializers.DateField(),
                    "to": serializers.DateField(),
                    "group_by": serializers.CharField(),
                    "columns": serializers.ListField(child=serializers.DictField()),
                    "rows": serializers.ListField(child=serializers.DictField()),
                    "totals": serializers.DictField(),
                },
            ),
            400: INVALID,
            404: NOT_FOUND,
        },
    )
    def retrieve(self, request, name=None):
        user = acting_user(self)
        report = selectors.get_report_for(user, name)
        params = request.query_params.copy()
        params.pop("range", None)
        form = ReportRangeForm(params, user=user, report=report)
        query = form.report_query()
        if query is None:
            raise ValidationError(form.field_errors())
        result = report.compute(query)
        data = selectors.report_data(report, query, result)
        for row in data["rows"]:
            row["drilldown"] = _absolute(request, row.get("drilldown"))
            if row.get("links"):
                row["links"] = {key: _absolute(request, url) for key, url in row["links"].items()}
        return Response(data)


def register(router) -> None:
    """Add this app's viewsets to the one API router."""
    router.register("reports", ReportViewSet, basename="report-api")
