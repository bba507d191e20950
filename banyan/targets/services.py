"""Writes on sales targets.

- Nobody sets their own target: their superior does.
- A boss sets targets for anyone in the company, personal or group.
- A director or manager sets them for the people strictly below them, group targets
  included (a director for the managers below them).
- Group targets exist only for directors and managers (a group is their subtree).
- Everyone else is refused. Amounts are ≥ 0 with at most two decimals.
"""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from banyan.accounts.guards import ensure_can_write
from banyan.accounts.models import Role, User
from banyan.core.errors import DomainError, PermissionRefused, ValidationFailed
from banyan.core.fetch import get_for
from banyan.core.values import parse_amount
from banyan.targets import selectors
from banyan.targets.models import SalesTarget


def _add(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def _person(actor: User, value) -> User:
    """A user of the actor's company (another company's, or none: NotFound)."""
    return get_for(User.objects.filter(company_id=actor.company_id), value)


def ensure_may_set(actor: User, person: User, *, is_group: bool) -> None:
    """Refuse (PermissionRefused, with the reason) unless `actor` may set this target: the
    rule of `selectors.target_refusal`."""
    refusal = selectors.target_refusal(actor, person, is_group=is_group)
    if refusal is not None:
        raise PermissionRefused(refusal)


def _month(value, errors: dict) -> date | None:
    if value in (None, ""):
        _add(errors, "month", _("Choose a month, e.g. 2026-11."))
        return None
    month = selectors.parse_month(value)
    if month is None:
        _add(errors, "month", _("Enter a month as YYYY-MM, e.g. 2026-11."))
    return month


@transaction.atomic
def target_set(
    *,
    user: User,
    target_user,
    month,
    payment_amount,
    contract_amount,
    is_group: bool = False,
) -> SalesTarget:
    """Create or update the target of `target_user` (personal, or their group's) for
    `month`, set by `user`."""
    ensure_can_write(user)
    person = _person(user, target_user)
    is_group = bool(is_group)
    ensure_may_set(user, person, is_group=is_group)
    if is_group and person.role not in (Role.DIRECTOR, Role.MANAGER):
        raise DomainError(
            _("Group targets are for directors and managers: %(name)s has no group.")
            % {"name": person.display_name},
            field="is_group",
        )
    errors: dict = {}
    first = _month(month, errors)
    payment = parse_amount(payment_amount, errors, "payment_amount", allow_zero=True)
    contract = parse_amount(contract_amount, errors, "contract_amount", allow_zero=True)
    if not person.is_active:
        _add(errors, "target_user", _("%(name)s is deactivated.") % {"name": person.display_name})
    if errors:
        raise ValidationFailed(errors)
    lookup = {"company_id": user.company_id, "user": person, "is_group": is_group, "month": first}
    target = SalesTarget.objects.select_for_update().filter(**lookup).first()
    if target is None:
        target = SalesTarget(**lookup)
    target.payment_amount = payment
    target.contract_amount = contract
    target.set_by = user
    target._history_user = user
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:
        # Someone created the same target at the same moment: update theirs instead.
        target = SalesTarget.objects.select_for_update().get(**lookup)
        target.payment_amount = payment
        target.contract_amount = contract
        target.set_by = user
        target._history_user = user
        target.save()
    return target


TARGET_KEYS = ("target_user", "is_group", "month")
TARGET_AMOUNTS = ("payment_amount", "contract_amount")


def _key_value(name: str, value):
    """A key field's value as the target stores it (a person as their id, a month as its
    first day), to compare with the target's own."""
    if name == "target_user":
        return getattr(value, "pk", value)
    if name == "month" and isinstance(value, str):
        return selectors.parse_month(value)
    if name == "is_group":
        return bool(value)
    return value


@transaction.atomic
def target_update(*, user: User, target: SalesTarget, **changes) -> SalesTarget:
    """Change a target's payment and contract amounts (an amount not given stays). A target
    stays with its person, kind and month: giving another of any of them is refused, naming
    the field; giving the same is fine. The rest is `target_set`'s rules."""
    ensure_can_write(user)
    current = selectors.get_target_for(user, target.pk)
    errors: dict = {}
    for field in sorted(set(changes) - {*TARGET_KEYS, *TARGET_AMOUNTS}):
        _add(errors, field, _("Unknown field."))
    stays = {"target_user": current.user_id, "is_group": current.is_group, "month": current.month}
    for name, value in stays.items():
        if name in changes and _key_value(name, changes[name]) != value:
            _add(errors, name, _("A target stays with its person, kind and month."))
    if errors:
        raise ValidationFailed(errors)
    return target_set(
        user=user,
        target_user=current.user,
        month=current.month,
        is_group=current.is_group,
        payment_amount=changes.get("payment_amount", current.payment_amount),
        contract_amount=changes.get("contract_amount", current.contract_amount),
    )


@transaction.atomic
def target_delete(*, user: User, target: SalesTarget) -> None:
    """Remove a target; the same people who may set it may remove it."""
    ensure_can_write(user)
    target = selectors.get_target_for(user, target.pk)
    ensure_may_set(user, target.user, is_group=target.is_group)
    target._history_user = user
    target.delete()
