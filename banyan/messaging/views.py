"""Messaging pages: send SMS or e-mail to customers' contacts, the logs, the templates.

Thin: parse the input, fetch through the selectors, call one service, render. The SMS log
has no edit or delete page: it is a ledger. An invisible customer or record is a 404.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from banyan.core.pagination import paginate
from banyan.core.views import found_or_404, submit
from banyan.messaging import selectors, services
from banyan.messaging.forms import LogFilterForm, SendForm, TemplateForm
from banyan.messaging.models import Channel, OutboxMessage

# Logs ----------------------------------------------------------------------------------------


@login_required
def sms_log_view(request):
    form = LogFilterForm(request.GET or None)
    rows = selectors.sms_log_list(request.user, **form.filters())
    return render(
        request,
        "messaging/sms_log.html",
        {"form": form, "page": paginate(request, rows)},
    )


@login_required
def email_log_view(request):
    form = LogFilterForm(request.GET or None, statuses=OutboxMessage.Status.choices)
    rows = selectors.email_list(request.user, **form.filters())
    return render(
        request,
        "messaging/email_log.html",
        {"form": form, "page": paginate(request, rows)},
    )


# Sending -------------------------------------------------------------------------------------


def _customers(request):
    if "customers" in request.GET:
        # "1,2,3", or the ticked boxes of the customer list (customers=1&customers=2).
        ids = found_or_404(selectors.parse_ids, ",".join(request.GET.getlist("customers")))
    else:
        ids = found_or_404(selectors.parse_ids, request.GET.get("customer", ""))
    return found_or_404(selectors.customers_with_contacts, request.user, ids)


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
            sent = submit(
                request,
                form,
                lambda: send(
                    user=request.user,
                    body=body,
                    contacts=contacts,
                    recipients=form.extra(),
                    **extra,
                ),
            )
            if sent:
                return render(
                    request,
                    "messaging/send_result.html",
                    {"report": sent.result, "channel": channel, "customers": customers},
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
        {"page": page},
    )


def _save_template(request, form, save, **kwargs):
    if submit(
        request,
        form,
        lambda: save(user=request.user, **kwargs),
        success=_("The template is saved."),
    ):
        return redirect(reverse("message-template-list"))
    return None


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
    template = found_or_404(selectors.get_template_for, request.user, pk, for_edit=True)
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
