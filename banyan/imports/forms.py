"""The upload form of the import page: it parses input only; the services hold the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from banyan.core.forms import ServiceErrorsMixin
from banyan.imports.models import ImportJob

ENCODINGS = (
    ("", _("Detect automatically")),
    ("utf-8", "UTF-8"),
    ("gb18030", "GBK / GB18030"),
    ("big5", "Big5"),
)


class ImportUploadForm(ServiceErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("What to import"), choices=ImportJob.Kind.choices)
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        allow_empty_file=True,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    encoding = forms.ChoiceField(
        label=_("Encoding of a CSV file"), choices=ENCODINGS, required=False
    )
    on_duplicate = forms.ChoiceField(
        label=_("Duplicates"),
        choices=ImportJob.OnDuplicate.choices,
        initial=ImportJob.OnDuplicate.SKIP,
        widget=forms.RadioSelect,
    )
