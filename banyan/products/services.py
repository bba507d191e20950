"""Writes on the product catalogue: categories (create, rename, move, delete) and products.

Only users with the "manage products" permission change the catalogue. A product's cost is
set only by users who may see costs: anyone else leaves it as it is (and is refused when
they send one).
"""

from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from banyan.accounts.guards import ensure_can_write, ensure_permission
from banyan.accounts.models import User
from banyan.core.errors import DomainError, ValidationFailed
from banyan.core.fetch import get_or_none
from banyan.core.text import clean_text, squash_spaces
from banyan.core.values import parse_amount, parse_quantity
from banyan.products import selectors
from banyan.products.models import Product, ProductCategory

PRODUCT_FIELDS = {
    "code",
    "name",
    "spec",
    "unit",
    "category",
    "kind",
    "list_price",
    "cost",
    "tracks_stock",
    "low_stock_threshold",
    "is_active",
    "description",
}


def ensure_can_manage_products(user: User) -> None:
    """Refuse anyone who may not change the catalogue (pages ask before showing a form)."""
    ensure_can_write(user)
    ensure_permission(
        user, "manage_products", _("Only users allowed to manage products may change them.")
    )


# --- categories ---------------------------------------------------------------------------


def _category_name(value, errors: dict) -> str:
    name = squash_spaces(value or "")
    if not name:
        errors.setdefault("name", []).append(_("Enter the category's name."))
    elif len(name) > 100:
        errors.setdefault("name", []).append(_("A name has at most 100 characters."))
    return name


def _parent(user: User, value, errors: dict) -> ProductCategory | None:
    if value in (None, ""):
        return None
    parent = get_or_none(selectors.company_categories(user), value)
    if parent is None:
        errors.setdefault("parent", []).append(_("Choose a category from the list."))
    return parent


@transaction.atomic
def category_create(*, user: User, name: str, parent=None) -> ProductCategory:
    ensure_can_manage_products(user)
    errors: dict = {}
    name = _category_name(name, errors)
    parent_category = _parent(user, parent, errors)
    if errors:
        raise ValidationFailed(errors)
    siblings = selectors.company_categories(user).filter(parent=parent_category)
    category = ProductCategory.objects.create(
        company_id=user.company_id,
        name=name,
        parent=parent_category,
        position=siblings.count(),
    )
    category.path = f"{parent_category.path if parent_category else '/'}{category.pk}/"
    category.save(update_fields=["path"])
    return category


_UNSET = object()


@transaction.atomic
def category_update(
    *, user: User, category: ProductCategory, name=None, parent=_UNSET
) -> ProductCategory:
    """Rename and/or move a category with everything below it. A category cannot move under
    itself or one of its own subcategories."""
    ensure_can_manage_products(user)
    category = selectors.company_categories(user).select_for_update().get(pk=category.pk)
    errors: dict = {}
    if name is not None:
        category.name = _category_name(name, errors)
    new_parent = category.parent
    if parent is not _UNSET:
        new_parent = _parent(user, parent, errors)
        if new_parent is not None and new_parent.path.startswith(category.path):
            errors.setdefault("parent", []).append(
                _("A category cannot move under itself or one of its subcategories.")
            )
    if errors:
        raise ValidationFailed(errors)
    if parent is not _UNSET and new_parent != category.parent:
        old_path = category.path
        new_path = f"{new_parent.path if new_parent else '/'}{category.pk}/"
        ProductCategory.objects.filter(
            company_id=user.company_id, path__startswith=old_path
        ).update(path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1)))
        category.path = new_path
        category.parent = new_parent
        category.position = selectors.company_categories(user).filter(parent=new_parent).count()
    category.save(update_fields=["name", "parent", "path", "position", "updated_at"])
    return category


@transaction.atomic
def category_delete(*, user: User, category: ProductCategory) -> None:
    """Only an empty category goes: no subcategory, no product
    (`selectors.category_delete_refusals`, which the category list asks too)."""
    ensure_can_manage_products(user)
    refusal = selectors.category_delete_refusals(user, [category]).get(category.pk)
    if refusal is not None:
        raise DomainError(refusal)
    category.delete()


# --- products -----------------------------------------------------------------------------


