"""Opportunity services: stages and probabilities, history, won/lost/reopen, validation,
rights, board order."""

from datetime import date
from decimal import Decimal

import pytest

from banyan.accounts import services as account_services
from banyan.accounts.models import DictionaryOption
from banyan.core.errors import DomainError, NotFound, PermissionRefused, ValidationFailed
from banyan.customers import services as customer_services
from banyan.opportunities import selectors, services
from banyan.opportunities.models import Opportunity, StageChange


def history(opportunity):
    return [
        (
            change.from_stage.code if change.from_stage else None,
            change.to_stage.code,
            change.from_probability,
            change.to_probability,
            change.from_status,
            change.to_status,
            change.changed_by.username,
        )
        for change in StageChange.objects.filter(opportunity=opportunity).order_by("id")
    ]


def snapshot(opportunity):
    """Everything a refused change must leave as it was."""
    opportunity.refresh_from_db()
    return (
        opportunity.name,
        opportunity.stage_id,
        opportunity.probability,
        opportunity.expected_amount,
        opportunity.status,
        opportunity.close_reason,
        opportunity.owner_id,
        StageChange.objects.filter(opportunity=opportunity).count(),
    )


def test_create_takes_the_stage_default_probability_and_writes_the_first_history_row(
    org, stages, make_customer
):
    customer = make_customer(org.sales1)

    opportunity = services.opportunity_create(
        user=org.sales1,
        customer=customer,
        name=" ERP  upgrade ",
        stage=stages["proposal"],
        expected_amount="120000.50",
        expected_close_date="2026-06-30",
        next_step="Send the quote",
        competitors="Kingdee\nYonyou",
    )

    opportunity.refresh_from_db()
    assert opportunity.name == "ERP upgrade"
    assert opportunity.stage == stages["proposal"]
    assert opportunity.probability == 50
    assert opportunity.expected_amount == Decimal("120000.50")
    assert opportunity.expected_close_date == date(2026, 6, 30)
    assert opportunity.status == Opportunity.Status.OPEN
    assert opportunity.owner == org.sales1 and opportunity.created_by == org.sales1
    assert opportunity.company == org.company
    assert history(opportunity) == [(None, "proposal", None, 50, "", "open", "sales1")]


def test_create_defaults_to_the_first_active_stage_and_takes_a_given_probability(
    org, stages, make_customer
):
    customer = make_customer(org.sales1)

    opportunity = services.opportunity_create(
        user=org.sales1, customer=customer, name="A", probability=25
    )

    assert opportunity.stage == stages["initial"]
    assert opportunity.probability == 25
    assert history(opportunity) == [(None, "initial", None, 25, "", "open", "sales1")]


def test_moving_applies_the_new_stage_default_unless_a_probability_is_given(
    org, stages, make_customer, make_opportunity
):
    opportunity = make_opportunity(org.sales1, make_customer(org.sales1), stage=stages["initial"])

    services.opportunity_move_stage(user=org.sales1, opportunity=opportunity, stage=stages["needs"])
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.probability) == (stages["needs"], 30)

    services.opportunity_move_stage(
        user=org.manager1, opportunity=opportunity, stage=stages["negotiation"].pk, probability=65
    )
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.probability) == (stages["negotiation"], 65)

    assert history(opportunity) == [
        (None, "initial", None, 10, "", "open", "sales1"),
        ("initial", "needs", 10, 30, "open", "open", "sales1"),
        ("needs", "negotiation", 30, 65, "open", "open", "manager1"),
    ]


def test_update_probability_follows_a_new_stage_unless_given_and_keeps_otherwise(
    org, stages, make_customer, make_opportunity
):
    opportunity = make_opportunity(org.sales1, make_customer(org.sales1), stage=stages["initial"])

    services.opportunity_update(user=org.sales1, opportunity=opportunity, probability=15)
    opportunity.refresh_from_db()
    assert opportunity.probability == 15
    services.opportunity_update(
        user=org.sales1, opportunity=opportunity, stage=stages["proposal"], name="Renamed"
    )
    opportunity.refresh_from_db()
    assert (opportunity.name, opportunity.probability) == ("Renamed", 50)
    services.opportunity_update(
        user=org.sales1, opportunity=opportunity, stage=stages["negotiation"], probability=60
    )
    opportunity.refresh_from_db()
    assert opportunity.probability == 60
    # Cleared ("use the default"): the current stage's default.
    services.opportunity_update(user=org.sales1, opportunity=opportunity, probability=None)
    opportunity.refresh_from_db()
    assert opportunity.probability == 70

    assert history(opportunity) == [
        (None, "initial", None, 10, "", "open", "sales1"),
        ("initial", "proposal", 15, 50, "open", "open", "sales1"),
        ("proposal", "negotiation", 50, 60, "open", "open", "sales1"),
    ]


