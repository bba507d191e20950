"""On PostgreSQL, trigram indexes on what the contract and order search boxes look in besides the
customer (`UPPER(column)`, the expression Django's case-insensitive match uses), so a rare word
is found through an index instead of by reading every row. SQLite has none."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS agr_number_upper_trgm ON agreements_agreement "
    "USING gin ((UPPER(number::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS agr_title_upper_trgm ON agreements_agreement "
    "USING gin ((UPPER(title::text)) gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS agr_number_upper_trgm",
    "DROP INDEX IF EXISTS agr_title_upper_trgm",
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
    dependencies = [("agreements", "0004_list_order_indexes")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
