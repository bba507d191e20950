"""Products (产品) with their category paths ("电子/手机": missing categories are created).

Each row is checked by the product rules of `products.services`; a code the company already
has is a duplicate (skipped, or updated with `update`), a code given twice in the file too.
The cost column is read only for users who may see costs. The write goes through
`category_create`, `product_create` and `product_update`.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from banyan.accounts.models import User
from banyan.core.errors import DomainError
from banyan.imports.importers.base import ChoiceLookup, Plan, Progress, Row, value_key
from banyan.products import selectors as product_selectors
from banyan.products import services as product_services
from banyan.products.models import Product

FIELDS = (
    "code",
    "name",
    "spec",
    "unit",
    "list_price",
    "cost",
    "kind",
    "tracks_stock",
    "low_stock_threshold",
)
FLAGS = ChoiceLookup()
FLAGS.add(True, "1", "yes", "y", "true", "是", "有", "管理", "√")
FLAGS.add(False, "0", "no", "n", "false", "否", "无", "不管理", "×")


@dataclass
class ProductItem:
    row: int
    given: dict
    category_path: tuple = ()
    existing: Product | None = None
    rows: list = field(default_factory=list)


def _kinds() -> ChoiceLookup:
    kinds = ChoiceLookup()
    kinds.add(Product.Kind.SERVICE, "service", "服务")
    kinds.add(Product.Kind.PHYSICAL, "physical", "product", "实物", "产品", "商品")
    for value, label in Product.Kind.choices:
        kinds.add_label(value, label)
    return kinds


def _category_paths(user: User) -> dict[tuple, int]:
    """(name key, …) of every category path of the company → the category's id."""
    categories = list(product_selectors.company_categories(user).order_by("path"))
    by_id = {c.pk: c for c in categories}
    paths = {}
    for category in categories:
        names, node = [], category
        while node is not None:
            names.append(value_key(node.name))
            node = by_id.get(node.parent_id)
        paths[tuple(reversed(names))] = category.pk
    return paths


def _split_path(text: str) -> tuple[list[str], tuple]:
    parts = [part.strip() for part in text.replace("\\", "/").replace(">", "/").split("/")]
    parts = [part for part in parts if part]
    return parts, tuple(value_key(part) for part in parts)


def plan_products(
    *, user: User, rows: list[Row], plan: Plan, on_duplicate: str, progress: Progress
) -> Plan:
    sees_costs = product_selectors.sees_costs(user)
    if not sees_costs and "cost" in plan.headers:
        plan.unknown_columns.append(plan.headers["cost"])
    kinds = _kinds()
    paths = _category_paths(user)
    codes = [value_key(row.values.get("code", "")) for row in rows]
    wanted = sorted({row.values.get("code", "").strip() for row in rows})
    existing = {}
    for start in range(0, len(wanted), 2000):
        for product in product_selectors.company_products(user).filter(
            code__in=wanted[start : start + 2000]
        ):
            existing[value_key(product.code)] = product
    # A code differing only in case or width: read one by one (rare).
    seen: dict[str, int] = {}
    items: list[ProductItem] = []
    plan.rows_total = len(rows)
    plan.extra["category_names"] = {}
    for index, (row, code) in enumerate(zip(rows, codes, strict=True)):
        if index % 200 == 0:
            progress(index, len(rows))
        values = row.values
        given = {}
        ok = True
        for name in FIELDS:
            if name not in values or (name == "cost" and not sees_costs):
                continue
            text = values[name]
            if name == "kind":
                if text:
                    given[name] = kinds.find(text)
                    if given[name] is None:
                        plan.error(row.number, name, _("Choose service or physical product."))
                        ok = False
            elif name == "tracks_stock":
                if text:
                    given[name] = FLAGS.find(text)
                    if given[name] is None:
                        plan.error(row.number, name, _("Write yes or no."))
                        ok = False
            elif text or name in ("code", "name"):
                given[name] = text
        if code in seen:
            plan.duplicate(
                row.number, _("The code is also on row %(row)d: skipped.") % {"row": seen[code]}
            )
            continue
        category_path: tuple = ()
        if values.get("category"):
            names, category_path = _split_path(values["category"])
            if any(len(name) > 100 for name in names):
                plan.error(row.number, "category", _("A name has at most 100 characters."))
                ok = False
            for depth in range(1, len(names) + 1):
                plan.extra["category_names"].setdefault(category_path[:depth], names[depth - 1])
            if category_path in paths:
                given["category"] = paths[category_path]
        current = existing.get(code) if code else None
        if current is not None and on_duplicate != "update":
            seen[code] = row.number
            plan.duplicate(
                row.number,
                _("The company has the product %(code)s (%(name)s) already: skipped.")
                % {"code": current.code, "name": current.name},
            )
            continue
        errors: dict = {}
        product_services.product_fields_clean(user, given, errors, current)
        for name, messages in errors.items():
            for message in messages:
                plan.error(row.number, name, message)
        if errors or not ok:
            continue
        seen[code] = row.number
        if current is not None:
            plan.duplicate(
                row.number,
                _("The company has the product %(code)s (%(name)s) already: it will be updated.")
                % {"code": current.code, "name": current.name},
            )
        items.append(ProductItem(row.number, given, category_path, current, [row.number]))
    progress(len(rows), len(rows))
    plan.items = items
    plan.rows_valid = len(items)
    plan.errors.sort(key=lambda e: e["row"])
    plan.duplicates.sort(key=lambda e: e["row"])
    plan.extra["category_paths"] = paths
    return plan