def test_a_company_stage_brings_its_own_default(org, stages, make_customer, make_opportunity):
    custom = account_services.dictionary_option_create(
        actor=org.boss, kind="opportunity_stage", label="Pilot", probability=40
    )
    opportunity = make_opportunity(org.sales1, make_customer(org.sales1), stage=stages["needs"])

    services.opportunity_move_stage(user=org.sales1, opportunity=opportunity, stage=custom)

    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.probability) == (custom, 40)


def test_won_lost_and_reopen_write_history_and_set_probability(
    org, stages, make_customer, make_opportunity
):
    opportunity = make_opportunity(org.sales1, make_customer(org.sales1), stage=stages["proposal"])
    services.opportunity_update(user=org.sales1, opportunity=opportunity, probability=55)

    services.opportunity_mark_won(user=org.sales1, opportunity=opportunity, reason=" Best price ")
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.probability, opportunity.close_reason) == (
        "won",
        100,
        "Best price",
    )
    assert opportunity.closed_at is not None

    services.opportunity_reopen(user=org.sales1, opportunity=opportunity)
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.probability, opportunity.close_reason) == (
        "open",
        55,
        "",
    )
    assert opportunity.closed_at is None

    services.opportunity_mark_lost(user=org.manager1, opportunity=opportunity, reason="Budget cut")
    opportunity.refresh_from_db()
    assert (opportunity.status, opportunity.probability, opportunity.close_reason) == (
        "lost",
        0,
        "Budget cut",
    )

    assert history(opportunity) == [
        (None, "proposal", None, 50, "", "open", "sales1"),
        ("proposal", "proposal", 55, 100, "open", "won", "sales1"),
        ("proposal", "proposal", 100, 55, "won", "open", "sales1"),
        ("proposal", "proposal", 55, 0, "open", "lost", "manager1"),
    ]
    kinds = [c.kind for c in StageChange.objects.filter(opportunity=opportunity).order_by("id")]
    assert kinds == ["created", "won", "reopened", "lost"]


def test_lost_needs_a_reason_and_closed_ones_refuse_moves_and_second_closing(
    org, stages, make_customer, make_opportunity
):
    opportunity = make_opportunity(org.sales1, make_customer(org.sales1), stage=stages["needs"])
    before = snapshot(opportunity)

    with pytest.raises(ValidationFailed) as refused:
        services.opportunity_mark_lost(user=org.sales1, opportunity=opportunity, reason="  ")
    assert refused.value.as_dict() == {"reason": ["Say why the opportunity was lost."]}
    assert snapshot(opportunity) == before

    services.opportunity_mark_won(user=org.sales1, opportunity=opportunity)
    closed = snapshot(opportunity)
    with pytest.raises(DomainError) as refused:
        services.opportunity_move_stage(
            user=org.sales1, opportunity=opportunity, stage=stages["proposal"]
        )
    assert refused.value.field == "stage"
    with pytest.raises(ValidationFailed) as refused:
        services.opportunity_update(
            user=org.sales1, opportunity=opportunity, stage=stages["proposal"]
        )
    assert list(refused.value.as_dict()) == ["stage"]
    with pytest.raises(DomainError) as refused:
        services.opportunity_mark_lost(user=org.sales1, opportunity=opportunity, reason="x")
    assert refused.value.field == "status"
    assert snapshot(opportunity) == closed
    with pytest.raises(DomainError):
        services.opportunity_reopen(
            user=org.sales1,
            opportunity=services.opportunity_reopen(user=org.sales1, opportunity=opportunity),
        )


def test_validation_names_the_field_and_writes_nothing(
    org, other_org, stages, make_customer, make_opportunity
):
    customer = make_customer(org.sales1)
    foreign_stage = DictionaryOption.objects.get(
        company=other_org.company, kind="opportunity_stage", code="needs"
    )
    with pytest.raises(ValidationFailed) as refused:
        services.opportunity_create(
            user=org.sales1,
            customer=customer,
            name=" ",
            stage=foreign_stage,
            probability=101,
            expected_amount="-1.00",
            expected_close_date="30/06/2026",
        )
    assert refused.value.as_dict() == {
        "name": ["Enter the opportunity's name."],
        "stage": ["Choose a stage from the list."],
        "probability": ["Enter the probability as a whole number from 0 to 100."],
        "expected_amount": ["The amount cannot be negative."],
        "expected_close_date": ["Enter a date such as 2026-06-30."],
    }
    with pytest.raises(ValidationFailed) as refused:
        services.opportunity_create(
            user=org.sales1, customer=customer, name="x", expected_amount="12.345"
        )
    assert refused.value.as_dict() == {"expected_amount": ["Give at most two decimal places."]}
    assert Opportunity.objects.count() == 0
    assert StageChange.objects.count() == 0


