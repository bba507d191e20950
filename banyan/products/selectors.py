"""Reads on the product catalogue.

Every user of the company sees the catalogue (a rep picks products for an order); only users
with "manage products" change it. A product's cost and gross profit are for users with "see
costs": `sees_costs(user)` is the one test pages, serializers and exports ask.
"""

from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from banyan.accounts import visibility
from banyan.accounts.models import User
from banyan.core.fetch import get_for
from banyan.products.models import Product, ProductCategory

LIST_ORDERINGS = {
    "code",
    "-code",
    "name",
    "-name",
    "list_price",
    "-list_price",
    "created_at",
    "-created_at",
    "category__path",
    "-category__path",
}


def _member(user: User) -> bool:
    return bool(user.is_authenticated and user.company_id and user.is_active)


def sees_costs(user: User) -> bool:
    return _member(user) and user.has_perm("accounts.see_costs")


def can_manage_products(user: User) -> bool:
    return _member(user) and user.has_perm("accounts.manage_products")


def company_products(user: User) -> QuerySet[Product]:
    return visibility.of_company(user, Product)


def get_product_for(user: User, pk) -> Product:
    return get_for(company_products(user).select_related("category"), pk)


def product_list(
    user: User,
    *,
    search: str = "",
    category_id=None,
    kind: str = "",
    active: bool | None = None,
    tracks_stock: bool | None = None,
    ordering: str = "code",
) -> QuerySet[Product]:
    """Products by code, name or spec words; a category filter includes its subcategories."""
    products = company_products(user).select_related("category")
    for term in search.split():
        products = products.filter(
            Q(code__icontains=term) | Q(name__icontains=term) | Q(spec__icontains=term)
        )
    if category_id:
        category = company_categories(user).filter(pk=category_id).first()
        if category is None:
            return products.none()
        products = products.filter(category__path__startswith=category.path)
    if kind:
        products = products.filter(kind=kind)
    if active is not None:
        products = products.filter(is_active=active)
    if tracks_stock is not None:
        products = products.filter(tracks_stock=tracks_stock)
    if ordering not in LIST_ORDERINGS:
        ordering = "code"
    return products.order_by(ordering, "id")


def products_for_lines(user: User, *, services_only: bool = False) -> QuerySet[Product]:
    """The active products a rep may put on an agreement's lines."""
    products = company_products(user).filter(is_active=True)
    if services_only:
        products = products.filter(kind=Product.Kind.SERVICE)
    return products.order_by("code", "id")


# --- categories ---------------------------------------------------------------------------


def company_categories(user: User) -> QuerySet[ProductCategory]:
    return visibility.of_company(user, ProductCategory)


def get_category_for(user: User, pk) -> ProductCategory:
    return get_for(company_categories(user), pk)


def category_tree(user: User) -> list[ProductCategory]:
    """Every category, each after its parent, siblings by position then name; each carries
    `depth` (0 for a root) and `label` (indented for a select). One query."""
    categories = list(company_categories(user))
    children: dict[int | None, list[ProductCategory]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    ordered: list[ProductCategory] = []

    def walk(parent_id, depth):
        for category in sorted(children.get(parent_id, []), key=lambda c: (c.position, c.name)):
            category.tree_depth = depth
            category.label = "— " * depth + category.name
            ordered.append(category)
            walk(category.pk, depth + 1)

    walk(None, 0)
    return ordered


def category_path_names(user: User) -> dict[int, str]:
    """{category id: "电子/手机"}: each category by the names from its root down, as an
    import of products writes a category. One query."""
    categories = {c.pk: c for c in company_categories(user).only("id", "name", "parent_id")}

    def names(category) -> list[str]:
        parent = categories.get(category.parent_id)
        return [*(names(parent) if parent is not None else []), category.name]

    return {pk: "/".join(names(category)) for pk, category in categories.items()}


def category_parent_choices(user: User, category: ProductCategory) -> list[ProductCategory]:
    """Where a category may move: every category but itself and those below it, in tree
    order (each with `label`)."""
    return [c for c in category_tree(user) if not c.path.startswith(category.path)]


def category_product_counts(user: User) -> dict[int, int]:
    """How many products each category holds directly (category id → count). One query."""
    rows = (
        company_products(user)
        .filter(category__isnull=False)
        .order_by()
        .values("category")
        .annotate(total=Count("id"))
    )
    return {row["category"]: row["total"] for row in rows}


def category_delete_refusals(
    user: User, categories, *, tree: list | None = None, product_counts: dict | None = None
) -> dict[int, str]:
    """Why each of those `categories` that may not be deleted cannot be (category id →
    reason): only an empty category goes, without subcategories or products. The category
    list's Delete buttons and `category_delete` both ask this. Given the whole `tree`
    (`category_tree`) and `product_counts` (`category_product_counts`) the page already
    read, no query; else two, for any number of categories."""
    categories = list(categories)
    keys = [category.pk for category in categories]
    if not keys:
        return {}
    if tree is not None:
        parents = {category.parent_id for category in tree}
    else:
        parents = set(
            company_categories(user)
            .filter(parent_id__in=keys)
            .order_by()
            .values_list("parent_id", flat=True)
        )
    if product_counts is not None:
        holding = {key for key, count in product_counts.items() if count}
    else:
        holding = set(
            company_products(user)
            .filter(category_id__in=keys)
            .order_by()
            .values_list("category_id", flat=True)
        )
    refusals = {}
    for category in categories:
        if category.pk in parents:
            refusals[category.pk] = _("%(name)s has subcategories: move or delete them first.") % {
                "name": category.name
            }
        elif category.pk in holding:
            refusals[category.pk] = _(
                "%(name)s holds products: move them to another category first."
            ) % {"name": category.name}
    return refusals


def product_margin(user: User, product: Product) -> dict | None:
    """Gross margin per unit at list price (list price − cost) and its share of the list
    price in percent; None for users who may not see costs."""
    if not sees_costs(user):
        return None
    amount = product.list_price - product.cost
    percent = (
        (amount * 100 / product.list_price).quantize(Decimal("0.1")) if product.list_price else None
    )
    return {"amount": amount, "percent": percent}
