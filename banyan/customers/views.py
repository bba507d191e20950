"""Customer and contact pages: the list, the customer view (客户视图), and their forms.

Each view parses a form, fetches through a selector, calls one service and redirects with a
message. An invisible customer (or another company's) answers 404; one the user sees but
may not change answers 403. A refusal goes back on the form, keeping what was typed.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from banyan.core.errors import DomainError, NotFound
from banyan.core.pagination import CappedPaginator, count_cap_for, paginate
from banyan.core.panels import customer_view
from banyan.core.values import start_of_company_day
from banyan.core.views import found_or_404, safe_next_url, submit
from banyan.customers import selectors, services
from banyan.customers.forms import (
    BulkActionForm,
    ContactFilterForm,
    ContactForm,
    CustomerFilterForm,
    CustomerForm,
    ShareForm,
    TransferForm,
)

CONTACTED_DAYS = {"7": 7, "30": 30, "90": 90}


def _sort_links(base_url: str, query: QueryDict, current: str, columns) -> dict:
    """For each sortable column: the link that sorts by it (again: the other way round)."""
    links = {}
    for column in columns:
        params = query.copy()
        params.pop("page", None)
        direction = ""
        if current == column:
            direction = "asc"
            params["sort"] = f"-{column}"
        elif current == f"-{column}":
            direction = "desc"
            params["sort"] = column
        else:
            params["sort"] = column
        links[column] = {"url": f"{base_url}?{params.urlencode()}", "direction": direction}
    return links


# --- the customer list ----------------------------------------------------------------


def _customer_list_arguments(user, values: dict) -> dict:
    arguments = {
        "search": values.get("q", ""),
        "kind": values.get("kind", ""),
        "type_id": getattr(values.get("type"), "pk", None),
        "source_id": getattr(values.get("source"), "pk", None),
        "industry_id": getattr(values.get("industry"), "pk", None),
        "owner_id": getattr(values.get("owner"), "pk", None),
        "created_from": values.get("created_from"),
        "created_to": values.get("created_to"),
        "region": values.get("region", ""),
        "missing": values.get("missing", ""),
        "converted_from": values.get("converted_from"),
        "converted_to": values.get("converted_to"),
    }
    if values.get("hot") in ("0", "1"):
        arguments["is_hot"] = values["hot"] == "1"
    if values.get("open_task") == "none":
        arguments["without_open_task"] = True
    if values.get("contacted_from"):
        arguments["contacted_after"] = start_of_company_day(user, values["contacted_from"])
    if values.get("contacted_to"):
        next_day = values["contacted_to"] + timedelta(days=1)
        arguments["contacted_before"] = start_of_company_day(user, next_day)
    contacted = values.get("contacted")
    if contacted == "never":
        arguments["never_contacted"] = True
    elif contacted in CONTACTED_DAYS:
        arguments["contacted_before"] = timezone.now() - timedelta(days=CONTACTED_DAYS[contacted])
    return arguments


def customer_list_rows(user, filters: CustomerFilterForm):
    """The customer list's rows for its filter form (the page, and its export)."""
    return selectors.customer_list(
        user, ordering=filters.ordering(), **_customer_list_arguments(user, filters.cleaned())
    )


def _render_customer_list(request, query: QueryDict, bulk_form, selected=(), status=200):
    filters = CustomerFilterForm(query, user=request.user)
    values = filters.cleaned()
    customers = selectors.with_share_flags(customer_list_rows(request.user, filters), request.user)
    page = CappedPaginator(
        customers, values.get("per_page", 20), cap=count_cap_for(request)
    ).get_page(query.get("page"))
    base_url = reverse("customer-list")
    context = {
        "filters": filters,
        "page": page,
        "query": query,
        "base_url": base_url,
        "sort_links": _sort_links(
            base_url, query, values.get("sort", ""), ["name", "created", "contacted", "owner"]
        ),
        "bulk_form": bulk_form,
        "selected": {str(pk) for pk in selected},
        "list_url": f"{base_url}?{query.urlencode()}",
    }
    template = "customers/customer_list.html"
    if request.htmx and request.method == "GET":
        template += "#customer-table"
    return render(request, template, context, status=status)


@login_required
@require_GET
def customer_list_view(request):
    return _render_customer_list(request, request.GET, BulkActionForm(user=request.user))


