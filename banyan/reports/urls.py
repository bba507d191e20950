"""Pages of the reports app."""

from django.urls import path

from banyan.reports import views

urlpatterns = [
    path("reports/", views.report_list_view, name="report-list"),
    path("reports/<slug:name>/", views.report_detail_view, name="report-detail"),
    path("reports/<slug:name>/export/", views.report_export_view, name="report-export"),
]
