"""The components every page shares: one pager (`{% pagination %}`) and one status badge
(`{% status_badge %}`)."""

from types import SimpleNamespace

from django.http import QueryDict
from django.template import Context, Template
from django.test import RequestFactory

from banyan.agreements.models import Agreement
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
