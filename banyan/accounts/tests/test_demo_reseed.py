"""`seed_demo` run again on a seeded database: a re-seed does nothing, `--reset` rebuilds the
demo company and touches nothing else. (From an empty database: test_demo_seed.py.)"""

from io import StringIO

import pytest
from django.core.management import call_command

from banyan.accounts.models import Company, User

pytestmark = pytest.mark.django_db


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def first_seed(django_db_setup, django_db_blocker):
    """`seed_demo` run once for the module (in a transaction rolled back after it), with its
    output: the tests below re-seed and reset from there, each in its own savepoint."""
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield seed()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_seed_demo_is_idempotent(first_seed, db, django_assert_max_num_queries):
    first = first_seed
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


def test_seed_demo_reset_rebuilds_the_company_and_leaves_other_companies_alone(first_seed, org):
    old = Company.objects.get(code="demo")
    old_users = User.objects.filter(company=old).count()
    User.objects.filter(company=old, username="lina").update(real_name="改过的名字")
    users = User.objects.filter(company=org.company).count()

    output = seed("--reset")

    assert "Deleted the demo company demo" in output
    assert "Built the demo company" in output
    new = Company.objects.get(code="demo")
    assert new.pk != old.pk
    assert not User.objects.filter(company_id=old.pk).exists()
    assert User.objects.filter(company=new).count() == old_users
    assert User.objects.get(company=new, username="lina").real_name == "李娜"
    assert User.objects.filter(company=org.company).count() == users
