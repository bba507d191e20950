"""Writes on opportunities: create, change, move through the stages, win, lose, reopen, delete.

Every function takes the acting user and needs edit rights on the opportunity's customer
(owner line, or shared to edit). Every change of stage or status writes a StageChange row.

Probability: when the stage is set or changed, the probability becomes the stage's default
(its dictionary option's `probability`) unless the same call gives one explicitly; a stage
without a default keeps the current probability. Winning sets it to 100, losing to 0, and
reopening restores what it was before the opportunity was closed.

Owner: by default the acting user when the customer is in their own line (they own it or are
above its owner), otherwise (a colleague the customer is shared with to edit) the customer's
owner. An explicit owner must be an active user of the company whom the acting user may give
work to (themself or someone below them), or the customer's owner.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from banyan.accounts.guards import ensure_can_write
from banyan.accounts.models import DictionaryOption, User
from banyan.core.errors import DomainError, ValidationFailed
from banyan.core.fetch import get_or_none
from banyan.core.text import clean_text, squash_spaces
from banyan.core.values import parse_amount
from banyan.customers import selectors as customer_selectors
from banyan.customers import services as customer_services
from banyan.customers.models import Customer
from banyan.opportunities import selectors
from banyan.opportunities.models import Opportunity, StageChange

OPPORTUNITY_FIELDS = {
    "name",
    "stage",
    "probability",
    "expected_amount",
    "expected_close_date",
    "next_step",
    "competitors",
    "owner",
}


# --- validation -----------------------------------------------------------------------------


def _stage(user: User, value, errors: dict, *, current_id=None) -> DictionaryOption | None:
    """A stage of the user's company, active (or the opportunity's current one)."""
    if value in (None, ""):
        errors.setdefault("stage", []).append(_("Choose a stage."))
        return None
    option = get_or_none(
        DictionaryOption.objects.filter(company_id=user.company_id, kind=selectors.STAGE_KIND),
        value,
    )
    if option is None:
        errors.setdefault("stage", []).append(_("Choose a stage from the list."))
        return None
    if not option.is_active and option.pk != current_id:
        errors.setdefault("stage", []).append(
            _("%(label)s is no longer in use: choose another stage.")
            % {"label": option.display_label}
        )
        return None
    return option


def _first_stage(user: User) -> DictionaryOption | None:
    return selectors.stages(user, active_only=True).first()


def _probability(value, errors: dict) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        value = "x"
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors.setdefault("probability", []).append(
            _("Enter the probability as a whole number from 0 to 100.")
        )
        return None
    if not 0 <= number <= 100:
        errors.setdefault("probability", []).append(
            _("Enter the probability as a whole number from 0 to 100.")
        )
        return None
    return number


def _amount(value, errors: dict) -> Decimal:
    """Blank is 0.00; otherwise an amount as `core.values.parse_amount` reads it."""
    amount = parse_amount(
        value, errors, "expected_amount", required=False, allow_zero=True, default=Decimal("0.00")
    )
    return Decimal("0.00") if amount is None else amount


def _date(value, errors: dict) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    parsed = None
    try:
        parsed = parse_date(str(value))
    except ValueError:
        parsed = None
    if parsed is None:
        errors.setdefault("expected_close_date", []).append(_("Enter a date such as 2026-06-30."))
    return parsed


def _clean_fields(
    user: User, data: dict, errors: dict, *, customer: Customer, current: Opportunity | None
) -> dict:
    cleaned = {}
    if "name" in data:
        cleaned["name"] = squash_spaces(data["name"] or "")
        if not cleaned["name"]:
            errors.setdefault("name", []).append(_("Enter the opportunity's name."))
        elif len(cleaned["name"]) > 200:
            errors.setdefault("name", []).append(_("A name has at most 200 characters."))
    if "stage" in data:
        cleaned["stage"] = _stage(
            user, data["stage"], errors, current_id=current.stage_id if current else None
        )
    if "probability" in data:
        cleaned["probability"] = _probability(data["probability"], errors)
    if "expected_amount" in data:
        cleaned["expected_amount"] = _amount(data["expected_amount"], errors)
    if "expected_close_date" in data:
        cleaned["expected_close_date"] = _date(data["expected_close_date"], errors)
    if "next_step" in data:
        cleaned["next_step"] = clean_text(data["next_step"] or "")
        if len(cleaned["next_step"]) > 255:
            errors.setdefault("next_step", []).append(
                _("The next step has at most 255 characters.")
            )
    if "competitors" in data:
        cleaned["competitors"] = (data["competitors"] or "").strip()
    if "owner" in data and data["owner"] not in (None, ""):
        cleaned["owner"] = customer_services.record_owner(user, data["owner"], customer, errors)
    return cleaned


# --- the board column order -----------------------------------------------------------------


def _end_of_column(company_id: int, stage_id: int, *, exclude_pk=None) -> int:
    column = Opportunity.objects.filter(
        company_id=company_id, stage_id=stage_id, status=Opportunity.Status.OPEN
    )
    if exclude_pk:
        column = column.exclude(pk=exclude_pk)
    highest = column.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


def _place(user: User, opportunity: Opportunity, index: int, before_id: int | None = None) -> None:
    """Put the card in front of card `before_id` when that card is in the column, else at
    `index` among the cards of the column that the user sees; the cards only others see keep
    their order around it. The column is renumbered 0, 1, 2, …"""
    column = list(
        Opportunity.objects.select_for_update()
        .filter(
            company_id=opportunity.company_id,
            stage_id=opportunity.stage_id,
            status=Opportunity.Status.OPEN,
        )
        .exclude(pk=opportunity.pk)
        .order_by("position", "id")
        .only("pk", "position")
    )
    visible_ids = set(
        selectors.visible_opportunities(user)
        .filter(pk__in=[o.pk for o in column])
        .values_list("pk", flat=True)
    )
    visible = [o for o in column if o.pk in visible_ids]
    anchor = next((o for o in visible if o.pk == before_id), None)
    if anchor is not None:
        at = column.index(anchor)
    elif index < len(visible):
        at = column.index(visible[index])
    elif visible:
        at = column.index(visible[-1]) + 1
    else:
        at = len(column)
    column.insert(at, opportunity)
    changed = []
    for number, card in enumerate(column):
        if card.position != number:
            card.position = number
            changed.append(card)
    others = [card for card in changed if card.pk != opportunity.pk]
    if others:
        Opportunity.objects.bulk_update(others, ["position"])


# --- history -------------------------------------------------------------------------------


def _record(
    *,
    user: User,
    opportunity: Opportunity,
    from_stage_id: int | None,
    from_probability: int | None,
    from_status: str,
) -> StageChange:
    return StageChange.objects.create(
        company_id=opportunity.company_id,
        opportunity=opportunity,
        from_stage_id=from_stage_id,
        to_stage_id=opportunity.stage_id,
        from_probability=from_probability,
        to_probability=opportunity.probability,
        from_status=from_status,
        to_status=opportunity.status,
        changed_by=user,
    )


def _save(opportunity: Opportunity, user: User, fields: list[str] | None = None) -> None:
    opportunity._history_user = user  # django-simple-history: who made this change
    if fields is None:
        opportunity.save()
    else:
        opportunity.save(update_fields=[*fields, "updated_at"])


def _lock_for_edit(user: User, opportunity: Opportunity | int) -> Opportunity:
    pk = opportunity.pk if isinstance(opportunity, Opportunity) else opportunity
    checked = selectors.get_opportunity_for(user, pk, for_edit=True)
    locked = (
        Opportunity.objects.select_for_update(of=("self",))
        .select_related("customer__owner", "stage")
        .get(pk=checked.pk)
    )
    return locked


# --- opportunities -------------------------------------------------------------------------


@transaction.atomic
def opportunity_create(
    *,
    user: User,
    customer: Customer | int,
    name: str,
    stage: DictionaryOption | int | None = None,
    probability: int | None = None,
    expected_amount=Decimal("0.00"),
    expected_close_date=None,
    next_step: str = "",
    competitors: str = "",
    owner: User | int | None = None,
) -> Opportunity:
    """A new open opportunity on a customer the user may edit, in the given stage (the first
    active stage by default), at the end of its board column. Writes the first history row."""
    ensure_can_write(user)
    customer_pk = customer.pk if isinstance(customer, Customer) else customer
    customer = customer_selectors.get_customer_for(user, customer_pk, for_edit=True)
    errors: dict[str, list[str]] = {}
    if stage in (None, ""):
        stage = _first_stage(user)
    data = _clean_fields(
        user,
        {
            "name": name,
            "stage": stage,
            "probability": probability,
            "expected_amount": expected_amount,
            "expected_close_date": expected_close_date,
            "next_step": next_step,
            "competitors": competitors,
            "owner": owner,
        },
        errors,
        customer=customer,
        current=None,
    )
    if errors:
        raise ValidationFailed(errors)
    stage_option = data.pop("stage")
    explicit_probability = data.pop("probability")
    if explicit_probability is None:
        explicit_probability = stage_option.probability or 0
    data.setdefault("owner", customer_services.default_record_owner(user, customer))
    opportunity = Opportunity(
        company_id=user.company_id,
        customer=customer,
        stage=stage_option,
        probability=explicit_probability,
        created_by=user,
        position=_end_of_column(user.company_id, stage_option.pk),
        **data,
    )
    _save(opportunity, user)
    _record(
        user=user,
        opportunity=opportunity,
        from_stage_id=None,
        from_probability=None,
        from_status="",
    )
    return opportunity


@transaction.atomic
def opportunity_update(*, user: User, opportunity: Opportunity, **fields) -> Opportunity:
    """Change an opportunity's details. A new stage follows the rules of
    `opportunity_move_stage`; `probability=None` means "the stage's default"."""
    ensure_can_write(user)
    unknown = set(fields) - OPPORTUNITY_FIELDS
    if unknown:
        raise DomainError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    opportunity = _lock_for_edit(user, opportunity)
    errors: dict[str, list[str]] = {}
    data = _clean_fields(user, fields, errors, customer=opportunity.customer, current=opportunity)
    new_stage = data.pop("stage", None)
    stage_changes = new_stage is not None and new_stage.pk != opportunity.stage_id
    if stage_changes and not opportunity.is_open:
        errors.setdefault("stage", []).append(
            _("A won or lost opportunity keeps its stage: reopen it first.")
        )
    if errors:
        raise ValidationFailed(errors)
    has_probability = "probability" in data
    probability = data.pop("probability", None)
    for name, value in data.items():
        setattr(opportunity, name, value)
    if stage_changes:
        _change_stage(
            user=user,
            opportunity=opportunity,
            stage=new_stage,
            probability=probability,
            position=None,
        )
    else:
        if has_probability:
            if probability is None:
                probability = opportunity.stage.probability
            if probability is not None:
                opportunity.probability = probability
        _save(opportunity, user)
    return opportunity


def _change_stage(
    *,
    user: User,
    opportunity: Opportunity,
    stage: DictionaryOption,
    probability: int | None,
    position: int | None,
    before_id: int | None = None,
) -> None:
    """Move a locked open opportunity (its other changes already set) and record it."""
    from_stage_id, from_probability = opportunity.stage_id, opportunity.probability
    moved = stage.pk != from_stage_id
    opportunity.stage = stage
    if probability is not None:
        opportunity.probability = probability
    elif moved and stage.probability is not None:
        opportunity.probability = stage.probability
    if position is None and before_id is None:
        if moved:
            opportunity.position = _end_of_column(
                opportunity.company_id, stage.pk, exclude_pk=opportunity.pk
            )
    else:
        _place(user, opportunity, 10**9 if position is None else position, before_id)
    _save(opportunity, user)
    if moved:
        _record(
            user=user,
            opportunity=opportunity,
            from_stage_id=from_stage_id,
            from_probability=from_probability,
            from_status=opportunity.status,
        )


@transaction.atomic
def opportunity_move_stage(
    *,
    user: User,
    opportunity: Opportunity,
    stage: DictionaryOption | int,
    position: int | None = None,
    probability: int | None = None,
    before: int | None = None,
) -> Opportunity:
    """Move an open opportunity to a stage (the board's drag, or the stage select), at
    `position` among the cards of that column the user sees (the end when None), or in front
    of the card `before` (an id; the board sends it, so a filtered board places exactly). The
    probability becomes the new stage's default unless given here. Writes a history row when
    the stage changes; a move inside the same column only reorders."""
    ensure_can_write(user)
    opportunity = _lock_for_edit(user, opportunity)
    errors: dict[str, list[str]] = {}
    stage_option = _stage(user, stage, errors, current_id=opportunity.stage_id)
    explicit = _probability(probability, errors)
    if position is not None:
        try:
            position = int(position)
            if position < 0:
                raise ValueError
        except (TypeError, ValueError):
            errors.setdefault("position", []).append(_("Give the position as a whole number."))
    before_id = None
    if before not in (None, ""):
        try:
            before_id = int(before)
        except (TypeError, ValueError):
            errors.setdefault("before", []).append(_("Give the id of a card."))
    if errors:
        raise ValidationFailed(errors)
    if not opportunity.is_open:
        raise DomainError(
            _("A won or lost opportunity keeps its stage: reopen it first."), field="stage"
        )
    _change_stage(
        user=user,
        opportunity=opportunity,
        stage=stage_option,
        probability=explicit,
        position=position,
        before_id=before_id,
    )
    return opportunity


def _close(
    *, user: User, opportunity: Opportunity, status: str, reason: str, reason_required: bool
) -> Opportunity:
    opportunity = _lock_for_edit(user, opportunity)
    reason = (reason or "").strip()
    if reason_required and not reason:
        raise ValidationFailed({"reason": [_("Say why the opportunity was lost.")]})
    if not opportunity.is_open:
        raise DomainError(
            _("This opportunity is already closed (%(status)s): reopen it first.")
            % {"status": opportunity.get_status_display()},
            field="status",
        )
    from_probability = opportunity.probability
    opportunity.status = status
    opportunity.probability = 100 if status == Opportunity.Status.WON else 0
    opportunity.close_reason = reason
    opportunity.closed_at = timezone.now()
    _save(opportunity, user, ["status", "probability", "close_reason", "closed_at"])
    _record(
        user=user,
        opportunity=opportunity,
        from_stage_id=opportunity.stage_id,
        from_probability=from_probability,
        from_status=Opportunity.Status.OPEN,
    )
    return opportunity


@transaction.atomic
def opportunity_mark_won(*, user: User, opportunity: Opportunity, reason: str = "") -> Opportunity:
    """Close an open opportunity as won (probability 100); the reason is optional."""
    ensure_can_write(user)
    return _close(
        user=user,
        opportunity=opportunity,
        status=Opportunity.Status.WON,
        reason=reason,
        reason_required=False,
    )


@transaction.atomic
def opportunity_mark_lost(*, user: User, opportunity: Opportunity, reason: str) -> Opportunity:
    """Close an open opportunity as lost (probability 0); the reason is required."""
    ensure_can_write(user)
    return _close(
        user=user,
        opportunity=opportunity,
        status=Opportunity.Status.LOST,
        reason=reason,
        reason_required=True,
    )


@transaction.atomic
def opportunity_reopen(*, user: User, opportunity: Opportunity) -> Opportunity:
    """Open a won or lost opportunity again, in its stage, with the probability it had before
    it was closed; the card goes to the end of its column."""
    ensure_can_write(user)
    opportunity = _lock_for_edit(user, opportunity)
    if opportunity.is_open:
        raise DomainError(_("This opportunity is already open."), field="status")
    closing = (
        StageChange.objects.filter(opportunity=opportunity, to_status=opportunity.status)
        .exclude(from_status=opportunity.status)
        .order_by("-changed_at", "-id")
        .first()
    )
    from_status, from_probability = opportunity.status, opportunity.probability
    if closing is not None and closing.from_probability is not None:
        opportunity.probability = closing.from_probability
    elif opportunity.stage.probability is not None:
        opportunity.probability = opportunity.stage.probability
    opportunity.status = Opportunity.Status.OPEN
    opportunity.close_reason = ""
    opportunity.closed_at = None
    opportunity.position = _end_of_column(
        opportunity.company_id, opportunity.stage_id, exclude_pk=opportunity.pk
    )
    _save(opportunity, user, ["status", "probability", "close_reason", "closed_at", "position"])
    _record(
        user=user,
        opportunity=opportunity,
        from_stage_id=opportunity.stage_id,
        from_probability=from_probability,
        from_status=from_status,
    )
    return opportunity


@transaction.atomic
def opportunity_delete(*, user: User, opportunity: Opportunity) -> None:
    """Delete an opportunity and its history (edit rights on the customer)."""
    ensure_can_write(user)
    opportunity = _lock_for_edit(user, opportunity)
    opportunity._history_user = user
    opportunity.delete()


def transfer_open_opportunities(*, actor: User, from_user: User, to_user: User) -> int:
    """When a rep leaves: their open opportunities go to `to_user` (a deactivation handover).
    Closed ones keep their owner, who won or lost them."""
    return Opportunity.objects.filter(
        company_id=actor.company_id, owner=from_user, status=Opportunity.Status.OPEN
    ).update(owner=to_user)


def follow_customer_transfer(*, customer: Customer, from_owner: User, to_owner: User) -> int:
    """A transferred customer's open opportunities, owned by the old owner, follow it."""
    return Opportunity.objects.filter(
        customer=customer, owner=from_owner, status=Opportunity.Status.OPEN
    ).update(owner=to_owner)