def write_products(*, user: User, plan: Plan, progress: Progress) -> dict:
    paths = dict(plan.extra["category_paths"])
    created_categories: list[int] = []
    created_products: list[int] = []
    before_values: list[dict] = []
    for path in sorted({item.category_path for item in plan.items if item.category_path}):
        for depth in range(1, len(path) + 1):
            prefix = path[:depth]
            if prefix not in paths:
                category = product_services.category_create(
                    user=user,
                    name=plan.extra["category_names"][prefix],
                    parent=paths.get(prefix[:-1]) if depth > 1 else None,
                )
                paths[prefix] = category.pk
                created_categories.append(category.pk)
    for done, item in enumerate(plan.items, start=1):
        given = dict(item.given)
        if item.category_path:
            given["category"] = paths[item.category_path]
        if item.existing is None:
            product = product_services.product_create(user=user, **given)
            created_products.append(product.pk)
        else:
            product = item.existing
            before_values.append(
                {
                    "model": "product",
                    "id": product.pk,
                    "values": {
                        name: (
                            product.category_id if name == "category" else getattr(product, name)
                        )
                        for name in given
                    },
                }
            )
            product_services.product_update(user=user, product=product, **given)
        if done % 100 == 0:
            progress(done, len(plan.items))
    for before in before_values:
        before["values"] = {
            k: (str(v) if not isinstance(v, bool | int | None) else v)
            for k, v in before["values"].items()
        }
    return {
        "created_ids": {"products": created_products, "categories": created_categories},
        "before_values": before_values,
        "rows_written": len(plan.items),
    }


def revert_products(*, user: User, job) -> list[dict]:
    kept = []
    since = job.finished_at
    products = product_selectors.company_products(user)
    for product in products.filter(pk__in=job.created_ids.get("products", [])):
        if product.updated_at > since:
            kept.append(
                {
                    "model": "product",
                    "id": product.pk,
                    "name": product.name,
                    "reason": _("changed since the import"),
                }
            )
            continue
        try:
            product_services.product_delete(user=user, product=product)
        except DomainError as exc:
            kept.append(
                {
                    "model": "product",
                    "id": product.pk,
                    "name": product.name,
                    "reason": str(exc.message),
                }
            )
    categories = product_selectors.company_categories(user).filter(
        pk__in=job.created_ids.get("categories", [])
    )
    for category in sorted(categories, key=lambda c: -len(c.path)):  # the deepest first
        try:
            product_services.category_delete(user=user, category=category)
        except DomainError as exc:
            kept.append(
                {
                    "model": "category",
                    "id": category.pk,
                    "name": category.name,
                    "reason": str(exc.message),
                }
            )
    for before in job.before_values:
        product = products.filter(pk=before["id"]).first()
        if product is None:
            continue
        try:
            product_services.product_update(user=user, product=product, **before["values"])
        except DomainError as exc:
            kept.append(
                {
                    "model": "product",
                    "id": product.pk,
                    "name": product.name,
                    "reason": str(exc.message),
                }
            )
    return kept
