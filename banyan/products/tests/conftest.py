"""Fixtures of the product tests: who may manage the catalogue and who may see costs.

In the root fixtures the admin boss holds every special permission (manages products, sees
costs); nobody else holds any until granted.
"""

import pytest


@pytest.fixture
def manager(org, grant):
    """Manages products, but may not see costs."""
    return grant(org.director2, "manage_products")


@pytest.fixture
def cost_manager(org, grant):
    """Manages products and sees costs."""
    return grant(org.director1, "manage_products", "see_costs")


@pytest.fixture
def cost_viewer(org, grant):
    """Sees costs, but may not change the catalogue."""
    return grant(org.sales2, "see_costs")
