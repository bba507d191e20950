"""Opportunity pages: the list, the pipeline board, one opportunity, and its forms.

Thin: parse the input, fetch through the selectors, call one service, render. Another
company's or an invisible opportunity is a 404; a visible one the user may not change is a 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from banyan.accounts.views.users import refusal_text
from banyan.core.errors import DomainError, NotFound, PermissionRefused
from banyan.core.pagination import paginate, totals_of_page
from banyan.core.views import found_or_404, module_required, safe_next_url, submit
from banyan.customers import selectors as customer_selectors
from banyan.opportunities import selectors, services
from banyan.opportunities.forms import (
    BoardFilterForm,
    CloseForm,
    MoveForm,
    OpportunityFilterForm,
    OpportunityForm,
)

# Logged in (else the login page), in a company that tracks opportunities (else 404).
opportunities_required = module_required("uses_opportunity_tracking")


def _opportunity(request, pk, *, for_edit: bool = False):
    return found_or_404(selectors.get_opportunity_for, request.user, pk, for_edit=for_edit)


def _customer(request, pk, *, for_edit: bool = False):
    return found_or_404(customer_selectors.get_customer_for, request.user, pk, for_edit=for_edit)


@opportunities_required
def opportunity_list_view(request):
    form = OpportunityFilterForm(request.GET or None, user=request.user)
    opportunities = selectors.opportunity_list(request.user, **form.filters())
    page = paginate(request, opportunities, per_page=form.rows_per_page())
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "opportunities/opportunity_list.html",
        {
            "form": form,
            "page": page,
            "totals": totals_of_page(
                request, page, lambda: selectors.opportunity_totals(opportunities)
            ),
            "query": query.urlencode(),
        },
    )


def _board_context(request, owner_id) -> dict:
    return {
        "board": selectors.pipeline_board(request.user, owner_id=owner_id),
        "board_owner": owner_id or "",
    }


@opportunities_required
def pipeline_view(request):
    form = BoardFilterForm(request.GET or None, user=request.user)
    context = _board_context(request, form.owner_id())
    context["form"] = form
    return render(request, "opportunities/pipeline.html", context)


@opportunities_required
@require_POST
def opportunity_move_view(request, pk):
    """The board's move (drag or stage select). htmx gets the board back, re-rendered from
    the database, so a refused move puts the card back where it was; with a status that says
    why (400, 403, 404). Without htmx: a message and back to the board."""
    form = MoveForm(request.POST)
    board_filter = BoardFilterForm({"owner": request.POST.get("board_owner")}, user=request.user)
    owner_id = board_filter.owner_id()
    status, level, text = 200, "success", ""
    try:
        opportunity = selectors.get_opportunity_for(request.user, pk, for_edit=True)
        if not form.is_valid():
            raise DomainError(_("Choose a stage from the list."), field="stage")
        opportunity = services.opportunity_move_stage(
            user=request.user,
            opportunity=opportunity,
            stage=form.cleaned_data["stage"],
            position=form.cleaned_data.get("position"),
            probability=form.cleaned_data.get("probability"),
            before=request.POST.get("before") or None,
        )
        text = _("%(name)s is now in %(stage)s (%(probability)d%%).") % {
            "name": opportunity.name,
            "stage": opportunity.stage.display_label,
            "probability": opportunity.probability,
        }
    except NotFound:
        if not request.htmx:
            raise Http404 from None
        status, level, text = 404, "danger", _("This opportunity is not available to you.")
    except PermissionRefused as exc:
        status, level, text = 403, "danger", refusal_text(exc)
    except DomainError as exc:
        status, level, text = 400, "danger", refusal_text(exc)
    if request.htmx:
        context = _board_context(request, owner_id)
        context.update({"feedback": text, "feedback_level": level})
        return render(request, "opportunities/_board_response.html", context, status=status)
    if status == 403:
        raise PermissionDenied(text)
    (messages.success if status == 200 else messages.error)(request, text)
    url = reverse("opportunity-pipeline")
    if owner_id:
        url += "?" + urlencode({"owner": owner_id})
    return redirect(url)


@opportunities_required
def opportunity_detail_view(request, pk):
    opportunity = _opportunity(request, pk)
    return render(
        request,
        "opportunities/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "history": selectors.stage_history(request.user, opportunity),
            "can_edit": selectors.can_edit_opportunity(request.user, opportunity),
        },
    )


@opportunities_required
def opportunity_create_view(request, customer_pk):
    customer = _customer(request, customer_pk, for_edit=True)
    form = OpportunityForm(request.POST or None, user=request.user, customer=customer)
    added = submit(
        request,
        form,
        lambda: services.opportunity_create(
            user=request.user, customer=customer, **form.service_fields()
        ),
        success=lambda added: _("Opportunity %(name)s has been added.") % {"name": added.name},
        as_403=False,
    )
    if added:
        return redirect(added.result)
    return render(
        request,
        "opportunities/opportunity_form.html",
        {"form": form, "customer": customer, "opportunity": None},
    )


@opportunities_required
def opportunity_edit_view(request, pk):
    opportunity = _opportunity(request, pk, for_edit=True)
    form = OpportunityForm(
        request.POST or None,
        user=request.user,
        customer=opportunity.customer,
        opportunity=opportunity,
    )
    saved = submit(
        request,
        form,
        lambda: services.opportunity_update(
            user=request.user, opportunity=opportunity, **form.service_fields()
        ),
        success=lambda saved: _("%(name)s has been saved.") % {"name": saved.name},
        as_403=False,
    )
    if saved:
        return redirect(saved.result)
    return render(
        request,
        "opportunities/opportunity_form.html",
        {"form": form, "customer": opportunity.customer, "opportunity": opportunity},
    )


def _close_view(request, pk, *, won: bool):
    opportunity = _opportunity(request, pk, for_edit=True)
    form = CloseForm(request.POST or None, reason_required=not won)
    service = services.opportunity_mark_won if won else services.opportunity_mark_lost
    text = _("%(name)s is marked won.") if won else _("%(name)s is marked lost.")
    closed = submit(
        request,
        form,
        lambda: service(
            user=request.user, opportunity=opportunity, reason=form.cleaned_data["reason"]
        ),
        success=lambda closed: text % {"name": closed.name},
        as_403=False,
    )
    if closed:
        return redirect(closed.result)
    return render(
        request,
        "opportunities/opportunity_close.html",
        {"form": form, "opportunity": opportunity, "won": won},
    )


@opportunities_required
def opportunity_won_view(request, pk):
    return _close_view(request, pk, won=True)


@opportunities_required
def opportunity_lost_view(request, pk):
    return _close_view(request, pk, won=False)


@opportunities_required
@require_POST
def opportunity_reopen_view(request, pk):
    opportunity = _opportunity(request, pk, for_edit=True)
    submit(
        request,
        None,
        lambda: services.opportunity_reopen(user=request.user, opportunity=opportunity),
        success=_("%(name)s is open again.") % {"name": opportunity.name},
        as_403=False,
    )
    return redirect(opportunity)


@opportunities_required
def opportunity_delete_view(request, pk):
    opportunity = _opportunity(request, pk, for_edit=True)
    if request.method == "POST":
        if submit(
            request,
            None,
            lambda: services.opportunity_delete(user=request.user, opportunity=opportunity),
            success=_("%(name)s has been deleted.") % {"name": opportunity.name},
            as_403=False,
        ):
            return redirect(safe_next_url(request, opportunity.customer.get_absolute_url()))
        return redirect(opportunity)
    return render(request, "opportunities/opportunity_delete.html", {"opportunity": opportunity})
