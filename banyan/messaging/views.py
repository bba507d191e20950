"""Messaging pages: send SMS or e-mail to customers' contacts, the logs, the templates.

Thin: parse the input, fetch through the selectors, call one service, render. The SMS log
has no edit or delete page: it is a ledger. An invisible customer or record is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from banyan.accounts.views.users import refusal_text
from banyan.core.errors import DomainError, NotFound, PermissionRefused
from banyan.core.pagination import paginate
from banyan.messaging import selectors, services
from banyan.messaging.forms import LogFilterForm, SendForm, TemplateForm
from banyan.messaging.models import Channel, OutboxMessage


def _found(fetch, *args, **kwargs):
    try:
        return fetch(*args, **kwargs)
    except NotFound:
        raise Http404 from None
    except PermissionRefused as exc:
        raise PermissionDenied(str(exc.message)) from None


def _query(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# Logs ----------------------------------------------------------------------------------------


@login_required
def sms_log_view(request):
    form = LogFilterForm(request.GET or None)
    rows = selectors.sms_log_list(request.user, **form.filters())
    return render(
        request,
        "messaging/sms_log.html",
        {"form": form, "page": paginate(request, rows), "query": _query(request)},
    )


@login_required
def email_log_view(request):
    form = LogFilterForm(request.GET or None, statuses=OutboxMessage.Status.choices)
    rows = selectors.email_list(request.user, **form.filters())
    return render(
        request,
        "messaging/email_log.html",
        {"form": form, "page": paginate(request, rows), "query": _query(request)},
    )


# Sending -------------------------------------------------------------------------------------


def _customers(request):
    if "customers" in request.GET:
        # "1,2,3", or the ticked boxes of the customer list (customers=1&customers=2).
        ids = _found(selectors.parse_ids, ",".join(request.GET.getlist("customers")))
    else:
        ids = _found(selectors.parse_ids, request.GET.get("customer", ""))
    return _found(selectors.customers_with_contacts, request.user, ids)


def _send_view(request, channel: str):
    customers = _customers(request)
    form = SendForm(request.POST or None, user=request.user, channel=channel, customers=customers)
    context = {"form": form, "customers": customers, "channel": channel}
    if request.method == "POST" and form.is_valid():
        subject, body = form.text()
        contacts = form.chosen_contacts()
        if "preview" in request.POST:
            first = contacts[0] if contacts else None
            preview = services.render_text(body, user=request.user, contact=first)
            characters, parts = services.sms_parts(preview)
            context.update(
                preview=preview,
                preview_subject=services.render_text(subject, user=request.user, contact=first),
                preview_characters=characters,
                preview_parts=parts,
            )
        else:
            send = services.sms_send if channel == Channel.SMS else services.email_send
            extra = {"subject": subject} if channel == Channel.EMAIL else {}
            try:
                report = send(
                    user=request.user,
                    body=body,
                    contacts=contacts,
                    recipients=form.extra(),
                    **extra,
                )
            except PermissionRefused as exc:
                raise PermissionDenied(refusal_text(exc)) from None
            except DomainError as exc:
                form.add_service_errors(exc)
            else:
                return render(
                    request,
                    "messaging/send_result.html",
                    {"report": report, "channel": channel, "customers": customers},
                )
    return render(request, "messaging/send.html", context)


@login_required
def sms_send_view(request):
    return _send_view(request, Channel.SMS)


@login_required
def email_send_view(request):
    return _send_view(request, Channel.EMAIL)


# Templates -----------------------------------------------------------------------------------


@login_required
def template_list_view(request):
    templates = selectors.company_templates(request.user)
    page = paginate(request, templates)
    for template in page:
        template.can_change = services.can_edit_template(request.user, template)
    return render(
        request,
        "messaging/template_list.html",
        {"page": page, "query": _query(request)},
    )


def _save_template(request, form, save, **kwargs):
    try:
        save(user=request.user, **kwargs)
    except PermissionRefused as exc:
        raise PermissionDenied(refusal_text(exc)) from None
    except DomainError as exc:
        form.add_service_errors(exc)
        return None
    messages.success(request, _("The template is saved."))
    return redirect(reverse("message-template-list"))


@login_required
def template_create_view(request):
    form = TemplateForm(request.POST or None, initial={"channel": request.GET.get("channel")})
    if request.method == "POST" and form.is_valid():
        response = _save_template(request, form, services.template_create, **form.cleaned_data)
        if response:
            return response
    return render(request, "messaging/template_form.html", {"form": form})


@login_required
def template_edit_view(request, pk):
    template = _found(selectors.get_template_for, request.user, pk, for_edit=True)
    form = TemplateForm(
        request.POST or None,
        editing=True,
        initial={
            "channel": template.channel,
            "name": template.name,
            "subject": template.subject,
            "body": template.body,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "channel"}
        response = _save_template(
            request, form, services.template_update, template=template, **data
        )
        if response:
            return response
    return render(request, "messaging/template_form.html", {"form": form, "template": template})
