"""Purchasing pages: suppliers, and purchase orders from draft to received.

Thin: parse the input, fetch through the selectors, call one service, render. Every page is
gone (404) when the company does not use inventory. Purchasing staff, warehouse keepers and
bosses see suppliers and purchase orders; anyone else is answered 403 with the reason. Only
purchasing staff change them (403 with the reason for the others). Another company's record
is a 404. Purchase prices and amounts are costs: without the see-costs permission they are
left out of every page and form, not blanked.
"""

from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from banyan.core.errors import DomainError, PermissionRefused
from banyan.core.idempotency import record_once, submitted_once
from banyan.core.pagination import paginate
from banyan.core.views import found_or_404, module_required, refusal_text, submit
from banyan.products.selectors import sees_costs
from banyan.purchasing import selectors, services
from banyan.purchasing.forms import (
    PurchaseOrderFilterForm,
    PurchaseOrderForm,
    ReceiveForm,
    SupplierFilterForm,
    SupplierForm,
    line_formset,
    with_one_more_line,
)
from banyan.purchasing.models import PurchaseOrder


def purchasing_required(view):
    """Logged in (else the login page), in a company that uses inventory (else 404), and one
    of those who see purchasing (else 403 with the reason)."""

    @module_required("uses_inventory")
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        found_or_404(selectors.ensure_sees_purchasing, request.user)
        return view(request, *args, **kwargs)

    return wrapper


def _ensure_purchasing(request) -> None:
    """Changes are for purchasing staff: 403 with the reason for anyone else."""
    found_or_404(services.ensure_purchasing, request.user)


def _refused(exc: PermissionRefused):
    raise PermissionDenied(str(exc.message)) from None


def _can_purchase(request) -> bool:
    return selectors.can_purchase(request.user)


# --- suppliers ----------------------------------------------------------------------------


@purchasing_required
@require_GET
def supplier_list_view(request):
    form = SupplierFilterForm(request.GET or None)
    suppliers = selectors.supplier_list(request.user, **form.filters())
    page = paginate(request, suppliers, per_page=form.rows_per_page())
    return render(
        request,
        "purchasing/supplier_list.html",
        {
            "form": form,
            "page": page,
            "can_purchase": _can_purchase(request),
        },
    )


@purchasing_required
def supplier_create_view(request):
    _ensure_purchasing(request)
    form = SupplierForm(request.POST or None)
    added = submit(
        request,
        form,
        lambda: services.supplier_create(user=request.user, **form.service_fields()),
        success=lambda added: _("Supplier %(name)s has been added.") % {"name": added.name},
    )
    if added:
        return redirect(added.result)
    return render(request, "purchasing/supplier_form.html", {"form": form, "supplier": None})


@purchasing_required
def supplier_edit_view(request, pk):
    supplier = found_or_404(selectors.get_supplier_for, request.user, pk)
    _ensure_purchasing(request)
    form = SupplierForm(request.POST or None, supplier=supplier)
    saved = submit(
        request,
        form,
        lambda: services.supplier_update(
            user=request.user, supplier=supplier, **form.service_fields()
        ),
        success=lambda saved: _("%(name)s has been saved.") % {"name": saved.name},
    )
    if saved:
        return redirect(saved.result)
    return render(request, "purchasing/supplier_form.html", {"form": form, "supplier": supplier})


@purchasing_required
@require_GET
def supplier_detail_view(request, pk):
    user = request.user
    supplier = found_or_404(selectors.get_supplier_for, user, pk)
    page = paginate(request, selectors.purchase_order_list(user, supplier_id=supplier.pk))
    return render(
        request,
        "purchasing/supplier_detail.html",
        {
            "supplier": supplier,
            "page": page,
            "sees_costs": sees_costs(user),
            "can_purchase": _can_purchase(request),
        },
    )


# --- purchase orders ----------------------------------------------------------------------


@purchasing_required
@require_GET
def purchase_order_list_view(request):
    user = request.user
    form = PurchaseOrderFilterForm(request.GET or None, user=user)
    orders = selectors.purchase_order_list(user, **form.filters())
    page = paginate(request, orders, per_page=form.rows_per_page())
    return render(
        request,
        "purchasing/purchase_order_list.html",
        {
            "form": form,
            "page": page,
            "sees_costs": sees_costs(user),
            "can_purchase": _can_purchase(request),
        },
    )


def _render_order_form(request, form, lines, *, order=None, supplier=None):
    return render(
        request,
        "purchasing/purchase_order_form.html",
        {
            "form": form,
            "lines": lines,
            "order": order,
            "supplier": supplier,
            "sees_costs": sees_costs(request.user),
        },
    )


@purchasing_required
def purchase_order_create_view(request):
    """A new purchase order (a draft); `?supplier=<id>` preselects a supplier."""
    user = request.user
    _ensure_purchasing(request)
    supplier = None
    if request.GET.get("supplier"):
        supplier = found_or_404(selectors.get_supplier_for, user, request.GET["supplier"])
    if request.method == "POST" and "add_line" in request.POST:
        # "Add a line" without JavaScript: the same page again, one empty row more.
        form = PurchaseOrderForm(initial=request.POST.dict(), user=user)
        lines = line_formset(with_one_more_line(request.POST), user=user)
        return _render_order_form(request, form, lines, supplier=supplier)
    form = PurchaseOrderForm(request.POST or None, user=user, supplier=supplier)
    lines = line_formset(request.POST or None, user=user)
    if request.method == "POST" and all([form.is_valid(), lines.is_valid()]):
        added = submit(
            request,
            form,
            lambda: services.purchase_order_create(
                user=user, lines=lines.lines(), **form.service_fields()
            ),
            success=lambda added: (
                _(
                    "Purchase order %(number)s has been saved as a draft: place it when it "
                    "goes to the supplier."
                )
                % {"number": added.number}
            ),
        )
        if added:
            return redirect(added.result)
    return _render_order_form(request, form, lines, supplier=supplier)


