"""On PostgreSQL, trigram indexes on what the opportunity search boxes look in besides the
customer (`UPPER(column)`, the expression Django's case-insensitive match uses), so a rare word
is found through an index instead of by reading every row. SQLite has none."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS opp_name_upper_trgm ON opportunities_opportunity "
    "USING gin ((UPPER(name::text)) gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS opp_name_upper_trgm",
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("opportunities", "0004_board_totals_index")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
