"""Initial stock (期初库存): warehouse, product code, quantity.

Each row is tried through `inventory.services.initial_stock` itself, in a transaction that is
rolled back, so the preview holds exactly the rules of the initial-stock form (a keeper of
the warehouse, an open warehouse, a product that tracks stock, no stock history there yet).
The same warehouse and product twice in the file is a duplicate. The write enters each
warehouse's lines in one `initial_stock` and keeps the movements it made; a revert takes their
quantities back out (`initial_stock_revert`), except where the stock moved since.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from banyan.accounts.models import User
from banyan.core.errors import DomainError, ValidationFailed
from banyan.imports.importers.base import Plan, Progress, Row, value_key
from banyan.inventory import selectors as inventory_selectors
from banyan.inventory import services as inventory_services
from banyan.products import selectors as product_selectors


class _DryRun(Exception):
    pass


def _try(user: User, warehouse_id: int, product_id: int, quantity: str) -> dict:
    """The service's refusal of this one line as {field: [messages]}, or {}."""
    try:
        with transaction.atomic():
            inventory_services.initial_stock(
                user=user,
                warehouse=warehouse_id,
                lines=[{"product": product_id, "quantity": quantity}],
            )
            raise _DryRun
    except _DryRun:
        return {}
    except ValidationFailed as exc:
        return exc.as_dict()
    except DomainError as exc:
        return {"warehouse": [str(exc.message)]}


def _without_line_number(message: str) -> str:
    prefix = _("Line %(number)d: %(message)s") % {"number": 1, "message": ""}
    return message[len(prefix) :] if prefix and message.startswith(prefix) else message


def plan_stock(
    *, user: User, rows: list[Row], plan: Plan, on_duplicate: str, progress: Progress
) -> Plan:
    warehouses = {}
    for warehouse in inventory_selectors.company_warehouses(user):
        warehouses.setdefault(value_key(warehouse.name), warehouse)
    codes = sorted({row.values.get("product_code", "").strip() for row in rows})
    products = {}
    for start in range(0, len(codes), 2000):
        for product in product_selectors.company_products(user).filter(
            code__in=codes[start : start + 2000]
        ):
            products[value_key(product.code)] = product
    seen: dict[tuple, int] = {}
    plan.rows_total = len(rows)
    items = []
    for index, row in enumerate(rows):
        if index % 100 == 0:
            progress(index, len(rows))
        values = row.values
        warehouse = warehouses.get(value_key(values.get("warehouse")))
        product = products.get(value_key(values.get("product_code")))
        quantity = values.get("quantity", "").replace(",", "")
        ok = True
        if warehouse is None:
            plan.error(
                row.number,
                "warehouse",
                _("There is no warehouse %(name)s.") % {"name": values.get("warehouse", "")},
            )
            ok = False
        if product is None:
            plan.error(
                row.number,
                "product_code",
                _("There is no product with the code %(code)s.")
                % {"code": values.get("product_code", "")},
            )
            ok = False
        if not ok:
            continue
        key = (warehouse.pk, product.pk)
        if key in seen:
            plan.duplicate(
                row.number,
                _("%(product)s in %(warehouse)s is also on row %(row)d: skipped.")
                % {"product": product.code, "warehouse": warehouse.name, "row": seen[key]},
            )
            continue
        refusal = _try(user, warehouse.pk, product.pk, quantity)
        for field, messages in refusal.items():
            column = {"lines": "product_code", "warehouse": "warehouse"}.get(field, "quantity")
            for message in messages:
                message = _without_line_number(str(message))
                if column == "product_code" and "quantity" in message.lower():
                    column = "quantity"
                plan.error(row.number, column, message)
        if refusal:
            continue
        seen[key] = row.number
        items.append((row.number, warehouse.pk, product.pk, quantity))
    progress(len(rows), len(rows))
    plan.items = items
    plan.rows_valid = len(items)
    return plan


def write_stock(*, user: User, plan: Plan, progress: Progress) -> dict:
    by_warehouse: dict[int, list] = {}
    for _row, warehouse_id, product_id, quantity in plan.items:
        by_warehouse.setdefault(warehouse_id, []).append(
            {"product": product_id, "quantity": quantity}
        )
    done = 0
    movements = []
    for warehouse_id, lines in sorted(by_warehouse.items()):
        inventory_services.initial_stock(
            user=user, warehouse=warehouse_id, lines=lines, note=_("Imported")
        )
        made = inventory_services.initial_entries(
            user, warehouse_id, [line["product"] for line in lines]
        )
        movements += sorted(made.values())
        done += len(lines)
        progress(done, len(plan.items))
    created = {"stock_movements": movements}
    return {"created_ids": created, "before_values": [], "rows_written": done}


def revert_stock(*, user: User, job) -> list[dict]:
    """Take the imported quantities back out, except where the stock moved since."""
    return inventory_services.initial_stock_revert(
        user=user,
        entries=[{"movement": pk} for pk in job.created_ids.get("stock_movements", [])],
        note=_("Import reverted"),
    )