def test_an_inactive_stage_is_refused_but_kept_by_an_opportunity_already_in_it(
    org, stages, make_customer, make_opportunity
):
    opportunity = make_opportunity(org.sales1, make_customer(org.sales1), stage=stages["needs"])
    account_services.dictionary_option_update(
        actor=org.boss, option=stages["needs"], is_active=False
    )
    other = make_opportunity(org.sales1, make_customer(org.sales1), stage=stages["initial"])
    before = snapshot(other)

    with pytest.raises(ValidationFailed) as refused:
        services.opportunity_move_stage(user=org.sales1, opportunity=other, stage=stages["needs"])
    assert refused.value.as_dict() == {
        "stage": ["Needs confirmed is no longer in use: choose another stage."]
    }
    assert snapshot(other) == before
    # The one already there may still be saved with its stage.
    services.opportunity_update(
        user=org.sales1, opportunity=opportunity, stage=stages["needs"], name="Still here"
    )
    opportunity.refresh_from_db()
    assert (opportunity.name, opportunity.stage) == ("Still here", stages["needs"])


def test_amounts_are_decimals_never_floats(org, make_customer):
    customer = make_customer(org.sales1)
    opportunity = services.opportunity_create(
        user=org.sales1, customer=customer, name="x", expected_amount=0.1 + 0.2 - 0.3 + 1234.56
    )
    opportunity.refresh_from_db()
    assert opportunity.expected_amount == Decimal("1234.56")


def test_owner_defaults_to_the_acting_user_in_the_line_or_to_the_customer_owner(
    org, stages, make_customer
):
    customer = make_customer(org.sales1)
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales4, level="edit"
    )

    by_owner = services.opportunity_create(user=org.sales1, customer=customer, name="a")
    by_manager = services.opportunity_create(user=org.manager1, customer=customer, name="b")
    by_colleague = services.opportunity_create(user=org.sales4, customer=customer, name="c")
    to_rep = services.opportunity_create(
        user=org.manager1, customer=customer, name="d", owner=org.sales2
    )

    assert by_owner.owner == org.sales1
    assert by_manager.owner == org.manager1
    assert by_colleague.owner == org.sales1
    assert to_rep.owner == org.sales2
    with pytest.raises(ValidationFailed) as refused:
        services.opportunity_create(
            user=org.sales4, customer=customer, name="e", owner=org.manager2
        )
    assert refused.value.as_dict() == {
        "owner": ["Choose yourself, someone below you, or the customer's owner."]
    }


@pytest.mark.parametrize("who", ["sales2", "manager2", "other"])
def test_invisible_customers_are_not_found(org, other_org, who, make_customer, make_opportunity):
    user = other_org.sales1 if who == "other" else getattr(org, who)
    customer = make_customer(org.sales1)
    opportunity = make_opportunity(org.sales1, customer)
    before = snapshot(opportunity)

    with pytest.raises(NotFound):
        services.opportunity_create(user=user, customer=customer, name="x")
    with pytest.raises(NotFound):
        services.opportunity_update(user=user, opportunity=opportunity, name="x")
    with pytest.raises(NotFound):
        services.opportunity_move_stage(
            user=user, opportunity=opportunity, stage=opportunity.stage_id
        )
    with pytest.raises(NotFound):
        services.opportunity_mark_lost(user=user, opportunity=opportunity, reason="x")
    with pytest.raises(NotFound):
        services.opportunity_delete(user=user, opportunity=opportunity)
    assert snapshot(opportunity) == before
    assert Opportunity.objects.count() == 1


