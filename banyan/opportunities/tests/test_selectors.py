"""Opportunity selectors: visibility, the list's filters and totals, the board."""

from datetime import date
from decimal import Decimal

import pytest

from banyan.accounts import services as account_services
from banyan.customers import services as customer_services
from banyan.opportunities import selectors, services
from banyan.opportunities.selectors import Totals


@pytest.fixture
def pipeline(org, stages, make_customer, make_opportunity):
    """Six opportunities of sales1's customer, with hand-computable totals:

    initial  12345.67 × 10% = 1234.567
    proposal 100000.01 × 50% = 50000.005, 999.99 × 33% = 329.9967
    negotiation 0.05 × 50% = 0.025 (given)
    won 500.00 (→ 100%), lost 700.00 (→ 0%): not on the board
    """
    customer = make_customer(org.sales1, name="沃力科技")
    made = {
        "a": make_opportunity(
            org.sales1, customer, name="A", stage=stages["initial"], expected_amount="12345.67"
        ),
        "b": make_opportunity(
            org.sales1, customer, name="B", stage=stages["proposal"], expected_amount="100000.01"
        ),
        "c": make_opportunity(
            org.sales1,
            customer,
            name="C",
            stage=stages["proposal"],
            expected_amount="999.99",
            probability=33,
        ),
        "d": make_opportunity(
            org.sales1,
            customer,
            name="D",
            stage=stages["negotiation"],
            expected_amount="0.05",
            probability=50,
        ),
        "won": make_opportunity(
            org.sales1, customer, name="Won", stage=stages["commitment"], expected_amount="500"
        ),
        "lost": make_opportunity(
            org.sales1, customer, name="Lost", stage=stages["needs"], expected_amount="700"
        ),
    }
    services.opportunity_mark_won(user=org.sales1, opportunity=made["won"])
    services.opportunity_mark_lost(user=org.sales1, opportunity=made["lost"], reason="Price")
    return made


def test_board_columns_follow_the_dictionary_with_exact_weighted_totals(org, pipeline):
    board = selectors.pipeline_board(org.sales1)

    assert [
        (
            c.stage.code,
            c.totals.count,
            c.totals.amount,
            c.totals.weighted,
            [o.name for o in c.cards],
        )
        for c in board.columns
    ] == [
        ("initial", 1, Decimal("12345.67"), Decimal("1234.57"), ["A"]),
        ("needs", 0, Decimal("0.00"), Decimal("0.00"), []),
        ("proposal", 2, Decimal("101000.00"), Decimal("50330.00"), ["B", "C"]),
        ("negotiation", 1, Decimal("0.05"), Decimal("0.03"), ["D"]),
        ("commitment", 0, Decimal("0.00"), Decimal("0.00"), []),
    ]
    # Σ weighted = 1234.567 + 50330.0017 + 0.025 = 51564.5937, rounded once at the end.
    assert board.totals == Totals(4, Decimal("113345.72"), Decimal("51564.59"))


def test_list_totals_count_every_status(org, pipeline):
    totals = selectors.opportunity_totals(selectors.opportunity_list(org.sales1))

    # 113345.72 + 500 + 700; weighted 51564.5937 + 500 × 100% + 700 × 0%.
    assert totals == Totals(6, Decimal("114545.72"), Decimal("52064.59"))
    assert selectors.opportunity_totals(
        selectors.opportunity_list(org.sales1, status="open")
    ) == Totals(4, Decimal("113345.72"), Decimal("51564.59"))


