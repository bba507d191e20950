"""The select shortcut writes exactly what Django's templates write."""

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting

from banyan.core.renderers import FormRenderer


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=[("", "---"), ("1", "<b>一</b>"), ("2", "Two & more")])
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("a", "Apple"), ("b", '"Banana"')]), ("c", "Cherry")],
        widget=forms.Select(attrs={"class": "form-select", "data-x": 'a"b', "required": True}),
    )
    many = forms.MultipleChoiceField(choices=[("1", "One"), ("2", "Two")])
    disabled = forms.ChoiceField(choices=[("1", "One")], disabled=True)


@pytest.mark.parametrize("data", [{}, {"plain": "2", "grouped": "b", "many": ["1", "2"]}])
def test_a_select_reads_the_same_as_djangos_template(data):
    for name in Sample.base_fields:
        theirs = Sample(data=data or None, renderer=TemplatesSetting())[name]
        ours = Sample(data=data or None, renderer=FormRenderer())[name]
        assert ours.as_widget() == theirs.as_widget(), name
        assert ours.as_widget(attrs={"aria-invalid": "true"}) == theirs.as_widget(
            attrs={"aria-invalid": "true"}
        )
