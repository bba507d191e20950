"""Opportunity pages: list, board (and the htmx move), detail, forms, the customer panel,
the visibility matrix and query counts."""

from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from banyan.core.panels import customer_view
from banyan.customers import services as customer_services
from banyan.opportunities.models import Opportunity, StageChange

HTMX = {"HTTP_HX_REQUEST": "true"}


def state(opportunity):
    opportunity.refresh_from_db()
    return (
        opportunity.name,
        opportunity.stage_id,
        opportunity.probability,
        opportunity.status,
        StageChange.objects.filter(opportunity=opportunity).count(),
    )


# --- the board ---------------------------------------------------------------------------------


def test_board_shows_columns_in_dictionary_order_with_totals(
    org, stages, client_as, make_customer, make_opportunity
):
    customer = make_customer(org.sales1, name="沃力科技")
    make_opportunity(
        org.sales1, customer, name="ERP", stage=stages["proposal"], expected_amount="100000.01"
    )
    make_opportunity(
        org.sales1,
        customer,
        name="CRM",
        stage=stages["proposal"],
        expected_amount="999.99",
        probability=33,
    )
    make_opportunity(
        org.sales1, customer, name="OA", stage=stages["initial"], expected_amount="12345.67"
    )

    response = client_as(org.sales1).get(reverse("opportunity-pipeline"))

    assert response.status_code == 200
    board = response.context["board"]
    assert [c.stage.code for c in board.columns] == [
        "initial",
        "needs",
        "proposal",
        "negotiation",
        "commitment",
    ]
    html = response.content.decode()
    titles = [html.index(f'id="stage-{stages[code].pk}-title"') for code in stages]
    assert titles == sorted(titles)
    proposal = html[html.index(f'id="stage-{stages["proposal"].pk}"') :]
    proposal = proposal[: proposal.index("</header>")]
    assert "2 opportunities" in proposal
    assert "¥101,000.00" in proposal
    assert "¥50,330.00" in proposal  # 50000.005 + 329.9967
    assert "Sortable.min.js" in html and "js/pipeline.js" in html
    assert "<script>" not in html  # CSP: no inline scripts


def test_moving_through_the_endpoint_as_htmx_changes_stage_and_writes_history(
    org, stages, client_as, make_customer, make_opportunity
):
    opportunity = make_opportunity(
        org.sales1,
        make_customer(org.sales1),
        name="ERP",
        stage=stages["initial"],
        expected_amount="2000",
    )

    response = client_as(org.sales1).post(
        reverse("opportunity-move", args=[opportunity.pk]),
        {"stage": stages["negotiation"].pk, "position": 0, "before": "", "board_owner": ""},
        **HTMX,
    )

    assert response.status_code == 200
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.probability) == (stages["negotiation"], 70)
    assert [
        (c.from_stage_id, c.to_stage_id, c.from_probability, c.to_probability)
        for c in opportunity.stage_changes.order_by("id")
    ] == [
        (None, stages["initial"].pk, None, 10),
        (stages["initial"].pk, stages["negotiation"].pk, 10, 70),
    ]
    html = response.content.decode()
    assert 'id="pipeline-board"' in html
    assert 'hx-swap-oob="true"' in html and "ERP is now in Negotiation (70%)." in html
    negotiation = html[html.index(f'id="stage-{stages["negotiation"].pk}"') :]
    negotiation = negotiation[: negotiation.index("</header>")]
    assert "1 opportunity" in negotiation and "¥1,400.00" in negotiation
    assert "<!doctype" not in html  # a fragment, not a page


def test_a_refused_move_answers_with_the_board_as_it_is(
    org, stages, client_as, make_customer, make_opportunity
):
    customer = make_customer(org.sales1)
    opportunity = make_opportunity(org.sales1, customer, stage=stages["initial"])
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales3, level="view"
    )
    before = state(opportunity)

    response = client_as(org.sales3).post(
        reverse("opportunity-move", args=[opportunity.pk]),
        {"stage": stages["needs"].pk},
        **HTMX,
    )

    assert response.status_code == 403
    html = response.content.decode()
    assert "This customer is shared with you to view only." in html
    assert f'id="card-{opportunity.pk}"' in html  # still in its own column
    assert response.context["board"].columns[0].cards == [opportunity]
    assert state(opportunity) == before


def test_the_stage_select_moves_without_javascript(
    org, stages, client_as, make_customer, make_opportunity
):
    opportunity = make_opportunity(org.sales1, make_customer(org.sales1), stage=stages["initial"])

    response = client_as(org.manager1).post(
        reverse("opportunity-move", args=[opportunity.pk]),
        {"stage": stages["proposal"].pk, "board_owner": org.sales1.pk},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('opportunity-pipeline')}?owner={org.sales1.pk}"
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.probability) == (stages["proposal"], 50)


