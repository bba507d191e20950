"""API of the workbench app: `GET /api/v1/workbench/`, the data of the workbench panels the
user sees (registered on the one router in banyan/api.py). Read only; a fixed number of
queries whatever the number of rows in the panels."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from banyan.accounts.api import acting_user
from banyan.core.panels import workbench


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


def register(router) -> None:
    """Add this app's viewsets to the one API router."""
    router.register("workbench", WorkbenchViewSet, basename="workbench-api")