@login_required
@require_POST
def customer_bulk_view(request):
    """Transfer or share the ticked customers, then back to the list as it was."""
    back = safe_next_url(request, reverse("customer-list"))
    form = BulkActionForm(request.POST, user=request.user)
    chosen = request.POST.getlist("customers")

    def bulk() -> int:
        data = form.cleaned_data
        try:
            if data["action"] == "transfer":
                return services.customers_bulk_transfer(
                    user=request.user, customer_ids=chosen, owner=data["target"]
                )
            return services.customers_bulk_share(
                user=request.user,
                customer_ids=chosen,
                target=data["target"],
                level=data["level"] or "view",
            )
        except NotFound:
            raise DomainError(
                _("Some of the chosen customers are no longer in your list.")
            ) from None

    def done(count: int) -> str:
        if form.cleaned_data["action"] == "transfer":
            text = ngettext(
                "%(count)d customer has been transferred to %(name)s.",
                "%(count)d customers have been transferred to %(name)s.",
                count,
            )
        else:
            text = ngettext(
                "%(count)d customer has been shared with %(name)s.",
                "%(count)d customers have been shared with %(name)s.",
                count,
            )
        return text % {"count": count, "name": form.cleaned_data["target"].display_name}

    if submit(request, form, bulk, success=done, as_403=False):
        return redirect(back)
    query = QueryDict(urlsplit(back).query)
    return _render_customer_list(request, query, form, selected=chosen)


# --- creating and changing a customer -------------------------------------------------


@login_required
def customer_create_view(request):
    form = CustomerForm(request.POST or None, user=request.user)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(
                user=request.user,
                confirm_duplicates=form.cleaned_data["confirm_duplicates"],
                **form.service_arguments(),
            )
        except services.DuplicatesFound as exc:
            duplicates = exc.matches
        except DomainError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request, _("Customer %(name)s has been created.") % {"name": customer.name}
            )
            return redirect(customer)
    return render(
        request,
        "customers/customer_form.html",
        {"form": form, "customer": None, "duplicates": duplicates},
    )


@login_required
@require_GET
def customer_duplicates_view(request):
    """The live duplicate check of the create form (an htmx fragment)."""
    name = request.GET.get("name", "")
    phones = [request.GET.get("phone", ""), request.GET.get("contact_mobile", "")]
    matches = []
    if len(name.strip()) >= 2 or any(p.strip() for p in phones):
        matches = selectors.company_wide_duplicates(request.user, name=name, phones=phones)
    return render(
        request, "customers/partials/duplicates.html", {"duplicates": matches, "live": True}
    )


@login_required
def customer_edit_view(request, pk):
    customer = found_or_404(selectors.get_customer_for, request.user, pk, for_edit=True)
    form = CustomerForm(request.POST or None, user=request.user, customer=customer)
    saved = submit(
        request,
        form,
        lambda: services.customer_update(
            user=request.user, customer=customer, **form.service_arguments()
        ),
        success=lambda saved: _("Customer %(name)s has been saved.") % {"name": saved.name},
    )
    if saved:
        return redirect(saved.result)
    return render(request, "customers/customer_form.html", {"form": form, "customer": customer})


def _managed_customer(request, pk):
    """A customer the user may share, transfer or delete (404 if unseen, 403 if not theirs)."""
    customer = found_or_404(selectors.get_customer_for, request.user, pk)
    if not selectors.can_manage_customer(request.user, customer):
        raise PermissionDenied
    return customer


@login_required
def customer_delete_view(request, pk):
    customer = _managed_customer(request, pk)
    if request.method == "POST":
        deleted = submit(
            request,
            None,
            lambda: services.customer_delete(user=request.user, customer=customer),
            success=_("Customer %(name)s has been deleted.") % {"name": customer.name},
        )
        return redirect("customer-list" if deleted else customer)
    return render(request, "customers/customer_confirm_delete.html", {"customer": customer})


@login_required
def customer_share_view(request, pk):
    customer = _managed_customer(request, pk)
    form = ShareForm(request.POST or None, user=request.user, customer=customer)
    shared = submit(
        request,
        form,
        lambda: services.customer_share(
            user=request.user,
            customer=customer,
            target=form.cleaned_data["user"],
            level=form.cleaned_data["level"],
        ),
        success=lambda _share: (
            _("%(customer)s is now shared with %(name)s.")
            % {"customer": customer.name, "name": form.cleaned_data["user"].display_name}
        ),
    )
    if shared:
        return redirect(safe_next_url(request, customer.get_absolute_url()))
    return render(
        request,
        "customers/customer_share.html",
        {
            "customer": customer,
            "form": form,
            "shares": selectors.customer_shares(request.user, customer),
        },
    )


@login_required
@require_POST
def customer_unshare_view(request, pk):
    customer = _managed_customer(request, pk)
    submit(
        request,
        None,
        lambda: services.customer_unshare(
            user=request.user, customer=customer, target=request.POST.get("user")
        ),
        success=_("%(customer)s is no longer shared.") % {"customer": customer.name},
    )
    return redirect(safe_next_url(request, customer.get_absolute_url()))


