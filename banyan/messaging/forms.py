"""Forms of the messaging pages: they carry what people type to the services, which judge it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from banyan.core.forms import CompactFieldsMixin, ServiceErrorsMixin
from banyan.messaging import selectors
from banyan.messaging.models import Channel, SmsLog
from banyan.messaging.services import RecipientOutsideDemo


class TemplateForm(ServiceErrorsMixin, forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    subject = forms.CharField(
        label=_("Subject"), max_length=200, required=False, help_text=_("E-mail only.")
    )
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 5, "data-sms-counter": "template-count"}),
        help_text=_("Placeholders: {contact_name}, {customer_name}, {my_name}."),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["channel"].disabled = True


class TemplateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class TemplateSelect(forms.Select):
    """Each option carries its template's text, for messaging.js to fill the form with."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-body"] = instance.body
            option["attrs"]["data-subject"] = instance.subject
        return option


class SendForm(ServiceErrorsMixin, forms.Form):
    """Which contacts of the chosen customers, and what to say (a template or free text)."""

    contacts = forms.TypedMultipleChoiceField(
        label=_("Recipients"), coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )
    extra_recipients = forms.CharField(
        label=_("Other recipients"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, or separated by commas."),
    )
    template = TemplateChoiceField(
        label=_("Template"), queryset=None, required=False, widget=TemplateSelect
    )
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "data-sms-counter": "send-count"}),
        help_text=_("Placeholders: {contact_name}, {customer_name}, {my_name}."),
    )

    service_field_names = {"recipients": "contacts"}

    def add_service_errors(self, exc) -> None:
        if isinstance(exc, RecipientOutsideDemo):
            # Only a typed recipient can be outside the demo: say so where it was typed.
            for message in exc.errors["recipients"]:
                self.add_error("extra_recipients", message)
            return
        super().add_service_errors(exc)

    def __init__(self, *args, user, channel: str, customers, **kwargs):
        super().__init__(*args, **kwargs)
        self.channel = channel
        self.contacts_by_id = {}
        choices = []
        for customer in customers:
            for contact in customer.contacts.all():
                contact.customer = customer
                self.contacts_by_id[contact.pk] = contact
                if channel == Channel.EMAIL:
                    address = contact.email
                else:
                    address = contact.mobile or contact.phone
                label = f"{customer.name} · {contact.name} ({address or '—'})"
                choices.append((contact.pk, label))
        self.fields["contacts"].choices = choices
        if not self.is_bound:
            self.initial.setdefault("contacts", list(self.contacts_by_id))
        self.fields["template"].queryset = selectors.company_templates(user, channel=channel)
        if channel == Channel.SMS:
            del self.fields["subject"]
        else:
            self.fields["body"].widget.attrs.pop("data-sms-counter")

    def chosen_contacts(self) -> list:
        return [self.contacts_by_id[pk] for pk in self.cleaned_data.get("contacts") or []]

    def extra(self) -> list[str]:
        text = (self.cleaned_data.get("extra_recipients") or "").replace("，", ",")
        return [
            part.strip() for line in text.splitlines() for part in line.split(",") if part.strip()
        ]

    def text(self) -> tuple[str, str]:
        """(subject, body): what was typed, else the chosen template's."""
        template = self.cleaned_data.get("template")
        body = self.cleaned_data.get("body") or ""
        subject = self.cleaned_data.get("subject") or ""
        if template is not None:
            body = body or template.body
            subject = subject or template.subject
        return subject, body


class LogFilterForm(CompactFieldsMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, statuses=SmsLog.Status.choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *statuses]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {"status": self.cleaned_data["status"], "query": self.cleaned_data["q"].strip()}