def _flag(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def _clean_product(user: User, data: dict, errors: dict, current: Product | None) -> dict:
    unknown = set(data) - PRODUCT_FIELDS
    for field in unknown:
        errors.setdefault(field, []).append(_("Unknown field."))
    cleaned: dict = {}
    if "code" in data:
        code = clean_text(data["code"])
        if not code:
            errors.setdefault("code", []).append(_("Enter the product code."))
        elif len(code) > 50:
            errors.setdefault("code", []).append(_("A code has at most 50 characters."))
        else:
            taken = selectors.company_products(user).filter(code__iexact=code)
            if current is not None:
                taken = taken.exclude(pk=current.pk)
            other = taken.first()
            if other is not None:
                errors.setdefault("code", []).append(
                    _("The code %(code)s is already used by %(name)s.")
                    % {"code": code, "name": other.name}
                )
        cleaned["code"] = code
    if "name" in data:
        cleaned["name"] = squash_spaces(data["name"] or "")
        if not cleaned["name"]:
            errors.setdefault("name", []).append(_("Enter the product's name."))
        elif len(cleaned["name"]) > 200:
            errors.setdefault("name", []).append(_("A name has at most 200 characters."))
    for field, limit in (("spec", 200), ("unit", 20)):
        if field in data:
            cleaned[field] = squash_spaces(data[field] or "")
            if len(cleaned[field]) > limit:
                errors.setdefault(field, []).append(
                    _("At most %(limit)d characters.") % {"limit": limit}
                )
    if "description" in data:
        cleaned["description"] = (data["description"] or "").strip()
    if "category" in data:
        value = data["category"]
        if value in (None, ""):
            cleaned["category"] = None
        else:
            category = get_or_none(selectors.company_categories(user), value)
            if category is None:
                errors.setdefault("category", []).append(_("Choose a category from the list."))
            else:
                cleaned["category"] = category
    if "kind" in data:
        if data["kind"] not in Product.Kind.values:
            errors.setdefault("kind", []).append(_("Choose service or physical product."))
        else:
            cleaned["kind"] = data["kind"]
    if "list_price" in data:
        cleaned["list_price"] = parse_amount(
            data["list_price"], errors, "list_price", required=False, allow_zero=True
        )
    if "cost" in data:
        if not selectors.sees_costs(user):
            if data["cost"] not in (None, ""):
                errors.setdefault("cost", []).append(
                    _("Only users allowed to see costs may set a cost.")
                )
        else:
            cleaned["cost"] = parse_amount(
                data["cost"], errors, "cost", required=False, allow_zero=True
            )
    if "tracks_stock" in data:
        cleaned["tracks_stock"] = _flag(data["tracks_stock"])
    if "low_stock_threshold" in data:
        value = data["low_stock_threshold"]
        cleaned["low_stock_threshold"] = (
            0
            if value in (None, "")
            else parse_quantity(value, errors, "low_stock_threshold", allow_zero=True)
        )
    if "is_active" in data:
        cleaned["is_active"] = _flag(data["is_active"])
    kind = cleaned.get("kind", current.kind if current else Product.Kind.PHYSICAL)
    tracks = cleaned.get("tracks_stock", current.tracks_stock if current else False)
    if kind == Product.Kind.SERVICE and tracks:
        errors.setdefault("tracks_stock", []).append(
            _("A service has no stock: only physical products track stock.")
        )
    return {k: v for k, v in cleaned.items() if v is not None or k == "category"}


def product_fields_clean(user: User, data: dict, errors: dict, current: Product | None = None):
    """A product's fields as the services keep them (the rules of the product form), with
    the reasons for what is wrong added to `errors` by field: for importers, which check a
    whole file before writing it."""
    return _clean_product(user, data, errors, current)


@transaction.atomic
def product_create(*, user: User, **data) -> Product:
    ensure_can_manage_products(user)
    errors: dict = {}
    data.setdefault("code", "")
    data.setdefault("name", "")
    cleaned = _clean_product(user, data, errors, None)
    if errors:
        raise ValidationFailed(errors)
    product = Product(company_id=user.company_id, created_by=user, **cleaned)
    product._history_user = user
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError:
        raise ValidationFailed(
            {"code": [_("The code %(code)s is already used.") % {"code": product.code}]}
        ) from None
    return product


@transaction.atomic
def product_update(*, user: User, product: Product, **data) -> Product:
    ensure_can_manage_products(user)
    product = selectors.company_products(user).select_for_update().get(pk=product.pk)
    errors: dict = {}
    cleaned = _clean_product(user, data, errors, product)
    if cleaned.get("kind", product.kind) != product.kind and product.agreement_lines.exists():
        errors.setdefault("kind", []).append(
            _("%(name)s is on agreements: its kind cannot change.") % {"name": product.name}
        )
    if errors:
        raise ValidationFailed(errors)
    for field, value in cleaned.items():
        setattr(product, field, value)
    product._history_user = user
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError:
        raise ValidationFailed(
            {"code": [_("The code %(code)s is already used.") % {"code": product.code}]}
        ) from None
    return product


@transaction.atomic
def product_delete(*, user: User, product: Product) -> None:
    """A product on any agreement line stays (deactivate it instead)."""
    ensure_can_manage_products(user)
    refused = DomainError(
        _("%(name)s is in use: deactivate it instead of deleting it.") % {"name": product.name}
    )
    if product.agreement_lines.exists():
        raise refused
    product._history_user = user
    try:
        with transaction.atomic():
            product.delete()
    except ProtectedError:
        raise refused from None
