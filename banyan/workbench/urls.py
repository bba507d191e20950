"""Pages of the workbench app."""

urlpatterns: list = []
