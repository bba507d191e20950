"""Writes on inventory: warehouses, initial stock, stock slips, stocktakes, shipments.

The one way stock changes is `_move`: it locks the stock-level rows it touches (in product
order, so two confirmations never deadlock), refuses any change that would take a level below
zero with a message naming each product and what is short, updates the levels and writes one
StockMovement per change, all in the caller's transaction. On PostgreSQL the row locks make
concurrent confirmations queue up, so exactly the slips that fit succeed; on SQLite writers
are serialised anyway. A CHECK constraint refuses a negative level as a last line.

Who does what:
- an admin boss creates warehouses and assigns their keepers (users with the "warehouse
  keeper" permission);
- a keeper of a warehouse enters its initial stock, writes slips by hand (with a reason),
  confirms or rejects its slips, and counts and confirms its stocktakes;
- whoever may change an order asks for its outbound slip;
- an app that brings goods in (a purchase order's receipt) writes its inbound slip through
  `inbound_slip_create`, after checking its own rights, and hears of the keeper's
  confirmation through the `SLIP_CONFIRMED` hook, which it registers into; inventory does not
  know those apps;
- whoever may change an order ships it: after its outbound slip is confirmed for products that
  track stock (when the company uses inventory), directly otherwise; never more than ordered.
"""

from banyan.inventory.services.lines import clean_warehouse, same_line  # noqa: F401
from banyan.inventory.services.shipments import shipment_create  # noqa: F401
from banyan.inventory.services.slips import (  # noqa: F401
    SLIP_CONFIRMED,
    inbound_slip_create,
    new_slip,
    slip_confirm,
    slip_create,
    slip_from_order,
    slip_reject,
    slip_request,
)
from banyan.inventory.services.stock import (  # noqa: F401
    check_stock,
    initial_entries,
    initial_stock,
    initial_stock_revert,
)
from banyan.inventory.services.stocktakes import (  # noqa: F401
    stocktake_confirm,
    stocktake_count,
    stocktake_start,
)
from banyan.inventory.services.warehouses import (  # noqa: F401
    warehouse_create,
    warehouse_delete,
    warehouse_update,
)
