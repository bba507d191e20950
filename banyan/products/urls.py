"""Pages of the products app."""

urlpatterns: list = []
