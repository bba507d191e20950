"""API of the products app (registered on the one router in banyan/api.py)."""


def register(router) -> None:
    """Add this app's viewsets to the one API router."""
