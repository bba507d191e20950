"""The importers, one per kind: `plan` checks a file's rows and says what a write would do;
`write` does it inside the caller's transaction; `revert` undoes it."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Importer:
    plan: Callable
    write: Callable
    revert: Callable


def importer_for(kind: str) -> Importer:
    if kind == "customers":
        from banyan.imports.importers import customers

        return Importer(
            customers.plan_customers, customers.write_customers, customers.revert_customers
        )
    if kind == "products":
        from banyan.imports.importers import products

        return Importer(products.plan_products, products.write_products, products.revert_products)
    from banyan.imports.importers import stock

    return Importer(stock.plan_stock, stock.write_stock, stock.revert_stock)
