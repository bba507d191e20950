"""Inventory pages: warehouses, stock, low stock, the movement ledger, stock slips and the
keeper's queue, stocktakes, shipments, and an order's outbound slip and shipping forms.

Thin: parse the input, fetch through the selectors, call one service, render. Every page
but the order's shipping is gone (404) when the company does not use inventory; shipments
belong to orders and follow the orders module. Another company's record, or one outside
the user's view, is a 404; one they see but may not act on is a 403 with the reason.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from banyan.agreements import selectors as agreement_selectors
from banyan.agreements.models import Agreement
from banyan.core.idempotency import record_once, submitted_once
from banyan.core.pagination import paginate
from banyan.core.panels import slip_view
from banyan.core.views import found_or_404, module_required, submit
from banyan.inventory import selectors, services
from banyan.inventory.forms import (
    InitialStockForm,
    MovementFilterForm,
    OutboundForm,
    RejectForm,
    ShipmentFilterForm,
    ShipmentForm,
    SlipFilterForm,
    SlipForm,
    StockFilterForm,
    StocktakeCountForm,
    StocktakeFilterForm,
    StocktakeStartForm,
    WarehouseForm,
    product_line_formset,
    with_one_more_line,
)
from banyan.inventory.models import StockSlip, Stocktake
from banyan.products import selectors as product_selectors

STOCKTAKE_LINES_PER_PAGE = 100


inventory_required = module_required("uses_inventory")
orders_required = module_required("uses_orders")


def _ensure_warehouse_admin(request) -> None:
    if not request.user.is_account_admin:
        raise PermissionDenied(_("Only an administrator boss manages warehouses."))


def _ensure_keeper_of(request, warehouse) -> None:
    if not selectors.keeps(request.user, warehouse):
        raise PermissionDenied(
            _("Only a keeper of %(warehouse)s may do this.") % {"warehouse": warehouse.name}
        )


def _ensure_keeper(request) -> None:
    if not selectors.is_keeper(request.user):
        raise PermissionDenied(_("Only warehouse keepers may do this."))


# --- warehouses ---------------------------------------------------------------------------


@inventory_required
@require_GET
def warehouse_list_view(request):
    page = paginate(request, selectors.warehouse_list(request.user), per_page=50)
    return render(
        request,
        "inventory/warehouse_list.html",
        {
            "page": page,
            "can_manage": request.user.is_account_admin,
            "kept_ids": selectors.kept_warehouse_ids(request.user),
        },
    )


@inventory_required
def warehouse_create_view(request):
    _ensure_warehouse_admin(request)
    form = WarehouseForm(request.POST or None, user=request.user)
    added = submit(
        request,
        form,
        lambda: services.warehouse_create(user=request.user, **form.service_fields()),
        success=lambda added: _("Warehouse %(name)s has been added.") % {"name": added.name},
    )
    if added:
        return redirect(added.result)
    return render(request, "inventory/warehouse_form.html", {"form": form, "warehouse": None})


@inventory_required
def warehouse_edit_view(request, pk):
    warehouse = found_or_404(selectors.get_warehouse_for, request.user, pk)
    _ensure_warehouse_admin(request)
    form = WarehouseForm(request.POST or None, user=request.user, warehouse=warehouse)
    saved = submit(
        request,
        form,
        lambda: services.warehouse_update(
            user=request.user, warehouse=warehouse, **form.service_fields()
        ),
        success=lambda saved: _("%(name)s has been saved.") % {"name": saved.name},
    )
    if saved:
        return redirect(saved.result)
    return render(request, "inventory/warehouse_form.html", {"form": form, "warehouse": warehouse})


@inventory_required
@require_GET
def warehouse_detail_view(request, pk):
    user = request.user
    warehouse = found_or_404(selectors.get_warehouse_for, user, pk)
    levels = selectors.stock_levels(user, warehouse_id=warehouse.pk)
    page = paginate(request, levels, per_page=50)
    sees_costs = product_selectors.sees_costs(user)
    keeper = selectors.keeps(user, warehouse)
    return render(
        request,
        "inventory/warehouse_detail.html",
        {
            "warehouse": warehouse,
            "keepers": list(warehouse.keepers.all()),
            "page": page,
            "levels": selectors.with_values(page.object_list) if sees_costs else page.object_list,
            "sees_costs": sees_costs,
            "stock_value": selectors.stock_value_total(levels) if sees_costs else None,
            "open_slips": list(
                selectors.slip_list(user, warehouse_id=warehouse.pk, status=StockSlip.Status.DRAFT)[
                    :50
                ]
            ),
            "is_warehouse_keeper": keeper,
            "open_stocktake": selectors.open_stocktake(user, warehouse),
            "can_manage": user.is_account_admin,
        },
    )


@inventory_required
@submitted_once
def warehouse_initial_stock_view(request, pk):
    """A keeper enters the stock the warehouse starts with (product + quantity rows)."""
    user = request.user
    warehouse = found_or_404(selectors.get_warehouse_for, user, pk)
    _ensure_keeper_of(request, warehouse)
    data = request.POST if request.method == "POST" else None
    adding_line = data is not None and "add_line" in data
    if adding_line:
        data = with_one_more_line(data)
    form = InitialStockForm(data)
    lines = product_line_formset(data, user=user)
    if data is not None and not adding_line and form.is_valid() and lines.is_valid():
        entered = submit(
            request,
            form,
            lambda: record_once(
                request,
                lambda: services.initial_stock(
                    user=user,
                    warehouse=warehouse.pk,
                    lines=lines.lines(),
                    note=form.cleaned_data["note"],
                ),
                result_url=lambda _nothing: warehouse.get_absolute_url(),
            ),
            success=_("The initial stock of %(warehouse)s has been entered.")
            % {"warehouse": warehouse.name},
        )
        if entered:
            _nothing, done_url = entered.result
            return redirect(done_url)
    return render(
        request,
        "inventory/initial_stock.html",
        {"warehouse": warehouse, "form": form, "lines": lines},
    )


# --- stock --------------------------------------------------------------------------------


@inventory_required
@require_GET
def stock_list_view(request):
    user = request.user
    form = StockFilterForm(request.GET or None, warehouses=list(selectors.company_warehouses(user)))
    levels = selectors.stock_levels(user, **form.filters())
    page = paginate(request, levels, per_page=form.rows_per_page())
    sees_costs = product_selectors.sees_costs(user)
    return render(
        request,
        "inventory/stock_list.html",
        {
            "form": form,
            "page": page,
            "levels": selectors.with_values(page.object_list) if sees_costs else page.object_list,
            "sees_costs": sees_costs,
            "stock_value": selectors.stock_value_total(levels) if sees_costs else None,
        },
    )


@inventory_required
@require_GET
def low_stock_view(request):
    page = paginate(request, selectors.low_stock_products(request.user), per_page=50)
    return render(request, "inventory/low_stock.html", {"page": page})


@inventory_required
@require_GET
def movement_list_view(request):
    user = request.user
    found_or_404(selectors.ensure_sees_stock_papers, user)
    form = MovementFilterForm(
        request.GET or None, warehouses=list(selectors.company_warehouses(user))
    )
    page = paginate(request, selectors.movements(user, **form.filters()), per_page=50)
    return render(
        request,
        "inventory/movement_list.html",
        {"form": form, "page": page},
    )


# --- slips --------------------------------------------------------------------------------


@inventory_required
@require_GET
def slip_list_view(request):
    user = request.user
    form = SlipFilterForm(request.GET or None, warehouses=list(selectors.company_warehouses(user)))
    page = paginate(request, selectors.slip_list(user, **form.filters()), per_page=50)
    return render(
        request,
        "inventory/slip_list.html",
        {
            "form": form,
            "page": page,
            "is_keeper": selectors.is_keeper(user),
        },
    )


@inventory_required
@require_GET
def slip_queue_view(request):
    """The keeper's queue: slips of the warehouses they keep waiting for a decision."""
    _ensure_keeper(request)
    user = request.user
    page = paginate(request, selectors.slips_to_confirm(user), per_page=50)
    return render(
        request,
        "inventory/slip_queue.html",
        {
            "page": page,
            "low_stock_count": selectors.low_stock_products(user).count(),
        },
    )


