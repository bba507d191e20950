"""Contract and order pages: the two lists, one agreement, its forms, status steps and
attachments.

Thin: parse the input, fetch through the selectors, call one service, render. An agreement
of another company or outside the user's view is a 404, and so is every page of a kind the
company does not use (contracts or orders); one the user sees but may not change is a 403.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from banyan.agreements import selectors, services
from banyan.agreements.forms import (
    AgreementFilterForm,
    AgreementForm,
    AttachmentForm,
    CancelForm,
    QuickCancelForm,
    StatusForm,
    line_formset,
    max_lines,
    with_one_more_line,
)
from banyan.agreements.models import Agreement
from banyan.core.pagination import paginate, totals_of_page
from banyan.core.panels import agreement_view
from banyan.core.views import found_or_404, safe_next_url, submit
from banyan.customers import selectors as customer_selectors
from banyan.products import selectors as product_selectors

LIST_URLS = {Agreement.Kind.CONTRACT: "contract-list", Agreement.Kind.ORDER: "order-list"}
CREATE_URLS = {Agreement.Kind.CONTRACT: "contract-create", Agreement.Kind.ORDER: "order-create"}


def _kind_in_use(request, kind: str) -> None:
    """A page of a module the company does not use does not exist."""
    if kind not in selectors.kinds_in_use(request.user):
        raise Http404


def _agreement(request, pk, *, for_edit: bool = False) -> Agreement:
    agreement = found_or_404(selectors.get_agreement_for, request.user, pk, for_edit=for_edit)
    _kind_in_use(request, agreement.kind)
    return agreement


# --- lists --------------------------------------------------------------------------------


@login_required
@require_GET
def agreement_list_view(request, kind):
    _kind_in_use(request, kind)
    form = AgreementFilterForm(request.GET or None, user=request.user)
    agreements = selectors.agreement_list(request.user, kind=kind, **form.filters())
    page = paginate(request, agreements, per_page=form.rows_per_page())
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "agreements/agreement_list.html",
        {
            "kind": kind,
            "list_url": reverse(LIST_URLS[kind]),
            "create_url": reverse(CREATE_URLS[kind]),
            "form": form,
            "page": page,
            "totals": totals_of_page(request, page, lambda: selectors.money_figures(agreements)),
            "query": query.urlencode(),
        },
    )


# --- create and edit ----------------------------------------------------------------------


def _render_form(request, form, lines, *, kind, agreement=None, customer=None):
    return render(
        request,
        "agreements/agreement_form.html",
        {
            "kind": kind,
            "form": form,
            "lines": lines,
            "max_lines": max_lines(kind),
            "agreement": agreement,
            "customer": customer,
            "list_url": reverse(LIST_URLS[kind]),
        },
    )


@login_required
def agreement_create_view(request, kind):
    """A new contract or order; `?customer=<id>` preselects a customer the user may change."""
    _kind_in_use(request, kind)
    user = request.user
    customer = None
    if request.GET.get("customer"):
        customer = found_or_404(
            customer_selectors.get_customer_for, user, request.GET["customer"], for_edit=True
        )
    if request.method == "POST" and "add_line" in request.POST:
        # "Add a line" without JavaScript: the same page again, one empty row more.
        form = AgreementForm(initial=request.POST.dict(), user=user, kind=kind, customer=customer)
        lines = line_formset(with_one_more_line(request.POST), user=user, kind=kind)
        return _render_form(request, form, lines, kind=kind, customer=customer)
    form = AgreementForm(request.POST or None, user=user, kind=kind, customer=customer)
    lines = line_formset(request.POST or None, user=user, kind=kind)
    if request.method == "POST" and all([form.is_valid(), lines.is_valid()]):
        added = submit(
            request,
            form,
            lambda: services.agreement_create(
                user=user,
                kind=kind,
                customer=form.cleaned_data["customer"],
                lines=lines.lines(),
                **form.service_fields(),
            ),
            success=lambda agreement: (
                (
                    _("Contract %(number)s has been added.")
                    if agreement.is_contract
                    else _("Order %(number)s has been added.")
                )
                % {"number": agreement.number}
            ),
            as_403=False,
        )
        if added:
            return redirect(added.result)
    return _render_form(request, form, lines, kind=kind, customer=customer)


@login_required
def agreement_edit_view(request, pk):
    """The header while the agreement is open; the lines and whole discount while a draft."""
    agreement = _agreement(request, pk, for_edit=True)
    user = request.user
    if not agreement.is_open:
        messages.error(request, _("A completed or cancelled agreement can no longer change."))
        return redirect(agreement)
    current = list(selectors.agreement_lines(user, agreement)) if agreement.lines_editable else []
    kind = agreement.kind
    if request.method == "POST" and "add_line" in request.POST and agreement.lines_editable:
        form = AgreementForm(initial=request.POST.dict(), user=user, kind=kind, agreement=agreement)
        lines = line_formset(with_one_more_line(request.POST), user=user, kind=kind, lines=current)
        return _render_form(request, form, lines, kind=kind, agreement=agreement)
    form = AgreementForm(request.POST or None, user=user, kind=kind, agreement=agreement)
    lines = None
    if agreement.lines_editable:
        lines = line_formset(request.POST or None, user=user, kind=kind, lines=current)
    if request.method == "POST" and all([form.is_valid(), lines is None or lines.is_valid()]):
        changes = form.service_fields()
        if lines is not None:
            changes["lines"] = lines.lines()
        saved = submit(
            request,
            form,
            lambda: services.agreement_update(user=user, agreement=agreement, **changes),
            success=lambda saved: _("%(number)s has been saved.") % {"number": saved.number},
            as_403=False,
        )
        if saved:
            return redirect(saved.result)
    return _render_form(request, form, lines, kind=kind, agreement=agreement)


# --- one agreement ------------------------------------------------------------------------


@login_required
@require_GET
def agreement_detail_view(request, pk):
    agreement = _agreement(request, pk)
    user = request.user
    lines = list(selectors.agreement_lines(user, agreement))
    sees_costs = product_selectors.sees_costs(user)
    cost_total = sum((line.cost_total for line in lines), Decimal("0.00"))
    can_edit = selectors.can_edit_agreement(user, agreement)
    cancel_refusal = selectors.agreement_cancel_refusal(agreement) if can_edit else None
    can_delete = can_edit and selectors.agreement_delete_refusal(agreement) is None
    return render(
        request,
        "agreements/agreement_detail.html",
        {
            "agreement": agreement,
            "list_url": reverse(LIST_URLS[agreement.kind]),
            "lines": lines,
            "attachments": list(selectors.agreement_attachments(user, agreement)),
            "history": selectors.agreement_history(user, agreement),
            "can_edit": can_edit,
            "can_cancel": can_edit and cancel_refusal is None,
            "cancel_refusal": cancel_refusal,
            "can_delete": can_delete,
            "sees_costs": sees_costs,
            "cost_total": cost_total if sees_costs else None,
            "gross_profit": agreement.amount - cost_total if sees_costs else None,
            "attachment_form": AttachmentForm() if can_edit else None,
            "cancel_form": QuickCancelForm(auto_id="cancel_%s")
            if can_edit and not cancel_refusal
            else None,
            "today": user.company.today(),
            # The other apps' parts of the page: finance's money, plans, payments and
            # invoices, inventory's shipping, each in its slot.
            "panels": agreement_view.render_slots(request, agreement),
        },
    )


STEP_SERVICES = {
    "sign": services.agreement_sign,
    "start": services.agreement_start,
    "complete": services.agreement_complete,
}


@login_required
@require_POST
def agreement_status_view(request, pk):
    """One step forward: sign (on the date given, else the one entered, else today), start
    executing, complete."""
    agreement = _agreement(request, pk, for_edit=True)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a step: sign, start or complete."))
        return redirect(agreement)
    step = form.cleaned_data["step"]
    arguments = {"user": request.user, "agreement": agreement}
    if step == "sign":
        arguments["signed_on"] = form.cleaned_data["signed_on"]
    text = {
        "sign": _("%(number)s is signed."),
        "start": _("%(number)s is now executing."),
        "complete": _("%(number)s is completed."),
    }[step]
    stepped = submit(
        request,
        None,
        lambda: STEP_SERVICES[step](**arguments),
        success=lambda stepped: text % {"number": stepped.number},
        labels={"signed_on": _("Signing date")},
        as_403=False,
    )
    return redirect(stepped.result if stepped else agreement)


@login_required
def agreement_cancel_view(request, pk):
    """Cancel with a reason: the form on the agreement's page posts here; a refusal comes
    back on this page with what was typed."""
    agreement = _agreement(request, pk, for_edit=True)
    form = CancelForm(request.POST or None)
    cancelled = submit(
        request,
        form,
        lambda: services.agreement_cancel(
            user=request.user, agreement=agreement, reason=form.cleaned_data["reason"]
        ),
        success=lambda cancelled: _("%(number)s is cancelled.") % {"number": cancelled.number},
        as_403=False,
    )
    if cancelled:
        return redirect(cancelled.result)
    return render(
        request,
        "agreements/agreement_cancel.html",
        {"agreement": agreement, "form": form, "list_url": reverse(LIST_URLS[agreement.kind])},
    )


@login_required
@require_POST
def agreement_delete_view(request, pk):
    """Drafts only; anything further along is cancelled instead."""
    agreement = _agreement(request, pk, for_edit=True)
    if not submit(
        request,
        None,
        lambda: services.agreement_delete(user=request.user, agreement=agreement),
        success=_("%(number)s has been deleted.") % {"number": agreement.number},
        as_403=False,
    ):
        return redirect(agreement)
    return redirect(safe_next_url(request, reverse(LIST_URLS[agreement.kind])))


# --- attachments --------------------------------------------------------------------------


@login_required
@require_POST
def attachment_add_view(request, pk):
    agreement = _agreement(request, pk, for_edit=True)
    form = AttachmentForm(request.POST, request.FILES)
    upload = form.cleaned_data.get("file") if form.is_valid() else None
    submit(
        request,
        None,
        lambda: services.attachment_add(user=request.user, agreement=agreement, upload=upload),
        success=lambda attachment: _("%(name)s is attached.") % {"name": attachment.name},
        labels={"file": _("File")},
        as_403=False,
    )
    return redirect(f"{agreement.get_absolute_url()}#attachments")


@login_required
@require_GET
def attachment_download_view(request, pk):
    """The file under its original name, for anyone who sees the agreement."""
    attachment = found_or_404(selectors.get_attachment_for, request.user, pk)
    _kind_in_use(request, attachment.agreement.kind)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )


@login_required
@require_POST
def attachment_delete_view(request, pk):
    attachment = found_or_404(selectors.get_attachment_for, request.user, pk, for_edit=True)
    agreement = attachment.agreement
    _kind_in_use(request, agreement.kind)
    submit(
        request,
        None,
        lambda: services.attachment_delete(user=request.user, attachment=attachment),
        success=_("%(name)s has been removed.") % {"name": attachment.name},
        as_403=False,
    )
    return redirect(f"{agreement.get_absolute_url()}#attachments")