@login_required
def customer_transfer_view(request, pk):
    customer = _managed_customer(request, pk)
    form = TransferForm(request.POST or None, user=request.user, customer=customer)
    transferred = submit(
        request,
        form,
        lambda: services.customer_transfer(
            user=request.user, customer=customer, owner=form.cleaned_data["owner"]
        ),
        success=lambda _customer: (
            _("%(customer)s has been transferred to %(name)s.")
            % {"customer": customer.name, "name": form.cleaned_data["owner"].display_name}
        ),
    )
    if transferred:
        if selectors.visible_customers(request.user).filter(pk=customer.pk).exists():
            return redirect(customer)
        return redirect("customer-list")
    return render(request, "customers/customer_transfer.html", {"customer": customer, "form": form})


@login_required
@require_POST
def customer_hot_view(request, pk):
    customer = found_or_404(selectors.get_customer_for, request.user, pk, for_edit=True)
    is_hot = request.POST.get("is_hot") == "1"
    if is_hot:
        text = _("%(name)s is marked as a hot customer.")
    else:
        text = _("%(name)s is no longer a hot customer.")
    submit(
        request,
        None,
        lambda: services.customer_set_hot(user=request.user, customer=customer, is_hot=is_hot),
        success=text % {"name": customer.name},
    )
    return redirect(safe_next_url(request, customer.get_absolute_url()))


# --- the customer view (客户视图) -----------------------------------------------------


@login_required
@require_GET
def customer_detail_view(request, pk):
    customer = found_or_404(selectors.get_customer_for, request.user, pk)
    can_manage = selectors.can_manage_customer(request.user, customer)
    context = {
        "customer": customer,
        "can_manage": can_manage,
        "can_edit": can_manage or selectors.can_edit_customer(request.user, customer),
        "panels": customer_view.render(request, customer),
    }
    return render(request, "customers/customer_detail.html", context)


# --- contacts -------------------------------------------------------------------------


def contact_list_rows(user, filters: ContactFilterForm):
    """The contact list's rows for its filter form (the page, and its export)."""
    values = filters.cleaned()
    return selectors.search_contacts(
        user,
        search=values.get("q", ""),
        category_id=getattr(values.get("category"), "pk", None),
        ordering=filters.ordering(),
    )


@login_required
@require_GET
def contact_list_view(request):
    filters = ContactFilterForm(request.GET, user=request.user)
    values = filters.cleaned()
    contacts = contact_list_rows(request.user, filters)
    page = paginate(request, contacts, per_page=values.get("per_page", 20))
    base_url = reverse("contact-list")
    context = {
        "filters": filters,
        "page": page,
        "query": request.GET,
        "base_url": base_url,
        "sort_links": _sort_links(
            base_url, request.GET, values.get("sort", ""), ["name", "customer"]
        ),
    }
    template = "customers/contact_list.html"
    if request.htmx:
        template += "#contact-table"
    return render(request, template, context)


@login_required
def contact_create_view(request, pk):
    customer = found_or_404(selectors.get_customer_for, request.user, pk, for_edit=True)
    form = ContactForm(request.POST or None, user=request.user)
    if submit(
        request,
        form,
        lambda: services.contact_create(user=request.user, customer=customer, **form.cleaned_data),
        success=lambda contact: _("Contact %(name)s has been added.") % {"name": contact.name},
    ):
        return redirect(f"{customer.get_absolute_url()}#panel-contacts")
    return render(
        request,
        "customers/contact_form.html",
        {"form": form, "customer": customer, "contact": None},
    )


@login_required
def contact_edit_view(request, pk):
    contact = found_or_404(selectors.get_contact_for, request.user, pk, for_edit=True)
    form = ContactForm(request.POST or None, user=request.user, contact=contact)
    saved = submit(
        request,
        form,
        lambda: services.contact_update(user=request.user, contact=contact, **form.cleaned_data),
        success=lambda saved: _("Contact %(name)s has been saved.") % {"name": saved.name},
    )
    if saved:
        return redirect(
            safe_next_url(request, f"{saved.result.customer.get_absolute_url()}#panel-contacts")
        )
    return render(
        request,
        "customers/contact_form.html",
        {"form": form, "customer": contact.customer, "contact": contact},
    )


@login_required
def contact_delete_view(request, pk):
    contact = found_or_404(selectors.get_contact_for, request.user, pk, for_edit=True)
    back = f"{contact.customer.get_absolute_url()}#panel-contacts"
    if request.method == "POST":
        submit(
            request,
            None,
            lambda: services.contact_delete(user=request.user, contact=contact),
            success=_("Contact %(name)s has been deleted.") % {"name": contact.name},
        )
        return redirect(safe_next_url(request, back))
    return render(
        request,
        "customers/contact_confirm_delete.html",
        {
            "contact": contact,
            "back": back,
            "refusal": selectors.contact_delete_refusal(request.user, contact),
        },
    )
