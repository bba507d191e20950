"""The monthly tallies PostgreSQL keeps for the dashboard: after every kind of change the
services make (new rows, a cancellation, a reversal, an activity moved to another month or
deleted, a customer transferred to another line, a share, a new company time zone), the
tallies equal a count of the rows, and every dashboard figure equals the one counted live.
"""

from datetime import datetime
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from banyan.accounts.models import User
from banyan.activities import services as activity_services
from banyan.activities.models import Activity
from banyan.customers import services as customer_services
from banyan.workbench import tallies
from banyan.workbench.tests.test_dashboard import (  # noqa: F401  (fixtures)
    UTC,
    figures_of,
    november,
    world,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="tallies are PostgreSQL's"),
]


def live_figures(user) -> dict:
    with mock.patch.object(tallies, "in_use", return_value=False):
        return figures_of(user)


def trends(user, *, live: bool) -> dict:
    from banyan.workbench import selectors

    patch = mock.patch.object(tallies, "in_use", return_value=not live)
    with patch:
        found = selectors.dashboard(user)
    return {figure.key: figure.trend for figure in found["figures"]}


def assert_kept(*users):
    assert tallies.mismatches() == {}
    for user in users:
        assert figures_of(user) == live_figures(user)
        assert trends(user, live=False) == trends(user, live=True)


def test_the_tallies_follow_every_change(world, grant):  # noqa: F811
    org = world.org
    manager = grant(org.manager1, "view_reports")
    assert_kept(org.boss, manager)
    before = figures_of(manager)

    # c1 (sales1's, in manager1's line) goes to sales3 (manager2's): its activities,
    # agreements and payments leave manager1's figures, and the tallies follow.
    customer_services.customer_transfer(user=org.boss, customer=world.c1, owner=org.sales3)
    assert_kept(org.boss, manager)
    after = figures_of(manager)
    assert after["signed"][0] < before["signed"][0]
    assert after["activities"][0] == before["activities"][0] - 1

    # Shared back with manager1 to view: counted again, live, beside the line's tallies.
    customer_services.customer_share(
        user=org.boss, customer=world.c1, target=org.manager1, level="view"
    )
    assert_kept(org.boss, manager)
    assert figures_of(manager)["activities"] == before["activities"]

    # An activity moved to another month, another deleted.
    moved = Activity.objects.filter(company=org.company, customer=world.c2).first()
    activity_services.activity_update(
        user=org.sales2, activity=moved, occurred_at=datetime(2026, 9, 3, 2, 0, tzinfo=UTC)
    )
    gone = Activity.objects.filter(company=org.company, customer=world.c3).first()
    activity_services.activity_delete(user=org.sales3, activity=gone)
    assert_kept(org.boss, manager)

    # A new time zone recounts the company's months.
    org.company.time_zone = "UTC"
    org.company.save(update_fields=["time_zone"])
    assert_kept(User.objects.select_related("company").get(pk=org.boss.pk))


def test_the_check_command_finds_and_fixes_a_wrong_tally(world):  # noqa: F811
    out = StringIO()
    call_command("check_tallies", stdout=out)
    assert "equal" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {tallies.TABLE} SET count = count + 1 WHERE flow = 'activities'")
    with pytest.raises(CommandError):
        call_command("check_tallies", stdout=StringIO())
    call_command("check_tallies", "--fix", stdout=StringIO())
    assert tallies.mismatches() == {}
