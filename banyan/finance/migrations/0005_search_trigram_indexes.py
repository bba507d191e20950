"""On PostgreSQL, trigram indexes on what the payment and invoice search boxes look in besides the
customer (`UPPER(column)`, the expression Django's case-insensitive match uses), so a rare word
is found through an index instead of by reading every row. SQLite has none."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS pay_note_upper_trgm ON finance_payment "
    "USING gin ((UPPER(note::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS inv_number_upper_trgm ON finance_invoice "
    "USING gin ((UPPER(number::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS inv_title_upper_trgm ON finance_invoice "
    "USING gin ((UPPER(title::text)) gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS pay_note_upper_trgm",
    "DROP INDEX IF EXISTS inv_number_upper_trgm",
    "DROP INDEX IF EXISTS inv_title_upper_trgm",
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
    dependencies = [("finance", "0004_fill_customer_owner")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
