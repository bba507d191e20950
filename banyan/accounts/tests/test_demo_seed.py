"""`seed_demo`: builds the demo company once, rebuilds it on `--reset`, and touches nothing else."""

from io import StringIO

import pytest
from django.core.management import call_command

from banyan.accounts import demo
from banyan.accounts.models import Company, User

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_is_idempotent(db, django_assert_max_num_queries):
    first = seed()
    assert "Built the demo company" in first
    company = Company.objects.get(code="demo")
    count = User.objects.filter(company=company).count()

    # A re-seed only asks each demo step whether its data is there: a few queries each.
    from banyan.accounts.demo import DEMO_STEPS

    with django_assert_max_num_queries(5 + 3 * len(DEMO_STEPS)):
        second = seed()

    assert "nothing to do" in second
    assert Company.objects.filter(code="demo").count() == 1
    assert User.objects.filter(company=company).count() == count


def test_seed_demo_reset_rebuilds_the_company(db):
    seed()
    old = Company.objects.get(code="demo")
    old_users = User.objects.filter(company=old).count()
    User.objects.filter(company=old, username="lina").update(real_name="改过的名字")

    output = seed("--reset")

    assert "Deleted the demo company demo" in output
    assert "Built the demo company" in output
    new = Company.objects.get(code="demo")
    assert new.pk != old.pk
    assert not User.objects.filter(company_id=old.pk).exists()
    assert User.objects.filter(company=new).count() == old_users
    assert User.objects.get(company=new, username="lina").real_name == "李娜"


def test_seed_demo_reset_leaves_other_companies_alone(org):
    seed()
    users = User.objects.filter(company=org.company).count()
    seed("--reset")
    assert User.objects.filter(company=org.company).count() == users


def test_seed_demo_refuses_a_non_demo_company_with_the_demo_code(db):
    from django.core.management.base import CommandError

    from banyan.accounts import services

    services.company_create(
        code="demo", name="真公司", plan="formal", boss_username="boss", boss_password="Xy-12345678"
    )
    with pytest.raises(CommandError, match="not the demo"):
        seed()
    with pytest.raises(CommandError, match="not the demo"):
        seed("--reset")
    assert Company.objects.get(code="demo").name == "真公司"


def test_registered_demo_steps_run_after_the_people_and_are_idempotent(db, monkeypatch):
    calls = []

    def demo_notes(company, users):
        calls.append((company.code, sorted(users)))
        return len(calls) == 1  # made something the first time only

    monkeypatch.setattr(demo, "DEMO_STEPS", [])
    demo.register_demo_step(demo_notes)
    demo.register_demo_step(demo_notes)  # registering twice keeps one

    first = demo.build_demo_company()
    assert first.created and first.steps_with_changes == ["demo_notes"]
    assert calls[0][0] == "demo"
    assert "boss" in calls[0][1] and "lina" in calls[0][1]

    second = demo.build_demo_company()
    assert not second.changed
    assert len(calls) == 2