@purchasing_required
def purchase_order_edit_view(request, pk):
    """A draft's header and lines; a placed order no longer changes."""
    user = request.user
    order = found_or_404(selectors.get_purchase_order_for, user, pk)
    _ensure_purchasing(request)
    if order.status != PurchaseOrder.Status.DRAFT:
        messages.error(request, _("Only a draft purchase order can change."))
        return redirect(order)
    current = list(selectors.purchase_order_lines(user, order))
    if request.method == "POST" and "add_line" in request.POST:
        form = PurchaseOrderForm(initial=request.POST.dict(), user=user, order=order)
        lines = line_formset(with_one_more_line(request.POST), user=user, lines=current)
        return _render_order_form(request, form, lines, order=order)
    form = PurchaseOrderForm(request.POST or None, user=user, order=order)
    lines = line_formset(request.POST or None, user=user, lines=current)
    if request.method == "POST" and all([form.is_valid(), lines.is_valid()]):
        saved = submit(
            request,
            form,
            lambda: services.purchase_order_update(
                user=user, order=order, lines=lines.lines(), **form.service_fields()
            ),
            success=lambda saved: _("%(number)s has been saved.") % {"number": saved.number},
        )
        if saved:
            return redirect(saved.result)
    return _render_order_form(request, form, lines, order=order)


def _order_detail(request, order, *, receive_form=None):
    user = request.user
    can_purchase = _can_purchase(request)
    lines = selectors.purchase_order_receipt_lines(user, order)
    receivable = selectors.purchase_order_receive_refusal(user, order) is None
    if receivable and receive_form is None:
        receive_form = ReceiveForm(lines=lines)
    return render(
        request,
        "purchasing/purchase_order_detail.html",
        {
            "order": order,
            "lines": lines,
            "slips": list(selectors.purchase_order_slips(user, order)),
            "history": selectors.purchase_order_history(user, order),
            "sees_costs": sees_costs(user),
            "can_purchase": can_purchase,
            "can_edit": can_purchase and order.status == PurchaseOrder.Status.DRAFT,
            "can_cancel": can_purchase
            and selectors.purchase_order_cancel_refusal(user, order) is None,
            "receive_form": receive_form if receivable else None,
        },
    )


@purchasing_required
@require_GET
def purchase_order_detail_view(request, pk):
    order = found_or_404(selectors.get_purchase_order_for, request.user, pk)
    return _order_detail(request, order)


@purchasing_required
@require_POST
def purchase_order_place_view(request, pk):
    order = found_or_404(selectors.get_purchase_order_for, request.user, pk)
    _ensure_purchasing(request)
    placed = submit(
        request,
        None,
        lambda: services.purchase_order_place(user=request.user, order=order),
        success=lambda placed: (
            _("Purchase order %(number)s is placed: receive the goods when they arrive.")
            % {"number": placed.number}
        ),
    )
    return redirect(placed.result if placed else order)


@purchasing_required
@require_POST
def purchase_order_cancel_view(request, pk):
    order = found_or_404(selectors.get_purchase_order_for, request.user, pk)
    _ensure_purchasing(request)
    cancelled = submit(
        request,
        None,
        lambda: services.purchase_order_cancel(user=request.user, order=order),
        success=lambda cancelled: (
            _("Purchase order %(number)s is cancelled.") % {"number": cancelled.number}
        ),
    )
    return redirect(cancelled.result if cancelled else order)


@purchasing_required
@require_POST
@submitted_once
def purchase_order_receive_view(request, pk):
    """Receive goods: an inbound slip for the quantities given, which a keeper of the
    receiving warehouse confirms; only then do they count as received."""
    user = request.user
    order = found_or_404(selectors.get_purchase_order_for, user, pk)
    _ensure_purchasing(request)
    refusal = selectors.purchase_order_receive_refusal(user, order)
    if refusal is not None:
        messages.error(request, refusal)
        return redirect(order)
    form = ReceiveForm(request.POST, lines=selectors.purchase_order_receipt_lines(user, order))
    if form.is_valid():
        try:
            slip, done_url = record_once(
                request,
                lambda: services.purchase_order_receive(
                    user=user, order=order, lines=form.service_lines()
                ),
                result_url=lambda slip: order.get_absolute_url(),
            )
        except PermissionRefused as exc:
            _refused(exc)
        except DomainError as exc:
            if exc.field == "status":
                messages.error(request, refusal_text(exc))
                return redirect(order)
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _(
                    "Inbound slip %(number)s has been written. A keeper of %(warehouse)s must "
                    "confirm it before the goods count as received."
                )
                % {"number": slip.number, "warehouse": order.warehouse.name},
            )
            return redirect(done_url)
    return _order_detail(request, order, receive_form=form)
