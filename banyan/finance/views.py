"""Money pages: payment plans, payments (a ledger: recorded and reversed, never edited) and
invoices, the finance desk, and the lists of receivables, payments and invoices.

Thin: parse the input, fetch through the selectors, call one service, render. Another
company's or an invisible record is a 404; a visible one the user may not act on is a 403
with the reason. Every form goes back to the agreement's page when it succeeds.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from banyan.agreements import selectors as agreement_selectors
from banyan.core.errors import DomainError
from banyan.core.idempotency import record_once, submitted_once
from banyan.core.pagination import paginate, totals_of_page
from banyan.core.views import found_or_404, module_required, submit
from banyan.finance import selectors, services
from banyan.finance.forms import (
    InvoiceFilterForm,
    InvoiceForm,
    PaymentFilterForm,
    PaymentForm,
    PlanFilterForm,
    PlanForm,
    ReverseForm,
)

# Logged in (else the login page), in a company that uses contracts or orders (else 404:
# without agreements there is no money to follow).
money_pages = module_required("uses_contracts", "uses_orders", any_of=True)


def _ensure_finance(request) -> None:
    if not selectors.can_record_money(request.user):
        raise PermissionDenied(
            _("Only users with the finance permission record payments and invoices.")
        )


def _money(value) -> str:
    return "¥" + number_format(value, decimal_pos=2, force_grouping=True)


def _agreement(request, pk, *, for_edit: bool = False):
    return found_or_404(agreement_selectors.get_agreement_for, request.user, pk, for_edit=for_edit)


def _plan_for_edit(request, pk):
    """A visible plan (else 404) whose agreement the user may change (else 403, saying why)."""
    plan = found_or_404(selectors.get_plan_for, request.user, pk)
    plan.agreement = _agreement(request, plan.agreement_id, for_edit=True)
    return plan


# --- payment plans ------------------------------------------------------------------------


@money_pages
@submitted_once
def plan_create_view(request, agreement_pk):
    agreement = _agreement(request, agreement_pk, for_edit=True)
    form = PlanForm(request.POST or None)
    added = submit(
        request,
        form,
        lambda: record_once(
            request,
            lambda: services.plan_create(
                user=request.user, agreement=agreement, **form.service_fields()
            ),
            result_url=lambda plan: agreement.get_absolute_url(),
        ),
        success=lambda added: (
            _("An instalment of %(amount)s due %(date)s has been added.")
            % {"amount": _money(added[0].amount), "date": added[0].due_on.isoformat()}
        ),
        as_403=False,
    )
    if added:
        _plan, done_url = added.result
        return redirect(done_url)
    return render(
        request,
        "finance/plan_form.html",
        {
            "form": form,
            "agreement": agreement,
            "plan": None,
            "money": selectors.agreement_money(request.user, agreement),
        },
    )


@money_pages
def plan_edit_view(request, pk):
    plan = _plan_for_edit(request, pk)
    agreement = plan.agreement
    form = PlanForm(request.POST or None, plan=plan)
    if submit(
        request,
        form,
        lambda: services.plan_update(user=request.user, plan=plan, **form.service_fields()),
        success=lambda saved: (
            _("The instalment due %(date)s has been saved.") % {"date": saved.due_on.isoformat()}
        ),
        as_403=False,
    ):
        return redirect(agreement)
    return render(
        request,
        "finance/plan_form.html",
        {
            "form": form,
            "agreement": agreement,
            "plan": plan,
            "money": selectors.agreement_money(request.user, agreement),
        },
    )


@money_pages
def plan_delete_view(request, pk):
    """GET asks for confirmation (a page that works without JavaScript); POST deletes."""
    plan = _plan_for_edit(request, pk)
    agreement = plan.agreement
    if request.method != "POST":
        return render(request, "finance/plan_delete.html", {"plan": plan, "agreement": agreement})
    submit(
        request,
        None,
        lambda: services.plan_delete(user=request.user, plan=plan),
        success=_("The instalment due %(date)s has been deleted.")
        % {"date": plan.due_on.isoformat()},
        as_403=False,
    )
    return redirect(agreement)


# --- payments -----------------------------------------------------------------------------


@money_pages
@submitted_once
def payment_create_view(request, agreement_pk):
    agreement = _agreement(request, agreement_pk)
    _ensure_finance(request)
    form = PaymentForm(
        request.POST or None,
        user=request.user,
        agreement=agreement,
        plan_id=request.GET.get("plan"),
    )

    def record():
        try:
            return record_once(
                request,
                lambda: services.payment_record(
                    user=request.user, agreement=agreement, **form.service_fields()
                ),
                result_url=lambda payment: agreement.get_absolute_url(),
            )
        except DomainError as exc:
            if exc.code == "overpayment":
                form.offer_overpayment_confirmation()
            raise

    recorded = submit(
        request,
        form,
        record,
        success=lambda recorded: (
            _("A payment of %(amount)s on %(number)s has been recorded.")
            % {"amount": _money(recorded[0].amount), "number": agreement.number}
        ),
        as_403=False,
    )
    if recorded:
        _payment, done_url = recorded.result
        return redirect(done_url)
    return render(
        request,
        "finance/payment_form.html",
        {
            "form": form,
            "agreement": agreement,
            "money": selectors.agreement_money(request.user, agreement),
        },
    )


@money_pages
@require_GET
def payment_detail_view(request, pk):
    """One ledger entry. There is no edit or delete page: a mistake is reversed."""
    payment = found_or_404(selectors.get_payment_for, request.user, pk)
    reversal = None if payment.is_reversal else selectors.payment_reversal(request.user, payment)
    return render(
        request,
        "finance/payment_detail.html",
        {
            "payment": payment,
            "reversal": reversal,
            "history": selectors.payment_history(request.user, payment),
            "can_reverse": selectors.payment_reverse_refusal(
                request.user,
                payment,
                agreement=payment.agreement,
                reversed_ids={payment.pk} if reversal else set(),
            )
            is None,
        },
    )


@money_pages
@submitted_once
def payment_reverse_view(request, pk):
    payment = found_or_404(selectors.get_payment_for, request.user, pk)
    _ensure_finance(request)
    form = ReverseForm(request.POST or None)
    reversed_ = submit(
        request,
        form,
        lambda: record_once(
            request,
            lambda: services.payment_reverse(
                user=request.user, payment=payment, **form.service_fields()
            ),
            result_url=lambda reversal: payment.agreement.get_absolute_url(),
        ),
        success=lambda reversed_: (
            _("The payment of %(amount)s has been reversed.")
            % {"amount": _money(-reversed_[0].amount)}
        ),
        as_403=False,
    )
    if reversed_:
        _reversal, done_url = reversed_.result
        return redirect(done_url)
    reversal = None if payment.is_reversal else selectors.payment_reversal(request.user, payment)
    refusal = selectors.payment_reverse_refusal(
        request.user,
        payment,
        agreement=payment.agreement,
        reversed_ids={payment.pk} if reversal else set(),
    )
    return render(
        request,
        "finance/payment_reverse.html",
        {"form": form, "payment": payment, "reversal": reversal, "refusal": refusal},
    )


# --- invoices -----------------------------------------------------------------------------


@money_pages
@submitted_once
def invoice_create_view(request, agreement_pk):
    agreement = _agreement(request, agreement_pk)
    _ensure_finance(request)
    form = InvoiceForm(request.POST or None, user=request.user, agreement=agreement)
    recorded = submit(
        request,
        form,
        lambda: record_once(
            request,
            lambda: services.invoice_create(
                user=request.user, agreement=agreement, **form.service_fields()
            ),
            result_url=lambda invoice: agreement.get_absolute_url(),
        ),
        success=lambda recorded: (
            _("Invoice %(number)s of %(amount)s has been recorded.")
            % {"number": recorded[0].number, "amount": _money(recorded[0].amount)}
        ),
        as_403=False,
    )
    if recorded:
        _invoice, done_url = recorded.result
        return redirect(done_url)
    return render(
        request,
        "finance/invoice_form.html",
        {
            "form": form,
            "agreement": agreement,
            "invoice": None,
            "money": selectors.agreement_money(request.user, agreement),
        },
    )


@money_pages
def invoice_edit_view(request, pk):
    invoice = found_or_404(selectors.get_invoice_for, request.user, pk)
    _ensure_finance(request)
    agreement = invoice.agreement
    form = InvoiceForm(
        request.POST or None, user=request.user, agreement=agreement, invoice=invoice
    )
    if submit(
        request,
        form,
        lambda: services.invoice_update(
            user=request.user, invoice=invoice, **form.service_fields()
        ),
        success=lambda saved: _("Invoice %(number)s has been saved.") % {"number": saved.number},
        as_403=False,
    ):
        return redirect(agreement)
    return render(
        request,
        "finance/invoice_form.html",
        {
            "form": form,
            "agreement": agreement,
            "invoice": invoice,
            "money": selectors.agreement_money(request.user, agreement),
        },
    )


@money_pages
def invoice_delete_view(request, pk):
    """GET asks for confirmation; POST deletes (the invoice's history keeps what it was)."""
    invoice = found_or_404(selectors.get_invoice_for, request.user, pk)
    _ensure_finance(request)
    agreement = invoice.agreement
    if request.method != "POST":
        return render(
            request, "finance/invoice_delete.html", {"invoice": invoice, "agreement": agreement}
        )
    submit(
        request,
        None,
        lambda: services.invoice_delete(user=request.user, invoice=invoice),
        success=_("Invoice %(number)s has been deleted.") % {"number": invoice.number},
        as_403=False,
    )
    return redirect(agreement)


# --- the finance desk and the lists -------------------------------------------------------


@money_pages
@require_GET
def finance_home_view(request):
    """What finance has to record: agreements with money to collect, and payments not yet
    invoiced. Each list pages on its own."""
    if not selectors.can_record_money(request.user):
        raise PermissionDenied(_("Only users with the finance permission open the finance desk."))
    to_collect = paginate(
        request, selectors.agreements_to_collect(request.user), page_param="collect_page"
    )
    to_invoice = paginate(
        request, selectors.agreements_to_invoice(request.user), page_param="invoice_page"
    )
    states = selectors.money_of_agreements(request.user, to_collect.object_list)
    return render(
        request,
        "finance/home.html",
        {
            "to_collect": to_collect,
            "collect_rows": [(a, states[a.pk]) for a in to_collect.object_list],
            "to_invoice": to_invoice,
        },
    )


def _query_without(request, param: str) -> str:
    query = request.GET.copy()
    query.pop(param, None)
    return query.urlencode()


def _list_page(request, template: str, form, rows, totals):
    page = paginate(request, rows, per_page=form.rows_per_page())
    totals = totals_of_page(request, page, lambda: totals(rows))
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "totals": totals,
            "query": _query_without(request, "page"),
            "today": selectors.today_for(request.user),
            "can_record_money": selectors.can_record_money(request.user),
        },
    )


@money_pages
@require_GET
def plan_list_view(request):
    """Receivables: every instalment the user sees, with its state."""
    form = PlanFilterForm(request.GET or None, user=request.user)
    plans = selectors.plan_list(request.user, **form.filters())
    return _list_page(request, "finance/plan_list.html", form, plans, selectors.plan_totals)


@money_pages
@require_GET
def payment_list_view(request):
    form = PaymentFilterForm(request.GET or None, user=request.user)
    payments = selectors.payment_list(request.user, **form.filters())
    return _list_page(
        request, "finance/payment_list.html", form, payments, selectors.payment_totals
    )


@money_pages
@require_GET
def invoice_list_view(request):
    form = InvoiceFilterForm(request.GET or None, user=request.user)
    invoices = selectors.invoice_list(request.user, **form.filters())
    return _list_page(
        request, "finance/invoice_list.html", form, invoices, selectors.invoice_totals
    )