def test_moving_into_an_inactive_stage_is_refused_with_the_reason(
    org, stages, client_as, make_customer, make_opportunity
):
    from banyan.accounts import services as account_services

    opportunity = make_opportunity(org.sales1, make_customer(org.sales1), stage=stages["initial"])
    account_services.dictionary_option_update(
        actor=org.boss, option=stages["needs"], is_active=False
    )
    before = state(opportunity)

    response = client_as(org.sales1).post(
        reverse("opportunity-move", args=[opportunity.pk]), {"stage": stages["needs"].pk}, **HTMX
    )

    assert response.status_code == 400
    assert "Needs confirmed is no longer in use" in response.content.decode()
    assert state(opportunity) == before


# --- pages and forms ---------------------------------------------------------------------------


def test_create_from_the_customer_page_with_the_stage_default(
    org, stages, client_as, make_customer
):
    customer = make_customer(org.sales1)
    client = client_as(org.sales1)
    url = reverse("opportunity-create", args=[customer.pk])

    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "name": "ERP",
            "stage": stages["proposal"].pk,
            "probability": "",
            "expected_amount": "88000.00",
            "expected_close_date": "2026-09-30",
            "next_step": "Demo",
            "competitors": "Kingdee",
            "owner": "",
        },
    )

    opportunity = Opportunity.objects.get()
    assert response.status_code == 302 and response["Location"] == opportunity.get_absolute_url()
    assert (opportunity.probability, opportunity.expected_amount, opportunity.owner) == (
        50,
        Decimal("88000.00"),
        org.sales1,
    )


def test_a_negative_amount_is_shown_on_its_field_and_nothing_is_saved(
    org, stages, client_as, make_customer
):
    customer = make_customer(org.sales1)

    response = client_as(org.sales1).post(
        reverse("opportunity-create", args=[customer.pk]),
        {"name": "ERP", "stage": stages["proposal"].pk, "expected_amount": "-5"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "expected_amount": ["The amount cannot be negative."]
    }
    assert 'value="ERP"' in response.content.decode()  # what was typed stays
    assert Opportunity.objects.count() == 0


def test_edit_form_lets_a_new_stage_bring_its_default_unless_probability_changed(
    org, stages, client_as, make_customer, make_opportunity
):
    opportunity = make_opportunity(org.sales1, make_customer(org.sales1), stage=stages["initial"])
    client = client_as(org.sales1)
    url = reverse("opportunity-edit", args=[opportunity.pk])
    fields = {
        "name": "ERP",
        "stage": stages["proposal"].pk,
        "probability": "10",  # unchanged from the page
        "expected_amount": "10000.00",
        "owner": org.sales1.pk,
    }

    assert client.get(url).status_code == 200
    assert client.post(url, fields).status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.name, opportunity.probability) == ("ERP", 50)

    assert client.post(url, {**fields, "stage": stages["negotiation"].pk, "probability": "65"})
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.probability) == (stages["negotiation"], 65)


