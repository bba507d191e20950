"""Demo data of the targets app: this month's targets for every demo rep, manager and
director, set by their superiors through the services, and the group targets of the
directors and managers, set by the boss (a group's target is a little above the sum of its
members' own)."""

import random
from decimal import Decimal

from banyan.accounts.demo import DEMO_RESET_STEPS, DEMO_STEPS
from banyan.accounts.models import Role
from banyan.targets import selectors, services
from banyan.targets.models import SalesTarget

STAFF_PERMISSIONS = ("accounts.warehouse_keeper", "accounts.customer_service")
TARGET_ROLES = (Role.SALES, Role.MANAGER, Role.DIRECTOR)


def _round_thousand(value: Decimal) -> Decimal:
    return (value / 1000).quantize(Decimal("1")) * 1000


@DEMO_STEPS.register
def demo_targets(company, users) -> bool:
    if SalesTarget.objects.filter(company=company).exists():
        return False
    rng = random.Random(f"targets-{company.code}")
    boss = users["boss"]
    month = selectors.current_month(boss)
    people = [
        user
        for user in sorted(users.values(), key=lambda u: u.path)
        if user.role in TARGET_ROLES
        and user.superior_id
        and user.is_active
        and not any(user.has_perm(p) for p in STAFF_PERMISSIONS)
    ]
    by_id = {user.pk: user for user in users.values()}
    personal = {}
    for person in people:
        payment = Decimal(rng.randrange(60, 300) * 1000)
        contract = _round_thousand(payment * Decimal(rng.uniform(1.0, 1.5)))
        services.target_set(
            user=by_id[person.superior_id],
            target_user=person,
            month=month,
            payment_amount=payment,
            contract_amount=contract,
        )
        personal[person.pk] = (payment, contract)
    for leader in people:
        if leader.role not in (Role.DIRECTOR, Role.MANAGER):
            continue
        members = [p for p in people if p.path.startswith(leader.path)]
        payment = sum((personal[p.pk][0] for p in members), Decimal("0"))
        contract = sum((personal[p.pk][1] for p in members), Decimal("0"))
        services.target_set(
            user=boss,
            target_user=leader,
            month=month,
            is_group=True,
            payment_amount=_round_thousand(payment * Decimal("1.1")),
            contract_amount=_round_thousand(contract * Decimal("1.1")),
        )
    return True


@DEMO_RESET_STEPS.register
def demo_targets_reset(company) -> None:
    SalesTarget.objects.filter(company=company).delete()