def _slip_detail(request, slip, *, reject_form=None):
    user = request.user
    can_decide = slip.status == StockSlip.Status.DRAFT and selectors.keeps(user, slip.warehouse)
    return render(
        request,
        "inventory/slip_detail.html",
        {
            "slip": slip,
            "lines": list(selectors.slip_lines(user, slip)),
            "movements": list(selectors.movements(user, slip_id=slip.pk)),
            "can_decide": can_decide,
            "reject_form": (reject_form or RejectForm()) if can_decide else None,
            "order_visible": selectors.sees_order(user, slip.agreement_id),
            # Rows other apps add to the details (a purchase order's number, by purchasing).
            "detail_rows": slip_view.render(request, slip),
        },
    )


@inventory_required
@require_GET
def slip_detail_view(request, pk):
    return _slip_detail(request, found_or_404(selectors.get_slip_for, request.user, pk))


@inventory_required
@require_POST
def slip_confirm_view(request, pk):
    slip = found_or_404(selectors.get_slip_for, request.user, pk)
    confirmed = submit(
        request,
        None,
        lambda: services.slip_confirm(user=request.user, slip=slip),
        success=lambda confirmed: _("Slip %(number)s is confirmed.") % {"number": confirmed.number},
    )
    return redirect(confirmed.result if confirmed else slip)


