"""The one API router: every app registers its viewsets here, under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from banyan.accounts import api as accounts_api
from banyan.activities import api as activities_api
from banyan.agreements import api as agreements_api
from banyan.customers import api as customers_api
from banyan.exports import api as exports_api
from banyan.finance import api as finance_api
from banyan.imports import api as imports_api
from banyan.inventory import api as inventory_api
from banyan.messaging import api as messaging_api
from banyan.opportunities import api as opportunities_api
from banyan.products import api as products_api
from banyan.purchasing import api as purchasing_api
from banyan.reports import api as reports_api
from banyan.targets import api as targets_api
from banyan.workbench import api as workbench_api

router = DefaultRouter(trailing_slash=True)
accounts_api.register(router)
customers_api.register(router)
activities_api.register(router)
opportunities_api.register(router)
products_api.register(router)
agreements_api.register(router)
finance_api.register(router)
inventory_api.register(router)
purchasing_api.register(router)
targets_api.register(router)
messaging_api.register(router)
workbench_api.register(router)
exports_api.register(router)
imports_api.register(router)
reports_api.register(router)

api_urlpatterns = [
    path("auth/token/", accounts_api.ObtainTokenView.as_view(), name="api-token"),
    *router.urls,
]
