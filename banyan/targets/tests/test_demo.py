"""The demo company's targets for this month: set by each person's superior, groups by the
boss, and within reach of what the demo data achieves."""

import pytest

from banyan.accounts import demo
from banyan.targets import selectors
from banyan.targets.models import SalesTarget

pytestmark = pytest.mark.django_db


def test_the_demo_has_this_months_targets(demo_build):
    built = demo_build
    company = built.company
    targets = SalesTarget.objects.filter(company=company).select_related("user", "set_by")
    boss = next(t.set_by for t in targets if t.is_group)
    month = selectors.current_month(boss)
    assert {t.month for t in targets} == {month}
    personal = [t for t in targets if not t.is_group]
    groups = [t for t in targets if t.is_group]
    assert len(personal) >= 15
    assert {t.user.role for t in groups} == {"director", "manager"}
    for target in personal:
        assert target.set_by_id == target.user.superior_id
        assert target.payment_amount > 0
    assert {t.set_by.username for t in groups} == {"boss"}
    assert len(selectors.targets_for(boss, month)) == len(targets)
    assert "demo_targets" in built.steps_with_changes
    assert "demo_targets" not in demo.build_demo_company().steps_with_changes  # idempotent
