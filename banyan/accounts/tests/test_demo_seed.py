"""`seed_demo` on a database without the demo company: it refuses a real company that holds the
demo code, and runs the registered demo steps after the people (re-seeding: the end of
tests/test_demo_company.py)."""

from io import StringIO

import pytest
from django.core.management import call_command

from banyan.accounts import demo
from banyan.accounts.models import Company
from banyan.core.hooks import Hook

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


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

    monkeypatch.setattr(demo, "DEMO_STEPS", Hook("demo company built", "company, users"))
    demo.DEMO_STEPS.register(demo_notes)
    demo.DEMO_STEPS.register(demo_notes)  # registering twice keeps one

    first = demo.build_demo_company()
    assert first.created and first.steps_with_changes == ["demo_notes"]
    assert calls[0][0] == "demo"
    assert "boss" in calls[0][1] and "lina" in calls[0][1]

    second = demo.build_demo_company()
    assert not second.changed
    assert len(calls) == 2