@inventory_required
@require_POST
def slip_reject_view(request, pk):
    slip = found_or_404(selectors.get_slip_for, request.user, pk)
    _ensure_keeper_of(request, slip.warehouse)
    form = RejectForm(request.POST)
    rejected = submit(
        request,
        form,
        lambda: services.slip_reject(
            user=request.user, slip=slip, reason=form.cleaned_data["reason"]
        ),
        success=lambda rejected: _("Slip %(number)s is rejected.") % {"number": rejected.number},
    )
    if rejected:
        return redirect(rejected.result)
    return _slip_detail(request, slip, reject_form=form)


@inventory_required
@submitted_once
def slip_create_view(request):
    """A slip by hand, `?kind=inbound|outbound`: a keeper, for a warehouse they keep."""
    user = request.user
    kind = request.GET.get("kind") or StockSlip.Kind.INBOUND
    if kind not in StockSlip.Kind.values:
        raise Http404
    _ensure_keeper(request)
    data = request.POST if request.method == "POST" else None
    adding_line = data is not None and "add_line" in data
    if adding_line:
        data = with_one_more_line(data)
    form = SlipForm(data, user=user, kind=kind)
    lines = product_line_formset(data, user=user)
    if data is not None and not adding_line and form.is_valid() and lines.is_valid():
        created = submit(
            request,
            form,
            lambda: record_once(
                request,
                lambda: services.slip_create(
                    user=user,
                    kind=kind,
                    warehouse=form.cleaned_data["warehouse"],
                    lines=lines.lines(),
                    reason=form.cleaned_data["reason"],
                ),
                result_url=lambda slip: slip.get_absolute_url(),
            ),
            success=lambda created: (
                _("Slip %(number)s is waiting for confirmation.") % {"number": created[0].number}
            ),
            as_403=False,
        )
        if created:
            _slip, done_url = created.result
            return redirect(done_url)
    return render(
        request,
        "inventory/slip_form.html",
        {
            "form": form,
            "lines": lines,
            "kind": kind,
        },
    )


# --- stocktakes ---------------------------------------------------------------------------


@inventory_required
@require_GET
def stocktake_list_view(request):
    user = request.user
    found_or_404(selectors.ensure_sees_stock_papers, user)
    form = StocktakeFilterForm(
        request.GET or None, warehouses=list(selectors.company_warehouses(user))
    )
    page = paginate(request, selectors.stocktake_list(user, **form.filters()), per_page=50)
    return render(
        request,
        "inventory/stocktake_list.html",
        {
            "form": form,
            "page": page,
            "is_keeper": selectors.is_keeper(user),
        },
    )


@inventory_required
@submitted_once
def stocktake_create_view(request):
    """Start a count of a warehouse the keeper keeps (GET: choose it; POST: start)."""
    _ensure_keeper(request)
    user = request.user
    form = StocktakeStartForm(request.POST or None, user=user)
    started = submit(
        request,
        form,
        lambda: record_once(
            request,
            lambda: services.stocktake_start(
                user=user,
                warehouse=form.cleaned_data["warehouse"],
                note=form.cleaned_data["note"],
            ),
            result_url=lambda stocktake: stocktake.get_absolute_url(),
        ),
        success=lambda started: (
            _("Stocktake %(number)s has started: count every product.")
            % {"number": started[0].number}
        ),
    )
    if started:
        _stocktake, done_url = started.result
        return redirect(done_url)
    return render(request, "inventory/stocktake_form.html", {"form": form})


