from django.urls import path

from banyan.exports import views

urlpatterns = [
    path("exports/new/", views.export_start_view, name="export-start"),
    path("account/exports/", views.export_log_view, name="export-log"),
    path("account/exports/<int:pk>/download/", views.export_download_view, name="export-download"),
]
