"""API of the workbench app: `GET /api/v1/workbench/`, the data of the workbench panels the
user sees, and `GET /api/v1/workbench/dashboard/`, the dashboard of bosses and managers (the
page loads it after itself too: it adds up months of the team's records). Registered on the
one router in banyan/api.py. Read only; a fixed number of queries whatever the number of
rows."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from banyan.accounts.api import acting_user
from banyan.core.panels import workbench
from banyan.workbench import selectors


class WorkbenchViewSet(viewsets.ViewSet):
    """The workbench (工作台) as JSON."""

    @extend_schema(
        summary=_("The data of your workbench's panels"),
        description=_(
            "One entry per panel you see, in page order: its key, its title and its data "
            "(each panel's own JSON object). Each panel shows only what you may see."
        ),
        responses={
            200: inline_serializer(
                "Workbench",
                {
                    "panels": inline_serializer(
                        "WorkbenchPanel",
                        {
                            "key": serializers.CharField(),
                            "title": serializers.CharField(),
                            "data": serializers.DictField(),
                        },
                        many=True,
                    )
                },
            )
        },
    )
    def list(self, request):
        return Response({"panels": workbench.data(acting_user(self))})

    @extend_schema(
        summary=_("The dashboard of your team"),
        description=_(
            "This month against last month and the same month last year for the contract "
            "amount signed, payments received, new customers, follow-ups and the open "
            "pipeline, each with its last 12 months and the links to its records; the "
            "team's ranking against this month's targets; the overdue receivables. For "
            "bosses, directors and managers with the report permission (404 otherwise). "
            "Amounts are strings."
        ),
        responses={200: serializers.DictField()},
    )
    @action(detail=False, methods=["get"])
    def dashboard(self, request):
        figures = selectors.dashboard_data(acting_user(self))
        if figures is None:
            raise NotFound(
                _("The dashboard shows a team's figures: it needs the report permission.")
            )
        return Response(figures)


def register(router) -> None:
    """Add this app's viewsets to the one API router."""
    router.register("workbench", WorkbenchViewSet, basename="workbench-api")
