"""Fixtures every app's tests share: two companies, and a user of every role in each.

Structure of each company (built through the services, as a real admin would):

    boss (admin boss) ─┬─ director1 ─┬─ manager1 ─┬─ sales1
                       │             │            └─ sales2
                       │             ├─ manager2 ─── sales3
                       │             └─ sales_d1           (sales straight under a director)
                       ├─ director2 ─── sales4
                       └─ sales_boss                        (sales straight under the boss)
    vice_boss (boss, not admin)
    assistant (sales under director1, assistant of manager1)
"""

import os
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from banyan.accounts import services
from banyan.accounts.models import Role

PASSWORD = "Banyan-test-2026"

# The property tests that run the services against the database (amounts, books, stock) take
# a second or more an example: each run tries 10, and `HYPOTHESIS_PROFILE=thorough` 200.
hypothesis_settings.register_profile("ci", max_examples=10)
hypothesis_settings.register_profile("thorough", max_examples=200)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, request):
    """Just before the test databases are created: each is a copy of a template migrated once
    for all processes and kept for the next run until a migration changes
    (tests/prepared_database.py)."""
    from tests import prepared_database

    prepared_database.install(request.config)


@pytest.fixture(autouse=True)
def english_by_default():
    """Tests read English messages unless they ask for another language; a request that
    switched to Chinese must not leak its language into the next test."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


def build_company(code: str, name: str) -> SimpleNamespace:
    company, boss = services.company_create(
        code=code,
        name=name,
        plan="formal",
        boss_username="boss",
        boss_password=PASSWORD,
        boss_real_name="王总",
    )

    def add(username, role, superior=None, **extra):
        return services.user_create(
            actor=boss,
            username=username,
            password=PASSWORD,
            real_name=extra.pop("real_name", username),
            role=role,
            superior=superior,
            **extra,
        )

    org = SimpleNamespace(company=company, boss=boss)
    org.vice_boss = add("vice_boss", Role.BOSS)
    org.director1 = add("director1", Role.DIRECTOR, boss)
    org.director2 = add("director2", Role.DIRECTOR, boss)
    org.manager1 = add("manager1", Role.MANAGER, org.director1)
    org.manager2 = add("manager2", Role.MANAGER, org.director1)
    org.sales1 = add("sales1", Role.SALES, org.manager1)
    org.sales2 = add("sales2", Role.SALES, org.manager1)
    org.sales3 = add("sales3", Role.SALES, org.manager2)
    org.sales_d1 = add("sales_d1", Role.SALES, org.director1)
    org.sales4 = add("sales4", Role.SALES, org.director2)
    org.sales_boss = add("sales_boss", Role.SALES, boss)
    org.assistant = add("assistant", Role.SALES, org.director1, assistant_of=org.manager1)
    for user in vars(org).values():
        if hasattr(user, "refresh_from_db") and user is not company:
            user.refresh_from_db()
    return org


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(item.fixturenames))


@contextmanager
def _kept_for_the_module(request, django_db_blocker, build):
    """Run `build()` once in an outer transaction that stays open for the whole module and is
    rolled back after its last test; each test's own transaction is a savepoint inside it, so
    what one test changes is gone for the next. A module with a transactional test (threads
    on other connections, a live server) cannot share uncommitted rows, nor can a fixture
    first asked for from inside a test: there the value is None and the fixtures below build
    the company for each test."""
    from django.db import connection, transaction

    items = [item for item in request.session.items if item.module is request.module]
    inside_a_test = any(block._from_testcase for block in connection.atomic_blocks)
    if inside_a_test or any(_is_transactional(item) for item in items):
        # Asked for from inside a test (request.getfixturevalue): what it built would be rolled
        # back with that test, so there is nothing to keep.
        yield None
        return
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _fresh(built: SimpleNamespace) -> SimpleNamespace:
    """The same company and users read afresh (two queries), so that nothing a test caches on
    an instance or changes in memory reaches the next test."""
    from banyan.accounts.models import Company, User

    users = User.objects.in_bulk(
        [value.pk for value in vars(built).values() if value is not built.company]
    )
    fresh = SimpleNamespace(company=Company.objects.get(pk=built.company.pk))
    for name, value in vars(built).items():
        if name != "company":
            setattr(fresh, name, users[value.pk])
    return fresh


@pytest.fixture(scope="module")
def alpha_build(request, django_db_setup, django_db_blocker):
    with _kept_for_the_module(
        request, django_db_blocker, lambda: build_company("alpha", "阿尔法科技有限公司")
    ) as built:
        yield built


@pytest.fixture(scope="module")
def beta_build(request, django_db_setup, django_db_blocker):
    with _kept_for_the_module(
        request, django_db_blocker, lambda: build_company("beta", "贝塔贸易有限公司")
    ) as built:
        yield built


@pytest.fixture
def org(alpha_build, db):
    """Company A with a user of every role (built once per module, read afresh per test)."""
    if alpha_build is None:
        return build_company("alpha", "阿尔法科技有限公司")
    return _fresh(alpha_build)


@pytest.fixture
def other_org(beta_build, db):
    """Company B, the same shape: nothing of it may ever show in company A."""
    if beta_build is None:
        return build_company("beta", "贝塔贸易有限公司")
    return _fresh(beta_build)


@pytest.fixture(scope="module")
def demo_seed(django_db_setup, django_db_blocker):
    """`seed_demo` run once for the module that asks for it (the demo company takes seconds to
    build) and rolled back after the module's last test: its output and the `DemoBuild` it
    made. Each test runs in a savepoint inside, as usual, so what one test changes is gone for
    the next. Every test that reads the demo is in one module (tests/test_demo_company.py), so
    the demo is built once for the whole run."""
    from io import StringIO
    from unittest import mock

    from django.core.management import call_command
    from django.db import transaction

    from banyan.accounts.management.commands import seed_demo

    builds = []

    def build_and_keep():
        builds.append(build_demo_company())
        return builds[-1]

    build_demo_company = seed_demo.build_demo_company
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            output = StringIO()
            with mock.patch.object(seed_demo, "build_demo_company", build_and_keep):
                call_command("seed_demo", stdout=output)
            yield SimpleNamespace(output=output.getvalue(), build=builds[0])
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def demo_build(demo_seed):
    """The demo company's `DemoBuild` (see `demo_seed`)."""
    return demo_seed.build


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as(api_client):
    """`api_as(user)` → an APIClient authenticated with that user's token."""

    def login(user):
        token = services.api_token_for(user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return client

    return login


@pytest.fixture
def client_as(client):
    """`client_as(user)` → the Django test client logged in as that user."""

    def login(user):
        from django.test import Client

        c = Client()
        c.force_login(user, backend="banyan.accounts.backends.CompanyUserBackend")
        return c

    return login


@pytest.fixture
def make_customer(db):
    """`make_customer(owner, name=..., **fields)` → a customer created by its owner through
    the services (duplicate check confirmed, so tests may reuse names)."""
    from banyan.customers import services as customer_services

    counter = {"n": 0}

    def make(owner, name=None, **fields):
        counter["n"] += 1
        fields.setdefault("confirm_duplicates", True)
        return customer_services.customer_create(
            user=owner, name=name or f"客户{counter['n']}", **fields
        )

    return make


@pytest.fixture
def grant(db):
    """`grant(user, "finance", "see_costs", …)` → the user, given those special permissions
    (on top of any they had) by an admin boss of their company, with a fresh permission cache."""
    from banyan.accounts.models import User

    def give(user, *codenames):
        admin = User.objects.filter(company_id=user.company_id, is_admin=True).first()
        had = set(user.user_permissions.values_list("codename", flat=True))
        services.user_update(actor=admin, user=user, permissions=sorted(had | set(codenames)))
        return User.objects.get(pk=user.pk)

    return give


@pytest.fixture
def make_product(db, grant):
    """`make_product(company_user, code=..., kind="service"|"physical", **fields)` → a product
    of that user's company, created by its admin boss (given "manage products" and "see
    costs" for it). Defaults: a physical product at 100.00, cost 60.00."""
    from banyan.accounts.models import User
    from banyan.products import services as product_services

    counter = {"n": 0}
    managers = {}

    def make(user, **fields):
        counter["n"] += 1
        if user.company_id not in managers:
            admin = User.objects.filter(company_id=user.company_id, is_admin=True).first()
            managers[user.company_id] = grant(admin, "manage_products", "see_costs")
        fields.setdefault("code", f"P{counter['n']:04d}")
        fields.setdefault("name", f"产品{counter['n']}")
        fields.setdefault("kind", "physical")
        fields.setdefault("list_price", "100.00")
        fields.setdefault("cost", "60.00")
        fields.setdefault("unit", "件")
        return product_services.product_create(user=managers[user.company_id], **fields)

    return make


@pytest.fixture
def make_agreement(db, make_product):
    """`make_agreement(user, customer, kind="order", lines=None, **fields)` → an agreement
    the user creates through the services. Without lines: one line of a new product (a
    service for a contract) at 100.00 × 1."""
    from banyan.agreements import services as agreement_services

    def make(user, customer, kind="order", lines=None, **fields):
        if lines is None:
            product = make_product(user, kind="service" if kind == "contract" else "physical")
            lines = [{"product": product.pk, "quantity": "1"}]
        fields.setdefault("title", f"{customer.name} {kind}")
        return agreement_services.agreement_create(
            user=user, kind=kind, customer=customer, lines=lines, **fields
        )

    return make
