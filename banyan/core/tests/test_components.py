"""The components every page shares: one pager (`{% pagination %}`), one status badge
(`{% status_badge %}`) and one way to draw a form field (the form renderer's field template,
through `{{ field.as_field_group }}` and `{{ form }}`)."""

from types import SimpleNamespace

from django import forms
from django.forms.renderers import get_default_renderer
from django.http import QueryDict
from django.template import Context, Template
from django.test import RequestFactory

from banyan.agreements.models import Agreement
from banyan.core.forms import COMPACT_FIELD_TEMPLATE, CompactFieldsMixin
from banyan.core.pagination import CappedPaginator as Paginator
from banyan.purchasing.models import PurchaseOrder


def render(source: str, **context) -> str:
    return Template("{% load banyan %}" + source).render(Context(context))


def test_the_pager_keeps_the_search_and_filters_and_replaces_only_its_own_page():
    request = RequestFactory().get("/finance/", {"q": "沃力", "collect_page": "2", "page": "3"})
    page = Paginator(list(range(60)), 20).page(2)

    html = render("{% pagination page 'collect_page' %}", request=request, page=page)

    assert 'href="?q=%E6%B2%83%E5%8A%9B&amp;page=3&amp;collect_page=1" rel="prev"' in html
    assert 'href="?q=%E6%B2%83%E5%8A%9B&amp;page=3&amp;collect_page=3" rel="next"' in html
    assert "Page 2 of 3" in html
    assert "21–40 of 60" in html


def test_a_single_page_has_no_pager_only_its_count():
    request = RequestFactory().get("/products/")
    page = Paginator([1, 2], 20).page(1)

    html = render("{% pagination page %}", request=request, page=page)

    assert "<nav" not in html
    assert "1–2 of 2" in html


def test_the_numbered_pager_links_each_page_to_the_given_address_and_query():
    # The customer list answers a bulk action's POST with the list as it was: its links go
    # to the list's own address with the query it came back with, not the request's.
    request = RequestFactory().post("/customers/bulk/")
    query = QueryDict("q=%E6%B2%83%E5%8A%9B&page=2&sort=name")
    page = Paginator(list(range(60)), 20).page(2)

    html = render(
        "{% pagination page numbered=True query=query base_url='/customers/' %}",
        request=request,
        page=page,
        query=query,
    )

    assert 'href="/customers/?q=%E6%B2%83%E5%8A%9B&amp;sort=name&amp;page=1" rel="prev"' in html
    assert 'href="/customers/?q=%E6%B2%83%E5%8A%9B&amp;sort=name&amp;page=3">3</a>' in html
    assert 'aria-current="page"><span class="page-link">2</span>' in html
    assert 'rel="next"' in html
    assert "Page 2 of 3" not in html
    assert "21–40 of 60" in html


def test_a_status_badge_takes_its_models_tone_and_class():
    signed = Agreement(status="signed")
    cancelled = Agreement(status="cancelled")
    order = PurchaseOrder(status="cancelled")

    assert render("{% status_badge a %}", a=signed) == (
        '<span class="badge text-bg-info agreement-status">Signed</span>'
    )
    assert 'class="badge text-bg-dark agreement-status">Cancelled<' in render(
        "{% status_badge a %}", a=cancelled
    )
    assert 'class="badge text-bg-light border po-status">Cancelled<' in render(
        "{% status_badge o %}", o=order
    )


def test_a_status_the_model_does_not_name_takes_the_default_tone():
    record = SimpleNamespace(
        STATUS_BADGES={"": "dark"}, status="new", get_status_display=lambda: "新"
    )
    assert render("{% status_badge r %}", r=record) == '<span class="badge text-bg-dark">新</span>'


