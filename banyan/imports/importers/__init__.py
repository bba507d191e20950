"""The importers, one per kind: `plan` checks a file's rows and says what a write would do;
`write` does it inside the caller's transaction; `revert` undoes it."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Importer:
    plan: Callable
    write: Callable
    revert: Callable
    # Whether a plan kept from the check (its items in JSON) may be written as it is; None:
    # the write checks the file again.
    still_valid: Callable | None = None


def importer_for(kind: str) -> Importer:
    if kind == "customers":
        from banyan.imports.importers import customers

        return Importer(
            customers.plan_customers,
            customers.write_customers,
            customers.revert_customers,
            customers.still_valid,
        )
    if kind == "products":
        from banyan.imports.importers import products

        return Importer(products.plan_products, products.write_products, products.revert_products)
    from banyan.imports.importers import stock

    return Importer(stock.plan_stock, stock.write_stock, stock.revert_stock)
