"""Product catalogue pages: the product list, one product, its forms, and the category tree.

Thin: parse the input, fetch through the selectors, call one service, render. Every user of
the company reads the catalogue; only users with "manage products" change it (anyone else
gets a 403 saying why). Another company's product or category is a 404. Costs and margins
reach the templates only for users who may see costs.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from banyan.core.errors import PermissionRefused
from banyan.core.pagination import paginate
from banyan.core.views import found_or_404, refusal_text, submit
from banyan.products import selectors, services
from banyan.products.forms import CategoryForm, ProductFilterForm, ProductForm


def company_member_required(view):
    """Logged in (else the login page), as a user of a company (else 404)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.company_id is None:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def refused(request, exc: PermissionRefused):
    """The 403 page, saying why."""
    return render(request, "products/refused.html", {"reason": refusal_text(exc)}, status=403)


def catalogue_page(view):
    """A page of the catalogue (`company_member_required`) whose refusals (not allowed to
    manage products) are the catalogue's 403 page, saying why."""

    @company_member_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionRefused as exc:
            return refused(request, exc)
        except PermissionDenied as exc:
            return refused(request, PermissionRefused(str(exc)))

    return wrapper


def _product(request, pk):
    return found_or_404(selectors.get_product_for, request.user, pk)


def _category(request, pk):
    return found_or_404(selectors.get_category_for, request.user, pk)


# --- products ------------------------------------------------------------------------------


@company_member_required
def product_list_view(request):
    form = ProductFilterForm(request.GET or None, user=request.user)
    products = selectors.product_list(request.user, **form.filters())
    page = paginate(request, products, per_page=form.rows_per_page())
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "products/product_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "sees_costs": selectors.sees_costs(request.user),
            "can_manage": selectors.can_manage_products(request.user),
        },
    )


@company_member_required
def product_detail_view(request, pk):
    product = _product(request, pk)
    return render(
        request,
        "products/product_detail.html",
        {
            "product": product,
            "sees_costs": selectors.sees_costs(request.user),
            "margin": selectors.product_margin(request.user, product),
            "can_manage": selectors.can_manage_products(request.user),
        },
    )


@catalogue_page
def product_create_view(request):
    services.ensure_can_manage_products(request.user)
    form = ProductForm(request.POST or None, user=request.user)
    added = submit(
        request,
        form,
        lambda: services.product_create(user=request.user, **form.service_fields()),
        success=lambda added: _("Product %(name)s has been added.") % {"name": added.name},
    )
    if added:
        return redirect(added.result)
    return render(request, "products/product_form.html", {"form": form, "product": None})


@catalogue_page
def product_edit_view(request, pk):
    product = _product(request, pk)
    services.ensure_can_manage_products(request.user)
    form = ProductForm(request.POST or None, user=request.user, product=product)
    saved = submit(
        request,
        form,
        lambda: services.product_update(
            user=request.user, product=product, **form.service_fields()
        ),
        success=lambda saved: _("%(name)s has been saved.") % {"name": saved.name},
    )
    if saved:
        return redirect(saved.result)
    return render(request, "products/product_form.html", {"form": form, "product": product})


@catalogue_page
@require_POST
def product_delete_view(request, pk):
    product = _product(request, pk)
    if submit(
        request,
        None,
        lambda: services.product_delete(user=request.user, product=product),
        success=_("%(name)s has been deleted.") % {"name": product.name},
    ):
        return redirect("product-list")
    return redirect(product)


# --- categories ----------------------------------------------------------------------------


def _render_categories(request, form):
    tree = selectors.category_tree(request.user)
    counts = selectors.category_product_counts(request.user)
    can_manage = selectors.can_manage_products(request.user)
    refusals = selectors.category_delete_refusals(
        request.user, tree, tree=tree, product_counts=counts
    )
    for category in tree:
        category.product_count = counts.get(category.pk, 0)
        category.can_delete = can_manage and category.pk not in refusals
        category.indent = min(category.tree_depth * 2, 5)
    return render(
        request,
        "products/category_list.html",
        {
            "categories": tree,
            "form": form,
            "can_manage": can_manage,
        },
    )


@catalogue_page
def category_list_view(request):
    """The tree, for everyone; a POST adds a category (managers only)."""
    if request.method != "POST":
        return _render_categories(request, CategoryForm(user=request.user))
    services.ensure_can_manage_products(request.user)
    form = CategoryForm(request.POST, user=request.user)
    if submit(
        request,
        form,
        lambda: services.category_create(user=request.user, **form.service_fields()),
        success=lambda added: _("Category %(name)s has been added.") % {"name": added.name},
    ):
        return redirect("product-categories")
    return _render_categories(request, form)


@catalogue_page
def category_edit_view(request, pk):
    category = _category(request, pk)
    services.ensure_can_manage_products(request.user)
    form = CategoryForm(request.POST or None, user=request.user, category=category)
    if submit(
        request,
        form,
        lambda: services.category_update(
            user=request.user, category=category, **form.service_fields()
        ),
        success=lambda saved: _("%(name)s has been saved.") % {"name": saved.name},
    ):
        return redirect("product-categories")
    return render(request, "products/category_form.html", {"form": form, "category": category})


@catalogue_page
@require_POST
def category_delete_view(request, pk):
    category = _category(request, pk)
    submit(
        request,
        None,
        lambda: services.category_delete(user=request.user, category=category),
        success=_("%(name)s has been deleted.") % {"name": category.name},
    )
    return redirect(reverse("product-categories"))