def test_won_lost_reopen_pages_and_detail_history(
    org, stages, client_as, make_customer, make_opportunity
):
    opportunity = make_opportunity(org.sales1, make_customer(org.sales1), stage=stages["needs"])
    client = client_as(org.sales1)

    response = client.post(reverse("opportunity-lost", args=[opportunity.pk]), {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    assert (
        client.post(
            reverse("opportunity-lost", args=[opportunity.pk]), {"reason": "Price"}
        ).status_code
        == 302
    )
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.close_reason) == ("lost", "Price")

    assert client.post(reverse("opportunity-reopen", args=[opportunity.pk])).status_code == 302
    assert client.post(reverse("opportunity-won", args=[opportunity.pk]), {"reason": ""})
    opportunity.refresh_from_db()
    assert opportunity.status == "won"

    html = client.get(opportunity.get_absolute_url()).content.decode()
    history = html[html.index('id="stage-history"') :]
    for line in (
        "Created in Needs confirmed (30%)",
        "Lost in Needs confirmed",
        "Reopened in Needs confirmed (30%)",
        "Won in Needs confirmed",
    ):
        assert line in history
    assert history.index("Created in") < history.index("Lost in") < history.index("Won in")


def test_list_page_filters_and_totals(org, stages, client_as, make_customer, make_opportunity):
    customer = make_customer(org.sales1, name="沃力科技")
    make_opportunity(
        org.sales1, customer, name="ERP", stage=stages["proposal"], expected_amount="100000.01"
    )
    make_opportunity(
        org.sales1, customer, name="OA", stage=stages["initial"], expected_amount="12345.67"
    )

    client = client_as(org.manager1)
    response = client.get(reverse("opportunity-list"))
    assert response.status_code == 200
    totals = response.context["totals"]
    assert (totals.count, totals.amount, totals.weighted) == (
        2,
        Decimal("112345.68"),
        Decimal("51234.57"),  # 50000.005 + 1234.567 = 51234.572
    )
    response = client.get(reverse("opportunity-list"), {"stage": stages["initial"].pk, "q": "沃力"})
    assert [o.name for o in response.context["page"].object_list] == ["OA"]
    response = client.get(reverse("opportunity-list"), {"stage": "nonsense", "page_size": "7"})
    assert response.status_code == 200 and response.context["page"].paginator.per_page == 20


def test_the_customer_panel_lists_opportunities_with_a_quick_add(
    org, stages, make_customer, make_opportunity, django_assert_max_num_queries
):
    from banyan.customers import selectors as customer_selectors

    customer = make_customer(org.sales1)
    make_opportunity(org.sales1, customer, name="ERP", stage=stages["proposal"])
    make_opportunity(org.sales1, customer, name="OA", stage=stages["initial"])
    request = RequestFactory().get("/")

    def render(user):
        request.user = user
        shown = customer_selectors.get_customer_for(user, customer.pk)
        panel = next(p for p in customer_view.panels_for(user, shown) if p.key == "opportunities")
        # the opportunities; the share, for a colleague; the user's permissions (user + group:
        # the Finance menu entry asks whether they may record payments)
        with django_assert_max_num_queries(4):
            context = {"object": shown, "user": user, **panel.context(user, shown)}
            return render_to_string(panel.template, context, request=request)

    html = render(org.sales1)
    assert "ERP" in html and "OA" in html and "Proposal and quote" in html
    assert reverse("opportunity-create", args=[customer.pk]) in html
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales3, level="view"
    )
    viewer_html = render(org.sales3)
    assert "ERP" in viewer_html
    assert reverse("opportunity-create", args=[customer.pk]) not in viewer_html


def test_pages_are_gone_when_the_company_does_not_track_opportunities(org, client_as):
    org.company.uses_opportunity_tracking = False
    org.company.save()

    client = client_as(org.sales1)
    assert client.get(reverse("opportunity-list")).status_code == 404
    assert client.get(reverse("opportunity-pipeline")).status_code == 404
    assert "opportunity-pipeline" not in [
        item.key for item in client.get(reverse("home")).context["nav_main"]
    ]


# --- the visibility matrix ------------------------------------------------------------------

# Who may do what with an opportunity on a customer owned by sales1: 200 = yes, 403 = may see
# but not change, 404 = does not exist for them.
READ, WRITE = 0, 1
MATRIX = {
    "owner": (200, 200),
    "peer": (404, 404),
    "manager1": (200, 200),
    "manager2": (404, 404),
    "director1": (200, 200),
    "boss": (200, 200),
    "assistant": (200, 200),
    "view_share": (200, 403),
    "edit_share": (200, 200),
    "other_company": (404, 404),
}


@pytest.fixture
def matrix_case(org, other_org, stages, make_customer, make_opportunity):
    customer = make_customer(org.sales1, name="沃力科技")
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales_d1, level="view"
    )
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales4, level="edit"
    )
    opportunity = make_opportunity(
        org.sales1, customer, name="Matrix deal", stage=stages["needs"], expected_amount="5000"
    )
    users = {
        "owner": org.sales1,
        "peer": org.sales2,
        "manager1": org.manager1,
        "manager2": org.manager2,
        "director1": org.director1,
        "boss": org.boss,
        "assistant": org.assistant,
        "view_share": org.sales_d1,
        "edit_share": org.sales4,
        "other_company": other_org.sales1,
    }
    return customer, opportunity, users


def ok(status: int) -> int:
    """Success, whether a page (200) or a redirect after a POST (302)."""
    return 200 if status in (200, 302) else status


