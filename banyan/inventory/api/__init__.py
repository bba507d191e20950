"""API of inventory: `/api/v1/warehouses/`, `/api/v1/stock/`, `/api/v1/stock-movements/`,
`/api/v1/stock-slips/` (with confirm and reject), `/api/v1/stocktakes/` (with count and
confirm) and `/api/v1/shipments/`.

Thin by design: serializers check the shape of the input, selectors fetch, services write and
enforce every rule. Who reads what:

- warehouses and stock levels: everyone in the company (a rep checks stock before promising a
  delivery); warehouses are written by an admin boss only (403 for anyone else);
- stock movements and stocktakes: warehouse keepers, purchasing staff and bosses. Anyone else
  is answered 403 with the reason, on the list and on every row alike (the same answer for
  every id, so it tells nothing about what exists);
- stock slips: keepers, purchasing staff and bosses see all of them; anyone else sees the
  slips of the orders they see (404 for the rest). Only a keeper of its warehouse confirms or
  rejects a slip (403 with the reason otherwise);
- shipments follow their order, which follows its customer.

A company that does not use inventory gets 404 on all of these but shipments (an order ships
directly then). Stock `value` is for users allowed to see costs: for anyone else the key is
left out, not blanked. Slips, movements and shipments are records: no PUT, PATCH or DELETE
(405). Registered on the one router in banyan/api.py.
"""

from banyan.inventory.api.common import (  # noqa: F401
    INVENTORY_OFF,
    QUANTITY,
    SeesStockPapers,
    UsesInventory,
)
from banyan.inventory.api.shipments import ShipmentSerializer, ShipmentViewSet  # noqa: F401
from banyan.inventory.api.slips import (  # noqa: F401
    StockSlipLineSerializer,
    StockSlipSerializer,
    StockSlipViewSet,
    slip_data,
)
from banyan.inventory.api.stock import (  # noqa: F401
    StockLevelSerializer,
    StockLevelViewSet,
    StockMovementSerializer,
    StockMovementViewSet,
)
from banyan.inventory.api.stocktakes import (  # noqa: F401
    StocktakeDetailSerializer,
    StocktakeSerializer,
    StocktakeViewSet,
)
from banyan.inventory.api.warehouses import WarehouseSerializer, WarehouseViewSet  # noqa: F401


def register(router) -> None:
    """Add this app's viewsets to the one API router."""
    router.register("warehouses", WarehouseViewSet, basename="warehouse")
    router.register("stock", StockLevelViewSet, basename="stock")
    router.register("stock-movements", StockMovementViewSet, basename="movement")
    router.register("stock-slips", StockSlipViewSet, basename="slip")
    router.register("stocktakes", StocktakeViewSet, basename="stocktake")
    router.register("shipments", ShipmentViewSet, basename="shipment")
