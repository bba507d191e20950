"""Pages of the finance app."""

urlpatterns: list = []