@inventory_required
def stocktake_detail_view(request, pk):
    """The count sheet: book quantity, counted quantity, difference and reason per line; a
    keeper of the warehouse counts while it is open (page by page)."""
    user = request.user
    stocktake = found_or_404(selectors.get_stocktake_for, user, pk)
    can_count = stocktake.status == Stocktake.Status.DRAFT and selectors.keeps(
        user, stocktake.warehouse
    )
    if request.method == "POST" and not can_count:
        if stocktake.status != Stocktake.Status.DRAFT:
            messages.error(request, _("This stocktake is already confirmed."))
            return redirect(stocktake)
        _ensure_keeper_of(request, stocktake.warehouse)
    page = paginate(
        request,
        selectors.stocktake_lines(user, stocktake).order_by("product__code", "id"),
        per_page=STOCKTAKE_LINES_PER_PAGE,
    )
    form = None
    if can_count:
        form = StocktakeCountForm(
            request.POST if request.method == "POST" else None, lines=page.object_list
        )
        if submit(
            request,
            form,
            lambda: services.stocktake_count(user=user, stocktake=stocktake, counts=form.counts()),
            success=_("The counts have been saved."),
        ):
            url = stocktake.get_absolute_url()
            if page.number > 1:
                url += "?" + urlencode({"page": page.number})
            return redirect(url)
    return render(
        request,
        "inventory/stocktake_detail.html",
        {
            "stocktake": stocktake,
            "page": page,
            "lines": page.object_list if form is None else None,
            "form": form,
            "can_count": can_count,
            "progress": selectors.stocktake_progress(user, stocktake),
        },
    )


@inventory_required
@require_POST
def stocktake_confirm_view(request, pk):
    stocktake = found_or_404(selectors.get_stocktake_for, request.user, pk)
    confirmed = submit(
        request,
        None,
        lambda: services.stocktake_confirm(user=request.user, stocktake=stocktake),
        success=lambda confirmed: (
            _("Stocktake %(number)s is confirmed: the differences are now in stock.")
            % {"number": confirmed.number}
        ),
    )
    return redirect(confirmed.result if confirmed else stocktake)


# --- orders: outbound slips and shipments -------------------------------------------------


def _order(request, pk) -> Agreement:
    """An order the user may change: 404 if not visible (or not an order), 403 if only seen."""
    order = found_or_404(agreement_selectors.get_agreement_for, request.user, pk, for_edit=True)
    if order.kind != Agreement.Kind.ORDER:
        raise Http404
    return order


def _order_url(order) -> str:
    return order.get_absolute_url() + "#panel-shipping"


@module_required("uses_orders", "uses_inventory")
@require_POST
@submitted_once
def order_outbound_view(request, pk):
    """Ask for the outbound slip of an order's stock items, from the chosen warehouse."""
    order = _order(request, pk)
    form = OutboundForm(request.POST, warehouses=selectors.company_warehouses(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose a warehouse from the list."))
        return redirect(_order_url(order))
    submit(
        request,
        None,
        lambda: record_once(
            request,
            lambda: services.slip_from_order(
                user=request.user, agreement=order, warehouse=form.cleaned_data["warehouse"]
            ),
            result_url=lambda slip: _order_url(order),
        ),
        success=lambda asked: (
            _("Outbound slip %(number)s is waiting for a keeper of %(warehouse)s.")
            % {"number": asked[0].number, "warehouse": asked[0].warehouse.name}
        ),
    )
    return redirect(_order_url(order))


@orders_required
@submitted_once
def order_ship_view(request, pk):
    """Ship an order: carrier, tracking number, date and the quantity of each line."""
    user = request.user
    order = _order(request, pk)
    shipping = selectors.order_shipping(user, order)
    form = ShipmentForm(
        request.POST or None,
        shipping=shipping,
        today=timezone.localdate(timezone=user.company.zone),
    )
    shipped = submit(
        request,
        form,
        lambda: record_once(
            request,
            lambda: services.shipment_create(user=user, agreement=order, **form.service_fields()),
            result_url=lambda shipment: _order_url(order),
        ),
        success=_("The shipment of %(number)s is recorded.") % {"number": order.number},
    )
    if shipped:
        _shipment, done_url = shipped.result
        return redirect(done_url)
    return render(
        request,
        "inventory/order_ship.html",
        {
            "order": order,
            "form": form,
            "state": selectors.shipping_state(shipping),
            "can_ship": order.status in (Agreement.Status.SIGNED, Agreement.Status.EXECUTING)
            and any(entry.shippable > 0 for entry in shipping),
            "uses_inventory": user.company.uses_inventory,
        },
    )


@orders_required
@require_GET
def shipment_list_view(request):
    form = ShipmentFilterForm(request.GET or None)
    shipments = selectors.shipment_list(request.user, with_lines=True, **form.filters())
    page = paginate(request, shipments, per_page=50)
    return render(
        request,
        "inventory/shipment_list.html",
        {"form": form, "page": page},
    )
