"""The test database is a copy of a template migrated once (tests/prepared_database.py): the copy
must be the migrated database, and a changed migration must make a new template."""

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import prepared_database

pytestmark = pytest.mark.django_db


def test_the_test_database_has_every_migration_applied_and_every_table():
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    tables = set(connection.introspection.table_names())
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            assert model._meta.db_table in tables


def test_the_dictionaries_and_permissions_of_the_migrations_are_there():
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    assert ContentType.objects.filter(app_label="customers", model="customer").exists()
    assert Permission.objects.filter(content_type__app_label="customers").exists()


def test_a_changed_migration_makes_another_key(tmp_path, monkeypatch):
    first = prepared_database.key(connection, fresh=False)
    assert prepared_database.key(connection, fresh=False) == first

    migration = tmp_path / "0999_later.py"
    migration.write_text("operations = []\n")
    files = list(prepared_database.migration_files())
    monkeypatch.setattr(
        prepared_database, "migration_files", lambda: [*files, ("customers", migration)]
    )
    added = prepared_database.key(connection, fresh=False)
    assert added != first

    migration.write_text("operations = [1]\n")
    assert prepared_database.key(connection, fresh=False) not in {first, added}


def test_every_app_with_migrations_is_in_the_key():
    labels = {label for label, _ in prepared_database.migration_files()}
    assert {"accounts", "customers", "inventory", "contenttypes", "auth"} <= labels