def test_board_follows_a_reordered_dictionary_and_shows_an_inactive_stage_still_in_use(
    org, stages, pipeline
):
    account_services.dictionary_reorder(
        actor=org.boss,
        kind="opportunity_stage",
        option_ids=[stages["commitment"].pk, stages["proposal"].pk],
    )
    account_services.dictionary_option_update(
        actor=org.boss, option=stages["initial"], is_active=False
    )
    account_services.dictionary_option_update(
        actor=org.boss, option=stages["needs"], is_active=False
    )

    board = selectors.pipeline_board(org.sales1)

    assert [(c.stage.code, c.stage.is_active) for c in board.columns] == [
        ("commitment", True),
        ("proposal", True),
        ("initial", False),  # inactive, but A is still in it
        ("negotiation", True),
    ]


def test_board_cards_are_limited_per_column_but_totals_count_them_all(
    org, stages, make_customer, make_opportunity
):
    customer = make_customer(org.sales1)
    for index in range(4):
        make_opportunity(org.sales1, customer, name=f"N{index}", stage=stages["needs"])

    board = selectors.pipeline_board(org.sales1, cards_per_column=3)

    needs = next(c for c in board.columns if c.stage.code == "needs")
    assert [o.name for o in needs.cards] == ["N0", "N1", "N2"]
    assert (needs.totals.count, needs.hidden_count) == (4, 1)


def test_board_owner_filter_and_edit_flags(org, stages, make_customer, make_opportunity):
    own = make_customer(org.sales1)
    shared = make_customer(org.sales3)
    customer_services.customer_share(
        user=org.sales3, customer=shared, target=org.sales1, level="view"
    )
    make_opportunity(org.sales1, own, name="Mine", stage=stages["needs"])
    make_opportunity(org.manager1, own, name="Manager's", stage=stages["needs"])
    make_opportunity(org.sales3, shared, name="Shared", stage=stages["needs"])

    everything = selectors.pipeline_board(org.sales1)
    needs = next(c for c in everything.columns if c.stage.code == "needs")
    assert [(o.name, o.editable) for o in needs.cards] == [
        ("Mine", True),
        ("Manager's", True),
        ("Shared", False),
    ]
    filtered = selectors.pipeline_board(org.sales1, owner_id=org.manager1.pk)
    assert [o.name for c in filtered.columns for o in c.cards] == ["Manager's"]


def test_list_filters_and_search(org, stages, make_customer, make_opportunity, pipeline):
    other_customer = make_customer(org.sales1, name="北京明珠")
    make_opportunity(
        org.manager1,
        other_customer,
        name="Pearl CRM",
        stage=stages["needs"],
        expected_amount="3000",
        expected_close_date=date(2026, 3, 1),
    )
    services.opportunity_update(
        user=org.sales1, opportunity=pipeline["a"], expected_close_date=date(2026, 5, 1)
    )

    def names(**filters):
        return sorted(o.name for o in selectors.opportunity_list(org.sales1, **filters))

    assert names(search="明珠") == ["Pearl CRM"]
    assert names(search="pearl") == ["Pearl CRM"]
    assert names(stage_id=stages["proposal"].pk) == ["B", "C"]
    assert names(status="lost") == ["Lost"]
    assert names(owner_id=org.manager1.pk) == ["Pearl CRM"]
    assert names(close_from=date(2026, 4, 1)) == ["A"]
    assert names(close_to=date(2026, 4, 1)) == ["Pearl CRM"]
    assert names(amount_min=Decimal("900"), amount_max=Decimal("3000")) == ["C", "Pearl CRM"]
    ordered = [o.name for o in selectors.opportunity_list(org.sales1, ordering="-expected_amount")]
    assert ordered == ["B", "A", "Pearl CRM", "C", "Lost", "Won", "D"]


def test_visibility_follows_the_customer(org, other_org, pipeline, make_customer):
    def count(user):
        return selectors.visible_opportunities(user).count()

    assert [
        count(u)
        for u in (
            org.sales1,
            org.manager1,
            org.director1,
            org.boss,
            org.assistant,
            org.sales2,
            org.manager2,
            org.director2,
            other_org.sales1,
            other_org.boss,
        )
    ] == [6, 6, 6, 6, 6, 0, 0, 0, 0, 0]