class DeliveryForm(forms.Form):
    recipient = forms.CharField(label="Recipient", help_text="Who signs for it")
    quantity = forms.IntegerField(label="Quantity")
    urgent = forms.BooleanField(label="Urgent", required=False)
    way = forms.ChoiceField(
        label="Way", choices=[("road", "Road"), ("air", "Air")], widget=forms.RadioSelect
    )
    note = forms.CharField(label="Note", required=False, widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("The warehouse is closed today.")


def test_the_form_renderer_draws_every_field_through_the_one_field_template():
    renderer = get_default_renderer()
    assert renderer.field_template_name == "includes/field.html"
    assert renderer.form_template_name == "includes/form.html"


def test_a_bound_field_with_an_error_shows_its_label_typed_value_and_error_beside_it():
    form = DeliveryForm({"recipient": "王芳", "quantity": "three", "way": "air"})
    assert not form.is_valid()

    html = render("{{ form.quantity.as_field_group }}", form=form)

    assert '<label class="form-label" for="id_quantity">Quantity' in html
    assert '<span class="text-danger" aria-hidden="true">*</span></label>' in html
    assert 'name="quantity" value="three"' in html
    assert 'class="form-control is-invalid"' in html
    assert 'aria-invalid="true" aria-describedby="id_quantity_errors"' in html
    assert (
        '<div class="invalid-feedback d-block" id="id_quantity_errors">\n'
        "      <div>Enter a whole number.</div>"
    ) in html
    # the error follows its own field's widget, inside the field's group
    assert html.index('name="quantity"') < html.index("Enter a whole number.")
    assert html.strip().startswith('<div class="mb-3">') and html.strip().endswith("</div>")


def test_a_whole_form_renders_its_errors_hidden_fields_and_each_field_once():
    form = DeliveryForm({"recipient": "王芳", "quantity": "", "note": "后门", "urgent": "on"})
    assert not form.is_valid()

    html = render("{{ form }}", form=form)

    assert '<div class="alert alert-danger" role="alert">' in html
    assert "The warehouse is closed today." in html
    assert '<input type="hidden" name="note" value="后门" id="id_note">' in html
    # the typed value and the help stay; each required field missing says so beside it
    assert 'name="recipient" value="王芳"' in html
    assert '<div class="form-text" id="id_recipient_help">Who signs for it</div>' in html
    assert 'aria-describedby="id_recipient_help"' in html
    assert html.count("This field is required.") == 2
    assert 'id="id_quantity_errors"' in html and 'id="id_way_errors"' in html
    # a checkbox keeps its tick and sits in a form-check; radios are a fieldset with a legend
    assert '<div class="mb-3 form-check">' in html
    assert 'name="urgent" class="form-check-input" id="id_urgent" checked' in html
    assert '<fieldset aria-describedby="id_way_errors">' in html
    assert 'class="form-check-input is-invalid" type="radio" name="way" value="air"' in html
    assert html.count('<label class="form-label" for="id_recipient">') == 1


class CompactBar(CompactFieldsMixin, forms.Form):
    q = forms.CharField(label="Search", required=False, help_text="Name or phone")
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A"), ("b", "B")])


def test_a_compact_field_labels_its_widget_and_shows_its_error_next_to_it():
    form = CompactBar({"q": "x", "kind": "zzz"})
    form.is_valid()

    html = form["kind"].as_field_group()

    assert '<label class="form-label small mb-1" for="id_kind">Kind</label>' in html
    assert 'id="id_kind"' in html
    assert 'class="form-select is-invalid"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_kind_errors"' in html
    assert 'id="id_kind_errors"' in html
    assert "Select a valid choice." in html
    assert 'class="mb-3' not in html  # no wrapper of its own: the page's column is the wrapper


def test_a_form_with_the_compact_mixin_draws_every_field_through_the_compact_template():
    form = CompactBar()

    assert all(field.template_name == COMPACT_FIELD_TEMPLATE for field in form.fields.values())
    html = form["q"].as_field_group()
    assert '<label class="form-label small mb-1" for="id_q">Search</label>' in html
    assert 'aria-describedby="id_q_help"' in html
    assert '<div class="form-text" id="id_q_help">Name or phone</div>' in html
    # the class's fields are left alone: another form drawing them keeps the usual template
    assert CompactBar.base_fields["q"].template_name is None