def test_a_view_share_reads_but_cannot_change(org, stages, make_customer, make_opportunity):
    customer = make_customer(org.sales1)
    opportunity = make_opportunity(org.sales1, customer, stage=stages["initial"])
    customer_services.customer_share(
        user=org.sales1, customer=customer, target=org.sales3, level="view"
    )
    before = snapshot(opportunity)

    assert selectors.get_opportunity_for(org.sales3, opportunity.pk) == opportunity
    for attempt in (
        lambda: services.opportunity_create(user=org.sales3, customer=customer, name="x"),
        lambda: services.opportunity_update(user=org.sales3, opportunity=opportunity, name="x"),
        lambda: services.opportunity_move_stage(
            user=org.sales3, opportunity=opportunity, stage=stages["needs"]
        ),
        lambda: services.opportunity_mark_won(user=org.sales3, opportunity=opportunity),
        lambda: services.opportunity_mark_lost(user=org.sales3, opportunity=opportunity, reason=""),
        lambda: services.opportunity_delete(user=org.sales3, opportunity=opportunity),
    ):
        with pytest.raises(PermissionRefused):
            attempt()
    assert snapshot(opportunity) == before
    assert Opportunity.objects.count() == 1


def test_delete_removes_the_opportunity_and_its_history(org, make_customer, make_opportunity):
    opportunity = make_opportunity(org.sales1, make_customer(org.sales1))

    services.opportunity_delete(user=org.assistant, opportunity=opportunity)

    assert Opportunity.objects.count() == 0
    assert StageChange.objects.count() == 0


def test_a_used_stage_cannot_be_deleted_from_the_dictionary(org, make_customer):
    custom = account_services.dictionary_option_create(
        actor=org.boss, kind="opportunity_stage", label="Pilot", probability=40
    )
    services.opportunity_create(
        user=org.sales1, customer=make_customer(org.sales1), name="x", stage=custom
    )

    with pytest.raises(DomainError) as refused:
        account_services.dictionary_option_delete(actor=org.boss, option=custom)
    assert refused.value.field == "option"


def column(org, stage):
    return list(
        Opportunity.objects.filter(company=org.company, stage=stage, status="open")
        .order_by("position", "id")
        .values_list("name", flat=True)
    )


def test_moving_places_the_card_among_the_cards_the_user_sees(
    org, stages, make_customer, make_opportunity
):
    mine = make_customer(org.sales1)
    theirs = make_customer(org.sales3)
    for name, owner, customer in [
        ("a", org.sales1, mine),
        ("hidden", org.sales3, theirs),
        ("b", org.sales1, mine),
        ("c", org.sales1, mine),
    ]:
        make_opportunity(owner, customer, name=name, stage=stages["needs"])
    moving = make_opportunity(org.sales1, mine, name="m", stage=stages["initial"])

    services.opportunity_move_stage(
        user=org.sales1, opportunity=moving, stage=stages["needs"], position=1
    )
    assert column(org, stages["needs"]) == ["a", "hidden", "m", "b", "c"]

    services.opportunity_move_stage(
        user=org.sales1, opportunity=moving, stage=stages["needs"], position=0
    )
    assert column(org, stages["needs"]) == ["m", "a", "hidden", "b", "c"]

    c = Opportunity.objects.get(name="c")
    services.opportunity_move_stage(
        user=org.sales1, opportunity=moving, stage=stages["needs"], before=c.pk
    )
    assert column(org, stages["needs"]) == ["a", "hidden", "b", "m", "c"]

    services.opportunity_move_stage(
        user=org.sales1, opportunity=moving, stage=stages["needs"], position=99
    )
    assert column(org, stages["needs"]) == ["a", "hidden", "b", "c", "m"]
    # Reordering inside a column is not a stage change.
    assert [c.kind for c in moving.stage_changes.order_by("id")] == ["created", "stage"]


def test_deactivation_hands_open_opportunities_over(org, make_customer, make_opportunity):
    customer = make_customer(org.sales1)
    open_one = make_opportunity(org.sales1, customer)
    won_one = make_opportunity(org.sales1, customer)
    services.opportunity_mark_won(user=org.sales1, opportunity=won_one)

    account_services.user_deactivate(actor=org.boss, user=org.sales1, hand_over_to=org.sales2)

    open_one.refresh_from_db()
    won_one.refresh_from_db()
    assert (open_one.owner, won_one.owner) == (org.sales2, org.sales1)


def test_open_opportunities_follow_a_customer_transfer(org, make_customer):
    from banyan.customers import services as customer_services
    from banyan.opportunities import services as opportunity_services

    customer = make_customer(org.sales1)
    open_one = opportunity_services.opportunity_create(
        user=org.sales1, customer=customer, name="续约"
    )
    won = opportunity_services.opportunity_create(user=org.sales1, customer=customer, name="首单")
    opportunity_services.opportunity_mark_won(user=org.sales1, opportunity=won)
    customer_services.customer_transfer(user=org.manager1, customer=customer, owner=org.sales2)
    open_one.refresh_from_db()
    won.refresh_from_db()
    assert open_one.owner == org.sales2
    assert won.owner == org.sales1  # who won it stays on the record
