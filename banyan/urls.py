from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from banyan.api import api_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    path("captcha/", include("captcha.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include(api_urlpatterns)),
    path("", include("banyan.core.urls")),
    path("", include("banyan.accounts.urls")),
    path("", include("banyan.customers.urls")),
    path("", include("banyan.activities.urls")),
    path("", include("banyan.opportunities.urls")),
    path("", include("banyan.products.urls")),
    path("", include("banyan.agreements.urls")),
    path("", include("banyan.finance.urls")),
    path("", include("banyan.inventory.urls")),
    path("", include("banyan.purchasing.urls")),
    path("", include("banyan.targets.urls")),
    path("", include("banyan.messaging.urls")),
    path("", include("banyan.workbench.urls")),
    path("", include("banyan.reports.urls")),
    path("", include("banyan.exports.urls")),
    path("", include("banyan.imports.urls")),
    # Only logos are public. Agreement attachments are served by their own view, which
    # checks that the user may see the agreement.
    path("media/logos/<path:path>", serve, {"document_root": Path(settings.MEDIA_ROOT) / "logos"}),
]
