"""The select shortcut writes exactly what Django's templates write."""

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting

from banyan.core.forms import QuickSelect
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


class QuickSample(forms.Form):
    plain = forms.ChoiceField(
        choices=[("", "---"), ("1", "<b>一</b>"), ("2", "Two & more"), ("2", "Again")],
        widget=QuickSelect(attrs={"class": "form-select", "data-x": 'a"b'}),
    )
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("a", "Apple")]), ("c", "Cherry")], widget=QuickSelect
    )
    optional = forms.ChoiceField(
        choices=[(None, "none"), (3, 3)], required=False, widget=QuickSelect
    )


@pytest.mark.parametrize("data", [{}, {"plain": "2", "grouped": "a", "optional": "3"}])
def test_a_quick_select_reads_the_same_as_djangos_select(data):
    for name in QuickSample.base_fields:
        ours = QuickSample(data=data or None, renderer=TemplatesSetting())[name]
        theirs = QuickSample(data=data or None, renderer=TemplatesSetting())
        theirs.fields[name].widget = forms.Select(attrs=theirs.fields[name].widget.attrs)
        theirs.fields[name].widget.choices = theirs.fields[name].choices
        for attrs in (None, {"aria-invalid": "true", "required": True}):
            assert ours.as_widget(attrs=attrs) == theirs[name].as_widget(attrs=attrs), name