@pytest.mark.parametrize("who", MATRIX)
def test_matrix_pages(who, matrix_case, stages, client_as):
    customer, opportunity, users = matrix_case
    client = client_as(users[who])
    read, write = MATRIX[who]
    pk = opportunity.pk
    before = state(opportunity)

    assert ok(client.get(reverse("opportunity-detail", args=[pk])).status_code) == read
    listed = [o.pk for o in client.get(reverse("opportunity-list")).context["page"].object_list]
    assert (pk in listed) == (read == 200)
    board = client.get(reverse("opportunity-pipeline")).context["board"]
    assert (pk in [o.pk for c in board.columns for o in c.cards]) == (read == 200)

    for name in ("opportunity-edit", "opportunity-won", "opportunity-lost", "opportunity-delete"):
        assert ok(client.get(reverse(name, args=[pk])).status_code) == write, name
    assert ok(client.get(reverse("opportunity-create", args=[customer.pk])).status_code) == write

    refused = write != 200
    assert (
        ok(
            client.post(
                reverse("opportunity-edit", args=[pk]),
                {
                    "name": "Changed",
                    "stage": stages["needs"].pk,
                    "probability": "30",
                    "expected_amount": "5000",
                    "owner": opportunity.owner_id,
                },
            ).status_code
        )
        == write
    )
    assert (
        ok(
            client.post(
                reverse("opportunity-move", args=[pk]), {"stage": stages["proposal"].pk}, **HTMX
            ).status_code
        )
        == write
    )
    if refused:
        assert (
            ok(client.post(reverse("opportunity-won", args=[pk]), {"reason": "x"}).status_code)
            == write
        )
        assert (
            ok(client.post(reverse("opportunity-lost", args=[pk]), {"reason": "x"}).status_code)
            == write
        )
        assert ok(client.post(reverse("opportunity-reopen", args=[pk])).status_code) == write
        assert ok(client.post(reverse("opportunity-delete", args=[pk])).status_code) == write
        assert (
            ok(
                client.post(
                    reverse("opportunity-create", args=[customer.pk]),
                    {"name": "New", "stage": stages["needs"].pk},
                ).status_code
            )
            == write
        )
        assert state(opportunity) == before
        assert Opportunity.objects.count() == 1
    else:
        opportunity.refresh_from_db()
        assert (opportunity.name, opportunity.stage_id) == ("Changed", stages["proposal"].pk)
        assert client.post(reverse("opportunity-won", args=[pk]), {"reason": ""}).status_code == 302
        assert client.post(reverse("opportunity-reopen", args=[pk])).status_code == 302
        assert (
            client.post(reverse("opportunity-lost", args=[pk]), {"reason": "x"}).status_code == 302
        )
        assert client.post(reverse("opportunity-delete", args=[pk])).status_code == 302
        assert Opportunity.objects.count() == 0


# --- query counts ------------------------------------------------------------------------------


def fill(org, stages, make_customer, make_opportunity, count):
    codes = list(stages)
    customers = [make_customer(org.sales1), make_customer(org.sales2)]
    for index in range(count):
        make_opportunity(
            org.sales1 if index % 2 == 0 else org.sales2,
            customers[index % 2],
            stage=stages[codes[index % len(codes)]],
        )


# session, user, permissions (user + group, for the Finance menu entry), stages and owners of
# the filters, shares, count, page, totals
LIST_QUERIES = 10
# session, user, permissions (2), shares (2), totals per stage, stages, cards, owner filter (2)
BOARD_QUERIES = 11


@pytest.mark.parametrize("size", [3, 30])
def test_list_query_count_does_not_grow(
    size, org, stages, client_as, make_customer, make_opportunity, django_assert_max_num_queries
):
    fill(org, stages, make_customer, make_opportunity, size)
    client = client_as(org.manager1)

    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(
            reverse("opportunity-list"), {"page_size": 50, "sort": "stage__position"}
        )
    assert len(response.context["page"].object_list) == size


@pytest.mark.parametrize("size", [3, 30])
def test_board_query_count_does_not_grow(
    size, org, stages, client_as, make_customer, make_opportunity, django_assert_max_num_queries
):
    fill(org, stages, make_customer, make_opportunity, size)
    client = client_as(org.manager1)

    with django_assert_max_num_queries(BOARD_QUERIES):
        response = client.get(reverse("opportunity-pipeline"))
    assert sum(len(c.cards) for c in response.context["board"].columns) == size


@pytest.mark.parametrize("who", [w for w in MATRIX if MATRIX[w][READ] == 200])
def test_a_card_offers_the_move_exactly_where_the_service_accepts_it(
    who, matrix_case, stages, client_as, monkeypatch
):
    """Every role that sees the card: the move form is on it exactly when the service
    accepts the move, and the board learns that from the one rule every service asks
    (`editable_among`), once for all its cards; moving through the form works."""
    from banyan.customers import selectors as customer_selectors

    customer, opportunity, users = matrix_case
    asked = []
    rule = customer_selectors.editable_among

    def spy(user, customers):
        customers = list(customers)
        asked.append([c.pk for c in customers])
        return rule(user, customers)

    monkeypatch.setattr(customer_selectors, "editable_among", spy)
    client = client_as(users[who])
    move = reverse("opportunity-move", args=[opportunity.pk])

    html = client.get(reverse("opportunity-pipeline")).content.decode()
    assert asked == [[customer.pk]]
    accepts = MATRIX[who][WRITE] == 200
    assert (f'action="{move}"' in html) == accepts
    response = client.post(move, {"stage": stages["proposal"].pk}, **HTMX)
    assert response.status_code == (200 if accepts else 403)
    opportunity.refresh_from_db()
    assert (opportunity.stage_id == stages["proposal"].pk) == accepts
