"""Pages of the agreements app."""

urlpatterns: list = []
